"""The download guard: what the bot fetches, from where, and how it reports what went wrong.
Every test stays on loopback: hostile names resolve through an injected resolver."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from pathlib import Path

import pytest

from bot.video.download import (
    Disallowed,
    Downloaded,
    Transient,
    Unavailable,
    Unwritable,
    VideoDownloader,
)
from tests.common import API_KEY, instant
from tests.conftest import eventually
from tests.video.conftest import MapResolver, finished_task

MB = 1024 * 1024


def downloader(http, api, **kwargs) -> VideoDownloader:
    kwargs.setdefault("max_bytes", 50 * MB)
    return VideoDownloader(http, api.base_url, **kwargs)


async def test_a_video_on_the_api_host_is_streamed_to_the_file_without_the_key(
    api, http, clock, clip_720p, tmp_path
):
    _, url = await finished_task(api, http, clock, instant(video_file=clip_720p))
    dest = tmp_path / "v.mp4"

    outcome = await downloader(http, api).download(url, dest)

    assert outcome == Downloaded(dest, clip_720p.stat().st_size)
    assert dest.read_bytes() == clip_720p.read_bytes()
    sent = api.downloads[-1].headers
    assert "Authorization" not in sent
    assert API_KEY not in " ".join(sent.values())


async def test_redirects_are_followed_up_to_the_limit(api, http, clock, clip_720p, tmp_path):
    _, url = await finished_task(api, http, clock, instant(video_file=clip_720p, video_redirects=3))

    outcome = await downloader(http, api, max_redirects=3).download(url, tmp_path / "v.mp4")

    assert isinstance(outcome, Downloaded)
    assert [r.status for r in api.downloads] == [302, 302, 302, 200]


async def test_one_redirect_too_many_is_refused(api, http, clock, clip_720p, tmp_path):
    _, url = await finished_task(api, http, clock, instant(video_file=clip_720p, video_redirects=4))

    outcome = await downloader(http, api, max_redirects=3).download(url, tmp_path / "v.mp4")

    assert outcome == Disallowed("more than 3 redirects")
    assert api.tasks and next(iter(api.tasks.values())).videos_served == 0


@pytest.mark.parametrize(
    ("target", "why"),
    [
        # Loopback, but not the API base's host: plain http is refused for the scheme...
        ("http://127.0.0.2:{port}/files/x.mp4", "only https"),
        # ...and https for the address.
        ("https://127.0.0.2:{port}/files/x.mp4", "loopback"),
        ("https://[::1]:{port}/files/x.mp4", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[::ffff:10.0.0.1]/x.mp4", "private"),
        ("ftp://example.com/x.mp4", "not an http(s) link"),
        ("file:///etc/passwd", "not an http(s) link"),
    ],
)
async def test_a_redirect_to_a_forbidden_place_is_refused_before_any_request(
    api, http, clock, traffic, tmp_path, target, why
):
    port = int(api.base_url.rsplit(":", 1)[1])
    plan = instant(video_redirect_to=target.format(port=port))
    _, url = await finished_task(api, http, clock, plan)
    traffic.requests.clear()

    outcome = await downloader(http, api).download(url, tmp_path / "v.mp4")

    assert isinstance(outcome, Disallowed)
    assert why in outcome.reason
    assert traffic.requests == [url]  # only the API host was asked


async def test_a_name_that_resolves_to_a_private_address_is_refused_before_connecting(
    api, http, traffic, tmp_path
):
    resolver = MapResolver({"video.test": ["10.1.2.3"]})

    outcome = await downloader(http, api, resolver=resolver).download(
        "https://video.test/files/x.mp4?Signature=abc", tmp_path / "v.mp4"
    )

    assert outcome == Disallowed("the video host resolves to a private address")
    assert resolver.asked == ["video.test"]
    assert traffic.requests == []
    assert traffic.connections == 0
    assert not (tmp_path / "v.mp4").exists()


async def test_one_forbidden_address_among_public_ones_is_enough_to_refuse(api, http, traffic):
    # A name answering a public and a metadata address could be connected to either.
    resolver = MapResolver({"video.test": ["93.184.216.34", "169.254.169.254"]})

    outcome = await downloader(http, api, resolver=resolver).download(
        "https://video.test/x.mp4", Path("/nonexistent/never-written.mp4")
    )

    assert outcome == Disallowed("the video host resolves to a link-local address")
    assert traffic.requests == []


async def test_a_redirect_to_a_name_resolving_to_loopback_is_refused(
    api, http, clock, traffic, tmp_path
):
    # What the text says (a harmless-looking name) does not count: what it resolves to does.
    resolver = MapResolver({"cdn.video.test": ["127.0.0.1"]})
    port = int(api.base_url.rsplit(":", 1)[1])
    plan = instant(video_redirect_to=f"https://cdn.video.test:{port}/files/x.mp4")
    _, url = await finished_task(api, http, clock, plan)
    traffic.requests.clear()

    outcome = await downloader(http, api, resolver=resolver).download(url, tmp_path / "v.mp4")

    assert outcome == Disallowed("the video host resolves to a loopback address")
    assert traffic.requests == [url]


async def test_a_name_that_does_not_resolve_is_worth_retrying(api, http, traffic):
    outcome = await downloader(http, api, resolver=MapResolver({})).download(
        "https://gone.test/x.mp4", Path("/nonexistent/x.mp4")
    )

    assert isinstance(outcome, Transient)
    assert traffic.requests == []


async def test_a_file_over_the_byte_cap_is_refused_without_reading_it(api, http, clock, tmp_path):
    size = 3 * 1024**3  # served from one shared buffer: cheap for the fake
    _, url = await finished_task(api, http, clock, instant(video_bytes=size))
    dest = tmp_path / "v.mp4"

    outcome = await downloader(http, api, max_bytes=MB).download(url, dest)

    assert outcome == Disallowed(f"the video is {size} bytes, over {MB}")
    assert not dest.exists() or dest.stat().st_size <= MB


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (instant(video_missing=True), Unavailable(404)),
        # OSS answers 403 once the signed link's 24 hours are over.
        (instant(expire_after_s=1), Unavailable(403)),
    ],
)
async def test_a_dead_link_is_unavailable(api, http, clock, tmp_path, plan, expected):
    _, url = await finished_task(api, http, clock, plan)
    clock.advance(5)

    outcome = await downloader(http, api).download(url, tmp_path / "v.mp4")

    assert outcome == expected


@pytest.mark.parametrize(
    ("plan", "reason"),
    [
        (instant(video_unavailable_first=1), "HTTP 503"),
        # Two drops: aiohttp itself retries a GET once when a kept-alive connection drops.
        (instant(video_drop_first=2), "ServerDisconnectedError"),
    ],
)
async def test_a_flaky_video_host_is_transient_and_recovers(
    api, http, clock, clip_720p, tmp_path, plan, reason
):
    _, url = await finished_task(api, http, clock, replace(plan, video_file=clip_720p))
    fetch = downloader(http, api)

    first = await fetch.download(url, tmp_path / "v.mp4")
    second = await fetch.download(url, tmp_path / "v.mp4")

    assert isinstance(first, Transient) and reason in first.reason
    assert isinstance(second, Downloaded)


async def test_a_host_that_accepts_and_stalls_is_cut_at_the_downloads_total_time(
    api, http, clock, clip_720p, tmp_path
):
    """The host answers 200 and the first bytes, then nothing: far shorter than the per-read
    timeout (three connect timeouts), the whole download's own limit ends it."""
    plan = instant(video_file=clip_720p, video_stall_first=1)
    _, url = await finished_task(api, http, clock, plan)
    fetch = downloader(http, api, timeout_s=0.3, connect_timeout_s=10)

    first = await fetch.download(url, tmp_path / "v.mp4")
    second = await fetch.download(url, tmp_path / "v.mp4")

    assert first == Transient("the download took longer than 0.3 s")
    assert isinstance(second, Downloaded), "the next request is served"
    await eventually(lambda: asyncio.sleep(0, api.stalling == 0), what="the stall to be let go")


async def test_a_host_refusing_connections_is_transient(http, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port now; it is the API base, so the guard lets it through.
    base = f"http://127.0.0.1:{port}"
    fetch = VideoDownloader(http, base, max_bytes=MB)

    outcome = await fetch.download(f"{base}/files/x.mp4", tmp_path / "v.mp4")

    assert isinstance(outcome, Transient)
    assert "ClientConnectorError" in outcome.reason


async def test_a_body_without_a_declared_size_is_cut_at_the_cap(api, http, clock, tmp_path):
    plan = instant(video_bytes=5 * MB, video_chunked=True)
    _, url = await finished_task(api, http, clock, plan)
    dest = tmp_path / "v.mp4"

    outcome = await downloader(http, api, max_bytes=MB).download(url, dest)

    assert outcome == Disallowed(f"the video is over {MB} bytes")
    assert dest.stat().st_size <= MB


async def test_a_disk_that_cannot_take_the_file_is_told_apart_from_the_link(
    api, http, clock, tmp_path
):
    _, url = await finished_task(api, http, clock, instant())
    (tmp_path / "taken").write_text("a file where the directory should be")

    outcome = await downloader(http, api).download(url, tmp_path / "taken" / "v.mp4")

    assert isinstance(outcome, Unwritable)
    assert outcome.reason.startswith("could not write the video")


class SilentResolver(MapResolver):
    """A DNS server that never answers."""

    async def resolve(self, host, port=0, family=socket.AF_INET):
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_a_resolver_that_never_answers_is_transient(api, http, traffic):
    fetch = downloader(http, api, resolver=SilentResolver({}), connect_timeout_s=0.05)

    outcome = await fetch.download("https://slow.test/x.mp4", Path("/nonexistent/x.mp4"))

    assert outcome == Transient("resolving the video host took too long")
    assert traffic.requests == []

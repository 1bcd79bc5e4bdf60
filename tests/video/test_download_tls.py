"""The pinned https path, end to end on loopback: the request goes to the address the guard
checked, while the Host header, TLS SNI and the certificate check keep the host's name.

A video host named `video.test` runs with a self-signed certificate on 127.0.0.1; an injected
resolver answers the name and the address policy lets loopback through (in this test only).
"""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.video.download import Downloaded, Transient, VideoDownloader
from tests.video.conftest import MapResolver


@dataclass
class TlsHost:
    port: int
    hosts: list[str] = field(default_factory=list)
    sni: list[str | None] = field(default_factory=list)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=video.test"]
    command += ["-addext", "subjectAltName=DNS:video.test"]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
async def tls_host(certificate, clip_720p) -> AsyncIterator[TlsHost]:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    host = TlsHost(port=0)

    def note_sni(_: ssl.SSLObject, name: str | None, __: ssl.SSLContext) -> None:
        host.sni.append(name)

    context.sni_callback = note_sni

    async def serve(request: web.Request) -> web.StreamResponse:
        host.hosts.append(request.headers.get("Host", ""))
        return web.FileResponse(clip_720p, headers={"Content-Type": "video/mp4"})

    app = web.Application()
    app.router.add_get("/v.mp4", serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    host.port = runner.addresses[0][1]
    yield host
    await runner.cleanup()


@pytest.fixture
async def trusting_http(certificate) -> AsyncIterator[aiohttp.ClientSession]:
    context = ssl.create_default_context(cafile=str(certificate[0]))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as session:
        yield session


def downloader(http: aiohttp.ClientSession, name: str) -> VideoDownloader:
    return VideoDownloader(
        http,
        "http://127.0.0.1:9",  # not the video host: the full guard applies
        max_bytes=10**8,
        resolver=MapResolver({name: ["127.0.0.1"]}),
        address_policy=lambda _: None,
    )


async def test_the_request_goes_to_the_checked_address_under_the_hosts_name(
    tls_host, trusting_http, clip_720p, tmp_path
):
    url = f"https://video.test:{tls_host.port}/v.mp4?Signature=a%2Bb%3D"

    outcome = await downloader(trusting_http, "video.test").download(url, tmp_path / "v.mp4")

    # video.test is in no real DNS: only a request to the pinned address could arrive.
    assert outcome == Downloaded(tmp_path / "v.mp4", clip_720p.stat().st_size)
    assert tls_host.hosts == [f"video.test:{tls_host.port}"]
    assert tls_host.sni == ["video.test"]


async def test_the_certificate_is_checked_against_the_name_not_the_address(
    tls_host, trusting_http, tmp_path
):
    # other.test resolves to the same address, but the certificate is for video.test.
    url = f"https://other.test:{tls_host.port}/v.mp4"

    outcome = await downloader(trusting_http, "other.test").download(url, tmp_path / "v.mp4")

    assert isinstance(outcome, Transient)
    assert "Certificate" in outcome.reason
    assert tls_host.hosts == []

"""Delivering a finished video: memory while fetching, time to fit under Discord's 10 MiB cap.

(a) Peak RSS growth of a process while `VideoPipeline.fetch` streams a ~100 MB MP4 from the fake
    API (target < 40 MB). Measured in a fresh child process, so nothing the bench did before
    counts: the child imports everything, starts the fake, fetches a small clip once (so code
    paths, buffers and the connection pool exist), then resets its peak RSS (`5` into
    /proc/self/clear_refs sets VmHWM back to the current VmRSS) and notes VmRSS, fetches the big
    file, and reads VmHWM. Growth = VmHWM after - VmRSS before. The fake serves the file with
    sendfile, so its side of the transfer is not in RSS either; the page cache is never RSS.
    Where clear_refs cannot be written, the child reports the growth of VmHWM itself, a lower
    bound, and says so in the figure's name.
(b) Wall time of fitting a 10 s 1080P ~20 MB clip under 10 MiB (niced ffmpeg, the bot's
    settings), as a ratio to the clip's duration (target ≤ 2× on 2 cores).

`run(quick)` returns the two Rows; quick fetches the ~20 MB clip instead of ~100 MB.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import Row, status_kb
from bot.video.mp4 import Mp4Info, probe
from bot.video.pipeline import Fetched, Fitted, VideoPipeline
from bot.video.settings import VideoSettings
from fakes.fake_bailian import FakeBailian, ManualClock, TaskPlan
from fakes.media import clip_720p_2s, clip_1080p_10s, make_mp4

MIB = 1024 * 1024
RSS_TARGET_MB = 40.0
TRANSCODE_RATIO_TARGET = 2.0
UPLOAD_CAP = 10 * MIB
_PAYLOAD: dict[str, Any] = {
    "model": "wan2.6-r2v-flash",
    "input": {"prompt": "character1 waves", "reference_urls": ["https://example.com/a.png"]},
    "parameters": {"size": "1920*1080", "duration": 10},
}


def big_clip(quick: bool) -> Path:
    # testsrc2 compresses well: 21 s at 80 Mbit/s is what it takes to reach ~100 MB.
    return clip_1080p_10s() if quick else make_mp4(1920, 1080, 21, "80M")


async def run(quick: bool) -> list[Row]:
    clip = await asyncio.to_thread(big_clip, quick)
    await asyncio.to_thread(clip_720p_2s)  # made here, so the child only reads the cache
    rss = await _rss_in_child(clip)
    ratio, fitted_size = await _transcode_ratio()
    size_mb = clip.stat().st_size / 1e6
    return [
        Row(
            f"peak RSS growth fetching a {size_mb:.0f} MB video{rss['method']}",
            round(rss["growth_mb"], 1),
            "MB",
            target=f"< {RSS_TARGET_MB:.0f} MB",
            met=rss["growth_mb"] < RSS_TARGET_MB,
        ),
        Row(
            f"fit 10 s 1080P to 10 MiB ({fitted_size / MIB:.1f} MiB), time / duration",
            round(ratio, 2),
            "×",
            target=f"≤ {TRANSCODE_RATIO_TARGET:.0f}×",
            met=ratio <= TRANSCODE_RATIO_TARGET and fitted_size <= UPLOAD_CAP,
        ),
    ]


async def _rss_in_child(clip: Path) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.delivery",
        "--rss-child",
        str(clip),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the RSS child failed ({process.returncode})")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def _transcode_ratio() -> tuple[float, int]:
    clip = clip_1080p_10s()
    info = probe(clip)
    assert isinstance(info, Mp4Info)
    async with _ServedClip(clip) as (pipeline, task_id, url):
        fetched = await pipeline.fetch(task_id, url)
        assert isinstance(fetched, Fetched), fetched
        started = time.monotonic()
        fitted = await pipeline.fit(task_id, UPLOAD_CAP)
        elapsed = time.monotonic() - started
        assert isinstance(fitted, Fitted) and fitted.reencoded, fitted
    return elapsed / info.duration_s, fitted.size


class _ServedClip:
    """A fake API serving `clip` as a finished task, and a pipeline over a temp dir."""

    def __init__(self, clip: Path) -> None:
        self._clip = clip

    async def __aenter__(self) -> tuple[VideoPipeline, str, str]:
        self._tmp = tempfile.TemporaryDirectory()
        self._api = FakeBailian(clock=ManualClock())
        await self._api.start()
        self._http = aiohttp.ClientSession()
        settings = VideoSettings(video_dir=Path(self._tmp.name))
        self.pipeline = VideoPipeline(self._http, settings, self._api.base_url)
        task_id, url = await self.finished(self._clip)
        return self.pipeline, task_id, url

    async def finished(self, clip: Path) -> tuple[str, str]:
        self._api.plan_next(TaskPlan(pending_s=0, running_s=0, video_file=clip))
        auth = {"Authorization": f"Bearer {self._api.api_key}"}
        base = self._api.base_url
        async with self._http.post(
            f"{base}/task/bailian/ref2video", json=_PAYLOAD, headers=auth
        ) as response:
            task_id = (await response.json())["output"]["task_id"]
        async with self._http.get(f"{base}/task/{task_id}", headers=auth) as response:
            url = (await response.json())["output"]["video_url"]
        return task_id, url

    async def __aexit__(self, *exc_info: object) -> None:
        await self._http.close()
        await self._api.stop()
        self._tmp.cleanup()


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def _rss_child(clip: Path) -> dict[str, Any]:
    served = _ServedClip(clip)
    _, task_id, url = await served.__aenter__()
    try:
        warm_id, warm_url = await served.finished(clip_720p_2s())
        warm = await served.pipeline.fetch(warm_id, warm_url)
        assert isinstance(warm, Fetched), warm
        before_hwm = status_kb("VmHWM")
        reset = _reset_peak_rss()
        before = status_kb("VmRSS") if reset else before_hwm
        fetched = await served.pipeline.fetch(task_id, url)
        after = status_kb("VmHWM")
        assert isinstance(fetched, Fetched) and not fetched.reused, fetched
    finally:
        await served.__aexit__(None, None, None)
    return {
        "growth_mb": max(0, after - before) / 1024,
        "method": "" if reset else " (VmHWM growth, a lower bound)",
        "rss_before_mb": before / 1024,
    }


if __name__ == "__main__" and sys.argv[1:2] == ["--rss-child"]:
    print(json.dumps(asyncio.run(_rss_child(Path(sys.argv[2])))))

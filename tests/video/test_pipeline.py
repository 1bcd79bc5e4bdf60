"""The façade the notifier calls: fetch once, check, keep; fit under a limit, reuse the copy."""

from __future__ import annotations

import asyncio
import os

import pytest

from bot.observe.metrics import Metrics
from bot.video.download import Disallowed, Transient, Unavailable
from bot.video.mp4 import Empty, NotMp4
from bot.video.pipeline import Broken, CannotFit, Fetched, Fitted, VideoPipeline
from bot.video.settings import VideoSettings
from tests.common import instant
from tests.video.conftest import finished_task

MIB = 1024 * 1024


@pytest.fixture
def settings(tmp_path) -> VideoSettings:
    return VideoSettings(video_dir=tmp_path / "videos")


@pytest.fixture
def pipeline(http, settings, api) -> VideoPipeline:
    return VideoPipeline(http, settings, api.base_url)


async def test_a_second_fetch_uses_the_kept_file(api, http, clock, pipeline, clip_720p):
    task_id, url = await finished_task(api, http, clock, instant(video_file=clip_720p))

    first = await pipeline.fetch(task_id, url)
    second = await pipeline.fetch(task_id, url)

    assert isinstance(first, Fetched) and not first.reused
    assert isinstance(second, Fetched) and second.reused
    assert first.path == second.path == pipeline.keeper.path_for(task_id)
    assert first.path.read_bytes() == clip_720p.read_bytes()
    assert first.info.duration_s == pytest.approx(2.0, abs=0.1)
    assert api.tasks[task_id].videos_served == 1


async def test_two_deliveries_at_once_download_once(api, http, clock, pipeline, clip_720p):
    task_id, url = await finished_task(api, http, clock, instant(video_file=clip_720p))

    results = await asyncio.gather(pipeline.fetch(task_id, url), pipeline.fetch(task_id, url))

    assert sorted(isinstance(r, Fetched) and r.reused for r in results) == [False, True]
    assert api.tasks[task_id].videos_served == 1


@pytest.mark.parametrize(
    ("body", "problem"),
    [("empty", Empty()), ("not_mp4", NotMp4("it does not start with an ftyp box"))],
)
async def test_a_body_that_is_not_a_video_is_broken_and_not_kept(
    api, http, clock, pipeline, body, problem
):
    task_id, url = await finished_task(api, http, clock, instant(video_body=body))

    outcome = await pipeline.fetch(task_id, url)

    assert outcome == Broken(problem)
    assert os.listdir(pipeline.settings.video_dir) == []


async def test_failures_leave_nothing_behind_and_a_retry_downloads(
    api, http, clock, pipeline, clip_720p
):
    plan = instant(video_file=clip_720p, video_unavailable_first=1)
    task_id, url = await finished_task(api, http, clock, plan)
    # The downloader makes the folder only once it writes; here it is there to be looked into.
    pipeline.settings.video_dir.mkdir(parents=True)

    first = await pipeline.fetch(task_id, url)
    assert first == Transient("the video host answered HTTP 503")
    assert os.listdir(pipeline.settings.video_dir) == []

    assert isinstance(await pipeline.fetch(task_id, url), Fetched)


async def test_dead_and_refused_links_come_back_as_values(api, http, clock, pipeline):
    task_id, url = await finished_task(api, http, clock, instant(video_missing=True))

    assert await pipeline.fetch(task_id, url) == Unavailable(404)
    refused = await pipeline.fetch("t2", "http://example.com/x.mp4")
    assert refused == Disallowed("only https links are fetched")


async def test_a_video_under_the_limit_is_posted_as_it_is(api, http, clock, pipeline, clip_720p):
    task_id, url = await finished_task(api, http, clock, instant(video_file=clip_720p))
    fetched = await pipeline.fetch(task_id, url)
    assert isinstance(fetched, Fetched)

    outcome = await pipeline.fit(task_id, 10 * MIB)

    assert outcome == Fitted(fetched.path, clip_720p.stat().st_size, reencoded=False, scaled=False)


async def test_a_fitted_copy_is_made_once_and_reused(api, http, clock, settings, clip_720p):
    metrics = Metrics()
    pipeline = VideoPipeline(http, settings, api.base_url, metrics=metrics)
    task_id, url = await finished_task(api, http, clock, instant(video_file=clip_720p))
    await pipeline.fetch(task_id, url)
    limit = 150 * 1024

    first = await pipeline.fit(task_id, limit)
    assert isinstance(first, Fitted) and first.reencoded and first.scaled
    made = first.path.stat().st_mtime_ns
    second = await pipeline.fit(task_id, limit)

    assert second == first
    assert second.path == pipeline.keeper.fit_path_for(task_id, limit)
    assert second.path.stat().st_mtime_ns == made  # not encoded again
    assert second.size <= limit
    # r2v_fit_seconds counts the one encode, not the reuse.
    assert "r2v_fit_seconds_count 1.0" in metrics.exposition()[0].decode()


async def test_fitting_a_video_never_fetched_cannot_fit(pipeline):
    assert await pipeline.fit("never-fetched", MIB) == CannotFit("the video was not fetched")


async def test_prune_through_the_pipeline_applies_the_settings(
    api, http, clock, tmp_path, clip_720p
):
    settings = VideoSettings(video_dir=tmp_path / "v", max_total_bytes=1)
    pipeline = VideoPipeline(http, settings, api.base_url)
    task_id, url = await finished_task(api, http, clock, instant(video_file=clip_720p))
    await pipeline.fetch(task_id, url)

    report = await pipeline.prune()

    assert report.deleted == 1 and not pipeline.keeper.has(task_id)

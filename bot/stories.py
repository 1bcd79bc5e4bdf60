"""Stories: the shots a chain of continuations made, in order, and one MP4 of them.

Continue from this video makes the next shot of a story (its character1 is the last shot's
video). `Stories.story` decides what the story of a task is: the shots from the first to that
task, following continuations back (a re-roll or edit of a shot takes its place), which of them
are no longer kept, and what they cost together. `Stories.exported` joins the kept shots into
one MP4 (`bot/video/story.py`) and fits it under a byte limit like any result, in a folder of
its own that is deleted when the caller is done with the file. The Discord side renders both.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final, assert_never

from bot.api.models import TaskStatus
from bot.generation.request import PREVIOUS_VIDEO_SOURCE
from bot.queries import Hidden, NoSuchTask
from bot.store.protocol import TaskStore
from bot.store.records import Derivation, Ending, TaskRecord
from bot.store.types import Spend, total
from bot.video.fit import CannotFit, Transcoder
from bot.video.mp4 import Mp4Info, probe
from bot.video.pipeline import VideoPipeline
from bot.video.story import Joined, JoinFailed, StoryJoiner, UnusableShot

log = logging.getLogger(__name__)

# A story is followed back at most this far (each shot is one store read).
MAX_SHOTS: Final = 50


def part_of_a_story(record: TaskRecord) -> bool:
    """Whether a finished task is a shot after the first of a story: its first reference is
    the video of the shot before it (a continuation, or a re-roll or edit of one)."""
    references = record.request.references
    return (
        record.ending is Ending.SUCCEEDED
        and bool(references)
        and references[0].source == PREVIOUS_VIDEO_SOURCE
    )


def continues(shot: TaskRecord, parent: TaskRecord) -> bool:
    """Whether `shot` is the next shot after `parent` (rather than a redo of it)."""
    lineage = shot.lineage
    if lineage is None:
        return False
    if lineage.kind is not None:
        return lineage.kind is Derivation.CONTINUE
    # Recorded before 0.3, without the kind: a re-roll or edit keeps its parent's references
    # as they were, while a continuation puts the parent's video before them.
    sources = [r.source for r in shot.request.references]
    before = [r.source for r in parent.request.references]
    return bool(sources) and sources[0] == PREVIOUS_VIDEO_SOURCE and sources != before


@dataclass(frozen=True)
class StoryShot:
    record: TaskRecord
    kept: bool  # its video is still kept by the bot


@dataclass(frozen=True)
class Story:
    """The shots of a story, first to last, and what they cost together (each its actual cost
    once reported, else its estimate; a failed or canceled shot costs nothing)."""

    shots: tuple[StoryShot, ...]
    cost: Spend
    currency: str

    @property
    def gone(self) -> tuple[StoryShot, ...]:
        """Shots whose video is no longer kept: named, and left out of the export."""
        return tuple(shot for shot in self.shots if not shot.kept)

    @property
    def last(self) -> TaskRecord:
        return self.shots[-1].record


@dataclass(frozen=True)
class NotAStory:
    """The task continues no other: one shot, nothing to join."""


StoryAnswer = Story | NotAStory | NoSuchTask | Hidden


@dataclass(frozen=True)
class Exported:
    path: Path
    info: Mp4Info
    fitted: bool  # re-encoded to fit the limit


@dataclass(frozen=True)
class NothingKept:
    """No shot of the story is kept any more."""


@dataclass(frozen=True)
class ExportFailed:
    reason: str  # for the log


ExportOutcome = Exported | NothingKept | ExportFailed


class Stories:
    def __init__(
        self,
        store: TaskStore,
        videos: VideoPipeline,
        joiner: StoryJoiner,
        transcoder: Transcoder,
        *,
        currency: str,
    ) -> None:
        self._store = store
        self._videos = videos
        self._joiner = joiner
        self._transcoder = transcoder
        self._currency = currency

    async def story(self, task_id: str, asker_id: int, guild_id: int | None) -> StoryAnswer:
        """The story that ends with a task, for `asker_id` in `guild_id`: a task of this
        server, or the asker's own private one (as `/r2v show`)."""
        last = await self._store.get(task_id)
        if last is None or (last.origin.guild_id != guild_id and not last.private):
            return NoSuchTask(task_id)
        if last.private and last.origin.requester_id != asker_id:
            return Hidden()
        records = await self._chain(last)
        if len(records) < 2:
            return NotAStory()
        keeper = self._videos.keeper
        shots = tuple(
            StoryShot(r, r.ending is Ending.SUCCEEDED and keeper.has(r.task_id)) for r in records
        )
        spent = total(
            r.counted
            for r in records
            if r.counted is not None and r.status not in (TaskStatus.FAILED, TaskStatus.CANCELED)
        )
        currency = next(
            (r.estimate.currency for r in records if r.estimate and r.estimate.currency),
            self._currency,
        )
        return Story(shots, spent, currency)

    async def _chain(self, last: TaskRecord) -> list[TaskRecord]:
        """The shots up to `last`, first to last: back through continuations; a re-roll or
        edit of a shot stands in its place, so its parent is passed over."""
        shots, node = [last], last
        while node.lineage is not None and len(shots) < MAX_SHOTS:
            parent = await self._store.get(node.lineage.parent_task_id)
            if parent is None:
                break
            if continues(node, parent):
                shots.append(parent)
            node = parent
        shots.reverse()
        return shots

    @asynccontextmanager
    async def exported(self, story: Story, limit_bytes: int) -> AsyncIterator[ExportOutcome]:
        """The kept shots joined in order into one MP4 of at most `limit_bytes`; the file
        lives until the `async with` block ends."""
        kept = [self._videos.keeper.path_for(s.record.task_id) for s in story.shots if s.kept]
        if not kept:
            yield NothingKept()
            return
        folder = self._videos.keeper.video_dir
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".story-", dir=folder) as workdir:
            yield await self._export(kept, Path(workdir), limit_bytes, story.last.task_id)

    async def _export(
        self, kept: list[Path], workdir: Path, limit_bytes: int, task_id: str
    ) -> ExportOutcome:
        joined = await self._joiner.join(kept, workdir / "story.mp4")
        match joined:
            case Joined(path, info):
                pass
            case UnusableShot(path, reason):
                log.warning("story of task %s: %s cannot be joined: %s", task_id, path, reason)
                return ExportFailed(f"{path.name}: {reason}")
            case JoinFailed(reason):
                log.warning("story of task %s could not be joined: %s", task_id, reason)
                return ExportFailed(reason)
            case _:
                assert_never(joined)
        if info.size_bytes <= limit_bytes:
            return Exported(path, info, fitted=False)
        fitted = await self._transcoder.fit(path, info, workdir / "fitted.mp4", limit_bytes)
        if isinstance(fitted, CannotFit):
            log.warning("story of task %s cannot fit %d bytes: %s", task_id, limit_bytes, fitted)
            return ExportFailed(fitted.reason)
        checked = await asyncio.to_thread(probe, fitted.path)
        if not isinstance(checked, Mp4Info):
            return ExportFailed(f"the fitted story is unusable: {checked}")
        return Exported(fitted.path, checked, fitted=True)

"""What a story is, decided without Discord: which task continues which (with the kind kept
since 0.3, and from the references for records made before), and which results offer Export
story."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.generation.files import Reference
from bot.generation.request import PREVIOUS_VIDEO_SOURCE, GenerationRequest
from bot.store.records import Derivation, Ending, Lineage, Origin, TaskRecord
from bot.stories import continues, part_of_a_story


def ref(source: str) -> Reference:
    if source == PREVIOUS_VIDEO_SOURCE:
        return Reference("https://cdn.example/v.mp4", "video", "MP4", source, "video")
    return Reference(f"https://cdn.example/{source}.png", "image", "PNG", source, source)


def task(task_id: str, *sources: str, parent=None, kind=None, ending=Ending.SUCCEEDED):
    request = GenerationRequest(
        model="wan2.6-r2v-flash",
        prompt="character1",
        references=tuple(ref(s) for s in sources),
        size="1280*720",
        duration=5,
    )
    return TaskRecord(
        task_id=task_id,
        origin=Origin(requester_id=1, guild_id=2, channel_id=3),
        request=request,
        created_at=0.0,
        deadline_at=1.0,
        lineage=Lineage(parent, None, kind) if parent else None,
        ending=ending,
    )


PV = PREVIOUS_VIDEO_SOURCE
FIRST = task("a", "ref1")
SECOND = task("b", PV, "ref1", parent="a", kind=Derivation.CONTINUE)


@pytest.mark.parametrize(
    ("shot", "parent", "expected"),
    [
        (SECOND, FIRST, True),
        (task("b2", PV, "ref1", parent="b", kind=Derivation.EDIT), SECOND, False),
        (task("b3", PV, "ref1", parent="b", kind=Derivation.REROLL), SECOND, False),
        # Recorded before 0.3, without the kind: told apart by the references.
        (task("b", PV, "ref1", parent="a"), FIRST, True),
        (task("b2", PV, "ref1", parent="b"), SECOND, False),
        (task("a2", "ref1", parent="a"), FIRST, False),
        (FIRST, FIRST, False),
    ],
    ids=["continue", "edit", "reroll", "old-continue", "old-redo", "old-reroll", "no-parent"],
)
def test_which_task_continues_which(shot, parent, expected):
    assert continues(shot, parent) is expected


def test_export_story_is_offered_on_a_finished_shot_after_the_first():
    assert part_of_a_story(SECOND)
    assert part_of_a_story(task("b3", PV, "ref1", parent="b", kind=Derivation.REROLL))
    assert not part_of_a_story(FIRST)
    assert not part_of_a_story(replace(SECOND, ending=Ending.FAILED))

"""Buttons carry any task id the API hands out, within Discord's custom_id limit, and sit where
they belong: Refresh (and Cancel while queued) on the status, the rest on the result."""

from __future__ import annotations

import pytest

from bot.api.models import TaskStatus
from bot.store.records import Ending
from bot.ui.views import (
    CUSTOM_ID_MAX,
    TASK_BUTTONS,
    CancelButton,
    ContinueButton,
    DeleteButton,
    EditButton,
    RefreshButton,
    RerollButton,
    TaskButton,
    result_buttons,
    status_buttons,
)
from tests.store.test_contract import record


def labels(view) -> list[str]:
    return [item.item.label for item in view.children]


@pytest.mark.parametrize(
    "task_id",
    ["ac22cbc8-3fb3-45b6-9091-d8a7b41650bc", "a/b+c=d", "x" * 80, "任务:42", "a b"],
)
def test_a_button_finds_its_task_again_after_a_restart(task_id):
    done = record(task_id=task_id, ending=Ending.SUCCEEDED, finished_at=1.0)
    view = result_buttons("en-US", done)
    ids = [item.custom_id for item in view.children]  # type: ignore[attr-defined]
    assert len(ids) == 4 and all(len(i) <= CUSTOM_ID_MAX for i in ids)
    for item in view.children:
        assert isinstance(item, TaskButton)
        match = type(item).__discord_ui_compiled_template__.fullmatch(item.custom_id)
        assert match is not None and match["task_id"] == task_id


# custom_ids as every version of the bot so far has written them, on messages that outlive
# an upgrade; the actions must go on reading them exactly so.
UUID = "ac22cbc8-3fb3-45b6-9091-d8a7b41650bc"
WRITTEN_BEFORE = [
    (f"r2v:refresh:{UUID}", RefreshButton),
    (f"r2v:cancel:{UUID}", CancelButton),
    (f"r2v:reroll:{UUID}", RerollButton),
    (f"r2v:edit:{UUID}", EditButton),
    (f"r2v:continue:{UUID}", ContinueButton),
    (f"r2v:delete:{UUID}", DeleteButton),
    ("r2v:delete:r2v:refresh:x", DeleteButton),
]


@pytest.mark.parametrize(("custom_id", "action"), WRITTEN_BEFORE)
def test_a_custom_id_written_before_reaches_its_action_and_no_other(custom_id, action):
    # discord.py runs every registered item whose template matches: exactly one must.
    matching = [
        button
        for button in TASK_BUTTONS
        if button.__discord_ui_compiled_template__.fullmatch(custom_id)
    ]
    assert matching == [action]
    task_id = custom_id.split(":", 2)[2]
    assert action(task_id, "en-US").custom_id == custom_id


def test_a_task_id_too_long_for_a_custom_id_gets_no_broken_buttons():
    assert result_buttons("en-US", record(task_id="y" * 95)).children == []
    assert status_buttons("en-US", record(task_id="y" * 95)).children == []


def test_refresh_while_running_cancel_only_while_queued_and_configured():
    queued = record(status=TaskStatus.PENDING)
    assert labels(status_buttons("en-US", queued)) == ["Refresh"]
    assert labels(status_buttons("en-US", queued, can_cancel=True)) == ["Refresh", "Cancel task"]
    running = record(status=TaskStatus.RUNNING)
    assert labels(status_buttons("en-US", running, can_cancel=True)) == ["Refresh"]
    ended = record(status=TaskStatus.SUCCEEDED, finished_at=5.0)
    assert labels(status_buttons("en-US", ended, can_cancel=True)) == []


def test_the_result_carries_reroll_edit_continue_and_delete_in_the_members_language():
    done = record(ending=Ending.SUCCEEDED, finished_at=1.0)
    assert labels(result_buttons("zh-CN", done)) == [
        "重新生成",
        "修改后重新生成",
        "接着这个视频生成",
        "删除",
    ]
    failed = record(ending=Ending.FAILED, finished_at=1.0)
    assert labels(result_buttons("en-US", failed, deletable=False)) == [
        "Re-roll",
        "Edit & re-run",
    ]

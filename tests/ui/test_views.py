"""Buttons carry any task id the API hands out, within Discord's custom_id limit."""

from __future__ import annotations

import pytest

from bot.messages.catalog import ENGLISH
from bot.ui.views import CUSTOM_ID_MAX, TaskButton, task_buttons


@pytest.mark.parametrize(
    "task_id",
    ["ac22cbc8-3fb3-45b6-9091-d8a7b41650bc", "a/b+c=d", "x" * 80, "任务:42", "a b"],
)
def test_a_button_finds_its_task_again_after_a_restart(task_id):
    view = task_buttons(ENGLISH, task_id, active=True)
    ids = [item.custom_id for item in view.children]  # type: ignore[attr-defined]
    assert len(ids) == 3 and all(len(i) <= CUSTOM_ID_MAX for i in ids)
    for custom_id in ids:
        match = TaskButton.__discord_ui_compiled_template__.fullmatch(custom_id)
        assert match is not None and match["task_id"] == task_id


def test_a_task_id_too_long_for_a_custom_id_gets_no_broken_buttons():
    assert task_buttons(ENGLISH, "y" * 95, active=False).children == []


def test_refresh_only_while_the_task_runs():
    labels = lambda view: [item.item.label for item in view.children]  # noqa: E731
    assert labels(task_buttons(ENGLISH, "t", active=True)) == [
        "Refresh",
        "Re-roll",
        "Edit & re-run",
    ]
    assert labels(task_buttons(ENGLISH, "t", active=False)) == ["Re-roll", "Edit & re-run"]

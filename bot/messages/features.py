"""Sentences of the member features: private generation, Delete, Continue, Edit & re-run,
lineage, `/r2v show`, `/r2v help`, real cost, progress and Cancel. The words are in the
catalogs (`locales/*/features.ftl`); each function takes the reader's locale."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from bot.generation import limits
from bot.generation.text import link_target, shorten
from bot.messages.catalog import roles_named, text
from bot.messages.limits import money

Locale = str | None

# -- buttons and modals ------------------------------------------------------------------------

BUTTON_KEYS: dict[str, str] = {
    "refresh": "button-refresh",
    "reroll": "button-reroll",
    "edit": "button-edit",
    "continue": "button-continue",
    "delete": "button-delete",
    "cancel": "button-cancel-task",
    "story": "button-story",
}


def button_label(locale: Locale, action: str) -> str:
    return text(locale, BUTTON_KEYS[action])


def edit_title(locale: Locale) -> str:
    return text(locale, "edit-modal-title")


def continue_title(locale: Locale) -> str:
    return text(locale, "continue-modal-title")


def prompt_label(locale: Locale) -> str:
    return text(locale, "modal-prompt")


def negative_prompt_label(locale: Locale) -> str:
    return text(locale, "modal-negative-prompt")


def seed_label(locale: Locale) -> str:
    return text(locale, "modal-seed")


def model_size_label(locale: Locale) -> str:
    return text(locale, "modal-model-size")


def duration_shot_label(locale: Locale) -> str:
    return text(locale, "modal-duration-shot")


def continue_prompt_placeholder(locale: Locale) -> str:
    return text(locale, "continue-prompt-placeholder")


def model_size_option(locale: Locale, model: str, size_label: str) -> str:
    return text(locale, "option-model-size", model=model, size=size_label)


def duration_shot_option(locale: Locale, duration: int, shot_type: str) -> str:
    return text(locale, "option-duration-shot", duration=duration, shot=shot_type)


def bad_seed(locale: Locale) -> str:
    return text(locale, "bad-seed", low=limits.SEED_MIN, high=limits.SEED_MAX)


# -- private generation ------------------------------------------------------------------------


def submitted_privately(locale: Locale, task_id: str) -> str:
    return text(locale, "submitted-privately", task_id=task_id)


def private_video_ready(locale: Locale, task_id: str) -> str:
    return text(locale, "private-video-ready", task_id=task_id)


def private_ending(locale: Locale, task_id: str, ending: str) -> str:
    return text(locale, "private-ending", task_id=task_id, ending=ending)


def dms_closed(locale: Locale) -> str:
    return text(locale, "dms-closed")


def private_video_link(locale: Locale, url: str) -> str:
    return text(locale, "private-video-link", url=link_target(url))


def not_your_private_task(locale: Locale) -> str:
    return text(locale, "not-your-private-task")


# -- delete ------------------------------------------------------------------------------------


def deleted(locale: Locale) -> str:
    return text(locale, "deleted")


def delete_failed(locale: Locale) -> str:
    return text(locale, "delete-failed")


def delete_not_allowed(locale: Locale, requester_id: int, admin_role_ids: Iterable[int]) -> str:
    return text(
        locale,
        "delete-not-allowed",
        requester_id=requester_id,
        **roles_named(locale, admin_role_ids),
    )


# -- continue and lineage ----------------------------------------------------------------------


def no_video_to_continue(locale: Locale) -> str:
    return text(locale, "no-video-to-continue")


def lineage_field(locale: Locale) -> str:
    return text(locale, "field-made-from")


def lineage(locale: Locale, parent_task_id: str, parent_result_url: str | None) -> str:
    if parent_result_url:
        return text(
            locale,
            "lineage-task-and-result",
            task_id=parent_task_id,
            url=link_target(parent_result_url),
        )
    return text(locale, "lineage-task", task_id=parent_task_id)


def history_parent(locale: Locale, parent_task_id: str) -> str:
    return "  " + text(locale, "history-parent", task_id=parent_task_id)


# -- /r2v show, autocomplete and help ----------------------------------------------------------


def shown(locale: Locale) -> str:
    return text(locale, "shown")


def not_finished_yet(locale: Locale) -> str:
    return text(locale, "not-finished-yet")


def nothing_to_show(locale: Locale) -> str:
    return text(locale, "nothing-to-show")


def video_no_longer_available(locale: Locale) -> str:
    return text(locale, "video-no-longer-available")


def shown_again(locale: Locale, requester_id: int, task_id: str) -> str:
    return text(locale, "shown-again", requester_id=requester_id, task_id=task_id)


def task_choice(task_id: str, prompt: str) -> str:
    """An autocomplete label (Discord allows 100 characters): the prompt as typed, then the id."""
    excerpt = shorten(" ".join(prompt.split()), 100 - len(task_id) - 3)
    return shorten(f"{excerpt} · {task_id}", 100)


def help_text(locale: Locale) -> str:
    return text(locale, "help-text")


# -- real cost ---------------------------------------------------------------------------------


def cost_field(locale: Locale) -> str:
    return text(locale, "field-cost")


def actual_cost(locale: Locale, amount: Decimal, estimated: Decimal | None, currency: str) -> str:
    if estimated is None:
        return text(locale, "actual-cost", amount=money(amount), currency=currency)
    return text(
        locale,
        "actual-cost-with-estimate",
        amount=money(amount),
        currency=currency,
        estimate=money(estimated),
    )


def spend_csv_note(locale: Locale) -> str:
    return text(locale, "spend-csv-note")


# -- progress ----------------------------------------------------------------------------------


def queued_since(locale: Locale, at: float) -> str:
    return text(locale, "queued-since", at=int(at))


def generating_since(locale: Locale, at: float) -> str:
    return text(locale, "generating-since", at=int(at))


def usually_ready(locale: Locale, at: float) -> str:
    return text(locale, "usually-ready", at=int(at))


def place_in_queue(locale: Locale, place: int) -> str:
    return text(locale, "place-in-queue", place=place)


# -- cancel ------------------------------------------------------------------------------------


def cancel_requested(locale: Locale) -> str:
    return text(locale, "cancel-requested")


def cancel_too_late(locale: Locale) -> str:
    return text(locale, "cancel-too-late")


def cancel_unavailable(locale: Locale) -> str:
    return text(locale, "cancel-unavailable")


def cancel_failed(locale: Locale, reason: str) -> str:
    return text(locale, "cancel-failed", reason=reason)

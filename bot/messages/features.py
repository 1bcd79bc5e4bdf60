"""Sentences of the member features: private generation, Delete, Continue, Edit & re-run,
lineage, `/r2v show`, `/r2v help`, real cost, progress and Cancel. English; kept apart so that
they move into the language catalogs in one piece."""

from __future__ import annotations

from decimal import Decimal

from bot.generation import limits
from bot.generation.text import plain, shorten

# -- buttons and modals ------------------------------------------------------------------------

BUTTON_LABELS: dict[str, str] = {
    "refresh": "Refresh",
    "reroll": "Re-roll",
    "edit": "Edit & re-run",
    "continue": "Continue from this video",
    "delete": "Delete",
    "cancel": "Cancel task",
}
EDIT_TITLE = "Edit & re-run"
CONTINUE_TITLE = "Continue from this video"
PROMPT_LABEL = "Prompt"
NEGATIVE_PROMPT_LABEL = "Negative prompt"
SEED_LABEL = "Seed (empty: a new random one)"
MODEL_SIZE_LABEL = "Model and size"
DURATION_SHOT_LABEL = "Duration and shots"
CONTINUE_PROMPT_PLACEHOLDER = "What happens next; character1 is the last video"


def model_size_option(model: str, size_label: str) -> str:
    return f"{model} · {size_label}"


def duration_shot_option(duration: int, shot_type: str) -> str:
    shots = "one shot" if shot_type == "single" else "several shots"
    return f"{duration} s · {shots}"


def bad_seed() -> str:
    return (
        "**Nothing was submitted.** The seed must be a whole number from "
        f"{limits.SEED_MIN} to {limits.SEED_MAX}, or empty for a new random one."
    )


# -- private generation ------------------------------------------------------------------------


def submitted_privately(task_id: str) -> str:
    return (
        f"🔒 Submitted privately as task `{task_id}`. Only you see this; the video comes to you "
        "by direct message."
    )


def private_video_ready(task_id: str) -> str:
    return f"🔒 Your private video (task `{task_id}`) is ready."


def private_ending(task_id: str, ending: str) -> str:
    return f"🔒 Private task `{task_id}`: {ending}"


DMS_CLOSED = (
    "Your direct messages from this server are closed, so your private result is shown here, "
    "only to you."
)


def private_video_link(url: str) -> str:
    return f"🔒 Your video: <{url}> (the link expires 24 h after the task ended)."


NOT_YOUR_PRIVATE_TASK = "That task is private to the member who made it."

# -- delete ------------------------------------------------------------------------------------

DELETED = "🗑️ The result message was deleted; the task stays in `/r2v history`."
DELETE_FAILED = "The result message could not be deleted (it may be gone already)."


def delete_not_allowed(requester_id: int) -> str:
    return (
        f"Only <@{requester_id}>, who asked for this video, or a member who can manage messages "
        "can delete it."
    )


# -- continue ----------------------------------------------------------------------------------

NO_VIDEO_TO_CONTINUE = (
    "**Nothing was submitted.** This result has no video file to continue from any more."
)


# -- lineage -----------------------------------------------------------------------------------

LINEAGE_FIELD = "Made from"


def lineage(parent_task_id: str, parent_result_url: str | None) -> str:
    task = f"task `{parent_task_id}`"
    return f"{task} · [its result]({parent_result_url})" if parent_result_url else task


def history_parent(parent_task_id: str) -> str:
    return f"  ↳ from `{parent_task_id}`"


# -- /r2v show and autocomplete ----------------------------------------------------------------

SHOWN = "Shown again below."
NOT_FINISHED_YET = "That task has not finished yet; its status message shows how it goes."
NOTHING_TO_SHOW = "That task has no video to show (it did not succeed)."
VIDEO_NO_LONGER_AVAILABLE = (
    "The video of that task is no longer available: its link expired and the bot kept no copy."
)


def shown_again(requester_id: int, task_id: str) -> str:
    return f"<@{requester_id}>'s video, task `{task_id}`, shown again."


def task_choice(task_id: str, prompt: str) -> str:
    """An autocomplete label (Discord allows 100 characters)."""
    excerpt = shorten(" ".join(prompt.split()), 100 - len(task_id) - 3)
    return shorten(f"{excerpt} · {task_id}", 100)


HELP_TEXT = (
    "**Making a video with `/r2v generate`**\n"
    "Attach up to 5 references (images or short clips, at most 3 clips): `ref1` becomes "
    "**character1**, `ref2` **character2** and so on. Name them in the prompt, for example:\n"
    "> character1 hands character2 a red umbrella in the rain, slow camera pan\n"
    "**Options**: `model` (flash is faster and cheaper; the full model always has sound), "
    "`size`, `duration` (2–10 s), `shot_type` (one shot or several), `seed` (to redo a result), "
    "`audio`, `negative_prompt` (what to avoid), `links` (direct links to images or clips), "
    "`private` (only you see it; the video comes by direct message).\n"
    "**On a result**: 🎲 Re-roll (same request, new seed), ✏️ Edit & re-run (change anything), "
    "🎞️ Continue (the video becomes character1 of the next shot), 🗑️ Delete.\n"
    "**Finding things again**: `/r2v history`, `/r2v status`, `/r2v show`.\n"
    "**Cost**: each video is billed by the second (output seconds plus up to 5 s per reference "
    "clip); the price is shown before and after. `/r2v quota` shows your use today and the "
    "team's limits; ask a server manager if you need more."
)

# -- real cost ---------------------------------------------------------------------------------


def actual_cost(amount: Decimal, estimated: Decimal | None, currency: str) -> str:
    text = f"{amount:.2f} {currency}"
    if estimated is not None:
        text += f", estimated {estimated:.2f}"
    return text


COST_FIELD = "Cost"
SPEND_CSV_NOTE = "The period's tasks are attached as CSV."

# -- progress ----------------------------------------------------------------------------------


def queued_since(at: float) -> str:
    return f"queued since <t:{int(at)}:R>"


def generating_since(at: float) -> str:
    return f"generating since <t:{int(at)}:R>"


def usually_ready(at: float) -> str:
    return f"usually ready <t:{int(at)}:R>"


def place_in_queue(place: int) -> str:
    return f"#{place} among this bot's waiting tasks"


# -- cancel ------------------------------------------------------------------------------------

CANCEL_REQUESTED = "🚫 Cancelled: the task will not run and nothing is charged."
CANCEL_TOO_LATE = "The task has already started (or ended), so it can no longer be cancelled."
CANCEL_UNAVAILABLE = "Cancelling is not available here."


def cancel_failed(reason: str) -> str:
    return f"The task could not be cancelled: {plain(reason)}"

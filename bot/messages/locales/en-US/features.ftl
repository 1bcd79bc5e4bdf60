## Private generation, Delete, Continue, Edit & re-run, lineage, /r2v show and help, real
## cost, progress and Cancel (bot/messages/features.py).

## Commands and options (at most 100 characters each).
cmd-r2v-show = Post a finished task's video again in this channel.
cmd-r2v-help = How references become characters, the options, the limits and what videos cost.
opt-private = Only you see it: the status privately, the video by direct message
opt-show-task-id = One of your finished tasks (start typing to pick it)
opt-spend-csv = Also attach the last 7 days' tasks as a CSV file

## Buttons and modals.
button-continue = Continue from this video
button-delete = Delete
button-cancel-task = Cancel task
continue-modal-title = Continue from this video
continue-prompt-placeholder = What happens next; character1 is the last video
modal-seed = Seed (empty: a new random one)
modal-model-size = Model and size
modal-duration-shot = Duration and shots
option-model-size = { $model } · { $size }
option-duration-shot = { $duration } s · { $shot ->
    [single] one shot
   *[multi] several shots
 }
bad-seed = **Nothing was submitted.** The seed must be a whole number from { $low } to { $high }, or empty for a new random one.

## Private generation.
submitted-privately = 🔒 Submitted privately as task `{ $task_id }`. Only you see this; the video comes to you by direct message.
private-video-ready = 🔒 Your private video (task `{ $task_id }`) is ready.
private-ending = 🔒 Private task `{ $task_id }`: { $ending }
dms-closed = Your direct messages from this server are closed, so your private result is shown here, only to you.
private-video-link = 🔒 Your video: <{ $url }> (the link expires 24 h after the task ended).
not-your-private-task = That task is private to the member who made it.

## Delete.
deleted = 🗑️ The result message was deleted; the task stays in `/r2v history`.
delete-failed = The result message could not be deleted (it may be gone already).
delete-not-allowed = Only <@{ $requester_id }>, who asked for this video, or a member who can manage messages{ $roles ->
    [none] {""}
   *[some] {" "}or has one of the bot's admin roles ({ $role_list })
 } can delete it.

## Continue and lineage.
no-video-to-continue = **Nothing was submitted.** This result has no video file to continue from any more.
field-made-from = Made from
lineage-task = task `{ $task_id }`
lineage-task-and-result = task `{ $task_id }` · [its result]({ $url })
history-parent = ↳ from `{ $task_id }`

## /r2v show and help.
shown = Shown again below.
not-finished-yet = That task has not finished yet; its status message shows how it goes.
nothing-to-show = That task has no video to show (it did not succeed).
video-no-longer-available = The video of that task is no longer available: its link expired and the bot kept no copy.
shown-again = <@{ $requester_id }>'s video, task `{ $task_id }`, shown again.
help-text =
    {"**"}Making a video with `/r2v generate`**
    Attach up to 5 references (images or short clips, at most 3 clips): `ref1` becomes **character1**, `ref2` **character2** and so on. Name them in the prompt, for example:
    > character1 hands character2 a red umbrella in the rain, slow camera pan
    {"**"}Options**: `model` (flash is faster and cheaper; the full model always has sound), `size`, `duration` (2–10 s), `shot_type` (one shot or several), `seed` (to redo a result), `audio`, `negative_prompt` (what to avoid), `links` (direct links to images or clips), `private` (only you see it; the video comes by direct message).
    {"**"}On a result**: 🎲 Re-roll (same request, new seed), ✏️ Edit & re-run (change anything), 🎞️ Continue (the video becomes character1 of the next shot), 🗑️ Delete.
    {"**"}Finding things again**: `/r2v history`, `/r2v status`, `/r2v show`.
    {"**"}Cost**: each video is billed by the second (output seconds plus up to 5 s per reference clip); the price is shown before and after. `/r2v quota` shows your use today and the team's limits; ask a server manager if you need more.

## Real cost.
field-cost = Cost
actual-cost = { $amount } { $currency }
actual-cost-with-estimate = { $amount } { $currency }, estimated { $estimate }
spend-csv-note = The last 7 days' tasks are attached as CSV.

## Progress.
queued-since = queued since <t:{ $at }:R>
generating-since = generating since <t:{ $at }:R>
usually-ready = usually ready <t:{ $at }:R>
place-in-queue = #{ $place } among this bot's waiting tasks

## Cancel.
cancel-requested = 🚫 Cancelled: the task will not run and nothing is charged.
cancel-too-late = The task has already started (or ended), so it can no longer be cancelled.
cancel-unavailable = Cancelling is not available here.
cancel-failed = The task could not be cancelled: { $reason }

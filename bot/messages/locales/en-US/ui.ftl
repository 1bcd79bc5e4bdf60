## Labels of embeds, buttons and modals, and the command tree's refusals (bot/ui/, by key).

status-pending = ⏳ Queued
status-running = 🎬 Generating
status-succeeded = ✅ Done
status-failed = ❌ Failed
status-canceled = 🚫 Canceled
status-unknown = ⌛ Expired
status-other = ⏳ In progress

field-task-id = Task ID
field-status = Status
field-parameters = Parameters
field-estimated-cost = Estimated cost
field-references = References
field-negative-prompt = Negative prompt
field-notes = Notes
field-note = Note
footer-requested = Requested
footer-task = Task { $task_id }
preview-title = Ready to generate

param-model = **Model** { $model }
param-size = **Size** { $size }
param-duration = **Duration** { $duration } s
param-shot = **Shot** { $shot }
param-shot-default = single (default)
param-audio-on = **Audio** on
param-audio-off = **Audio** off
param-seed = **Seed** { $seed }
param-seed-random = **Seed** { $seed } (random)
reference-line = **character{ $number }** → { $source } { $name } ({ $format } { $kind ->
    [image] image
   *[video] clip
 })

source-link = link { $number }
source-cast = 🎭 cast
source-previous-video = previous video

took = took { $duration }
submitted-at = submitted <t:{ $at }:R>
queued-for = queued { $duration }
generating-for = generating { $duration }
duration-minutes = { $minutes } min { $seconds } s
duration-seconds = { $seconds } s

button-refresh = Refresh
button-reroll = Re-roll
button-edit = Edit & re-run
button-confirm = Confirm and generate
button-cancel = Cancel

edit-modal-title = Edit & re-run
modal-prompt = Prompt
modal-negative-prompt = Negative prompt
menu-use-as-reference = Use as r2v reference
menu-modal-title = Make a video from these references
menu-negative-prompt = Negative prompt (optional)
menu-duration = Duration in seconds, 2–10 (default 5)
menu-duration-placeholder = Optional: leave empty for 5 seconds

check-failed = You cannot use this command here.
value-not-understood = That value was not understood: { $value }.

## Channel permissions, as Discord's settings name them.
permission-view-channel = View Channel
permission-embed-links = Embed Links
permission-attach-files = Attach Files
permission-read-message-history = Read Message History
permission-send-messages = Send Messages
permission-send-messages-in-threads = Send Messages In Threads

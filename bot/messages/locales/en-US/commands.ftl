## Command and option descriptions and choice names (bot/cogs/, through bot/ui/command_text.py).
## Discord allows at most 100 characters for each; tests/test_commands_meta.py checks them.

cmd-r2v = Make multi-character videos from a prompt and reference images or clips.
cmd-r2v-generate = Make a video from a prompt and reference images or clips.
cmd-r2v-status = Show a task's live status, queried fresh from the service.
cmd-r2v-history = List your recent video tasks (only you see this).
cmd-r2v-quota = Your usage today, the team's limits and your running videos (only you see this).
cmd-r2v-admin = Spend and tracking control for server managers.
cmd-r2v-admin-spend = This server's spend today and over the last 7 days, by member.
cmd-r2v-admin-untrack = Stop following a task; the bot will not post its result.

opt-prompt = What happens. Call people character1, character2 … in reference order
opt-ref1 = Reference 1 → character1 (JPEG/PNG/BMP/WEBP image or MP4/MOV clip)
opt-ref = Reference { $number } → character{ $number }
opt-links = Direct image/clip links, separated by spaces or commas (they come after ref1–ref5)
opt-model = Which model (default from the server's settings)
opt-size = Resolution and aspect ratio
opt-duration = Length in seconds, 2–10 (default 5)
opt-shot-type = One continuous shot, or several with cuts
opt-seed = Fix the randomness to redo a result (0–2147483647)
opt-audio = Generate sound (only wan2.6-r2v-flash can be silent)
opt-negative-prompt = What the video should avoid
opt-status-task-id = The task ID shown when the video was requested
opt-status-video = Also attach the video the bot kept of a finished task
opt-untrack-task-id = The task to stop following (the video is not canceled)

choice-model-flash = wan2.6-r2v-flash · faster, cheaper, can be silent
choice-model-full = wan2.6-r2v · full quality, always with sound
choice-shot-single = single · one continuous shot
choice-shot-multi = multi · several shots with cuts
size-label = { $size } · { $tier } · { $ratio } { $shape ->
    [landscape] landscape
    [portrait] portrait
   *[square] square
 }

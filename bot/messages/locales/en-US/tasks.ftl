## Tasks: answers to a submission, how a task ended, /r2v status and /r2v history, the
## buttons' refusals (bot/messages/tasks.py).

no-files-in-message = That message has no attached images or clips to use as references.
bad-menu-duration = **Nothing was submitted.** Duration must be a whole number of seconds from { $low } to { $high }.
not-in-records = This task is not in the bot's records any more.
starting-up = The bot is starting up; try the button again in a moment.
stopping = **Nothing was submitted.** The bot is restarting; try again in a minute.
links-refused = **Nothing was submitted.** Discord refused to renew the links of this task's files (HTTP { $status }), so the video service could not fetch them. Run `/r2v generate` again with the files attached.
links-unavailable = **Nothing was submitted.** Discord is not answering right now, so this task's files could not get fresh links. Try again in a minute.
links-missing = **Nothing was submitted.** Discord no longer gives a link to { $names } (the message { $count ->
    [one] it was
   *[other] they were
 } attached to may have been deleted). Run `/r2v generate` again with the files attached.
no-history = You have no video tasks yet. Start one with `/r2v generate`.
already-answered = This request was already answered.
cancelled = Cancelled. Nothing was submitted or charged.
confirmed = ✅ Confirmed.
not-in-guild = No task with that ID was made in this server.

submitted = ✅ Submitted as task `{ $task_id }`; its status is posted in the channel.
unrecorded = ⚠️ Your video was submitted as task `{ $task_id }`, but the bot could not record it and will not follow it. Check it with `/r2v status task_id:{ $task_id }`.
not-yours = Only <@{ $requester_id }>, who asked for this video, can use its buttons. Start your own with `/r2v generate`.
confirm-timed-out = No answer within { $timeout } s, so nothing was submitted or charged.
cannot-post-here = **Nothing was submitted.** The bot could not post the video in this channel: it lacks { $missing } here. Ask an admin to grant them, or use another channel.

ending-unknown = your task ended with status { $status }.
ending-succeeded = your video is ready.
ending-failed = your video could not be made.
ending-canceled = your video task was canceled by the service; nothing was charged.
ending-canceled-by = 🚫 Cancelled by <@{ $member }>; nothing was charged.
ending-expired = the service no longer knows this task (task IDs expire after 24 h), so its result cannot be fetched.
ending-deadline = no result arrived (no result after { $minutes } min); the bot stopped waiting. Use `/r2v status task_id:{ $task_id }` to check it later.
ending-unreachable = the video service could not be reached for a day, so the result of this task is unknown. `/r2v status task_id:{ $task_id }` can try again.
service-silent = ⚠️ Past its deadline, the video service has not answered about this task since <t:{ $since }:R>. The bot keeps asking until <t:{ $until }:f> (as long as the video could still be fetched) and posts the video if it comes.
ending-untracked = an admin stopped following this task, so its result is not posted.
ending-no-video = the service says your video is done but gave no video to fetch. `/r2v status task_id:{ $task_id }` may show it later.
ending-bad-video = the service sent an empty file or something that is not a video instead of your video, so there is nothing to post.
ending-video-gone = your video was made, but the bot could not fetch its file while the link lived (the host refused it or it was gone), so it cannot be posted.

ending-title-deadline = ⌛ Stopped waiting
ending-title-unreachable = ⌛ Unknown
ending-title-untracked = 🚫 Not followed
ending-title-no-video = ⚠️ No video

status-line = Task { $task_id }: **{ $status }**
status-foreign = This task was not made through this bot, so only its status is shown.
status-video-link = <{ $url }> (links expire 24 h after the task ends)
no-such-task = No task { $task_id } is known to the bot or the video service. Check the ID (tasks are forgotten 24 h after they end).

history-heading = **Your recent tasks**
history-line = <t:{ $created_at }:R> `{ $task_id }` **{ $status }** { $model } { $size } { $duration }s — { $prompt }

untracked = Stopped following task `{ $task_id }`. The service may still finish it; `/r2v status` can look it up.
already-ended = Task `{ $task_id }` has already ended.

## Submissions the store could not record (bot/messages/unrecorded.py): the answer when the
## store cannot even hold a submission's place (nothing is paid then), and the notice a later
## start posts for a submission that may have been paid and was never recorded.

store-unavailable = **Nothing was submitted or charged.** The bot cannot record new videos right now: its task database is unavailable. Try again later; an admin finds the reason in the bot's log.

unrecorded-later = ⚠️ { $mention } Your video request of { $when } may have been submitted to the video service, and may be billed, but the bot could not record it (it stopped, or its database failed as the task was written). It was not followed, and no video will be posted for it. { $task_id ->
    [none] The bot never received its task ID, and the service cannot be asked about a request without one.
   *[other] Its task ID is `{ $task_id }`: an admin can look it up on the service's side.
} Check with an admin before asking again, so as not to pay twice.
unrecorded-later-request = > { $model }, { $duration } s: { $prompt }

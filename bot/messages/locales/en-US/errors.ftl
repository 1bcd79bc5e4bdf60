## Failed API calls and tasks that ended FAILED (bot/messages/errors.py).

generic-apology = Something went wrong on the bot's side. It has been logged; please try again.
request-reference = { " " }(request ID `{ $request_id }`)

submit-auth = The bot's API key is not accepted by the video service; tell a server admin.
submit-no-balance = The video service account is out of balance, so nothing was generated; tell a server admin to top it up.
submit-content-rejected = The video service refused this content (moderation or suspected IP infringement). Change the prompt or use other references.
submit-invalid = The video service refused the request: { $api_text }
submit-rate-limited = The video service is busy right now; try again in { $wait } s. Nothing was charged.
submit-server-error = The video service had a server error (HTTP { $status }) and gave no task ID. Your video **may have been submitted** anyway, and the bot cannot follow it; check with an admin before trying again, to avoid paying twice.
submit-timeout = The video service did not answer in time. Your video **may have been submitted** anyway; the bot did not resend it, to avoid paying twice. Check with an admin before trying again.
submit-unreachable = The bot could not reach the video service; nothing was submitted. Try again soon.
submit-malformed = The video service answered something the bot could not read, so it cannot tell whether your video was started. Check with an admin before trying again.
submit-failed = The video service call failed; please try again.

query-auth = The bot's API key is not accepted by the video service; tell a server admin.
query-not-found = The video service knows no task with that ID (task IDs expire after 24 h).
query-rate-limited = The video service is busy right now; ask again in { $wait } s.
query-unavailable = The video service could not be asked right now; the task itself is not affected. Try again in a minute.
query-unreadable = The video service's answer could not be read; try again later.

failure-summary = { $code }: { $message }
failure-default-code = Failed
failure-no-reason = no reason given
failure-download = Alibaba's servers could not download one of the references. Use public links or attach the files again (Discord's attachment links expire).
failure-moderation = The content was refused by moderation; change the prompt or the references.
failure-format = A reference file was not accepted: use JPEG/PNG/BMP/WEBP images (PNG without transparency) and MP4/MOV clips of 1–30 s.
failure-parameter = A setting was not accepted; check size, duration and references.
failure-arrearage = The service account is out of balance; tell a server admin.
failure-other = Nothing was charged for a failed task; you can try again.

## The result message's sentences about the video file itself, and delivering it
## (bot/messages/delivery.py).

video-as-link = your video is ready (as a link).
download-link = [Download the video]({ $url }) — the link expires <t:{ $expires_at }:R>.
over-upload-limit = The video ({ $shown }) is over this server's upload limit of { $limit } MB and could not be made to fit, so it is not attached.
size-too-large = too large
not-stored = The bot could not store the video on its own disk to attach it, so here is its link instead.
reencoded-to-fit = The video was re-encoded to fit this server's upload limit of { $limit } MB ({ $original } → { $fitted }).
reencoded-smaller-to-fit = The video was re-encoded at a smaller size to fit this server's upload limit of { $limit } MB ({ $original } → { $fitted }).
original-link = The original: [download]({ $url }) — the link expires <t:{ $expires_at }:R>.
being-delivered = 🎬 The video of task `{ $task_id }` is ready and being delivered; the bot keeps trying until it is posted.
fetch-it-with-status = ⚠️ The bot could not post the result of task `{ $task_id }` here or in a direct message. Fetch it with `/r2v status task_id:{ $task_id } video:True`.
sent-by-dm = (The bot can no longer post in the channel you asked in, so this comes by DM.)
no-kept-video = The bot no longer keeps this task's video (finished videos are kept for a limited time), or it never fetched one.

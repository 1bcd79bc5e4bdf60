## The result message's sentences about the video file itself (bot/messages/delivery.py).

video-as-link = your video is ready (as a link).
download-link = [Download the video]({ $url }) — the link expires <t:{ $expires_at }:R>.
could-not-fetch = The bot could not fetch the file, but it may still open: { $link }
over-upload-limit = The video ({ $shown }) is over this server's upload limit of { $limit } MB, so it is not attached. { $link }
size-too-large = too large

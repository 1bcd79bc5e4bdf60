## Refusals of /r2v generate input (bot/messages/validation.py): one message per problem code.
## Variables are the problem's params; user text arrives already shown literally (`code`).

-write-a-prompt = Write a prompt: describe the video and refer to people as character1, …
-check-it = check the link and paste it again.
-cannot-download = which Alibaba's servers cannot download; use a public link.

problem-prompt-missing = { -write-a-prompt }
problem-prompt-invisible = Your prompt has only invisible characters (spaces, zero-width or combining marks). { -write-a-prompt }
problem-prompt-too-long = Your prompt is { NUMBER($length, useGrouping: 1) } characters; the limit is { NUMBER($limit, useGrouping: 1) }. Shorten it by { NUMBER($over, useGrouping: 1) }.
problem-negative-prompt-invisible = Your negative prompt has only invisible characters (spaces, zero-width or combining marks). Write what the video should avoid, or leave the option out.
problem-negative-prompt-too-long = Your negative prompt is { NUMBER($length, useGrouping: 1) } characters; the limit is { $limit }. Shorten it by { NUMBER($over, useGrouping: 1) }.
problem-prompt-unstorable = Character { $position } of your prompt (here: { $around }) is { $character }. The bot cannot record a task holding it: delete it and send again.
problem-negative-prompt-unstorable = Character { $position } of your negative prompt (here: { $around }) is { $character }. The bot cannot record a task holding it: delete it and send again.
unstorable-nul = an invisible NUL character ({ $code_point })
unstorable-surrogate = half of a character pair cut in two ({ $code_point }), as in a broken emoji
problem-model-unknown = Model { $model } is unknown; use { $models }.
problem-size-not-offered = Size { $size } is not offered; pick one of { $sizes }.
problem-duration-out-of-range = Duration must be { $low }–{ $high } seconds, not { $duration }.
problem-shot-type-unknown = Shot type must be `single` (one continuous shot) or `multi` (with cuts).
problem-seed-out-of-range = Seed must be a whole number from { $low } to { NUMBER($high, useGrouping: 1) }.
problem-silent-needs-flash = `audio: False` works only with { $flash_model }: { $model } always generates sound. Pick { $flash_model } for a silent video, or leave audio on.
problem-references-missing = Add at least one reference: attach an image or clip in ref1–ref5, or paste a direct link in `links`.
problem-too-many-references = You gave { $given ->
    [one] { $given } reference
   *[other] { $given } references
 }; the model takes at most { $limit }. Remove { $over }.
problem-too-many-videos = { $videos } of your references are videos; at most { $limit } may be. Replace { $over } with an image.
problem-character-out-of-range = Your prompt names { $names }, but you gave { $references ->
    [one] { $references } reference
   *[other] { $references } references
 } ({ $available }). Add references or change the prompt.
problem-attachment-type = { $label } is { $content_type }; use a JPEG, PNG, BMP or WEBP image, or an MP4 or MOV clip.
problem-image-too-heavy = { $label } is { $file_size }; images must be at most { $limit_size }. Export it smaller or as JPEG.
problem-video-too-heavy = { $label } is { $file_size }; clips must be at most { $limit_size }. Trim or compress it.
problem-image-too-small = { $label } is { $width }×{ $height } px; each side must be at least { $limit } px. Use a larger image.
problem-image-too-large = { $label } is { $width }×{ $height } px; each side must be at most { $limit } px. Scale it down.
problem-attachment-unstorable = The address Discord gave { $label } holds { $character }, which the bot cannot record; attach the file again under another name.
problem-link-not-web-address = { $label } is not a web address; links must start with http:// or https://.
problem-link-backslash-in-host = { $label } has a backslash (`\`) before its path, which servers read in different ways; write it with forward slashes (`/`).
problem-link-has-user-info = { $label } contains a user name or password (before `@`); paste the link without it.
problem-link-bad-port = { $label } has an invalid port (after `:`); a port is a whole number from 1 to 65535, or none at all.
problem-link-bad-ipv6 = { $label } has a malformed IPv6 address (between `[` and `]`); { -check-it }
problem-link-zone-id = { $label } names a network interface (`%…`) in its address, which only works on a local network; use a public link.
problem-link-bad-ipv4 = { $label } has a host that looks like an IP address but is not a valid one; { -check-it }
problem-link-bad-percent-encoding = { $label } has a broken %-escape in its host name; { -check-it }
problem-link-bad-host = { $label } has a host name with characters a web address cannot contain; { -check-it }
problem-link-private-address = { $label } points at a private or local address, { -cannot-download }
problem-link-local-name = { $label } names { $host }, a host that exists only on a local network, { -cannot-download }
problem-link-unstorable = { $label } holds { $character }, which the bot cannot record; paste the link again without it.
problem-link-not-a-file = { $label } does not end in a known file type. Paste a direct link to the file (ending in .jpg, .png, .bmp, .webp, .mp4 or .mov), not to a page that shows it.
problem-character-name-spaced = Write character names without a space (`character1`, not `character 1`) so the model links them to your references.
problem-characters-never-named = Your prompt never names { $names }; the model may use { $unnamed ->
    [one] that reference
   *[other] those references
 } loosely.

## The cast (bot/generation/cast.py): naming a member, choosing members with `cast:`.
problem-cast-name-missing = Give the cast member a name: 1–32 characters, with at least one letter or digit.
problem-cast-name-too-long = That name is { $length } characters; a cast name may have at most { $limit }. Shorten it by { $over }.
problem-cast-name-comma = The name { $cast_name } has a comma, which separates names in `cast:`; pick a name without one.
problem-cast-name-invisible = The name { $cast_name } has invisible or control characters; type it again with letters, digits, spaces and punctuation only.
problem-cast-name-no-letter = The name { $cast_name } has no letter or digit; a prompt could not call it.
problem-cast-name-reserved = { $cast_name } is how the model numbers references; pick another name.
problem-cast-description-too-long = The description is { $length } characters; at most { $limit } are kept. Shorten it by { $over }.
problem-clip-length = { $label } runs { $seconds } s; reference clips must run { $low }–{ $high } s. Trim it.
problem-cast-unknown = This server's cast has no { $cast_names }. Pick names from the list as you type, or see `/r2v cast list`.
problem-cast-repeated = { $cast_names } { $cast_count ->
    [one] is
   *[other] are
 } in `cast:` more than once; name each member once.
problem-cast-too-many-references = { $cast } cast { $cast ->
    [one] member
   *[other] members
 } and { $others } other { $others ->
    [one] reference
   *[other] references
 } make { $given }; the model takes at most { $limit }. Remove { $over }.
problem-cast-too-many-clips = With the cast, { $videos } of your references are clips; at most { $limit } may be. Replace { $over } with an image.
problem-cast-prompt-too-long = Written with character numbers instead of names your prompt is { NUMBER($length, useGrouping: 1) } characters; the limit is { NUMBER($limit, useGrouping: 1) }. Shorten it by { NUMBER($over, useGrouping: 1) }.
problem-cast-negative-prompt-too-long = Written with character numbers instead of names your negative prompt is { NUMBER($length, useGrouping: 1) } characters; the limit is { $limit }. Shorten it by { NUMBER($over, useGrouping: 1) }.
problem-cast-character-out-of-range = Your prompt names { $names }, but with `cast:` the numbers character1, character2 … count only your own references ({ $references ->
    [0] you gave none of your own
   *[other] you gave { $available }
 }). Call cast members by their names.
problem-cast-source-missing = Attach the character's image or clip in `ref`, or paste a Discord link to it in `link`.
problem-cast-source-twice = Give either a file in `ref` or a link in `link`, not both.
problem-cast-link-not-discord = That link is not a file on Discord. The bot keeps only files it can fetch from Discord itself: attach the file, or paste its Discord link (right-click the file → Copy Link).
problem-cast-file-unreadable = { $label } is not a JPEG, PNG, BMP or WEBP image the bot can read; export it again as JPEG or PNG.
problem-cast-image-transparent = { $label } is a PNG with transparency, which the video service refuses; save it without transparency (or as JPEG).
problem-cast-clip-unreadable = { $label } is not an MP4 or MOV clip the bot can read; export it again as MP4 (H.264).
problem-cast-clip-too-big = { $label } is { $file_size }, more than the { $limit_size } this server lets the bot upload, and it could not be made small enough; trim it or export it smaller.
problem-cast-not-chosen = Your prompt mentions { $cast_names } from this server's cast, but `cast:` does not choose { $cast_count ->
    [one] it
   *[other] them
 }: the model only sees the name as text. Add { $cast_count ->
    [one] it
   *[other] them
 } to `cast:` to show { $cast_count ->
    [one] that character
   *[other] those characters
 }.
problem-cast-never-named = Your prompt never names { $cast_names } from `cast:`; the model may use { $cast_count ->
    [one] that reference
   *[other] those references
 } loosely.

## The pieces those sentences are made of.
label-link = link { $number } ({ $link })
label-ref = ref{ $slot } ({ $filename })
label-file = { $filename }
type-unknown = of unknown type
list-or = { $head } or { $last }
list-separator = {", "}
size-exact = { NUMBER($size, useGrouping: 1) } bytes (limit { NUMBER($limit, useGrouping: 1) })
more-problems = …and { $count ->
    [one] { $count } more problem
   *[other] { $count } more problems
 }: fix these first, then try again.
refusal-heading = **Nothing was submitted.** Please change { $count ->
    [one] this:
   *[other] these:
 }

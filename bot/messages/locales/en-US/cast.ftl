## The cast: /r2v cast, the "Save to r2v cast" menu and the bot's copies (bot/messages/cast.py).
## Names are the members' own text, shown literally.

## Commands, options and the menu (at most 100 characters each; the menu name at most 32).
cmd-r2v-cast = This server's cast: named characters to reuse in every video.
cmd-r2v-cast-add = Add a character to this server's cast: a name, and its image or clip.
cmd-r2v-cast-list = Show this server's cast, with pictures.
cmd-r2v-cast-show = Show one member of this server's cast.
cmd-r2v-cast-rename = Give a cast member another name (whoever added it, or a moderator).
cmd-r2v-cast-remove = Remove a cast member (whoever added it, or a moderator).
opt-cast = Characters from this server's cast, comma-separated; call them by name in the prompt
opt-cast-name = The character's name, 1–32 characters; prompts call it by this name
opt-cast-ref = The character's image (JPEG/PNG/BMP/WEBP) or clip (MP4/MOV, 1–30 s)
opt-cast-link = Or a Discord link to the image or clip (right-click it → Copy Link)
opt-cast-description = A few words about the character, shown with it
opt-cast-member = A member of this server's cast (start typing to pick it)
opt-cast-new-name = The new name, 1–32 characters
menu-save-to-cast = Save to r2v cast

## Adding.
cast-nothing-added = **Nothing was added.** Please change { $count ->
    [one] this:
   *[other] these:
 }
cast-added = 🎭 **{ $name }** is in this server's cast. Use it with { $command } and call it { $name } in the prompt.
cast-name-taken = This server's cast already has **{ $name }**. Pick another name, or rename or remove that one first.
cast-file-unavailable = Discord would not hand over that file (its link may no longer work, or Discord is busy). Attach it again, or try again in a minute.
cast-copy-forbidden = The bot keeps each character's file in a message of its own, and it may not post files in this channel. Add the character in a channel where the bot can post.
cast-copy-channel-gone = The channel for the bot's copy of the file is gone. Try again in another channel.
cast-copy-too-large = The file is larger than this server lets the bot upload. Trim it or export it smaller.
cast-copy-unavailable = Discord is not answering right now; try again in a minute.

## The bot's copy messages (public, in the channel).
cast-copy-caption = 🎭 **{ $name }** joined this server's r2v cast, added by <@{ $added_by }>.
cast-copy-caption-again = 🎭 A new copy of the cast member **{ $name }** (the earlier one was deleted).
cast-copy-description = > { $description }

## Looking.
cast-empty = This server's cast is empty. Add a character with `/r2v cast add`, or right-click a message with a picture → Apps → Save to r2v cast.
cast-not-found = This server's cast has no **{ $name }**. See `/r2v cast list`.
cast-gallery-heading = **This server's cast** · page { $page } of { $pages } · { $total ->
    [one] { $total } member
   *[other] { $total } members
 }
cast-kind-image = 🖼️ { $format } · { $width }×{ $height } px
cast-kind-image-unsized = 🖼️ { $format }
cast-kind-clip = 🎬 { $format } · { $seconds } s
cast-added-by = added by <@{ $added_by }> <t:{ $at }:R>
cast-use-it = Use it with { $command }.
cast-clip-link = [Watch the clip]({ $url })
cast-button-previous = Previous
cast-button-next = Next

## Changing.
cast-not-allowed = Only <@{ $added_by }>, who added **{ $name }**, or a member who can manage messages{ $roles ->
    [none] {""}
   *[some] {" "}or has one of the bot's admin roles ({ $role_list })
 } can change or remove it.
cast-renamed = ✏️ **{ $old }** is now **{ $name }**. Prompts call it { $name } from now on.
cast-removed = 🗑️ **{ $name }** was removed from this server's cast. Videos already made with it stay.

## The "Save to r2v cast" menu.
cast-no-files = That message has no attached image or clip to save to the cast.
cast-menu-title = Save to r2v cast
cast-menu-name = Name (prompts call the character by it)
cast-menu-description = Description (optional)
cast-menu-file = Which file

## Using the cast in a video.
cast-member-lost = The file of the cast member **{ $name }** is no longer kept by the bot. Add it to the cast again.
cast-member-removed = A cast member this video used has been removed from the cast since; choose the characters again with `/r2v generate`.
cast-member-unavailable = Discord would not give a fresh link to the cast member **{ $name }** right now; try again in a minute.
cast-member-forbidden = The bot's copy of the cast member **{ $name }** was deleted, and the bot may not post files in this channel to make a new one. Use the cast in a channel where the bot can post.
cast-member-too-large = The file of the cast member **{ $name }** is larger than this server lets the bot upload now. Add it to the cast again, smaller.

## Stories: Export story and /r2v story (bot/messages/stories.py). Prompts are the members'
## own text, shown literally.

## The command, its option and the button (at most 100 characters each).
cmd-r2v-story = Join a story's shots (made with Continue) into one video and post it.
opt-story-task-id = The story's last shot (start typing to pick one of your tasks)
button-story = Export story

## Answers to the member, privately.
story-not-a-story = This video continues no other, so there is no story to export yet: make the next shot with 🎞️ Continue from this video, then export the story from that shot.
story-joining = 🎬 Joining the { $count } shots of this story into one video…
story-nothing-kept = None of this story's videos is kept by the bot any more, so there is nothing to join.
story-failed = The story could not be joined into one video. Try again later.
story-posted = 🎬 The story is posted below.

## The post.
story-heading = 🎬 **A story of { $count } shots**, exported by <@{ $member }>.
story-gone-note = { $count ->
    [one] One shot is
   *[other] { $count } shots are
 } no longer kept by the bot and left out; the others are joined in order.
story-fitted = Re-encoded to fit what this server lets the bot upload.
story-title = Story of { $count } shots
story-shot = **{ $number }.** { $task_id } { $prompt }
story-shot-gone = **{ $number }.** { $task_id } { $prompt } — ⚠️ no longer kept, left out
story-cost = Total cost
story-cost-value = { $amount } { $currency } ({ $seconds } billed s)

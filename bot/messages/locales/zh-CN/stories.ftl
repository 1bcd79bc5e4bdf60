## 故事：“导出故事”按钮与 /r2v story（bot/messages/stories.py）。提示词是成员自己写的文字，
## 按原样显示。

## 命令、选项与按钮（每条最多 100 个字符）。
cmd-r2v-story = 把一个故事（用“接着这个视频生成”拍下的各个镜头）合成一个视频并发出来。
opt-story-task-id = 故事的最后一个镜头（输入时可从你的任务中选择）
button-story = 导出故事

## 只给成员本人看的答复。
story-not-a-story = 这个视频没有接在别的视频后面，还不算一个故事：先点 🎞️“接着这个视频生成”拍下一个镜头，再从那个镜头导出故事。
story-joining = 🎬 正在把这个故事的 { $count } 个镜头合成一个视频……
story-nothing-kept = 机器人已经不再保存这个故事里的任何视频，没有可以合成的内容。
story-failed = 这个故事没能合成一个视频，请稍后再试。
story-posted = 🎬 故事已发在下面。

## 发出的消息。
story-heading = 🎬 **一个由 { $count } 个镜头组成的故事**，由 <@{ $member }> 导出。
story-gone-note = 有 { $count } 个镜头机器人已不再保存，没有放进来；其余镜头按顺序合成。
story-fitted = 已重新编码，以符合本服务器允许机器人上传的大小。
story-title = 共 { $count } 个镜头的故事
story-shot = **{ $number }.** { $task_id } { $prompt }
story-shot-gone = **{ $number }.** { $task_id } { $prompt } — ⚠️ 已不再保存，未放入
story-cost = 总花费
story-cost-value = { $amount } { $currency }（计费 { $seconds } 秒）

## 私密生成、删除、接着生成、编辑重跑、来源、/r2v show 与帮助、实际费用、进度和取消
## （bot/messages/features.py）。

## 命令与选项（每条最多 100 个字符）。
cmd-r2v-show = 在本频道重新发布一个已完成任务的视频。
cmd-r2v-help = 参考素材如何对应角色、各个选项、限制，以及视频的费用。
opt-private = 仅你可见：状态只给你看，视频通过私信发给你
opt-show-task-id = 你已完成的任务之一（输入文字即可选择）
opt-spend-csv = 同时附上近 7 天任务的 CSV 文件

## 按钮与表单。
button-continue = 接着这个视频生成
button-delete = 删除
button-cancel-task = 取消任务
continue-modal-title = 接着这个视频生成
continue-prompt-placeholder = 接下来发生什么；character1 就是上一个视频
modal-seed = 种子（留空则随机生成新的）
modal-model-size = 模型和尺寸
modal-duration-shot = 时长和镜头
option-model-size = { $model } · { $size }
option-duration-shot = { $duration } 秒 · { $shot ->
    [single] 单镜头
   *[multi] 多镜头
 }
bad-seed = **未提交任何任务。** 种子须为 { $low } 到 { $high } 之间的整数，或留空以随机生成。

## 私密生成。
submitted-privately = 🔒 已私密提交，任务 `{ $task_id }`。此消息仅你可见，视频会通过私信发给你。
private-video-ready = 🔒 你的私密视频（任务 `{ $task_id }`）已生成好了。
private-ending = 🔒 私密任务 `{ $task_id }`：{ $ending }
dms-closed = 你关闭了来自本服务器的私信，所以私密结果显示在这里，仅你可见。
private-video-link = 🔒 你的视频：<{ $url }>（链接在任务结束 24 小时后失效）。
not-your-private-task = 这是其他成员的私密任务。

## 删除。
deleted = 🗑️ 结果消息已删除；任务仍保留在 `/r2v history` 中。
delete-failed = 无法删除结果消息（可能已经被删除了）。
delete-not-allowed = 只有提交这个视频的 <@{ $requester_id }>，或有“管理消息”权限{ $roles ->
    [none] {""}
   *[some] 或机器人管理身份组（{ $role_list }）
 }的成员才能删除它。

## 接着生成与来源。
no-video-to-continue = **未提交任何任务。** 这个结果已经没有可以接着生成的视频文件了。
field-made-from = 来源
lineage-task = 任务 `{ $task_id }`
lineage-task-and-result = 任务 `{ $task_id }` · [查看结果]({ $url })
history-parent = ↳ 来自 `{ $task_id }`

## /r2v show 与帮助。
shown = 已在下方重新发布。
not-finished-yet = 这个任务还没完成，进度请看它的状态消息。
nothing-to-show = 这个任务没有可展示的视频（没有生成成功）。
video-no-longer-available = 这个任务的视频已无法获取：链接已过期，机器人也没有保留副本。
shown-again = 重新发布 <@{ $requester_id }> 的视频，任务 `{ $task_id }`。
help-text =
    {"**"}用 `/r2v generate` 生成视频**
    最多附上 5 个参考素材（图片或短视频，视频最多 3 个）：`ref1` 对应 **character1**，`ref2` 对应 **character2**，依此类推。在提示词里用这些名字指代人物，例如：
    > character1 hands character2 a red umbrella in the rain, slow camera pan
    {"**"}选项**：`model`（flash 更快更便宜；完整版始终带声音）、`size`、`duration`（2–10 秒）、`shot_type`（单镜头或多镜头）、`seed`（用于复现结果）、`audio`、`negative_prompt`（要避免的内容）、`links`（图片或视频直链）、`private`（仅你可见，视频通过私信发送）。
    {"**"}结果下方的按钮**：🎲 重新生成（同样的请求，新种子）、✏️ 修改后重新生成（任何参数都能改）、🎞️ 接着生成（这个视频作为下一个镜头的 character1）、🗑️ 删除。
    {"**"}找回结果**：`/r2v history`、`/r2v status`、`/r2v show`。
    {"**"}费用**：按秒计费（输出时长，加上每个参考视频最多 5 秒）；生成前后都会显示价格。`/r2v quota` 显示你今天的用量和团队的限制；需要更多额度请联系服务器管理者。

## 实际费用。
field-cost = 费用
actual-cost = { $amount } { $currency }
actual-cost-with-estimate = { $amount } { $currency }（预估 { $estimate }）
spend-csv-note = 已附上近 7 天任务的 CSV 文件。

## 进度。
queued-since = 排队开始于 <t:{ $at }:R>
generating-since = 生成开始于 <t:{ $at }:R>
usually-ready = 通常在 <t:{ $at }:R> 完成
place-in-queue = 在本机器人的等待队列中排第 { $place } 位

## 取消。
cancel-requested = 🚫 已取消：任务不会运行，也不会扣费。
cancel-too-late = 任务已经开始（或已结束），无法再取消。
cancel-unavailable = 这里无法取消任务。
cancel-failed = 无法取消任务：{ $reason }

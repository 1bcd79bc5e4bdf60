## 任务相关：提交后的答复、任务如何结束、/r2v status 与 /r2v history 的内容、按钮的拒绝
## 理由（bot/messages/tasks.py）。

no-files-in-message = 这条消息没有可用作参考的图片或视频附件。
bad-menu-duration = **未提交任何任务。** 时长须为 { $low } 到 { $high } 之间的整数秒。
not-in-records = 机器人的记录中已经没有这个任务了。
starting-up = 机器人正在启动，请稍后再点一次按钮。
stopping = **未提交任何任务。** 机器人正在重启，请一分钟后再试。
links-refused = **未提交任何任务。** Discord 拒绝为这个任务的文件续期链接（HTTP { $status }），视频服务无法取到这些文件。请重新上传文件，再运行一次 `/r2v generate`。
links-unavailable = **未提交任何任务。** Discord 暂时没有响应，这个任务的文件没能拿到新链接。请过一分钟再试。
links-missing = **未提交任何任务。** Discord 已不再提供 { $names } 的链接（附带{ $count ->
    [1] 这个文件
   *[other] 这些文件
 }的消息可能已被删除）。请重新上传文件，再运行一次 `/r2v generate`。
no-history = 你还没有视频任务。用 `/r2v generate` 开始第一个吧。
already-answered = 这个请求已经处理过了。
cancelled = 已取消，没有提交任务，也没有扣费。
confirmed = ✅ 已确认。
not-in-guild = 本服务器中没有该 ID 的任务。

submitted = ✅ 已提交，任务 ID 为 `{ $task_id }`；任务状态会发布在频道中。
unrecorded = ⚠️ 你的视频已提交，任务 ID 为 `{ $task_id }`，但机器人未能记录它，因此不会跟踪进度。请用 `/r2v status task_id:{ $task_id }` 查看。
not-yours = 只有发起这个视频的 <@{ $requester_id }> 才能使用这些按钮。用 `/r2v generate` 生成你自己的视频吧。
confirm-timed-out = { $timeout } 秒内没有收到回复，因此没有提交任务，也没有扣费。
cannot-post-here = **未提交任何任务。** 机器人无法在此频道发布视频：缺少「{ $missing }」权限。请让管理员授予这些权限，或换一个频道。

ending-unknown = 你的任务已结束，状态为 { $status }。
ending-succeeded = 你的视频生成好了。
ending-failed = 你的视频未能生成。
ending-canceled = 你的视频任务已被视频服务取消；没有扣费。
ending-canceled-by = 🚫 已由 <@{ $member }> 取消；没有扣费。
ending-expired = 视频服务已查不到这个任务（任务 ID 在 24 小时后失效），因此无法获取结果。
ending-deadline = 等待 { $minutes } 分钟仍未收到结果，机器人已停止等待。之后可用 `/r2v status task_id:{ $task_id }` 查看。
ending-unreachable = 视频服务已连续一天无法连接，这个任务的结果未知。可以用 `/r2v status task_id:{ $task_id }` 再查一次。
service-silent = ⚠️ 已过截止时间，视频服务从 <t:{ $since }:R> 起一直没有回应这个任务。机器人会继续查询到 <t:{ $until }:f>（视频在此之前都还能取回），视频一出来就会发出。
ending-untracked = 管理员已停止跟踪这个任务，因此不会发布结果。
ending-no-video = 视频服务表示视频已完成，却没有提供可下载的视频。稍后用 `/r2v status task_id:{ $task_id }` 或许能看到。
ending-bad-video = 视频服务发来的是空文件或不是视频的内容，因此没有可发送的视频。
ending-video-gone = 你的视频已生成，但在链接有效期内机器人未能下载其文件（视频主机拒绝访问或文件已不存在），因此无法发送。

ending-title-deadline = ⌛ 已停止等待
ending-title-unreachable = ⌛ 结果未知
ending-title-untracked = 🚫 未跟踪
ending-title-no-video = ⚠️ 没有视频

status-line = 任务 { $task_id }：**{ $status }**
status-foreign = 这个任务不是通过本机器人创建的，因此只显示其状态。
status-video-link = <{ $url }>（链接在任务结束 24 小时后失效）
no-such-task = 机器人和视频服务都查不到任务 { $task_id }。请检查 ID（任务结束 24 小时后即被清除）。

history-heading = **你最近的任务**
history-line = <t:{ $created_at }:R> `{ $task_id }` **{ $status }** { $model } { $size } { $duration } 秒 — { $prompt }

untracked = 已停止跟踪任务 `{ $task_id }`。视频服务仍可能完成它；可以用 `/r2v status` 查询。
already-ended = 任务 `{ $task_id }` 已经结束。

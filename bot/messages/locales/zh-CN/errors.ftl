## API 调用失败与以 FAILED 结束的任务（bot/messages/errors.py）。

generic-apology = 机器人这边出了点问题，已记录到日志；请重试。
request-reference = （请求 ID `{ $request_id }`）

submit-auth = 视频服务不接受机器人的 API 密钥；请告知服务器管理员。
submit-no-balance = 视频服务账户余额不足，未生成任何内容；请告知服务器管理员充值。
submit-content-rejected = 视频服务拒绝了此内容（未通过内容审核，或疑似侵犯知识产权）。请修改提示词或更换参考。
submit-invalid = 视频服务拒绝了该请求：{ $api_text }
submit-rate-limited = 视频服务当前繁忙，请 { $wait } 秒后重试。本次未扣费。
submit-server-error = 视频服务发生服务器错误（HTTP { $status }），且没有返回任务 ID。你的视频**可能已经提交**，但机器人无法跟踪它；为避免重复扣费，请先向管理员确认再重试。
submit-timeout = 视频服务未能及时响应。你的视频**可能已经提交**；为避免重复扣费，机器人没有重新发送。请先向管理员确认再重试。
submit-unreachable = 机器人无法连接视频服务，未提交任何任务。请稍后再试。
submit-malformed = 视频服务返回了机器人无法解析的内容，因此无法判断视频是否已开始生成。请先向管理员确认再重试。
submit-failed = 调用视频服务失败；请重试。

query-auth = 视频服务不接受机器人的 API 密钥；请告知服务器管理员。
query-not-found = 视频服务中没有该 ID 的任务（任务 ID 在 24 小时后失效）。
query-rate-limited = 视频服务当前繁忙，请 { $wait } 秒后再查询。
query-unavailable = 暂时无法查询视频服务，任务本身不受影响。请一分钟后再试。
query-unreadable = 无法解析视频服务的回复；请稍后再试。

failure-summary = { $code }：{ $message }
failure-default-code = 失败
failure-no-reason = 未说明原因
failure-download = 阿里云的服务器无法下载其中一个参考。请使用公开链接，或重新上传文件（Discord 的附件链接会过期）。
failure-moderation = 内容未通过审核；请修改提示词或参考。
failure-format = 有参考文件未被接受：图片请用 JPEG/PNG/BMP/WEBP（PNG 不要带透明通道），视频请用 1–30 秒的 MP4/MOV。
failure-parameter = 有参数未被接受；请检查分辨率、时长和参考。
failure-arrearage = 服务账户余额不足；请告知服务器管理员。
failure-other = 失败的任务不会扣费；你可以重试。

## 结果消息中关于视频文件本身及其发送的句子（bot/messages/delivery.py）。

video-as-link = 你的视频生成好了（以链接形式提供）。
download-link = [下载视频]({ $url }) — 链接将于 <t:{ $expires_at }:R>过期。
over-upload-limit = 视频（{ $shown }）超过了本服务器 { $limit } MB 的上传上限，且无法压缩到上限以内，因此没有作为附件发送。
size-too-large = 过大
not-stored = 机器人自己的磁盘暂时存不下这个视频，没法作为附件发送，所以改为提供下载链接。
reencoded-to-fit = 视频已重新编码，以符合本服务器 { $limit } MB 的上传上限（{ $original } → { $fitted }）。
reencoded-smaller-to-fit = 视频已重新编码并降低了分辨率，以符合本服务器 { $limit } MB 的上传上限（{ $original } → { $fitted }）。
original-link = 原始视频：[下载]({ $url }) — 链接将于 <t:{ $expires_at }:R>过期。
being-delivered = 🎬 任务 `{ $task_id }` 的视频已生成，正在发送；机器人会一直重试，直到发出为止。
fetch-it-with-status = ⚠️ 机器人无法在这里或通过私信发送任务 `{ $task_id }` 的结果。请用 `/r2v status task_id:{ $task_id } video:True` 获取。
sent-by-dm = （机器人已无法在你发起请求的频道发消息，因此改用私信发送。）
no-kept-video = 机器人已不再保存这个任务的视频（完成的视频只保存一段时间），或者从未下载过它。

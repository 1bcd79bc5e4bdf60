## 结果消息中关于视频文件本身的句子（bot/messages/delivery.py）。

video-as-link = 你的视频生成好了（以链接形式提供）。
download-link = [下载视频]({ $url }) — 链接将于 <t:{ $expires_at }:R>过期。
could-not-fetch = 机器人未能获取视频文件，但链接可能仍能打开：{ $link }
over-upload-limit = 视频（{ $shown }）超过了本服务器 { $limit } MB 的上传上限，因此没有作为附件发送。{ $link }
size-too-large = 过大

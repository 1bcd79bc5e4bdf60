## /r2v generate 输入的拒绝理由（bot/messages/validation.py）：每种问题一条消息。
## 变量即问题的参数；用户输入的内容已按原样显示（`代码`）。

-write-a-prompt = 请填写提示词：描述视频内容，并按参考顺序用 character1、character2 … 指代人物。
-check-it = 请检查链接后重新粘贴。
-cannot-download = 阿里云的服务器无法下载它；请使用公开链接。

problem-prompt-missing = { -write-a-prompt }
problem-prompt-invisible = 提示词只包含不可见字符（空格、零宽字符或组合符号）。{ -write-a-prompt }
problem-prompt-too-long = 提示词共 { NUMBER($length, useGrouping: 1) } 个字符，上限为 { NUMBER($limit, useGrouping: 1) } 个，请删减 { NUMBER($over, useGrouping: 1) } 个字符。
problem-negative-prompt-invisible = 反向提示词只包含不可见字符（空格、零宽字符或组合符号）。请写明视频中应避免的内容，或不填此选项。
problem-negative-prompt-too-long = 反向提示词共 { NUMBER($length, useGrouping: 1) } 个字符，上限为 { $limit } 个，请删减 { NUMBER($over, useGrouping: 1) } 个字符。
problem-model-unknown = 没有名为 { $model } 的模型；请使用 { $models }。
problem-size-not-offered = 不支持分辨率 { $size }；请从以下选项中选择：{ $sizes }。
problem-duration-out-of-range = 时长须为 { $low }–{ $high } 秒，当前为 { $duration } 秒。
problem-shot-type-unknown = 镜头类型须为 `single`（单镜头，一镜到底）或 `multi`（多镜头，带剪辑切换）。
problem-seed-out-of-range = 种子须为 { $low } 到 { NUMBER($high, useGrouping: 1) } 之间的整数。
problem-silent-needs-flash = `audio: False` 仅适用于 { $flash_model }：{ $model } 总会生成声音。如需无声视频，请选择 { $flash_model }，或保持音频开启。
problem-references-missing = 请至少添加一个参考：在 ref1–ref5 中上传图片或视频片段，或在 `links` 中粘贴直链。
problem-too-many-references = 你提供了 { $given } 个参考，模型最多接受 { $limit } 个，请移除 { $over } 个。
problem-too-many-videos = 你的参考中有 { $videos } 个是视频，最多只能有 { $limit } 个，请把其中 { $over } 个换成图片。
problem-character-out-of-range = 提示词中提到了 { $names }，但你只提供了 { $references } 个参考（{ $available }）。请添加参考或修改提示词。
problem-attachment-type = { $label }的文件类型（{ $content_type }）不受支持；请使用 JPEG、PNG、BMP 或 WEBP 图片，或 MP4、MOV 视频片段。
problem-image-too-heavy = { $label }的大小为 { $file_size }，图片不能超过 { $limit_size }。请导出更小的文件，或转为 JPEG。
problem-video-too-heavy = { $label }的大小为 { $file_size }，视频片段不能超过 { $limit_size }。请剪短或压缩。
problem-image-too-small = { $label }为 { $width }×{ $height } 像素，每条边至少需要 { $limit } 像素。请换一张更大的图片。
problem-image-too-large = { $label }为 { $width }×{ $height } 像素，每条边最多 { $limit } 像素。请缩小后再上传。
problem-link-not-web-address = { $label }不是网址；链接须以 http:// 或 https:// 开头。
problem-link-backslash-in-host = { $label }在路径前有反斜杠（`\`），不同服务器对它的解读不一致；请改用正斜杠（`/`）。
problem-link-has-user-info = { $label }含有用户名或密码（`@` 之前的部分）；请去掉这部分后再粘贴。
problem-link-bad-port = { $label }的端口（`:` 之后的部分）无效；端口须为 1 到 65535 之间的整数，也可以不写。
problem-link-bad-ipv6 = { $label }的 IPv6 地址（`[` 与 `]` 之间）格式有误；{ -check-it }
problem-link-zone-id = { $label }的地址里指定了网络接口（`%…`），这只在局域网内有效；请使用公开链接。
problem-link-bad-ipv4 = { $label }的主机看起来像 IP 地址，却不是有效的 IP；{ -check-it }
problem-link-bad-percent-encoding = { $label }的主机名中有损坏的 % 转义；{ -check-it }
problem-link-bad-host = { $label }的主机名含有网址中不允许出现的字符；{ -check-it }
problem-link-private-address = { $label }指向私有或本地地址，{ -cannot-download }
problem-link-local-name = { $label }指向 { $host }，这是只存在于局域网内的主机，{ -cannot-download }
problem-link-not-a-file = { $label }的结尾不是已知的文件类型。请粘贴文件本身的直链（以 .jpg、.png、.bmp、.webp、.mp4 或 .mov 结尾），而不是展示该文件的网页。
problem-character-name-spaced = 角色名中间不要加空格（写 `character1`，不要写 `character 1`），模型才能把它们对应到你的参考。
problem-characters-never-named = 提示词中没有提到 { $names }，模型可能会较随意地使用对应的 { $unnamed } 个参考。

## 组成上述句子的片段。
label-link = 链接 { $number }（{ $link }）
label-ref = ref{ $slot }（{ $filename }）
type-unknown = 未知
list-or = { $head } 或 { $last }
list-separator = 、
size-exact = { NUMBER($size, useGrouping: 1) } 字节（上限 { NUMBER($limit, useGrouping: 1) } 字节）
more-problems = …还有 { $count } 个问题：请先修正上面这些，再重试。
refusal-heading = **未提交任何任务。** 请修改以下 { $count } 处问题：

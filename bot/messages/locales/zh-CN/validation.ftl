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
problem-prompt-unstorable = 提示词第 { $position } 个字符处有{ $character }：{ $around }。含有这个字符的任务机器人无法记录，请删掉它后重新发送。
problem-negative-prompt-unstorable = 反向提示词第 { $position } 个字符处有{ $character }：{ $around }。含有这个字符的任务机器人无法记录，请删掉它后重新发送。
unstorable-nul = 一个看不见的空字符（{ $code_point }）
unstorable-surrogate = 半个残缺的字符（{ $code_point }），比如被截成两半的表情符号
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
problem-attachment-unstorable = Discord 为{ $label }生成的地址里有{ $character }，机器人无法记录；请把文件改个名字后重新上传。
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
problem-link-unstorable = { $label }里有{ $character }，机器人无法记录；请去掉它后重新粘贴链接。
problem-link-not-a-file = { $label }的结尾不是已知的文件类型。请粘贴文件本身的直链（以 .jpg、.png、.bmp、.webp、.mp4 或 .mov 结尾），而不是展示该文件的网页。
problem-character-name-spaced = 角色名中间不要加空格（写 `character1`，不要写 `character 1`），模型才能把它们对应到你的参考。
problem-characters-never-named = 提示词中没有提到 { $names }，模型可能会较随意地使用对应的 { $unnamed } 个参考。

## 角色库（bot/generation/cast.py）：给角色起名，用 `cast:` 选角色。
problem-cast-name-missing = 请给角色起个名字：1–32 个字符，至少包含一个字母、数字或汉字。
problem-cast-name-too-long = 这个名字有 { $length } 个字符，角色名最多 { $limit } 个，请删减 { $over } 个。
problem-cast-name-comma = 名字 { $cast_name } 里有逗号，而逗号在 `cast:` 中用来分隔名字；请换一个不带逗号的名字。
problem-cast-name-invisible = 名字 { $cast_name } 含有不可见字符或控制字符；请只用文字、数字、空格和标点重新输入。
problem-cast-name-no-letter = 名字 { $cast_name } 里没有文字或数字，提示词无法用它指代角色。
problem-cast-name-reserved = { $cast_name } 是模型给参考编号用的写法，请换一个名字。
problem-cast-description-too-long = 描述有 { $length } 个字符，最多保留 { $limit } 个，请删减 { $over } 个。
problem-clip-length = { $label }的时长为 { $seconds } 秒，参考视频须为 { $low }–{ $high } 秒，请剪辑后再试。
problem-cast-unknown = 本服务器的角色库里没有 { $cast_names }。输入时可从候选列表中选择，或用 `/r2v cast list` 查看全部角色。
problem-cast-repeated = `cast:` 中有 { $cast_count } 个名字重复出现：{ $cast_names }。每个角色只需写一次。
problem-cast-too-many-references = { $cast } 个角色加上另外 { $others } 个参考，共 { $given } 个，模型最多接受 { $limit } 个，请去掉 { $over } 个。
problem-cast-too-many-clips = 算上角色，你的参考中有 { $videos } 个是视频，最多只能有 { $limit } 个，请把其中 { $over } 个换成图片。
problem-cast-prompt-too-long = 把角色名换成编号后，提示词共 { NUMBER($length, useGrouping: 1) } 个字符，上限为 { NUMBER($limit, useGrouping: 1) } 个，请删减 { NUMBER($over, useGrouping: 1) } 个字符。
problem-cast-negative-prompt-too-long = 把角色名换成编号后，反向提示词共 { NUMBER($length, useGrouping: 1) } 个字符，上限为 { $limit } 个，请删减 { NUMBER($over, useGrouping: 1) } 个字符。
problem-cast-character-out-of-range = 提示词中写了 { $names }，但用了 `cast:` 时，character1、character2 … 只按顺序指你自己附上的参考（{ $references ->
    [0] 你没有附上自己的参考
   *[other] 你附上的是 { $available }
 }）。角色库里的角色请直接写名字。
problem-cast-source-missing = 请在 `ref` 中上传角色的图片或视频片段，或在 `link` 中粘贴它在 Discord 上的链接。
problem-cast-source-twice = `ref` 上传文件和 `link` 粘贴链接二选一，不要同时填写。
problem-cast-link-not-discord = 这个链接不是 Discord 上的文件。机器人只保存它能直接从 Discord 取得的文件：请上传文件，或粘贴它在 Discord 上的链接（右键点击文件 → 复制链接）。
problem-cast-file-unreadable = { $label }不是机器人能读取的 JPEG、PNG、BMP 或 WEBP 图片，请重新导出为 JPEG 或 PNG。
problem-cast-image-transparent = { $label }是带透明通道的 PNG，视频服务不接受；请去掉透明后保存（或存为 JPEG）。
problem-cast-clip-unreadable = { $label }不是机器人能读取的 MP4 或 MOV 视频，请重新导出为 MP4（H.264）。
problem-cast-clip-too-big = { $label }的大小为 { $file_size }，超过了本服务器允许机器人上传的 { $limit_size }，而且无法压缩到这个大小以内；请剪短或导出更小的文件。
problem-cast-not-chosen = 提示词里提到了本服务器角色库中的 { $cast_names }，但 `cast:` 里没有选{ $cast_count ->
    [1] 它
   *[other] 它们
 }，模型只会把名字当作普通文字。若要让{ $cast_count ->
    [1] 这个角色
   *[other] 这些角色
 }出场，请加到 `cast:` 里。
problem-cast-never-named = 提示词中没有提到 `cast:` 里的 { $cast_names }，模型可能会较随意地使用{ $cast_count ->
    [1] 这个参考
   *[other] 这些参考
 }。

## 组成上述句子的片段。
label-link = 链接 { $number }（{ $link }）
label-ref = ref{ $slot }（{ $filename }）
label-file = { $filename }
type-unknown = 未知
list-or = { $head } 或 { $last }
list-separator = 、
size-exact = { NUMBER($size, useGrouping: 1) } 字节（上限 { NUMBER($limit, useGrouping: 1) } 字节）
more-problems = …还有 { $count } 个问题：请先修正上面这些，再重试。
refusal-heading = **未提交任何任务。** 请修改以下 { $count } 处问题：

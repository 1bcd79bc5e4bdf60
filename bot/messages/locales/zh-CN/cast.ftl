## 角色库：/r2v cast、“保存到 r2v 角色库”菜单，以及机器人保存的副本（bot/messages/cast.py）。
## 名字是成员自己输入的文字，按原样显示。

## 命令、选项与菜单（每条最多 100 个字符；菜单名最多 32 个字符）。
cmd-r2v-cast = 本服务器的角色库：给角色起好名字，每个视频都能反复使用。
cmd-r2v-cast-add = 往本服务器的角色库里添加角色：一个名字，加上它的图片或视频片段。
cmd-r2v-cast-list = 查看本服务器的角色库（带图片）。
cmd-r2v-cast-show = 查看角色库中的某个角色。
cmd-r2v-cast-rename = 给角色改名（限添加者或管理员）。
cmd-r2v-cast-remove = 从角色库中移除角色（限添加者或管理员）。
opt-cast = 本服务器角色库里的角色，多个用逗号隔开；提示词里直接写角色名即可
opt-cast-name = 角色名，1–32 个字符；提示词里用这个名字称呼它
opt-cast-ref = 角色的图片（JPEG/PNG/BMP/WEBP）或视频片段（MP4/MOV，1–30 秒）
opt-cast-link = 或者粘贴图片/视频在 Discord 上的链接（右键点击文件 → 复制链接）
opt-cast-description = 用几句话介绍这个角色，会和角色一起显示
opt-cast-member = 本服务器角色库中的角色（输入时可从列表中选择）
opt-cast-new-name = 新名字，1–32 个字符
menu-save-to-cast = 保存到 r2v 角色库

## 添加。
cast-nothing-added = **没有添加任何角色。** 请修改以下 { $count } 处问题：
cast-added = 🎭 **{ $name }** 已加入本服务器的角色库。生成时用 { $command }，并在提示词里直接写 { $name }。
cast-name-taken = 本服务器的角色库里已经有 **{ $name }** 了。请换一个名字，或先给原来那个改名或移除。
cast-file-unavailable = Discord 没有提供这个文件（链接可能已失效，或 Discord 正忙）。请重新上传，或稍后再试。
cast-copy-forbidden = 机器人要在自己的消息里保存角色文件，但它无权在这个频道发送文件。请到机器人能发消息的频道添加角色。
cast-copy-channel-gone = 用来保存文件副本的频道已不存在，请换个频道再试。
cast-copy-too-large = 这个文件超过了本服务器允许机器人上传的大小，请剪短或导出更小的文件。
cast-copy-unavailable = Discord 暂时没有响应，请稍后再试。

## 机器人的副本消息（公开，发在频道里）。
cast-copy-caption = 🎭 **{ $name }** 已加入本服务器的 r2v 角色库，由 <@{ $added_by }> 添加。
cast-copy-caption-again = 🎭 角色 **{ $name }** 的新副本（之前的副本已被删除）。
cast-copy-description = > { $description }

## 查看。
cast-empty = 本服务器的角色库还是空的。可以用 `/r2v cast add` 添加角色，或右键点击带图片的消息 → 应用 → 保存到 r2v 角色库。
cast-not-found = 本服务器的角色库里没有 **{ $name }**。可以用 `/r2v cast list` 查看全部角色。
cast-gallery-heading = **本服务器的角色库** · 第 { $page }/{ $pages } 页 · 共 { $total } 个角色
cast-kind-image = 🖼️ { $format } · { $width }×{ $height } 像素
cast-kind-image-unsized = 🖼️ { $format }
cast-kind-clip = 🎬 { $format } · { $seconds } 秒
cast-added-by = 由 <@{ $added_by }> 添加于 <t:{ $at }:R>
cast-use-it = 生成时用 { $command }。
cast-clip-link = [观看视频片段]({ $url })
cast-button-previous = 上一页
cast-button-next = 下一页

## 修改。
cast-not-allowed = 只有添加 **{ $name }** 的 <@{ $added_by }>，或有“管理消息”权限{ $roles ->
    [none] {""}
   *[some] 或机器人管理身份组（{ $role_list }）
 }的成员，才能修改或移除它。
cast-renamed = ✏️ **{ $old }** 已改名为 **{ $name }**，今后提示词里请称它为 { $name }。
cast-removed = 🗑️ **{ $name }** 已从本服务器的角色库中移除。用它生成过的视频不受影响。

## “保存到 r2v 角色库”菜单。
cast-no-files = 这条消息没有可以保存到角色库的图片或视频片段。
cast-menu-title = 保存到 r2v 角色库
cast-menu-name = 名字（提示词里用它称呼这个角色）
cast-menu-description = 描述（可不填）
cast-menu-file = 选择文件

## 在视频里使用角色。
cast-member-lost = 机器人已不再保存角色 **{ $name }** 的文件，请把它重新加入角色库。
cast-member-removed = 这个视频用到的某个角色已从角色库中移除，请用 `/r2v generate` 重新选择角色。
cast-member-unavailable = Discord 暂时无法为角色 **{ $name }** 提供新链接，请稍后再试。
cast-member-forbidden = 机器人保存的角色 **{ $name }** 的副本已被删除，而它无权在这个频道发送文件来重新保存。请到机器人能发消息的频道使用角色库。
cast-member-too-large = 角色 **{ $name }** 的文件超过了本服务器目前允许机器人上传的大小，请压缩后重新加入角色库。

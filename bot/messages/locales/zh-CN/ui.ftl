## 嵌入消息、按钮和弹窗的标签，以及命令树的拒绝理由（bot/ui/，按键名引用）。

status-pending = ⏳ 排队中
status-running = 🎬 生成中
status-succeeded = ✅ 已完成
status-failed = ❌ 失败
status-canceled = 🚫 已取消
status-unknown = ⌛ 已过期
status-other = ⏳ 处理中

field-task-id = 任务 ID
field-status = 状态
field-parameters = 参数
field-estimated-cost = 预估费用
field-references = 参考
field-negative-prompt = 反向提示词
field-notes = 提示
field-note = 说明
footer-requested = 提交于
footer-task = 任务 { $task_id }
preview-title = 准备生成

param-model = **模型** { $model }
param-size = **分辨率** { $size }
param-duration = **时长** { $duration } 秒
param-shot = **镜头类型** { $shot }
param-shot-default = single（默认）
param-audio-on = **音频** 开启
param-audio-off = **音频** 关闭
param-seed = **种子** { $seed }
param-seed-random = **种子** { $seed }（随机）
reference-line = **character{ $number }** → { $source } { $name }（{ $format } { $kind ->
    [image] 图片
   *[video] 视频
 }）

source-link = 链接 { $number }
source-cast = 🎭 角色库
source-previous-video = 上一段视频

took = 用时 { $duration }
submitted-at = 提交于 <t:{ $at }:R>
queued-for = 排队 { $duration }
generating-for = 生成 { $duration }
duration-minutes = { $minutes } 分 { $seconds } 秒
duration-seconds = { $seconds } 秒

button-refresh = 刷新
button-reroll = 重新生成
button-edit = 修改后重新生成
button-confirm = 确认并生成
button-cancel = 取消

edit-modal-title = 修改后重新生成
modal-prompt = 提示词
modal-negative-prompt = 反向提示词
menu-use-as-reference = 用作 r2v 参考
menu-modal-title = 用这些参考生成视频
menu-negative-prompt = 反向提示词（可选）
menu-duration = 时长（秒），2–10（默认 5）
menu-duration-placeholder = 可选：留空即为 5 秒

check-failed = 你不能在这里使用此命令。
value-not-understood = 无法识别这个值：{ $value }。

## 频道权限，与 Discord 设置中的名称一致。
permission-view-channel = 查看频道
permission-embed-links = 嵌入链接
permission-attach-files = 附加文件
permission-read-message-history = 阅读消息历史
permission-send-messages = 发送消息
permission-send-messages-in-threads = 在子区中发送消息

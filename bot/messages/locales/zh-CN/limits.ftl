## 团队限制：拒绝理由、确认提问与预算行（bot/messages/limits.py）。

nothing-submitted = **未提交任何任务。**
wait-seconds = { $seconds } 秒
wait-minutes = { $minutes } 分钟
wait-hours = { $hours } 小时
wait-hours-minutes = { $hours } 小时 { $minutes } 分钟

limit-channel = 频道
limit-role = 身份组
limit-running = 进行中的任务
limit-cooldown = 冷却时间
limit-user-budget = 你的每日预算
limit-guild-budget = 服务器每日预算

refusal-channel = 只能在 { $channels } 中生成视频。
refusal-role = 生成视频需要以下身份组之一：{ $roles }。
refusal-running = 你已有 { $in_use } 个视频正在生成，上限为 { $allowed } 个。请等其中一个完成。
refusal-cooldown = 两次生成之间需间隔 { $wait }。
refusal-budget-seconds = 今天已用 { $in_use } / { $allowed } 计费秒，这个视频最多还需 { $needed } 秒。
refusal-budget-money = 今天已花费 { $in_use } / { $allowed }{ $unit }，这个视频最多还需 { $needed }{ $unit }。
refusal-frees-at = 可于 <t:{ $at }:R>再试。
refusal-line = **{ $title }**：{ $sentence }{ $when }

confirm-question = 这个视频的费用为 **{ $price }**，超过了本服务器的确认阈值。确定生成吗？
confirm-price-unknown = 未知金额（未配置价格）
estimate-exact = ≈ { $amount } { $currency }（计费 { $billed } 秒）
estimate-up-to = 最多 { $amount } { $currency }（计费 { $billed } 秒）

budget-seconds = 计费 { $seconds } 秒
budget-seconds-of = 计费 { $seconds } / { $max } 秒
budget-money = { $amount } { $currency }
budget-money-of = { $amount } / { $max } { $currency }
budget-line = { $seconds } · { $money }

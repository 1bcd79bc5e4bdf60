## /r2v quota 与 /r2v-admin spend（bot/messages/quota.py）。

quota-today = **今日**（<t:{ $resets_at }:R>重置）
quota-you = 你：{ $line }
quota-server = 本服务器：{ $line }
quota-limits = **限制**
quota-running-of = { $active } / { $limit }
quota-running-unlimited = { $active }（不限）
quota-running-at-once = 同时进行：{ $running }
quota-cooldown = 两次生成的冷却时间：{ $wait }
quota-confirm-above = 超过此金额需确认：{ $confirm }
quota-confirm-amount = { $amount } { $currency }
quota-confirm-never = 从不询问
quota-next-video = 下一个视频可于 <t:{ $at }:R>生成
quota-running-heading = **进行中**
quota-none = 无

spend-today = **今日：** 已计费 { $seconds } 秒 · { $amount } { $currency }
spend-week = **近 7 天：** 已计费 { $seconds } 秒 · { $amount } { $currency }
spend-pending = ⏳ **尚未完成：** { $seconds } 秒 · { $amount } { $currency }（按预估计算，计费后才计入上面两行）
spend-by-member = **今日各成员用量**
spend-member = <@{ $user }>：已计费 { $seconds } 秒 · { $amount } { $currency }
spend-member-pending = <@{ $user }>：已计费 { $seconds } 秒 · { $amount } { $currency } · ⏳ 未完成 { $pending_seconds } 秒 · { $pending_amount } { $currency }
spend-nobody = 暂无

admin-only = 此命令仅限拥有「管理服务器」权限{ $roles ->
    [none] {""}
   *[some] 或拥有机器人管理身份组（{ $role_list }）
 }的成员使用。

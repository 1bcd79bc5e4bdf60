## /r2v quota and /r2v-admin spend (bot/messages/quota.py).

quota-today = **Today** (resets <t:{ $resets_at }:R>)
quota-you = You: { $line }
quota-server = This server: { $line }
quota-limits = **Limits**
quota-running-of = { $active } of { $limit }
quota-running-unlimited = { $active } (no limit)
quota-running-at-once = Running at once: { $running }
quota-cooldown = Cooldown between videos: { $wait }
quota-confirm-above = Confirmation above: { $confirm }
quota-confirm-amount = { $amount } { $currency }
quota-confirm-never = never asked
quota-next-video = Next video possible <t:{ $at }:R>
quota-running-heading = **Running**
quota-none = none

spend-today = **Today:** { $seconds } billed s · { $amount } { $currency }
spend-week = **Last 7 days:** { $seconds } billed s · { $amount } { $currency }
spend-pending = ⏳ **Not finished yet:** { $seconds } s · { $amount } { $currency } at the estimate, in neither line above until billed
spend-by-member = **Today by member**
spend-member = <@{ $user }>: { $seconds } billed s · { $amount } { $currency }
spend-member-pending = <@{ $user }>: { $seconds } billed s · { $amount } { $currency } · ⏳ { $pending_seconds } s · { $pending_amount } { $currency } not finished yet
spend-nobody = nobody yet

admin-only = This command is for members with the Manage Server permission{ $roles ->
    [none] .
   *[some] {" "}or one of the bot's admin roles: { $role_list }.
 }

## The team's limits: refusals, the confirmation question and budget lines (bot/messages/limits.py).

nothing-submitted = **Nothing was submitted.**
wait-seconds = { $seconds } s
wait-minutes = { $minutes } min
wait-hours = { $hours } h
wait-hours-minutes = { $hours } h { $minutes } min

limit-channel = Channel
limit-role = Role
limit-running = Running tasks
limit-cooldown = Cooldown
limit-user-budget = Your daily budget
limit-guild-budget = The server's daily budget

refusal-channel = videos can be made only in { $channels }.
refusal-role = making videos needs one of these roles: { $roles }.
refusal-running = you already have { $in_use } video(s) in progress; the limit is { $allowed }. Wait for one to finish.
refusal-cooldown = wait { $wait } between two videos.
refusal-budget-seconds = { $in_use } of { $allowed } billed seconds are used today and this video needs up to { $needed } more.
refusal-budget-money = { $in_use } of { $allowed }{ $unit } are spent today and this video costs up to { $needed }{ $unit } more.
refusal-frees-at = { " " }It frees up <t:{ $at }:R>.
refusal-line = **{ $title }**: { $sentence }{ $when }

confirm-question = This video costs **{ $price }**, above this server's confirmation threshold. Generate it?
confirm-price-unknown = an unknown amount (no price is configured)
estimate-exact = ≈ { $amount } { $currency } ({ $billed } billed s)
estimate-up-to = up to { $amount } { $currency } ({ $billed } billed s)

budget-seconds = { $seconds } billed s
budget-seconds-of = { $seconds } billed s of { $max }
budget-money = { $amount } { $currency }
budget-money-of = { $amount } of { $max } { $currency }
budget-line = { $seconds } · { $money }

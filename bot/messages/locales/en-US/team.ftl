## A server's own settings: /r2v-admin settings and /r2v-admin set (bot/messages/team.py).

## Commands, options and the settings' names (at most 100 characters each).
cmd-r2v-admin-settings = This server's limits and defaults: the ones set here, and the environment's.
cmd-r2v-admin-set = Change one of this server's limits or defaults, for every command from now on.
opt-setting = The setting to change
opt-setting-value = The new value; leave it out to go back to the environment's
setting-user-daily-seconds = Daily billed seconds per member
setting-guild-daily-seconds = Daily billed seconds for the whole server
setting-user-daily-amount = Daily budget per member (money)
setting-guild-daily-amount = Daily budget for the whole server (money)
setting-user-cooldown-s = Cooldown between a member's videos (seconds)
setting-max-active-per-user = Videos a member may have in progress at once
setting-allowed-channel-ids = Channels where /r2v may be used
setting-allowed-role-ids = Roles that may use /r2v
setting-confirm-above = Ask to confirm videos that cost more than
setting-model = Default model
setting-size = Default size
setting-duration = Default duration (seconds)
setting-private-default = Private by default

## /r2v-admin settings.
team-heading = **This server's settings** (✏️ set here with `/r2v-admin set`; ⚙️ from the bot's environment)
team-line-own = ✏️ { $label }: **{ $value }** (environment: { $environment })
team-line-environment = ⚙️ { $label }: **{ $value }**
team-admin-roles = ⚙️ The bot's admin roles (`R2V_ADMIN_ROLE_IDS`, set by the operator): { $roles ->
    [none] **none**, so Manage Server for these commands and Manage Messages for others' cast members and results
   *[some] **{ $role_list }**, besides Manage Server and Manage Messages
 }
team-changes-heading = **Latest changes**
team-change = <t:{ $at }:R> <@{ $by }>: { $label }, { $old } → { $new }
team-unreadable = Values stored for this server that this version of the bot cannot read, so the environment's apply: { $names }.

## Values.
team-value-environment = the environment's
team-value-no-limit = no limit
team-value-billed-seconds = { NUMBER($seconds, useGrouping: 1) } billed s
team-value-amount = { $amount } { $currency }
team-value-no-cooldown = none
team-value-never = never
team-value-every-channel = every channel
team-value-everyone = everyone
team-value-seconds = { $seconds } s
team-value-count = { $count }
team-value-yes = yes
team-value-no = no

## /r2v-admin set.
team-changed = ✏️ { $label } is now **{ $value }** in this server (it was { $old }), from the next command on.
team-reset = ↩️ { $label } is back to the environment's **{ $value }**, from the next command on.
team-unchanged = { $label } is **{ $value }** already; nothing changed.
team-bad-whole = { $label } takes a whole number from { $low } to { NUMBER($high, useGrouping: 1) }; { $text } is not one.
team-bad-seconds = { $label } takes a number of seconds from 0 to { NUMBER($high, useGrouping: 1) } (a week); { $text } is not one.
team-bad-amount = { $label } takes an amount of money, 0 or more (0 means no limit); { $text } is not one.
team-bad-amount-or-off = { $label } takes an amount of money, or `off` never to ask; { $text } is neither.
team-bad-channels = { $label } takes channels (type # and pick them) or `all`; { $text } is not that.
team-bad-roles = { $label } takes roles (type @ and pick them) or `all`; { $text } is not that.
team-bad-model = { $label } takes { $choices }; { $text } is not one of them.
team-bad-size = { $label } takes one of the ten sizes, written like `1920x1080` or `720x1280`; { $text } is not one.
team-bad-yes-no = { $label } takes yes or no; { $text } is neither.

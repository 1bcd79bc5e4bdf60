## 服务器自己的设置：/r2v-admin settings 与 /r2v-admin set（bot/messages/team.py）。

## 命令、选项与各项设置的名称（每条最多 100 个字符）。
cmd-r2v-admin-settings = 查看本服务器的各项限制与默认值：本服务器自己设的，以及机器人默认配置的。
cmd-r2v-admin-set = 修改本服务器的一项限制或默认值，从下一条命令起生效。
opt-setting = 要修改的设置
opt-setting-value = 新的值；不填则恢复为机器人的默认配置
setting-user-daily-seconds = 每位成员每天的计费秒数
setting-guild-daily-seconds = 整个服务器每天的计费秒数
setting-user-daily-amount = 每位成员每天的预算（金额）
setting-guild-daily-amount = 整个服务器每天的预算（金额）
setting-user-cooldown-s = 同一成员两次生成之间的冷却时间（秒）
setting-max-active-per-user = 每位成员同时进行中的视频数
setting-allowed-channel-ids = 可以使用 /r2v 的频道
setting-allowed-role-ids = 可以使用 /r2v 的身份组
setting-confirm-above = 费用超过多少时需要确认
setting-model = 默认模型
setting-size = 默认分辨率
setting-duration = 默认时长（秒）
setting-private-default = 默认私密生成

## /r2v-admin settings。
team-heading = **本服务器的设置**（✏️ 表示本服务器用 `/r2v-admin set` 设过；⚙️ 表示沿用机器人的默认配置）
team-line-own = ✏️ { $label }：**{ $value }**（默认配置：{ $environment }）
team-line-environment = ⚙️ { $label }：**{ $value }**
team-admin-roles = ⚙️ 机器人管理身份组（`R2V_ADMIN_ROLE_IDS`，由运维设置）：{ $roles ->
    [none] **无**，这些命令仅限有「管理服务器」权限的成员，他人的角色和视频仅限有“管理消息”权限的成员处理
   *[some] **{ $role_list }**，此外还有拥有「管理服务器」和“管理消息”权限的成员
 }
team-changes-heading = **最近的修改**
team-change = <t:{ $at }:R> <@{ $by }>：{ $label }，{ $old } → { $new }
team-unreadable = 本服务器保存的这些设置，当前版本的机器人读不懂，已改用默认配置：{ $names }。

## 取值。
team-value-environment = 默认配置
team-value-no-limit = 不限
team-value-billed-seconds = { NUMBER($seconds, useGrouping: 1) } 秒
team-value-amount = { $amount } { $currency }
team-value-no-cooldown = 无
team-value-never = 从不
team-value-every-channel = 所有频道
team-value-everyone = 所有人
team-value-seconds = { $seconds } 秒
team-value-count = { $count } 个
team-value-yes = 是
team-value-no = 否

## /r2v-admin set。
team-changed = ✏️ 本服务器的“{ $label }”已改为 **{ $value }**（原为 { $old }），从下一条命令起生效。
team-reset = ↩️ “{ $label }”已恢复为默认配置 **{ $value }**，从下一条命令起生效。
team-unchanged = “{ $label }”本来就是 **{ $value }**，没有改动。
team-bad-whole = “{ $label }”须为 { $low } 到 { NUMBER($high, useGrouping: 1) } 之间的整数，{ $text } 不符合。
team-bad-seconds = “{ $label }”须为 0 到 { NUMBER($high, useGrouping: 1) } 之间的秒数（即一周以内），{ $text } 不符合。
team-bad-amount = “{ $label }”须为不小于 0 的金额（0 表示不限），{ $text } 不符合。
team-bad-amount-or-off = “{ $label }”须为金额，或填 `off`（关闭）表示从不确认，{ $text } 不符合。
team-bad-channels = “{ $label }”须为频道（输入 # 后选择）或 `all`（全部），{ $text } 不符合。
team-bad-roles = “{ $label }”须为身份组（输入 @ 后选择）或 `all`（全部），{ $text } 不符合。
team-bad-model = “{ $label }”须为 { $choices } 之一，{ $text } 不是。
team-bad-size = “{ $label }”须为十种分辨率之一，写作 `1920x1080` 或 `720x1280` 这样，{ $text } 不是。
team-bad-yes-no = “{ $label }”须为“是”或“否”，{ $text } 不符合。

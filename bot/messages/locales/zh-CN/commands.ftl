## 命令与选项的描述、选项值名称（bot/cogs/，经 bot/ui/command_text.py）。
## Discord 规定每条最多 100 个字符；tests/test_commands_meta.py 会检查。

cmd-r2v = 用提示词和参考图片或视频片段生成多角色视频。
cmd-r2v-generate = 用提示词和参考图片或视频片段生成一个视频。
cmd-r2v-status = 查看任务的实时状态（直接向视频服务查询）。
cmd-r2v-history = 列出你最近的视频任务（仅你可见）。
cmd-r2v-quota = 你今天的用量、团队的限制和你正在生成的视频（仅你可见）。
cmd-r2v-admin = 供服务器管理者查看花费、管理任务跟踪。
cmd-r2v-admin-spend = 本服务器今天和近 7 天的花费，按成员列出。
cmd-r2v-admin-untrack = 停止跟踪某个任务；机器人将不会发布它的结果。

opt-prompt = 视频内容。按参考顺序用 character1、character2 … 指代人物
opt-ref1 = 参考 1 → character1（JPEG/PNG/BMP/WEBP 图片或 MP4/MOV 视频）
opt-ref = 参考 { $number } → character{ $number }
opt-links = 图片/视频直链，用空格或逗号分隔（排在 ref1–ref5 之后）
opt-model = 使用哪个模型（默认按服务器设置）
opt-size = 分辨率与画面比例
opt-duration = 时长（秒），2–10（默认 5）
opt-shot-type = 单镜头一镜到底，或多镜头带剪辑切换
opt-seed = 固定随机种子，以便复现结果（0–2147483647）
opt-audio = 生成声音（只有 wan2.6-r2v-flash 可以生成无声视频）
opt-negative-prompt = 视频中应避免出现的内容
opt-status-task-id = 提交视频时显示的任务 ID
opt-status-video = 同时附上机器人为已完成任务保存的视频
opt-untrack-task-id = 要停止跟踪的任务（视频本身不会被取消）

choice-model-flash = wan2.6-r2v-flash · 更快、更便宜，可无声
choice-model-full = wan2.6-r2v · 完整画质，始终带声音
choice-shot-single = single · 单镜头，一镜到底
choice-shot-multi = multi · 多镜头，带剪辑切换
size-label = { $size } · { $tier } · { $ratio } { $shape ->
    [landscape] 横屏
    [portrait] 竖屏
   *[square] 方形
 }

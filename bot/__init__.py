"""r2v-bot: Wan 2.6 reference-to-video generation from Discord."""

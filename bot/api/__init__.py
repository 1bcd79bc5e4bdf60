"""The Bailian reference-to-video API over the proxy: aiohttp only, no discord import."""

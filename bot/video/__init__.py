"""Finished videos: fetched once to disk, checked, kept for a while, fitted under an upload limit.

No Discord here: `VideoPipeline` (pipeline.py) is the one object the notifier calls; the other
modules are its parts (download guard, MP4 probe, ffmpeg fitting, the kept files).
"""

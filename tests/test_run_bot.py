"""./scripts/run-bot on a half-made .venv: it makes the venv again and runs the program, and an
install that keeps failing ends with a sentence and exit 1. A copy of the script runs on a tiny
project of its own (a console script named r2v-bot, no dependencies), so the tests install in
seconds and never touch the repository's .venv."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_process import REPO

TINY_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "tiny-r2v-bot"
version = "0.0.1"

[project.scripts]
r2v-bot = "tinybot:main"

[tool.setuptools]
py-modules = ["tinybot"]
"""

TINY_BOT = """\
import sys


def main():
    print("tiny bot ran with", sys.argv[1:])
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy2(REPO / "scripts" / "run-bot", tmp_path / "scripts" / "run-bot")
    (tmp_path / "pyproject.toml").write_text(TINY_PYPROJECT)
    (tmp_path / "tinybot.py").write_text(TINY_BOT)
    return tmp_path


def run_bot(project: Path) -> subprocess.CompletedProcess[str]:
    # The machine's python3, not this venv's: as an operator's shell finds it.
    path = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not p.startswith(str(REPO))
    )
    return subprocess.run(
        [str(project / "scripts" / "run-bot"), "--version"],
        cwd=project,
        env={"PATH": path, "HOME": os.environ.get("HOME", str(project))},
        capture_output=True,
        text=True,
        timeout=300,
    )


def without_pip(venv: Path) -> None:
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)


def python_gone(venv: Path) -> None:
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(venv / "no-such-python")


def install_interrupted(venv: Path) -> None:
    # A venv with pip, and what an interrupted install leaves: no console script, no stamp.
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True, timeout=120)


@pytest.mark.parametrize(
    ("half_made", "says"),
    [
        (without_pip, ".venv is half-made"),
        (python_gone, ".venv is half-made"),
        (install_interrupted, ""),
    ],
)
def test_a_half_made_venv_is_made_again_and_the_program_runs(project, half_made, says):
    half_made(project / ".venv")

    first = run_bot(project)

    assert first.returncode == 0, first.stderr
    assert first.stdout == "tiny bot ran with ['--version']\n"
    assert says in first.stderr
    stamp = project / ".venv" / "r2v-bot-installed-from"
    assert stamp.is_file()
    made = stamp.stat().st_mtime_ns

    again = run_bot(project)  # nothing to repair, nothing to install
    assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, "")
    assert stamp.stat().st_mtime_ns == made


def test_an_install_that_keeps_failing_is_tried_in_a_new_venv_once_then_reported(project):
    (project / "pyproject.toml").write_text("[project\nthis is not TOML")

    done = run_bot(project)

    assert done.returncode == 1
    assert done.stdout == ""
    assert "installing into .venv failed: making .venv again and trying once more" in done.stderr
    assert done.stderr.rstrip().endswith("the install failed again; pip said why above.")
    assert not (project / ".venv" / "r2v-bot-installed-from").exists()

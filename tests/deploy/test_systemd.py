"""deploy/r2v-bot.service: what systemd-analyze verify says of it (nothing), and the promises
its comments make: restarts, a stop longer than the submit drain, a sandbox with one writable
folder."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.api.client import BailianClient
from bot.api.settings import ApiSettings
from bot.app import SHUTDOWN_MARGIN_S
from tests.test_process import CONSOLE_SCRIPT, REPO

UNIT = REPO / "deploy" / "r2v-bot.service"
INSTALLED_AT = "/opt/r2v-bot"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    return parser


def verify(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    """`systemd-analyze verify` of the unit `text` as installed in a temporary folder instead
    of /opt/r2v-bot (verify needs the files it names), with the real console script."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: ./scripts/test installs systemd (apt-get)"
    app = tmp_path / "app"
    (app / ".venv" / "bin").mkdir(parents=True)
    (app / ".venv" / "bin" / "r2v-bot").symlink_to(CONSOLE_SCRIPT[0])
    (app / "data").mkdir()
    (app / ".env").write_text("DISCORD_TOKEN=x\nR2V_API_KEY=y\n")
    assert text.count(INSTALLED_AT) >= 5
    installed = tmp_path / "r2v-bot.service"
    installed.write_text(text.replace(INSTALLED_AT, str(app)))
    return subprocess.run(
        [analyze, "verify", str(installed)], capture_output=True, text=True, timeout=60
    )


def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path):
    done = verify(tmp_path, UNIT.read_text())
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("mistake", "said"),
    [
        (("ProtectSystem=strict", "ProtectSystem=strictly"), "protect system value"),
        (("NoNewPrivileges=yes", "NoNewPrivilege=yes"), "Unknown key 'NoNewPrivilege'"),
        (("bin/r2v-bot", "bin/r2v-bot-missing"), "is not executable"),
    ],
)
def test_verify_would_catch_a_mistake(tmp_path, mistake, said):
    """The check above can fail: each of these is reported."""
    done = verify(tmp_path, UNIT.read_text().replace(*mistake))
    assert said in done.stderr


def test_the_service_restarts_on_failure_but_not_when_the_setup_is_wrong():
    service = unit()["Service"]
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # cli.main: "the setup must be fixed"
    assert service["WorkingDirectory"] == INSTALLED_AT
    assert service["EnvironmentFile"] == f"{INSTALLED_AT}/.env"
    assert service["ExecStart"] == f"{INSTALLED_AT}/.venv/bin/r2v-bot"


def test_a_stop_waits_longer_than_the_submit_drain():
    """The bot's stop waits for submissions already sent (R2VBot.close): systemd must not
    kill it before that wait is over."""
    client = BailianClient.from_settings(None, ApiSettings(api_key="k"))  # type: ignore[arg-type]
    drain = client.submit_time_limit_s + SHUTDOWN_MARGIN_S
    service = unit()["Service"]
    assert float(service["TimeoutStopSec"]) > drain + 30
    assert service["KillMode"] == "mixed"


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ReadWritePaths", f"{INSTALLED_AT}/data"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("CapabilityBoundingSet", ""),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
    ],
)
def test_the_sandbox_leaves_only_the_data_folder_writable(setting, value):
    assert unit()["Service"][setting] == value


def test_the_data_folder_is_where_the_settings_put_it():
    example = (REPO / ".env.example").read_text()
    assert "R2V_DB_PATH=data/r2v.sqlite3" in example
    assert "R2V_VIDEO_DIR=data/videos" in example
    assert Path(unit()["Service"]["ReadWritePaths"]).name == "data"

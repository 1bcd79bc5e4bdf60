"""load_config: one frozen object, one sentence naming any missing or malformed variable;
load_settings: the same from `.env` and the environment, each problem printed for the operator."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.api.settings import ApiSettings, ApiTimeouts
from bot.config import Config, ConfigError, DiscordSettings, load_config, load_settings
from bot.generation.pricing import CNY_LIST_PRICES
from bot.policy import Actor, Moderators
from bot.tracking.settings import TrackerSettings
from bot.video.settings import VideoSettings

TOKEN = "discord-token-SECRET-abc"
API_KEY = "sk-api-key-SECRET-xyz"
REQUIRED = {"DISCORD_TOKEN": TOKEN, "R2V_API_KEY": API_KEY}


def env(**values: str) -> dict[str, str]:
    return {**REQUIRED, **values}


def test_defaults():
    config = load_config(REQUIRED)

    assert config.discord.token == TOKEN and config.api.api_key == API_KEY
    assert config.api.base_url == "https://api.gpt.ge"
    assert config.api.query_path_template == "/task/{task_id}"
    assert config.api.timeouts == ApiTimeouts(connect=10.0, read=60.0)
    assert config.video.download_timeout_s == 300.0
    assert config.discord.guild_ids == ()
    assert config.discord.registers_globally, "no guild listed: commands must be visible somewhere"
    assert config.discord.api_base is None and config.discord.gateway_url is None
    assert config.generation.defaults.model == "wan2.6-r2v-flash"
    assert config.generation.defaults.size == "1920*1080"
    assert config.store.db_path == Path("data/r2v.sqlite3")
    assert config.generation.currency == "CNY"
    assert config.generation.prices == dict(CNY_LIST_PRICES)
    assert config.tracker == TrackerSettings()
    assert config.log_level == "INFO"
    assert config.default_locale == "en-US"


def test_every_default_comes_from_the_settings_classes():
    assert load_config(REQUIRED) == Config(
        discord=DiscordSettings(token=TOKEN), api=ApiSettings(api_key=API_KEY)
    )


def test_the_example_env_file_with_only_the_secrets_filled_in_starts_with_the_defaults():
    """A first run copies .env.example and fills in two values: that must load, show the
    commands (registered globally, as no server is named) and say what the defaults say."""
    example = dotenv_values(Path(__file__).resolve().parents[1] / ".env.example")
    filled = {name: value or "" for name, value in example.items()}
    filled.update(REQUIRED)

    config = load_config(filled)

    assert config == load_config(REQUIRED)
    assert config.discord.registers_globally


@pytest.mark.parametrize(
    ("guild_ids", "sync_global", "registers_globally"),
    [("", "", True), ("1", "", False), ("1", "true", True), ("", "false", False)],
)
def test_commands_register_globally_when_asked_or_when_no_server_is_named(
    guild_ids, sync_global, registers_globally
):
    config = load_config(env(DISCORD_GUILD_IDS=guild_ids, DISCORD_SYNC_GLOBAL=sync_global))
    assert config.discord.registers_globally is registers_globally


def test_where_videos_are_kept_for_how_long_and_with_which_ffmpeg():
    config = load_config(
        env(
            R2V_VIDEO_DIR="/srv/r2v/videos",
            R2V_VIDEO_KEEP_DAYS="0",
            R2V_VIDEO_MAX_TOTAL_MB="512",
            R2V_FFMPEG="/usr/bin/ffmpeg",
            R2V_TRANSCODE_TIMEOUT_SECONDS="120",
        )
    )
    assert config.video == VideoSettings(
        video_dir=Path("/srv/r2v/videos"),
        keep_days=0.0,
        max_total_bytes=512 * 1024 * 1024,
        ffmpeg="/usr/bin/ffmpeg",
        transcode_timeout_s=120.0,
    )
    with pytest.raises(ConfigError) as caught:
        load_config(env(R2V_VIDEO_KEEP_DAYS="-1", R2V_VIDEO_MAX_TOTAL_MB="lots"))
    assert [line.split()[0] for line in caught.value.problems] == [
        "R2V_VIDEO_KEEP_DAYS",
        "R2V_VIDEO_MAX_TOTAL_MB",
    ]


def test_every_problem_is_listed_at_once_one_line_each():
    values = {
        "R2V_POLL_CONCURRENCY": "eight",
        "R2V_DEFAULT_SIZE": "800*600",
        "DISCORD_GUILD_IDS": "abc",
        "R2V_CONFIRM_ABOVE": "cheap",
        "R2V_GUILD_LIMITS": '{"42": {"R2V_MAX_ACTIVE_PER_USER": "-1"}}',
    }

    with pytest.raises(ConfigError) as caught:
        load_config(values)

    lines = str(caught.value).splitlines()
    assert lines == list(caught.value.problems)
    named = ["DISCORD_TOKEN", "R2V_API_KEY", *values]
    assert len(lines) == len(named)
    for name in named:
        assert sum(name in line for line in lines) == 1, f"{name} once: {lines}"
    assert any(line.startswith("DISCORD_TOKEN is not set: put DISCORD_TOKEN=<") for line in lines)


def test_config_is_frozen():
    config = load_config(REQUIRED)

    with pytest.raises(dataclasses.FrozenInstanceError):
        # Config has no api_key: assign one of its real fields. mypy refuses the assignment
        # to a frozen field, which is what the test checks at run time.
        config.api = dataclasses.replace(config.api, api_key="other")  # type: ignore[misc]


@pytest.mark.parametrize("name", ["DISCORD_TOKEN", "R2V_API_KEY"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_secret_is_named(name, value):
    values = dict(REQUIRED)
    if value is None:
        del values[name]
    else:
        values[name] = value

    with pytest.raises(ConfigError) as caught:
        load_config(values)

    assert name in str(caught.value)
    assert ".env" in str(caught.value)


# The Singapore list prices in USD: every model, tier and sound combination.
USD_PRICES = (
    "wan2.6-r2v:720P:audio=0.10, wan2.6-r2v:1080P:audio=0.15,"
    "wan2.6-r2v-flash:720P:audio=0.05, wan2.6-r2v-flash:1080P:audio=0.075,"
    "wan2.6-r2v-flash:720P:silent=0.025, wan2.6-r2v-flash:1080P:silent=0.0375"
)


def test_a_price_table_missing_a_combination_is_refused():
    with pytest.raises(ConfigError, match=r"missing wan2\.6-r2v:1080P:audio"):
        load_config(env(R2V_PRICES="wan2.6-r2v:720P:audio=0.10"))


def test_values_are_read_and_trimmed():
    config = load_config(
        env(
            DISCORD_TOKEN=f"  {TOKEN}\n",
            R2V_API_BASE="http://127.0.0.1:8080/",
            R2V_QUERY_PATH="/v1/tasks/{task_id}",
            R2V_API_CONNECT_TIMEOUT_SECONDS="2.5",
            R2V_API_READ_TIMEOUT_SECONDS="30",
            R2V_DOWNLOAD_TIMEOUT_SECONDS="90",
            DISCORD_GUILD_IDS="123, 456,789",
            DISCORD_SYNC_GLOBAL="yes",
            DISCORD_API_BASE="http://127.0.0.1:9000/api/",
            DISCORD_GATEWAY_URL="ws://127.0.0.1:9001",
            R2V_DEFAULT_MODEL="wan2.6-r2v",
            R2V_DEFAULT_SIZE="1280*720",
            R2V_DB_PATH="/tmp/x.sqlite3",
            R2V_CURRENCY="USD",
            R2V_PRICES=USD_PRICES,
            R2V_POLL_CONCURRENCY="3",
            R2V_MAX_QUERIES_PER_SECOND="2.5",
            R2V_POLL_MIN_INTERVAL_SECONDS="1",
            R2V_POLL_MAX_INTERVAL_SECONDS="9",
            R2V_POLL_JITTER="0",
            R2V_TASK_DEADLINE_MINUTES="2",
            R2V_STATUS_EDIT_SECONDS="0",
            LOG_LEVEL="debug",
        )
    )

    assert config.discord.token == TOKEN
    assert config.api.base_url == "http://127.0.0.1:8080"
    assert config.api.query_path_template == "/v1/tasks/{task_id}"
    assert config.api.timeouts == ApiTimeouts(connect=2.5, read=30.0)
    assert config.video.download_timeout_s == 90.0
    assert config.discord.guild_ids == (123, 456, 789)
    assert config.discord.sync_global is True
    assert config.discord.api_base == "http://127.0.0.1:9000/api"
    assert config.discord.gateway_url == "ws://127.0.0.1:9001"
    assert config.generation.defaults.model == "wan2.6-r2v"
    assert config.generation.defaults.size == "1280*720"
    assert config.store.db_path == Path("/tmp/x.sqlite3")
    assert config.generation.currency == "USD"
    prices = config.generation.prices
    assert prices[("wan2.6-r2v", "720P", True)] == Decimal("0.10")
    assert prices[("wan2.6-r2v-flash", "1080P", False)] == Decimal("0.0375")
    assert config.tracker == TrackerSettings(
        concurrency=3,
        max_queries_per_second=2.5,
        min_interval_s=1.0,
        max_interval_s=9.0,
        jitter=0.0,
        deadline_s=120.0,
        status_edit_interval_s=0.0,
    )
    assert config.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), ("on", True), ("0", False), ("no", False), ("Off", False)],
)
def test_booleans(raw, expected):
    assert load_config(env(DISCORD_SYNC_GLOBAL=raw)).discord.sync_global is expected


MALFORMED = {
    "int not a number": ("R2V_POLL_CONCURRENCY", "eight"),
    "int a float": ("R2V_POLL_CONCURRENCY", "2.5"),
    "int too small": ("R2V_POLL_CONCURRENCY", "0"),
    "int too big": ("R2V_POLL_CONCURRENCY", "257"),
    "number not a number": ("R2V_MAX_QUERIES_PER_SECOND", "fast"),
    "number too small": ("R2V_MAX_QUERIES_PER_SECOND", "0"),
    "number nan": ("R2V_POLL_MIN_INTERVAL_SECONDS", "nan"),
    "number inf": ("R2V_TASK_DEADLINE_MINUTES", "inf"),
    "jitter too big": ("R2V_POLL_JITTER", "0.9"),
    "deadline negative": ("R2V_TASK_DEADLINE_MINUTES", "-5"),
    "bool": ("DISCORD_SYNC_GLOBAL", "maybe"),
    "url scheme": ("R2V_API_BASE", "ftp://api.gpt.ge"),
    "url no scheme": ("R2V_API_BASE", "api.gpt.ge"),
    "url no host": ("R2V_API_BASE", "https://"),
    "discord url scheme": ("DISCORD_API_BASE", "ws://127.0.0.1"),
    "gateway scheme": ("DISCORD_GATEWAY_URL", "https://gateway.discord.gg"),
    "guild id not numeric": ("DISCORD_GUILD_IDS", "123,abc"),
    "guild id negative": ("DISCORD_GUILD_IDS", "-123"),
    "guild id not a decimal digit": ("DISCORD_GUILD_IDS", "12²"),
    "model": ("R2V_DEFAULT_MODEL", "wan2.5-r2v"),
    "size": ("R2V_DEFAULT_SIZE", "1920x1080"),
    "prices": ("R2V_PRICES", "wan2.6-r2v:720P:audio=cheap"),
    "prices nan": ("R2V_PRICES", "wan2.6-r2v:720P:audio=NaN"),
    "query path no placeholder": ("R2V_QUERY_PATH", "/task/"),
    "query path relative": ("R2V_QUERY_PATH", "task/{task_id}"),
    "log level": ("LOG_LEVEL", "verbose"),
    "default locale without catalog": ("R2V_DEFAULT_LOCALE", "fr"),
    "connect timeout zero": ("R2V_API_CONNECT_TIMEOUT_SECONDS", "0"),
    "read timeout not a number": ("R2V_API_READ_TIMEOUT_SECONDS", "long"),
    "download timeout too big": ("R2V_DOWNLOAD_TIMEOUT_SECONDS", "99999"),
    "http address without port": ("R2V_HTTP_ADDR", "127.0.0.1"),
    "http address without host": ("R2V_HTTP_ADDR", ":8080"),
    "http address port not a number": ("R2V_HTTP_ADDR", "localhost:http"),
    "http address port too big": ("R2V_HTTP_ADDR", "localhost:65536"),
}


@pytest.mark.parametrize(("name", "raw"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_value_is_named(name, raw):
    with pytest.raises(ConfigError) as caught:
        load_config(env(**{name: raw}))

    message = str(caught.value)
    assert name in message
    assert TOKEN not in message and API_KEY not in message


@pytest.mark.parametrize(
    ("raw", "expected"), [("zh-CN", "zh-CN"), ("zh-TW", "zh-CN"), ("en-GB", "en-US")]
)
def test_the_default_locale_names_the_catalog_that_serves_it(raw, expected):
    assert load_config(env(R2V_DEFAULT_LOCALE=raw)).default_locale == expected


def test_poll_interval_bounds_must_be_ordered():
    with pytest.raises(ConfigError) as caught:
        load_config(env(R2V_POLL_MIN_INTERVAL_SECONDS="20", R2V_POLL_MAX_INTERVAL_SECONDS="10"))

    assert "R2V_POLL_MAX_INTERVAL_SECONDS" in str(caught.value)


def test_shards_and_a_shared_database_are_read():
    config = load_config(
        env(
            DISCORD_SHARD_COUNT="4",
            DISCORD_SHARD_IDS="2,3",
            R2V_DATABASE_URL="postgresql://r2v:pw-SECRET@db.example.com/r2v",
            R2V_WORKER_TIMEOUT_SECONDS="20",
        )
    )

    assert (config.discord.shard_count, config.discord.shard_ids) == (4, (2, 3))
    assert not config.discord.syncs_commands, "only the process with shard 0 registers commands"
    assert config.store.database_url == "postgresql://r2v:pw-SECRET@db.example.com/r2v"
    assert config.tracker.worker_timeout_s == 20.0
    assert "pw-SECRET" in config.secrets, "the database password is redacted like the token"
    assert "pw-SECRET" not in repr(config)
    assert load_config(REQUIRED).discord.syncs_commands


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"DISCORD_SHARD_IDS": "0"}, "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
        (
            {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "1,2"},
            "must be below DISCORD_SHARD_COUNT (2), not 2.",
        ),
        ({"R2V_DATABASE_URL": "mysql://db/r2v"}, "R2V_DATABASE_URL must be a postgresql"),
    ],
)
def test_malformed_shards_or_database_url_are_named(values, says):
    with pytest.raises(ConfigError) as caught:
        load_config(env(**values))

    assert says in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "host", "port", "shown"),
    [
        ("127.0.0.1:8080", "127.0.0.1", 8080, "127.0.0.1:8080"),
        ("0.0.0.0:0", "0.0.0.0", 0, "0.0.0.0:0"),
        ("localhost:9100", "localhost", 9100, "localhost:9100"),
        ("[::1]:8080", "::1", 8080, "[::1]:8080"),
    ],
)
def test_the_http_address_is_read(raw, host, port, shown):
    address = load_config(env(R2V_HTTP_ADDR=raw)).observe.http_addr
    assert address is not None and (address.host, address.port) == (host, port)
    assert str(address) == shown


def test_no_http_address_no_web_server():
    assert load_config(REQUIRED).observe.http_addr is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mysql://r2v:pw-SECRET@db/r2v", "'mysql://r2v:[redacted]@db/r2v'"),
        ("postgresql//r2v:pw-SECRET@db/r2v", "'postgresql//r2v:[redacted]@db/r2v'"),
        ("r2v:pw-SECRET@db/r2v", "'r2v:[redacted]@db/r2v'"),
        ("http://token-SECRET@db/r2v", "'http://[redacted]@db/r2v'"),
        ("mysql://r2v:pw@SECRET@db/r2v", "'mysql://r2v:[redacted]@db/r2v'"),
        ("mysql://db/r2v", "'mysql://db/r2v'"),
    ],
)
def test_a_malformed_url_is_shown_without_its_password(url, shown):
    with pytest.raises(ConfigError) as caught:
        load_config(env(R2V_DATABASE_URL=url))

    (problem,) = caught.value.problems
    assert problem.endswith(f"not {shown}.")
    assert "SECRET" not in problem


def test_secrets_stay_out_of_repr():
    config = load_config(REQUIRED)

    for text in (repr(config), str(config), repr([config])):
        assert TOKEN not in text
        assert API_KEY not in text
    assert "base_url" in repr(config)
    assert config.secrets == (TOKEN, API_KEY)


def test_load_config_reads_only_what_it_is_given(monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "from-the-process")
    monkeypatch.setenv("R2V_API_KEY", "from-the-process")

    with pytest.raises(ConfigError):
        load_config({})
    assert isinstance(load_config(REQUIRED), Config)


def dotenv_in(directory: Path, monkeypatch, **values: str) -> None:
    """`.env` in `directory`, the working directory of the test. load_dotenv writes what it reads
    into os.environ: setting each name first makes monkeypatch remove it again afterwards."""
    (directory / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    monkeypatch.chdir(directory)
    for name in values:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_load_settings_reads_dotenv_in_the_working_directory_and_the_environment_wins(
    tmp_path, monkeypatch
):
    dotenv_in(tmp_path, monkeypatch, **REQUIRED, R2V_POLL_MIN_INTERVAL_SECONDS="soon")
    monkeypatch.setenv("R2V_POLL_MIN_INTERVAL_SECONDS", "3")

    config = load_settings()

    assert config is not None and config.discord.token == TOKEN
    assert config.tracker.min_interval_s == 3.0


def test_load_settings_prints_every_problem_and_gives_nothing(tmp_path, monkeypatch, capsys):
    dotenv_in(
        tmp_path,
        monkeypatch,
        DISCORD_TOKEN=TOKEN,
        R2V_API_KEY="",
        R2V_POLL_MIN_INTERVAL_SECONDS="soon",
    )

    assert load_settings() is None

    err = capsys.readouterr().err
    printed = err.splitlines()
    assert len(printed) == 2 and all(line.startswith("r2v-bot: ") for line in printed)
    assert any("R2V_API_KEY" in line for line in printed)
    assert any("R2V_POLL_MIN_INTERVAL_SECONDS" in line for line in printed)
    assert TOKEN not in err


def test_team_guardrails_are_read():
    config = load_config(
        env(
            R2V_ALLOWED_CHANNEL_IDS="11, 12",
            R2V_ALLOWED_ROLE_IDS="21",
            R2V_MAX_ACTIVE_PER_USER="2",
            R2V_USER_COOLDOWN_SECONDS="30",
            R2V_USER_DAILY_SECONDS="120",
            R2V_GUILD_DAILY_BUDGET="50.5",
            R2V_CONFIRM_ABOVE="off",
        )
    )
    limits = config.limits.default
    assert limits.allowed_channel_ids == {11, 12} and limits.allowed_role_ids == {21}
    assert (limits.max_active_per_user, limits.user_cooldown_s) == (2, 30.0)
    assert limits.user_daily_seconds == 120 and str(limits.guild_daily_amount) == "50.5"
    assert limits.confirm_above is None
    assert str(load_config(env()).limits.default.confirm_above) == "5"


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("R2V_CONFIRM_ABOVE", "cheap"),
        ("R2V_CONFIRM_ABOVE", "-1"),
        ("R2V_USER_DAILY_BUDGET", "off"),
        ("R2V_GUILD_DAILY_BUDGET", "NaN"),
        ("R2V_MAX_ACTIVE_PER_USER", "-1"),
        ("R2V_ALLOWED_ROLE_IDS", "admins"),
        ("R2V_ADMIN_ROLE_IDS", "@leads"),
    ],
)
def test_malformed_guardrail_is_named(name, raw):
    with pytest.raises(ConfigError, match=name):
        load_config(env(**{name: raw}))


def test_a_guild_can_override_its_limits():
    config = load_config(
        env(
            R2V_GUILD_DAILY_BUDGET="10",
            R2V_GUILD_LIMITS=json.dumps(
                {"42": {"R2V_GUILD_DAILY_BUDGET": "50", "R2V_ALLOWED_ROLE_IDS": "7"}}
            ),
        )
    )
    book = config.limits
    assert str(book.for_guild(42).guild_daily_amount) == "50"
    assert book.for_guild(42).allowed_role_ids == {7}
    assert book.for_guild(42).guild_daily_seconds == 0, "the rest comes from the defaults"
    assert str(book.for_guild(99).guild_daily_amount) == "10"
    assert book.for_guild(None) is book.default


def test_admin_roles_are_read_and_a_guild_may_name_its_own():
    config = load_config(
        env(
            R2V_ADMIN_ROLE_IDS="5, 6",
            R2V_GUILD_LIMITS=json.dumps({"42": {"R2V_ADMIN_ROLE_IDS": "7"}}),
        )
    )
    moderators = Moderators(config.limits)
    lead, other = Actor(1, frozenset({5})), Actor(2, frozenset({7}))
    assert moderators.may_administer(99, lead) and moderators.may_moderate(99, lead)
    assert not moderators.may_administer(42, lead), "server 42 names its own admin roles"
    assert moderators.may_administer(42, other) and not moderators.may_administer(99, other)
    assert not moderators.may_administer(None, lead), "no admin outside a server"
    assert moderators.admin_roles(99) == {5, 6}


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("{not json", "JSON object"),
        ('["42"]', "JSON object"),
        ('{"abc": {}}', "numeric guild ids"),
        ('{"42": {"R2V_API_KEY": "x"}}', "R2V_API_KEY, which a guild cannot override"),
        ('{"42": {"R2V_MAX_ACTIVE_PER_USER": "-1"}}', "guild 42: R2V_MAX_ACTIVE_PER_USER"),
    ],
)
def test_a_malformed_guild_override_is_named(raw, names):
    with pytest.raises(ConfigError) as caught:
        load_config(env(R2V_GUILD_LIMITS=raw))
    assert "R2V_GUILD_LIMITS" in str(caught.value) and names in str(caught.value)

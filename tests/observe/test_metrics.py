"""GET /metrics: Prometheus text that prometheus-client's own parser reads, with every family
from the start, counts that move with the work, and nothing of a member's or a secret in it."""

from __future__ import annotations

from decimal import Decimal

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.api.errors import ErrorKind
from bot.observe.metrics import Metrics, Route
from fakes.fake_bailian import FakeBailian, ManualClock, Reply, TaskPlan
from tests.common import generate
from tests.conftest import eventually, make_config, running
from tests.observe.test_health import LOOPBACK

FAMILIES = {
    "r2v_tasks_submitted": "counter",
    "r2v_tasks_active": "gauge",
    "r2v_videos_delivered": "counter",
    "r2v_api_queries": "counter",
    "r2v_api_errors": "counter",
    "r2v_delivery_seconds": "histogram",
    "r2v_fit_seconds": "histogram",
    "r2v_billed_seconds": "counter",
    "r2v_spend_amount": "counter",
}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """(sample name, sorted labels) -> value, through prometheus-client's parser."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def families(text: str) -> dict[str, str]:
    return {family.name: family.type for family in text_string_to_metric_families(text)}


def test_every_family_shows_from_the_start_with_its_label_values():
    text = Metrics(currency="CNY").exposition()[0].decode()

    assert families(text).items() >= FAMILIES.items()
    values = samples(text)
    for route in ("channel", "dm", "followup", "link"):
        assert values[("r2v_videos_delivered_total", (("route", route),))] == 0
    for kind in ErrorKind:
        assert values[("r2v_api_errors_total", (("kind", kind.value),))] == 0
    assert values[("r2v_spend_amount_total", (("currency", "CNY"),))] == 0


def test_each_call_moves_its_own_count():
    metrics = Metrics(currency="USD")
    metrics.submitted()
    metrics.delivered(Route.DM, 42.0)
    metrics.delivered(Route.LINK)  # when it succeeded is not known: counted, not timed
    metrics.query()
    metrics.query()
    metrics.api_error(ErrorKind.RATE_LIMIT)
    metrics.fitted(12.5)
    metrics.spent(7, Decimal("2.10"))
    metrics.follow_active(lambda: 3)

    values = samples(metrics.exposition()[0].decode())

    assert values[("r2v_tasks_submitted_total", ())] == 1
    assert values[("r2v_videos_delivered_total", (("route", "dm"),))] == 1
    assert values[("r2v_videos_delivered_total", (("route", "link"),))] == 1
    assert values[("r2v_videos_delivered_total", (("route", "channel"),))] == 0
    assert values[("r2v_delivery_seconds_count", ())] == 1
    assert values[("r2v_delivery_seconds_sum", ())] == 42.0
    assert values[("r2v_delivery_seconds_bucket", (("le", "60.0"),))] == 1
    assert values[("r2v_delivery_seconds_bucket", (("le", "30.0"),))] == 0
    assert values[("r2v_api_queries_total", ())] == 2
    assert values[("r2v_api_errors_total", (("kind", "rate_limit"),))] == 1
    assert values[("r2v_fit_seconds_count", ())] == 1
    assert values[("r2v_billed_seconds_total", ())] == 7
    assert values[("r2v_spend_amount_total", (("currency", "USD"),))] == 2.1
    assert values[("r2v_tasks_active", ())] == 3


def test_two_bots_in_one_process_count_apart():
    first, second = Metrics(), Metrics()
    first.query()
    assert samples(second.exposition()[0].decode())[("r2v_api_queries_total", ())] == 0


def test_openmetrics_is_served_to_a_scraper_that_asks_for_it():
    body, content_type = Metrics().exposition("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    assert body.decode().rstrip().endswith("# EOF")


async def scrape(url: str) -> tuple[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    return text, samples(text)


async def test_metrics_after_a_delivered_task(tmp_path, fake_discord):
    clock = ManualClock()
    async with FakeBailian(clock=clock, default_plan=TaskPlan(pending_s=5, running_s=5)) as api:
        config = make_config(tmp_path, api, fake_discord, observe=LOOPBACK)
        # The first query is answered 500: the client retries it, and both count.
        api.script_query(Reply(500, code="InternalError", message="try again"))
        async with running(config, fake_discord) as bot:
            assert bot.observer is not None
            url = bot.observer.url

            _, before = await scrape(url)
            assert before[("r2v_tasks_active", ())] == 0
            assert before[("r2v_api_queries_total", ())] == 0

            await generate(fake_discord, prompt="character1 waves at the SECRET-cat")
            task_id = api.submits[0].task_id

            async def following() -> bool:
                return (await scrape(url))[1][("r2v_tasks_active", ())] == 1

            await eventually(following, what="the task to count as active")
            clock.advance(60)  # the task has SUCCEEDED
            await fake_discord.wait_for(
                lambda: any(m["attachments"] for m in fake_discord.messages()),
                10,
                what="the video",
            )

            async def done() -> bool:
                return (await scrape(url))[1][("r2v_tasks_active", ())] == 0

            await eventually(done, what="the task to leave the active count")
            text, after = await scrape(url)

    assert families(text).items() >= FAMILIES.items()
    server_errors = after[("r2v_api_errors_total", (("kind", "server"),))]
    assert server_errors == 1
    assert after[("r2v_api_queries_total", ())] == len(api.queries) >= 2
    assert before[("r2v_tasks_submitted_total", ())] == 0
    assert after[("r2v_tasks_submitted_total", ())] == 1
    assert after[("r2v_videos_delivered_total", (("route", "channel"),))] == 1
    assert after[("r2v_delivery_seconds_count", ())] == 1
    # flash 1080P with sound, 5 s: 0.5 CNY a second, billed as estimated.
    assert after[("r2v_billed_seconds_total", ())] == 5
    assert after[("r2v_spend_amount_total", (("currency", "CNY"),))] == 2.5
    # Nothing of the member's, the task's or the keys' in any label or value.
    for private in (str(task_id), "SECRET-cat", api.api_key, fake_discord.bot_token, "alice"):
        assert private not in text
    labels = {name for (_, pairs) in after for name, _ in pairs}
    assert labels <= {"route", "kind", "currency", "le"}

"""The README keeps its promises to a new operator: it starts with the two commands for a fresh
machine, its cost table is the documented price list, its metric table is what /metrics
serves, and its links lead somewhere."""

from __future__ import annotations

import re
from decimal import Decimal

from prometheus_client.parser import text_string_to_metric_families

from bot.generation import limits
from bot.generation.pricing import CNY_LIST_PRICES
from bot.observe.metrics import Metrics
from tests.test_process import REPO

README = (REPO / "README.md").read_text()


def test_it_starts_with_the_two_commands_for_a_fresh_machine():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    assert blocks[:2] == ["cp -n .env.example .env; ./scripts/run-bot\n", "./scripts/test\n"]
    assert README.index("**Run the bot**") < README.index("## ")


def table(heading: str) -> list[list[str]]:
    """The rows of the tables under `heading` (header rows left out), cells stripped."""
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    headers = {i for i, row in enumerate(cells) if i + 1 < len(cells) and cells[i + 1][0] == "---"}
    return [row for i, row in enumerate(cells) if row[0] != "---" and i not in headers]


def test_the_cost_table_is_the_documented_price_list():
    seen = {}
    for model, tier, sound, price, five, ten, ten_with_clip in table("Costs per video"):
        key = (model.strip("`"), tier, sound == "with audio")
        seen[key] = Decimal(price)
        clip = limits.BILLED_REFERENCE_VIDEO_CAP_S
        for seconds, amount in ((5, five), (10, ten), (10 + clip, ten_with_clip)):
            assert Decimal(amount) == Decimal(price) * seconds, (key, seconds)
    assert seen == dict(CNY_LIST_PRICES)


def test_the_metric_table_is_what_metrics_serves():
    served = {
        sample.name
        for family in text_string_to_metric_families(Metrics().exposition()[0].decode())
        for sample in family.samples
        if not sample.name.endswith(("_created", "_bucket", "_count", "_sum"))
    } | {"r2v_delivery_seconds", "r2v_fit_seconds"}
    listed = {
        row[0].strip("`").split("{")[0] for row in table("Observe") if row[0].startswith("`r2v_")
    }
    assert listed == served


def test_every_relative_link_leads_to_a_file():
    for page in (REPO / "README.md", REPO / "docs" / "internals.md", REPO / "docs" / "layout.md"):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name} links to {target}"

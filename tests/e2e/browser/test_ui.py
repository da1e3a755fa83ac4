"""Browser smoke test: the UI shows the asset graph and a saga's Launchpad (headless Chromium).

Runs with ``make e2e`` (``pytest -m browser tests/e2e``), never in a plain ``make test``. Chromium
comes from Debian (``apt-get install -y chromium``), driven by Playwright for Python; the
screenshot of the asset graph is saved to ``docs/asset-graph.png`` for the README.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterRunStatus
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import REPO
from tests.e2e.dagster_api import ASSETS, DagsterAPI
from tests.e2e.deployment import Deployment

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

CHROMIUM = Path(os.environ.get("ARCADIA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = REPO / "docs" / "asset-graph.png"
UI_TIMEOUT_MS = 30_000
SAGA_JOB = "provision_droplet"
GROUPS_QUERY = "query { assetNodes { groupName } }"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless (Playwright's own browser downloads are not used)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (or set ARCADIA_CHROMIUM)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no stored UI settings) and page."""
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    context.set_default_timeout(UI_TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def synced(deployment: Deployment) -> str:
    """One inventory sync, so the graph shows materialised assets."""
    deployment.set_deployment_token_valid(True)
    api = DagsterAPI(deployment)
    run_id, status = api.run_job("inventory_sync_job", location=ASSETS)
    assert status is DagsterRunStatus.SUCCESS, api.step_failures(run_id)
    return run_id


def asset_groups(deployment: Deployment) -> Counter[str]:
    """Assets per group, as the API reports them."""
    nodes = deployment.graphql(GROUPS_QUERY)["assetNodes"]
    return Counter(node["groupName"] for node in nodes)


def test_the_asset_graph_shows_every_group(page: Page, deployment: Deployment, synced: str) -> None:
    groups = asset_groups(deployment)
    assert {"inventory", "billing", "drift"} <= set(groups)

    page.goto(deployment.base_url + "/asset-groups")
    graph = page.locator("svg").filter(has_text="inventory").first
    for group, count in groups.items():
        noun = "asset" if count == 1 else "assets"
        expect(page.get_by_text(group, exact=True).first).to_be_visible()
        expect(page.get_by_text(re.compile(rf"^{count} {noun}\b")).first).to_be_visible()

    # The picture for the README: the groups laid out top to bottom, each with its asset count
    # (with 46 assets expanded, the fitted graph is too small to draw their names).
    settings = page.locator('[aria-label="settings"]').last
    settings.click()
    page.get_by_role("menuitem", name=re.compile("vertical orientation")).click()
    page.keyboard.press("Escape")
    page.get_by_text("Hide navigation").click()
    page.reload()  # the graph fits itself to the viewport when it loads
    for group in groups:
        expect(page.get_by_text(group, exact=True).first).to_be_visible()
    expect(graph).to_be_visible()
    page.mouse.move(1, 1)  # no hover highlight in the picture
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # let the materialisation colours settle for the picture
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000


def test_the_launchpad_of_a_saga_shows_its_config_example(
    page: Page, deployment: Deployment
) -> None:
    page.goto(f"{deployment.base_url}/locations/arcadia_cloud_ops/jobs/{SAGA_JOB}/playground")
    expect(page.get_by_text("Edit tags")).to_be_visible()
    expect(page.get_by_text(f"arcadia/saga_kind: {SAGA_JOB}")).to_be_visible()
    editor = page.locator(".CodeMirror").first
    expect(editor).to_contain_text(f"{SAGA_JOB}__create_droplet:")
    expect(editor).to_contain_text("name: web-1")
    expect(editor).to_contain_text("region: nyc3")
    expect(editor).to_contain_text("on_failure: compensate")

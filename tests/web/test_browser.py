"""The screens in a real browser: Debian's headless Chromium driven by Playwright, against the app
served by uvicorn on a loopback port, as people use it.

`make screenshots` runs these with RECON_SCREENSHOTS=docs/screens to refresh the README's pictures.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import uvicorn
from playwright.sync_api import expect, sync_playwright

from tests.conftest import SAMPLES_AS_OF
from tests.web.conftest import MANAGER_OWN, PASSWORD, REP, REPO, REVIEWER, site_in
from web.app import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="Debian's chromium is not installed (apt-get install chromium)")
# without these, Chromium keeps trying this machine's closed network at every start
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}


def _shot(page, name: str) -> None:
    folder = os.environ.get("RECON_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Served:
    """The app on a free loopback port, in a thread, until `stop`."""

    def __init__(self, site) -> None:
        self.site = site
        self.server = uvicorn.Server(uvicorn.Config(create_app(site.settings), host="127.0.0.1", port=0,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def site(samples_run, desk_with_passwords, tmp_path):
    return site_in(tmp_path / "site", samples_run[1], desk_with_passwords)


@pytest.fixture
def served(site) -> Iterator[Served]:
    running = Served(site)
    yield running
    running.stop()


def sign_in(browser, served: Served, login: str, viewport: dict | None = None):
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
    page.goto(f"{served.url}/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served.url}/")
    return page


def test_a_rep_on_a_phone_sees_candidates_as_they_type(browser, served):
    page = sign_in(browser, served, REP, PHONE)
    _shot(page, "lookup-empty-phone")
    page.locator("#q").press_sequentially("奥联", delay=60)
    first = page.locator("#suggestions li").first
    first.wait_for()
    assert "南京奥联汽车电子电器股份有限公司" in page.locator("#suggestions").inner_text()
    assert "保护" in first.inner_text() or "公海" in first.inner_text()
    _shot(page, "lookup-typing-phone")
    page.fill("#q", "")
    page.locator("#q").press_sequentially("alqc", delay=60)  # 奥联汽车 by its pinyin initials
    expect(page.locator("#suggestions")).to_contain_text("奥联")
    page.locator("#suggestions li").first.click()
    page.locator("#answer-list li").first.wait_for()
    shown = page.locator("main").inner_text()
    assert "很可能是同一客户" in shown or "确定是同一客户" in shown
    with duckdb.connect(str(served.site.settings.warehouse), read_only=True) as con:
        contacts = con.execute(
            "select phone, email, contact_name from claims where company_name like '%奥联%'").fetchall()
    for value in {v for row in contacts for v in row if v}:
        assert value not in shown
    _shot(page, "lookup-answer-phone")
    assert page.evaluate("location.pathname") == "/"
    assert page.goto(f"{served.url}/review").status == 403


def test_a_company_name_carrying_markup_shows_as_text_in_the_browser(browser, site):
    attack = '<img src=x onerror="window.pwned=1">奥联注入'
    with duckdb.connect(str(site.settings.warehouse)) as con:
        con.execute("update customers set display_name = ? where customer_id = (select customer_id from customers "
                    "where display_name like '%奥联%' order by customer_id limit 1)", [attack])
    served = Served(site)
    try:
        _typed_markup_stays_text(browser, served, attack)
    finally:
        served.stop()


def _typed_markup_stays_text(browser, served: Served, attack: str) -> None:
    page = sign_in(browser, served, REP)
    page.locator("#q").press_sequentially("奥联", delay=40)
    expect(page.locator("#suggestions")).to_contain_text("奥联注入")
    assert attack in page.locator("#suggestions").inner_text()
    assert page.locator("#suggestions img").count() == 0
    assert page.evaluate("window.pwned") is None


def _rule(page, url: str, item: str, ruling: str, reason: str) -> None:
    """On the appeals or extensions page at `url`: a ruling with its reason on one item."""
    page.goto(url)
    _shot(page, url.rsplit("/", 1)[-1])
    card = page.locator(item)
    card.locator("input[name=reason]").fill(reason)
    card.locator(f"button[value={ruling}]").click()
    page.wait_for_url(url)


def test_what_the_screens_decide_applies_on_the_next_night(browser, served, tmp_path):
    from flows.nightly import nightly

    reviewer = sign_in(browser, served, REVIEWER)
    reviewer.goto(f"{served.url}/review")
    _shot(reviewer, "review-queue")
    reviewer.click("text=开始复核下一对")
    card_url = reviewer.url
    pair = reviewer.locator("form.decide").get_attribute("action").removeprefix("/review/").replace("%7C", "|")
    _shot(reviewer, "review-card")
    reviewer.fill("input[name=note]", "同一法人，名称笔误")
    reviewer.click("button[value=same]")
    reviewer.wait_for_url(lambda url: url != card_url)
    reviewer.goto(f"{served.url}/audit")
    audit = reviewer.locator("table.audit").inner_text()
    assert "同一法人，名称笔误" in audit and pair.replace("|", " ↔ ") in audit and "运营-陈静" in audit
    _shot(reviewer, "audit")

    manager = sign_in(browser, served, MANAGER_OWN)
    _rule(manager, f"{served.url}/appeals", "#appeal-AP-0003", "overturn", "原负责人两个月未跟进")
    assert "页面裁决，今晚生效" in manager.locator("main").inner_text()
    _rule(manager, f"{served.url}/extensions", "#extension-EXT-0003", "approve", "客户预算审批中")

    settings = served.site.settings
    nightly(REPO / "config" / "sources.yaml", settings.warehouse, SAMPLES_AS_OF, desk_path=settings.desk)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        claim_a, claim_b = pair.split("|")
        customers = con.execute("select distinct customer_id from claim_customer where claim_id in (?, ?)",
                                [claim_a, claim_b]).fetchall()
        assert len(customers) == 1
        assert con.execute("select count(*) from review_queue where review_id = ?", [pair]).fetchall()[0][0] == 0
        assert con.execute("select decision, reviewer from review_decisions where decision_id like 'WEB-%-D000001'"
                           ).fetchall() == [("same", "运营-陈静")]
        assert con.execute("select status from appeals where appeal_id = 'AP-0003'").fetchall() == [("overturned",)]
        assert con.execute("select approved from extension_outcomes where request_id = 'EXT-0003'"
                           ).fetchall() == [(True,)]

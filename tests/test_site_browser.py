"""The built site in a real headless browser (Debian chromium, never a downloaded one).

Builds the site with mkdocs --strict for a throw-away repository, serves public/ on
127.0.0.1 and checks what a reader sees: the overview with every status, a dataset
page with owner, diagnosis and the history picture, search, and that hostile fiche
text is shown as text and never runs. Any request to another host fails the test.
"""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from site_fixtures import NOW, make_repo

from datapedia.build import run_build

# Debian's chromium here and in .ci/run; GitHub's Ubuntu runners bring Google Chrome
# instead, named by the workflow (tests.yml).
CHROMIUM = Path(os.environ.get("DATAPEDIA_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} ontbreekt; onder CI is de browsertest verplicht", pytrace=False)
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)", allow_module_level=True)

sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = make_repo(tmp_path_factory.mktemp("browser"), history_days=30)
    public = root / "public"
    assert run_build(root, root / "checks", None, NOW, render_only=False, strict=True) == 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(public)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []

    def guard(route):
        # Offline by design: anything not served by our local server is a bug.
        if route.request.url.startswith(site):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert outside == [], f"requests to other hosts: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def statuses(page, fiche_id):
    row = page.locator(f"#dp-overzicht tr[data-id='{fiche_id}']")
    return {
        cell.get_attribute("data-dimension"): (cell.get_attribute("data-status"), cell.inner_text())
        for cell in row.locator("td[data-dimension]").all()
    }


def test_overview_lists_every_fiche_with_statuses_in_words(page, site):
    page.goto(site)
    rows = page.locator("#dp-overzicht tbody tr")
    assert sorted(r.get_attribute("data-id") for r in rows.all()) == [
        "fietstellingen",
        "regen-gent",
        "waterpeil",
    ]
    water = statuses(page, "waterpeil")
    assert water["timeliness"] == ("fail", "probleem")
    assert water["completeness"] == ("warn", "aandacht")
    assert water["availability"] == ("ok", "in orde")
    assert water["overall"][0] == "fail"
    never = statuses(page, "regen-gent")
    assert {status for status, _ in never.values()} == {"unknown"}
    assert "nog niet gecontroleerd" in page.locator("#rij-regen-gent").inner_text()


def test_overview_filters_by_theme_and_owner(page, site):
    page.goto(site)
    page.select_option("#dp-filter-thema", "water")
    visible = page.locator("#dp-overzicht tbody tr:visible")
    assert sorted(r.get_attribute("data-id") for r in visible.all()) == ["regen-gent", "waterpeil"]
    page.select_option("#dp-filter-thema", "")
    page.select_option("#dp-filter-eigenaar", label="Vlaamse Milieumaatschappij")
    assert [r.get_attribute("data-id") for r in visible.all()] == ["waterpeil"]


def test_dataset_page_shows_owner_diagnosis_and_history_picture(page, site):
    page.goto(site)
    page.click("#rij-waterpeil a >> nth=0")
    page.wait_for_url("**/generated/datasets/waterpeil.html")
    body = page.locator("article").inner_text()
    assert "Vlaamse Milieumaatschappij" in body and "hic@vmm.be" in body
    rows = page.locator("#dp-diagnose tbody tr")
    assert rows.count() == 6
    timeliness = page.locator("#dp-diagnose tr[data-dimension='timeliness']")
    assert timeliness.get_attribute("data-status") == "fail"
    assert "ACT-03" in timeliness.inner_text()
    picture = page.locator("img.dp-history")
    picture.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('img.dp-history').complete")
    assert picture.evaluate("img => img.naturalWidth") > 0


def test_never_checked_dataset_says_so(page, site):
    page.goto(site + "generated/datasets/regen-gent.html")
    body = page.locator("article").inner_text()
    assert "Nog niet gecontroleerd" in body
    assert "Nog geen geschiedenis" in body
    assert page.locator("img.dp-history").count() == 0


def test_search_finds_a_dataset_by_name(page, site):
    page.goto(site)
    page.wait_for_load_state("networkidle")  # the search worker has loaded its index
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("Waterpeilen", delay=20)
    result = page.locator(".md-search-result__item", has_text="Waterpeilen HIC").first
    result.wait_for(timeout=15000)
    assert "waterpeil.html" in result.locator("a").first.get_attribute("href")


def test_hostile_fiche_text_is_shown_but_never_runs(page, site):
    page.goto(site + "generated/datasets/fietstellingen.html")
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    body = page.locator("article").inner_text()
    assert "<script>window.__pwned = 1</script>" in body
    assert "[x](javascript:alert(1))" in body
    assert "Fietstellingen <script>" in page.title()
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert not [h for h in hrefs if not h.startswith(("http:", "https:", "mailto:"))]
    assert page.locator("article script, article img:not(.dp-history)").count() == 0
    # The overview with the same title and owner is just as inert.
    page.goto(site)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert "Wegen & Verkeer <b>AWV</b>" in page.locator("#rij-fietstellingen").inner_text()


def test_machine_readable_files_are_served_next_to_the_pages(page, site):
    page.goto(site + "generated/datasets/waterpeil.html")
    status = page.request.get(page.locator(".dp-machine a").first.evaluate("a => a.href"))
    assert status.ok and status.json()["overall"] == "fail"
    badge = page.request.get(site + "badges/waterpeil.svg")
    assert badge.ok and "probleem" in badge.text()
    catalog = page.request.get(site + "catalog.ttl")
    assert catalog.ok and "dcat:Dataset" in catalog.text()

"""The built site in a real headless browser (Debian chromium, never a downloaded one).

The site is built with mkdocs --strict from fifteen nights that the real probes measured
against local servers (``site_fixtures.make_measured_repo``), served from 127.0.0.1, and
looked at as a reader does: the worklist, a failing and a missing dataset, a centrumstad,
a phone, dark mode, axe-core on every page, and hostile fiche text that must never run.
Any request to another host fails the test. Screenshots go to ``screenshots/`` (or
``$DATAPEDIA_SCREENSHOTS``) for reviewers.
"""

from __future__ import annotations

import functools
import os
import threading
from datetime import timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from site_fixtures import (
    MEASURED_NOW,
    MISSING,
    NEVER_CHECKED,
    REPO,
    WORST,
    make_measured_repo,
)

from datapedia.model.results import VERDICT_ORDER
from datapedia.publish.build import run_build

# Debian's chromium here and in .ci/run; GitHub's Ubuntu runners bring Google Chrome
# instead, named by the workflow (tests.yml).
CHROMIUM = Path(os.environ.get("DATAPEDIA_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("DATAPEDIA_SCREENSHOTS", REPO / "screenshots"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} ontbreekt; onder CI is de browsertest verplicht", pytrace=False)
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)", allow_module_level=True)

sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(public: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(public)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The site as the nightly job builds it: right after the last night's check."""
    root = make_measured_repo(tmp_path_factory.mktemp("browser"))
    result = run_build(root, root / "checks", None, MEASURED_NOW, render_only=False, strict=True)
    assert result.complete
    return root


@pytest.fixture(scope="module")
def site(built):
    server, url = _serve(built / "public")
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _guarded_page(browser, site, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    outside: list[str] = []
    errors: list[str] = []

    def guard(route):
        # Offline by design: anything not served by our local server is a bug.
        if route.request.url.startswith(site):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, outside, errors


@pytest.fixture
def page(browser, site):
    context, page, outside, errors = _guarded_page(browser, site, viewport=DESKTOP)
    yield page
    context.close()
    assert outside == [], f"requests to other hosts: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def phone(browser, site):
    context, page, outside, errors = _guarded_page(
        browser, site, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield page
    context.close()
    assert outside == [] and errors == []


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def rows(page) -> list[str]:
    return [
        r.get_attribute("data-id") for r in page.locator("#dp-overzicht tbody tr:visible").all()
    ]


def test_overview_is_a_worklist_worst_first_with_why_and_who(page, site):
    page.goto(site)
    order = rows(page)
    assert order[0] == WORST
    first = page.locator("#dp-overzicht tbody tr").first
    assert first.get_attribute("data-verdict") == "fail"
    why = first.locator(".dp-why").inner_text()
    assert why.startswith("Beschikbaarheid:") and "404" in why  # the deciding finding
    who = first.locator(".dp-who").inner_text()
    assert "Wegen & Verkeer <b>AWV</b>" in who and "partner: Stad Gent: telpalen doorgeven" in who
    assert "sinds 26-11" in first.inner_text()  # down since the first of fifteen nights
    # Problems first, then the missing dataset, then what could not be judged.
    verdicts = [page.locator(f"#rij-{fid}").get_attribute("data-verdict") for fid in order]
    rank = {v.value: i for i, v in enumerate(VERDICT_ORDER)}
    assert [rank[v] for v in verdicts] == sorted(rank[v] for v in verdicts)
    counts = page.locator(".dp-counts").inner_text()
    assert "probleem 4" in counts and "ontbrekend 1" in counts and "niet beoordeeld 1" in counts
    shoot(page, "overzicht-desktop")


def test_printed_overview_fits_an_a4_page(page, site):
    # A4 at 96 dpi is 794 px wide; the print style sets 12 mm margins.
    page.set_viewport_size({"width": 794, "height": 1123})
    page.emulate_media(media="print")
    page.goto(site)
    table = page.locator("#dp-overzicht")
    assert table.is_visible()
    right = table.evaluate("t => t.getBoundingClientRect().right")
    assert right <= 794 and page.locator(".md-sidebar--primary").is_hidden()
    for cell in page.locator("#dp-overzicht tbody tr").first.locator("td").all():
        assert cell.bounding_box()["x"] + cell.bounding_box()["width"] <= 794
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SCREENSHOTS / "overzicht-afdruk.pdf"), format="A4")


def test_filters_live_in_the_url_and_the_list_is_sortable(page, site):
    page.goto(site + "index.html?thema=water")
    assert sorted(rows(page)) == ["dov-grondwatermeetnetten", NEVER_CHECKED, "vmm-stations"]
    choices = page.locator("#dp-filter-oordeel option").all_inner_texts()
    assert choices == ["alle", *(v.label for v in VERDICT_ORDER)]  # the model's words, in order
    page.select_option("#dp-filter-oordeel", "fail")
    assert sorted(rows(page)) == ["dov-grondwatermeetnetten", "vmm-stations"]
    assert "thema=water" in page.url and "oordeel=fail" in page.url
    page.goto(site + "index.html")
    page.click("#dp-overzicht th[data-sort='title'] button")
    titles = [
        r.get_attribute("data-title").lower() for r in page.locator("#dp-overzicht tbody tr").all()
    ]
    assert titles == sorted(titles) and "sorteer=title" in page.url


def test_phone_has_no_horizontal_scroll_and_shows_cards(phone, site):
    phone.goto(site)
    widths = phone.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"horizontal scroll on a phone: {widths}"
    first = phone.locator("#dp-overzicht tbody tr").first
    assert first.evaluate("tr => getComputedStyle(tr).display") == "block"
    box = first.locator("[data-label='Oordeel']").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    shoot(phone, "overzicht-telefoon")


def test_failing_dataset_starts_with_verdict_checklist_blockers_and_links(page, phone, site):
    page.goto(site + "generated/datasets/vmm-stations.html")
    head = page.locator("#dp-samenvatting")
    assert head.get_attribute("data-verdict") == "fail"
    text = head.inner_text()
    # Down on two of the last twelve nights (404), and its newest value is from 2017.
    assert "Verbeteringen: nodig" in text and "83,3% bruikbare antwoorden" in text
    checks = {
        li.locator("strong").inner_text(): li.get_attribute("data-check")
        for li in page.locator("#dp-checklist li").all()
    }
    assert checks["Online"] == "fail" and checks["Actueel"] == "fail"
    assert checks["Open licentie"] == "ok" and checks["Gratis"] == "unknown"
    assert len(checks) == 8
    kinds = [li.get_attribute("data-kind") for li in page.locator("#dp-blokkades li").all()]
    assert kinds == ["politiek", "privacy", "technisch", "organisatorisch", "kwaliteit"]
    links = head.locator(".dp-links a")
    assert [a.inner_text() for a in links.all()][1] == "meld een fout"
    assert "/issues/new?template=correctie-fiche.yml" in links.nth(1).get_attribute("href")
    # The technical details are folded away, in Dutch.
    details = page.locator("details", has_text="Technische details")
    assert details.get_attribute("open") is None
    folded = details.text_content()
    assert "Meetgegevens beschikbaarheid" in folded and "HTTP-status" in folded
    assert not any(word in folded.split() for word in ("None", "True", "False"))
    picture = page.locator("img.dp-history")
    picture.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('img.dp-history').complete")
    assert picture.evaluate("img => img.naturalWidth") > 0
    assert "Globaal probleem sinds" in picture.get_attribute("alt")
    shoot(page, "dataset-probleem-desktop")
    phone.goto(site + "generated/datasets/vmm-stations.html")
    shoot(phone, "dataset-probleem-telefoon")


def test_missing_dataset_says_ontbrekend_without_plot_or_check_date(page, site):
    page.goto(site + f"generated/datasets/{MISSING}.html")
    head = page.locator("#dp-samenvatting")
    assert head.get_attribute("data-verdict") == "ontbrekend"
    assert "ontbrekend" in head.inner_text() and "Gecontroleerd" not in head.inner_text()
    assert page.locator("img.dp-history, img.dp-map").count() == 0
    assert page.locator("#dp-diagnose, #dp-checklist").count() == 0  # nothing to measure


def test_never_checked_dataset_says_so(page, site):
    page.goto(site + f"generated/datasets/{NEVER_CHECKED}.html")
    assert "Nog niet gecontroleerd" in page.locator("#dp-samenvatting").inner_text()
    assert page.locator("img.dp-history").count() == 0


def test_city_page_and_matrix_count_units_inside_the_city(page, phone, site):
    page.goto(site + "generated/steden/index.html")
    cell = page.locator(
        "#dp-steden tr[data-city='leuven'] td[data-dataset='telraam-verkeerstellingen']"
    )
    inside, fresh = int(cell.get_attribute("data-inside")), int(cell.get_attribute("data-fresh"))
    assert inside > 0 and 0 < fresh <= inside
    assert page.locator("#dp-steden tbody tr").count() == 13
    page.click("#dp-steden a:text('Leuven')")
    page.wait_for_url("**/steden/leuven.html")
    assert f"{inside}" in page.locator("article").inner_text()
    shoot(page, "stad-leuven-desktop")
    phone.goto(site + "generated/steden/leuven.html")
    shoot(phone, "stad-leuven-telefoon")
    page.goto(site + "generated/datasets/telraam-verkeerstellingen.html")
    assert "Leuven" in page.locator("img.dp-map").get_attribute("alt")


def test_owner_page_lists_own_work_and_partner_work(page, site):
    page.goto(site + "generated/eigenaars/stad-gent.html")
    items = page.locator("article li").all_inner_texts()
    assert any("telpalen doorgeven" in t for t in items)  # partner on AWV's dataset
    assert any("meetpunten in de stad doorgeven" in t for t in items)


def test_search_finds_a_dataset_by_name(page, site):
    page.goto(site)
    page.wait_for_load_state("networkidle")  # the search worker has loaded its index
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("Meteostations", delay=20)
    result = page.locator(".md-search-result__item", has_text="Meteostations VMM").first
    result.wait_for(timeout=15000)
    assert "vmm-stations.html" in result.locator("a").first.get_attribute("href")


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
    assert page.locator("article script, article img:not(.dp-history, .dp-map)").count() == 0
    page.goto(site)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert "Wegen & Verkeer <b>AWV</b>" in page.locator("#rij-fietstellingen").inner_text()


def test_machine_readable_files_are_served_next_to_the_pages(page, site):
    status = page.request.get(site + "status/vmm-stations.json")
    assert status.ok and status.json()["overall"] == "fail"
    missing = page.request.get(site + f"status/{MISSING}.json").json()
    assert (missing["verdict"], missing["verdict_label"]) == ("ontbrekend", "ontbrekend")
    badge = page.request.get(site + "badges/vmm-stations.svg")
    assert badge.ok and "probleem" in badge.text()
    catalog = page.request.get(site + "catalog.ttl")
    assert catalog.ok and "dcat:Dataset" in catalog.text()


def test_404_is_dutch_and_its_links_work(page, site):
    page.goto(site + "404.html")
    assert "Pagina niet gevonden" in page.locator("article").inner_text()
    for href in page.eval_on_selector_all("article a", "links => links.map(a => a.href)"):
        assert page.request.get(href).ok, href


def _pages(public: Path) -> list[str]:
    return sorted(
        p.relative_to(public).as_posix()
        for p in public.rglob("*.html")
        if not p.relative_to(public).as_posix().startswith("assets/")
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_axe_violations_on_any_page(browser, built, site, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context, page, outside, errors = _guarded_page(
        browser, site, viewport=DESKTOP, color_scheme=scheme
    )
    found = {}
    pages = _pages(built / "public")
    assert len(pages) >= 25  # overview, themes, owners, datasets, 13 cities, handbook, 404
    for rel in pages:
        page.goto(site + rel)
        violations = axe.run(page).response["violations"]
        bad = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        if bad:
            found[rel] = bad
    context.close()
    assert outside == []
    assert found == {}, found


def test_a_ten_day_old_build_shows_the_banner(browser, built, tmp_path):
    late = MEASURED_NOW + timedelta(days=10)
    public = tmp_path / "public"
    assert run_build(built, built / "checks", public, late, render_only=False, strict=True).complete
    server, url = _serve(public)
    try:
        context, page, outside, errors = _guarded_page(browser, url, viewport=DESKTOP)
        for rel in ("index.html", "generated/datasets/vmm-stations.html"):
            page.goto(url + rel)
            banner = page.locator("#dp-verouderd")
            assert banner.is_visible() and "10 dagen geleden" in banner.inner_text()
        context.close()
    finally:
        server.shutdown()
        server.server_close()
    # The build of the night itself has no banner.
    assert "dp-verouderd" not in (built / "public" / "index.html").read_text()

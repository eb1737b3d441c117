"""The built documentation site (`make docs` -> site/) in a real headless browser: Debian's chromium
(`make chromium`) driven by playwright, over HTTP as a reader would get it (the search runs in a
web worker, which file:// pages cannot start).

SITE_SCREENSHOTS=dir keeps the screenshots (`make docs-screenshots` refreshes the README's)."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"
OPERATIONS = [op["name"] for op in yaml.safe_load((ROOT / "ops.yaml").read_text())["operations"]]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url():
    assert (SITE / "index.html").exists(), "no built site: run `make docs`"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    assert chromium, "no chromium on PATH: `make chromium` installs Debian's"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    yield page
    page.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    out = Path(os.environ.get("SITE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def heading(page) -> str:
    return page.locator("article h1").first.inner_text().rstrip("¶ \n")  # without the permalink sign


def images_loaded(page) -> list[tuple[str, int]]:
    return page.evaluate("[...document.querySelectorAll('article img')].map(i => [i.src, i.naturalWidth])")


def test_home_page_renders(page, site_url, shots):
    page.goto(site_url + "/")
    assert page.title() == "aerospike-py"
    assert heading(page) == "aerospike-py"
    nav = page.locator("nav.md-nav--primary").inner_text()
    for entry in ("Getting started", "Tracing", "FastAPI", "Django", "Switching from the official client",
                  "The dev server", "Client operations", "Exceptions", "Latest results"):
        assert entry in nav
    assert page.locator("article div.highlight").count() >= 2  # the install and first-use examples
    page.screenshot(path=str(shots / "home.png"))
    assert (shots / "home.png").stat().st_size > 10_000


def test_api_page_renders_every_operation(page, site_url, shots):
    page.goto(site_url + "/api/")
    assert heading(page) == "aerospike-py API reference"
    for name in OPERATIONS:
        section = page.locator(f"h3#{name}")
        assert section.count() == 1, f"no section for {name}"
        assert section.inner_text().rstrip("¶ \n") == name
    # every operation shows both clients' signatures, highlighted
    assert page.locator("article div.highlight").count() >= 2 * len(OPERATIONS)
    assert page.locator("article code", has_text="await aclient.get(").count() >= 1
    page.screenshot(path=str(shots / "api.png"))


def test_navigation_between_pages(page, site_url):
    page.goto(site_url + "/")
    page.locator("nav.md-nav--primary a", has_text="Getting started").first.click()
    page.wait_for_url("**/getting-started/")
    assert heading(page) == "Getting started"
    page.locator("nav.md-nav--primary a", has_text="Client operations").first.click()
    page.wait_for_url("**/api/")
    page.locator("nav.md-nav--secondary a:visible", has_text="batch_read").first.click()  # the page's contents
    page.wait_for_url("**/api/#batch_read")
    assert page.locator("h3#batch_read").is_visible()
    page.go_back()
    page.go_back()
    page.wait_for_url("**/getting-started/")
    assert heading(page) == "Getting started"


def test_search_finds_batch_read(page, site_url):
    page.goto(site_url + "/")
    page.locator("label.md-search__icon, input.md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("batch_read", delay=30)  # as typed
    hit = page.locator(".md-search-result__item a[href*='/api/'][href$='#batch_read']").first
    hit.wait_for(timeout=15_000)
    assert "batch_read" in hit.inner_text()
    hit.click()
    page.wait_for_url(re.compile(r"/api/\?h=batch_read#batch_read$"))
    assert page.locator("h3#batch_read").is_visible()
    assert page.locator("article mark", has_text="batch_read").count() >= 1  # the hits highlighted


def test_benchmark_chart_and_reference_pages_load(page, site_url):
    page.goto(site_url + "/bench/")
    images = images_loaded(page)
    assert any(src.endswith("bench/latest.png") and width > 0 for src, width in images), images
    page.goto(site_url + "/reference/exceptions/")
    assert "RecordNotFound" in page.locator("article").inner_text()
    page.goto(site_url + "/switching/")
    assert page.locator("article table a[href$='api/#batch_read']").count() == 1

"""The web chat in a real browser: Playwright driving Debian's Chromium against the app on loopback.

Screenshots of the main states go to a temporary folder, or to docs/ when QA_SCREENSHOTS=docs
(`make screenshots`).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SAMPLE, serve_app
from qa.index.sync import sync_index

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

PAYLOADS = """# Harbour Security Briefing, March 2025

## Harbour

The harbour authority reported <img src=x onerror=alert(1)> twelve new cranes at the harbour.
The harbour budget <script>alert(2)</script> doubled in 2025.
The harbour link [click here](javascript:alert(3)) was shared with port officials.
The harbour plan ![map](http://203.0.113.5/pixel.png) shows the new berths.
The harbour formula $$\\href{javascript:alert(4)}{x}$$ was published by the authority.
The harbour style <style>body{display:none}</style> guide was updated by the authority.
The harbour notice &lt;script&gt;alert(5)&lt;/script&gt; was posted by the authority.
The harbour diagram <a href="javascript:alert(6)" onclick="alert(7)">berth</a> was drawn by the authority.

```mermaid
graph TD; A-->B; click A "javascript:alert(8)"
```
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: run `make test` as root, or `sudo apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("QA_SCREENSHOTS") == "docs":
        return ROOT / "docs"
    return tmp_path_factory.mktemp("shots")


@pytest.fixture(scope="module")
def sample_server(real_sample_index: Path) -> Iterator[str]:
    with serve_app(real_sample_index, real_sample_index.parent / "corpus") as url:
        yield url


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Iterator[str]:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("payloads")
    corpus = base / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    (corpus / "harbour.md").write_text(PAYLOADS, encoding="utf-8")
    sync_index(corpus, base / "index", real_embedder)
    with serve_app(base / "index", corpus) as url:
        yield url


class Page:
    """A page with every dialog and every request off this machine recorded."""

    def __init__(self, browser: Any, url: str, width: int = 1280) -> None:
        self.url = url
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []  # console errors, a blocked content-security-policy load among them
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("request", self._request)
        self.page.goto(url)
        self.page.wait_for_selector("#qa-question textarea")

    def _request(self, request: Any) -> None:
        if not request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            self.outside.append(request.url)

    def ask(self, question: str) -> Any:
        answers = self.page.locator("#qa-chat .qa-turn").count()
        self.page.fill("#qa-question textarea", question)
        self.page.click("#qa-ask")
        self.page.wait_for_function(f"document.querySelectorAll('#qa-chat .qa-turn').length > {answers}", timeout=60000)
        return self.page.locator("#qa-chat .qa-turn").last


def test_ask_verify_open_export_follow_up_abstain(browser: Any, sample_server: str, shots: Path) -> None:
    ui = Page(browser, sample_server)
    page = ui.page
    # example questions on the first screen, and the status line the page fills on load (both
    # rendered by the client after the question box: wait for them rather than race them)
    page.wait_for_selector(".qa-example", timeout=30000)
    assert page.locator(".qa-example").count() >= 1
    page.wait_for_function(
        "(document.querySelector('#qa-status')?.innerText || '').includes('1 document')", timeout=30000
    )

    turn = ui.ask("What does Mexico supply to Russia?")
    assert "coffee, pepper" in turn.locator("blockquote.qa-main").inner_text()
    page.screenshot(path=str(shots / "answer.png"), full_page=True)

    # [1] opens the first source card: the quote highlighted inside its paragraph, score, offsets.
    turn.locator("blockquote.qa-main a.qa-ref").click()
    card = page.locator("#a0-1-card")
    page.wait_for_function("document.getElementById('a0-1-card').open")
    assert "coffee, pepper" in card.locator(".qa-para mark").inner_text()
    assert "score" in card.locator(".qa-score").inner_text()
    assert "chars" in card.locator(".qa-card-foot").inner_text()
    page.screenshot(path=str(shots / "evidence.png"), full_page=True)

    # "Open document at the quote": the whole document, the quote marked and scrolled into view.
    card.locator("a.qa-open").click()
    page.wait_for_function(
        "document.getElementById('a0-1-q') && document.getElementById('a0-1-q').closest('details').open"
    )
    page.wait_for_function(
        "(() => { const r = document.getElementById('a0-1-q').getBoundingClientRect();"
        " return r.top >= -2 && r.bottom <= window.innerHeight + 2; })()",
        timeout=5000,
    )
    assert "Scroll to Top" in card.locator(".qa-doc-text").inner_text()  # the whole document
    page.screenshot(path=str(shots / "document.png"))

    # Export: the verification pack, Markdown and JSON, downloadable.
    links = page.locator("#qa-export a")
    page.wait_for_function("document.querySelectorAll('#qa-export a').length >= 2")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    json_href = next(h for h in hrefs if h and h.endswith(".json"))
    pack = json.loads(page.request.get(json_href if json_href.startswith("http") else sample_server + json_href).text())
    assert "coffee" in pack["citations"][0]["quote"] and pack["index_version"]
    md_href = next(h for h in hrefs if h and h.endswith(".md"))
    assert (
        "# Verification pack"
        in page.request.get(md_href if md_href.startswith("http") else sample_server + md_href).text()
    )

    # A follow-up uses the conversation.
    ui.ask("What sectors hold the greatest potential for bilateral relations?")
    follow = ui.ask("What about agriculture?")
    assert "wheat" in follow.inner_text() or "agricultur" in follow.inner_text()

    # An abstention says so and shows the nearest passages with scores.
    abstained = ui.ask("What is Russia's GDP growth forecast for 2026?")
    assert "Not found in the briefings" in abstained.inner_text()
    # the number check says why the closest quote does not answer
    assert "the question mentions 2026" in abstained.locator(".qa-check").inner_text()
    assert abstained.locator(".qa-nearest .qa-score").count() >= 1
    abstained.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "abstain.png"))

    # Clearing starts a new conversation.
    page.click("#qa-clear")
    page.wait_for_function("document.querySelectorAll('#qa-chat .qa-turn').length === 0")
    assert ui.dialogs == [] and ui.outside == []
    assert [e for e in ui.errors if "Content Security Policy" in e or "Refused to" in e] == []


def test_a_filter_that_matches_nothing_says_so(browser: Any, sample_server: str) -> None:
    ui = Page(browser, sample_server)
    ui.page.fill("#qa-from textarea, #qa-from input", "2030")
    turn = ui.ask("What does Mexico supply to Russia?")
    assert "No documents match the filters" in turn.inner_text() or "no documents match" in turn.inner_text().lower()


def test_narrow_screen(browser: Any, sample_server: str, shots: Path) -> None:
    ui = Page(browser, sample_server, width=390)
    turn = ui.ask("Who did Lavrov meet?")
    assert "Juan Ramon de la Fuente Ramirez" in turn.inner_text()
    overflow = ui.page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 2")
    ui.page.screenshot(path=str(shots / "narrow.png"), full_page=True)
    assert not overflow


def test_document_payloads_render_inert(browser: Any, payload_server: str) -> None:
    ui = Page(browser, payload_server)
    turn = ui.ask("What did the harbour authority report?")
    for card in range(turn.locator("details.qa-card").count()):
        turn.locator("details.qa-card").nth(card).evaluate(
            "d => { d.open = true; d.querySelectorAll('details').forEach(x => x.open = true); }"
        )
    ui.page.wait_for_timeout(1500)
    chat = ui.page.locator("#qa-chat")
    assert "harbour" in chat.inner_text().lower()
    assert "<script>" in chat.inner_text() or "onerror" in chat.inner_text()  # shown as text
    counts = ui.page.evaluate(
        """(() => { const c = document.getElementById('qa-chat');
        return { img: c.querySelectorAll('img').length, script: c.querySelectorAll('script').length,
                 style: c.querySelectorAll('style').length, svg: c.querySelectorAll('svg').length,
                 js: [...c.querySelectorAll('a')].filter(a => (a.getAttribute('href') || '').includes('javascript')).length,
                 handlers: [...c.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
                 hidden: getComputedStyle(document.body).display === 'none' }; })()"""
    )
    assert counts == {"img": 0, "script": 0, "style": 0, "svg": 0, "js": 0, "handlers": 0, "hidden": False}
    assert ui.dialogs == [] and ui.outside == []

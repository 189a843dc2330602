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

# one pytest-xdist worker runs this file's tests: they share its costly fixtures
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]
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


@pytest.fixture(scope="module")  # not longer: its event loop would outlive the file
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


@pytest.fixture
def sample_server(sample_app: str) -> str:
    return sample_app


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


def download(page: Any, button: str) -> str:
    """Click a download button; the text of the file it gives."""
    with page.expect_download() as started:
        page.click(button)
    return Path(started.value.path()).read_text(encoding="utf-8")


CONTRAST = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")
READ_AREAS = ["#qa-chat", ".qa-side", ".qa-header", "#qa-counter", "#qa-notice", ".qa-examples", "#qa-ask", "footer"]


def contrast(page: Any) -> dict[str, Any]:
    """WCAG contrast of every visible text in the page's reading areas against what is behind it."""
    return page.evaluate(CONTRAST, READ_AREAS)  # type: ignore[no-any-return]


class Page:
    """A page with every dialog and every request off this machine recorded."""

    def __init__(self, browser: Any, url: str, width: int = 1280, theme: str = "light", path: str = "/") -> None:
        self.url = url
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []  # console errors, a blocked content-security-policy load among them
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=theme, accept_downloads=True
        )
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("request", self._request)
        self.page.goto(url + path)
        self.page.wait_for_selector("#qa-question textarea")
        # the kept conversation (if any) and the status line arrive with the page's load event
        self.page.wait_for_selector("#qa-status[data-loaded]", timeout=30000)

    def _request(self, request: Any) -> None:
        if not request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            self.outside.append(request.url)

    def turns(self) -> int:
        return int(self.page.locator("#qa-chat .qa-turn:not(.qa-pending)").count())

    def ask(self, question: str) -> Any:
        answers = self.turns()
        self.page.fill("#qa-question textarea", question)
        self.page.click("#qa-ask")
        self.wait_for_turns(answers + 1)
        return self.page.locator("#qa-chat .qa-turn").last

    def wait_for_turns(self, count: int) -> None:
        self.page.wait_for_function(
            f"document.querySelectorAll('#qa-chat .qa-turn:not(.qa-pending)').length >= {count}", timeout=60000
        )


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

    # Export: the conversation's verification pack, Markdown and JSON, downloadable.
    pack = json.loads(download(page, "#qa-export-json"))
    assert (
        "coffee" in pack["turns"][0]["answer"]["citations"][0]["quote"] and pack["turns"][0]["answer"]["index_version"]
    )
    assert "# Verification pack" in download(page, "#qa-export-md")

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
    turn.get_by_role("button", name="Search every briefing").click()  # the refusal's offer to widen
    ui.wait_for_turns(2)
    widened = ui.page.locator("#qa-chat .qa-turn").last
    assert not widened.locator(".qa-abstain").count() and "coffee" in widened.locator("blockquote.qa-main").inner_text()
    assert ui.page.input_value("#qa-from textarea, #qa-from input") == ""  # the filters were cleared


def test_an_example_question_is_asked_in_one_click_and_answered(browser: Any, sample_server: str) -> None:
    ui = Page(browser, sample_server)
    example = ui.page.locator("#qa-chat .qa-example").first
    example.wait_for(timeout=30000)
    question = example.inner_text()
    box = ui.page.locator("#qa-chat").bounding_box()
    ask = ui.page.locator("#qa-ask").bounding_box()
    assert box is not None and ask is not None and ask["y"] - (box["y"] + box["height"]) < 120  # no dead space
    example.click()
    ui.wait_for_turns(1)
    turn = ui.page.locator("#qa-chat .qa-turn").last
    assert question in turn.locator(".qa-q").inner_text()
    assert turn.locator(".qa-abstain").count() == 0 and turn.locator("blockquote.qa-main").count() == 1
    assert ui.page.locator("#qa-chat .qa-example").count() == 0  # the examples give way to the conversation


@pytest.mark.parametrize("width", [1366, 390])
def test_a_citation_opens_its_card_in_place_under_the_dark_theme_by_url(
    browser: Any, sample_server: str, width: int
) -> None:
    ui = Page(browser, sample_server, width=width, theme="dark", path="/?__theme=dark")
    page = ui.page
    turn = ui.ask("What does Mexico supply to Russia?")
    prefix = turn.locator("details.qa-card").first.get_attribute("id").removesuffix("-1-card")  # type: ignore[union-attr]
    turn.locator("blockquote.qa-main a.qa-ref").click()
    page.wait_for_function(f"document.getElementById('{prefix}-1-card').open")
    assert "__theme=dark" in page.url and page.url.endswith(f"#{prefix}-1")  # no navigation: the theme stays
    assert page.evaluate("document.body.classList.contains('dark')") and ui.turns() == 1
    turn.locator(f"#{prefix}-1-card a.qa-open").click()
    page.wait_for_function(f"document.getElementById('{prefix}-1-q').closest('details').open")
    assert "__theme=dark" in page.url and ui.turns() == 1


def test_a_phone_screen(browser: Any, sample_server: str, shots: Path) -> None:
    ui = Page(browser, sample_server, width=390)
    turn = ui.ask("Who did Lavrov meet?")
    assert "Juan Ramon de la Fuente Ramirez" in turn.inner_text()
    overflow = ui.page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 2")
    # a card header is its number, one run of title · date · section, and the score: no separator stands alone
    loose = ui.page.evaluate(
        """[...document.querySelectorAll('.qa-card-head')].flatMap(h => [...h.childNodes])
        .filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent)"""
    )
    ui.page.screenshot(path=str(shots / "narrow.png"), full_page=True)
    assert not overflow and loose == []
    assert contrast(ui.page)["failures"] == []


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


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_is_readable_in_both_themes(browser: Any, sample_server: str, shots: Path, theme: str) -> None:
    ui = Page(browser, sample_server, theme=theme, path=f"/?__theme={theme}")
    assert ui.page.evaluate("document.body.classList.contains('dark')") == (theme == "dark")
    ui.ask("What does Mexico supply to Russia?")
    ui.ask("What is Russia's GDP growth forecast for 2026?")
    if theme == "dark":
        ui.page.locator("#qa-chat .qa-turn").first.evaluate("t => t.scrollIntoView({block: 'start'})")
        ui.page.screenshot(path=str(shots / "dark.png"))
    ui.page.evaluate("document.querySelectorAll('#qa-chat details').forEach(d => d.open = true)")
    level = ui.page.locator(".qa-level").first
    assert level.inner_text() in {"high", "medium", "low"} and "times in 10" in (level.get_attribute("title") or "")
    result = contrast(ui.page)
    assert result["checked"] > 60 and result["failures"] == []
    # a keyboard user sees where they are: a strong outline on the focused control
    ui.page.locator(".qa-copy").first.evaluate("b => b.focus({focusVisible: true})")
    assert ui.page.evaluate("getComputedStyle(document.activeElement).outlineWidth") == "3px"


def test_the_conversation_survives_a_reload_and_exports_whole(browser: Any, sample_server: str) -> None:
    ui = Page(browser, sample_server)
    page = ui.page
    page.evaluate(
        """window.seen = []; new MutationObserver(() => { const p = document.querySelector('#qa-chat .qa-pending');
        if (p) window.seen.push(p.innerText); }).observe(document.body, {subtree: true, childList: true})"""
    )
    ui.ask("What sectors hold the greatest potential for bilateral relations?")
    assert any("greatest potential" in seen for seen in page.evaluate("window.seen"))  # shown while answering
    ui.ask("What about agriculture?")
    page.reload()
    page.wait_for_selector("#qa-status[data-loaded]", timeout=30000)
    ui.wait_for_turns(2)
    questions = page.locator("#qa-chat .qa-q").all_inner_texts()
    assert questions == ["What sectors hold the greatest potential for bilateral relations?", "What about agriculture?"]
    assert page.locator("#qa-chat .qa-card").count() >= 2  # the answers with their sources, not only the questions
    pack = json.loads(download(page, "#qa-export-json"))
    turns = pack["turns"]
    assert [t["question"] for t in turns] == questions and pack["exported_at"]
    follow = turns[1]["answer"]
    assert follow["resolved_question"] != follow["question"] and "sector" in follow["resolved_question"].lower()
    assert turns[1]["asked_at"] and turns[1]["filters"] == {"doc_ids": [], "date_from": None, "date_to": None}
    cited = follow["citations"][0]
    assert len(cited["sha256"]) == 64 and cited["end"] > cited["start"] and follow["index_version"]
    markdown = download(page, "#qa-export-md")
    assert "## 2. What about agriculture?" in markdown and "resolved as:" in markdown
    page.click("#qa-clear")
    page.wait_for_function("document.querySelectorAll('#qa-chat .qa-turn').length === 0")
    page.wait_for_timeout(500)
    page.reload()
    page.wait_for_selector("#qa-status[data-loaded]", timeout=30000)
    assert ui.turns() == 0 and not page.locator("#qa-export-json").is_visible()


def test_limits_errors_and_suggestions_are_spoken(browser: Any, sample_server: str) -> None:
    ui = Page(browser, sample_server)
    page = ui.page
    page.click("#qa-ask")
    page.wait_for_function("(document.querySelector('#qa-notice')?.innerText || '').includes('Type a question')")
    assert page.locator("#qa-chat .qa-pending").count() == 0  # an empty question: no pending turn
    long = "What does Mexico supply to Russia? " * 30
    page.fill("#qa-question textarea", long)
    assert (
        "too long" in page.locator("#qa-counter").inner_text()
        and "1,050 / 1,000" in page.locator("#qa-counter").inner_text()
    )
    page.click("#qa-ask")
    page.wait_for_function("(document.querySelector('#qa-notice')?.innerText || '').includes('limit is 1,000')")
    assert page.input_value("#qa-question textarea") == long and ui.turns() == 0  # nothing cut, nothing lost
    assert page.locator("#qa-chat .qa-pending").count() == 0  # too long: no pending turn
    page.fill("#qa-from textarea, #qa-from input", "July")
    page.fill("#qa-question textarea", "What does Mexico supply to Russia?")
    page.click("#qa-ask")
    page.wait_for_function("(document.querySelector('#qa-notice')?.innerText || '').includes('not a date')")
    assert page.input_value("#qa-question textarea") == "What does Mexico supply to Russia?"
    page.wait_for_function("document.querySelectorAll('#qa-chat .qa-pending').length === 0")  # no stuck turn
    assert ui.turns() == 0 and "Searching the briefings" not in page.locator("#qa-chat").inner_text()
    page.fill("#qa-from textarea, #qa-from input", "")
    turn = ui.ask("Who is Lavorv meeting?")
    page.wait_for_function("!(document.querySelector('#qa-notice')?.innerText || '').includes('not a date')")
    if turn.locator(".qa-abstain").count():  # refused as typed: nothing to correct into
        turn.locator(".qa-retry").first.click()
        ui.wait_for_turns(2)
        assert page.locator("#qa-chat .qa-q").last.inner_text() == "Who is Lavrov meeting?"
        turn = page.locator("#qa-chat .qa-turn").last
    elif turn.get_by_text("Read as: “Who is Lavrov meeting?”").count():  # answered as corrected, and says so
        turn.get_by_role("button", name="Ask it as typed").click()
        ui.wait_for_turns(2)
        assert page.locator("#qa-chat .qa-q").last.inner_text() == "Who is Lavorv meeting?"
        assert "Ask it as typed" not in page.locator("#qa-chat .qa-turn").last.inner_text()
    else:  # answered as typed: the suggestion asks the corrected question
        turn.get_by_role("button", name="Did you mean: Who is Lavrov meeting?").click()
        ui.wait_for_turns(2)
        turn = page.locator("#qa-chat .qa-turn").last
    assert "Lavrov" in turn.locator("blockquote.qa-main").inner_text()


def test_a_server_error_leaves_no_stuck_turn(browser: Any, sample_server: str) -> None:
    ui = Page(browser, sample_server)
    page = ui.page
    page.route("**/queue/join**", lambda route: route.fulfill(status=500, body="server error"))  # the next ask fails
    page.fill("#qa-question textarea", "What does Mexico supply to Russia?")
    page.click("#qa-ask")
    page.wait_for_timeout(500)
    page.wait_for_function("document.querySelectorAll('#qa-chat .qa-pending').length === 0", timeout=30000)
    assert ui.turns() == 0 and page.input_value("#qa-question textarea") == "What does Mexico supply to Russia?"


def test_a_quote_copies_with_its_citation(browser: Any, sample_server: str) -> None:
    ui = Page(browser, sample_server)
    turn = ui.ask("What does Mexico supply to Russia?")
    turn.locator("details.qa-card").first.evaluate("d => d.open = true")
    turn.locator(".qa-copy").first.click()
    ui.page.wait_for_function("document.querySelector('.qa-copy').innerText === 'Copied'")
    copied = ui.page.evaluate("navigator.clipboard.readText()")
    assert (
        copied.startswith("“Russian exports include")
        and "russia-mexico-bilateral-relations-2025-07.txt, chars" in copied
    )
    assert "sha256" in copied


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def generated_corpus(folder: Path, count: int) -> None:
    """`count` small dated briefings (names out of order of their titles) and one profile with field lines."""
    countries = ["Armenia", "Argentina", "Brazil", "Chile", "Denmark", "Egypt", "Finland", "Ghana", "India", "Japan"]
    for i in range(count):
        country = countries[i % len(countries)]
        year, month = 2015 + i % 11, 1 + i % 12
        (folder / f"{i:04d}-{country.lower()}.md").write_text(
            f"# {country} Trade Briefing {i}, {MONTHS[month - 1]} {year}\n\n## Trade\n\n"
            f"{country} signed trade agreement number {i} on grain and machinery in {year}.\n",
            encoding="utf-8",
        )
    (folder / "zz-kenya.md").write_text(
        "# Kenya Country Profile, January 2026\n\n## Government\n\n### Capital\n**name:** Nairobi\n"
        "**time difference:** UTC+3\n\n### Independence\n12 December 1963 (from the UK)\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def thousand_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from qa.index.embedding import HashingEmbedder

    base = tmp_path_factory.mktemp("thousand")
    corpus = base / "corpus"
    corpus.mkdir()
    generated_corpus(corpus, 1000)
    sync_index(corpus, base / "index", HashingEmbedder(256, model_id="hashing:256"))
    with serve_app(base / "index", corpus, {"QA_MODEL": "hashing:256"}) as url:
        yield url


def test_the_picker_scope_and_document_view_at_a_thousand_briefings(
    browser: Any, thousand_server: str, shots: Path
) -> None:
    ui = Page(browser, thousand_server)
    page = ui.page
    side = page.locator(".qa-side").bounding_box()
    assert side is not None and side["height"] < 1000  # not one checkbox a briefing
    # the dates come before the picker (and so before it in the tab order)
    assert page.evaluate(
        "document.querySelector('#qa-from input, #qa-from textarea').compareDocumentPosition("
        "document.querySelector('#qa-docs input')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert "all 1,001 briefings" in page.locator("#qa-docs").inner_text()
    page.click("#qa-docs input")
    page.wait_for_function("document.querySelectorAll('[role=option]').length > 5")
    listed, sort = page.locator("[role=listbox]").first.bounding_box(), page.locator("#qa-sort").bounding_box()
    assert listed is not None and sort is not None
    apart = listed["y"] >= sort["y"] + sort["height"] or sort["y"] >= listed["y"] + listed["height"]
    assert apart, (listed, sort)  # the open list covers no sort button
    page.keyboard.type("Kenya")
    options = page.locator("[role=option]")
    page.wait_for_function("document.querySelectorAll('[role=option]').length === 1")
    assert options.first.inner_text().startswith("Kenya Country Profile, January 2026 · 2026-01 · ")
    page.keyboard.press("Escape")
    # sorted newest first: the first choice has the latest date
    page.get_by_label("Newest first").check()
    page.wait_for_timeout(500)
    page.click("#qa-docs input")
    page.keyboard.type("Trade Briefing")
    page.wait_for_function("document.querySelectorAll('[role=option]').length > 5")
    first_dates = [t.split(" · ")[1] for t in options.all_inner_texts()[:5]]
    assert first_dates == sorted(first_dates, reverse=True) and first_dates[0] == "2025-12"
    options.first.click()
    page.keyboard.press("Escape")
    page.wait_for_function("(document.querySelector('#qa-docs')?.innerText || '').includes('1 of 1,001 chosen')")
    page.wait_for_function("document.querySelectorAll('[role=option]').length === 0")  # the list has closed
    page.screenshot(path=str(shots / "picker.png"))
    # with one briefing chosen, the answer says what was searched and how to widen it
    turn = ui.ask("What is the capital of Kenya?")
    scope = turn.locator(".qa-scope").inner_text()
    assert scope.startswith("Searched 1 of 1,001 briefings") and "(1 chosen)" in scope
    if turn.locator(".qa-abstain").count():
        assert "Search every briefing" in scope  # the offer to widen, one click away
    pack = json.loads(download(page, "#qa-export-json"))
    assert len(pack["turns"][0]["filters"]["doc_ids"]) == 1 and pack["turns"][0]["answer"]["scope"]["searched"] == 1
    # the corpus table opens a briefing in the document view, its markup shown as labels
    page.get_by_role("tab", name="Corpus").click()
    page.locator(".qa-doc-link", has_text="Kenya Country Profile").click()
    page.wait_for_function("(document.querySelector('#qa-document')?.innerText || '').includes('Nairobi')")
    view = page.locator("#qa-document").inner_text()
    assert "name: Nairobi" in view and "**" not in view and "### " not in view
    assert contrast(page)["failures"] == []  # the document view
    # answered from all briefings: the quote shows clean labels, its exact text on demand
    page.get_by_role("tab", name="Filters").click()
    page.locator("#qa-docs .token-remove, #qa-docs [aria-label^='Remove']").first.click()
    turn = ui.ask("What is the capital of Kenya?")
    assert "Searched all 1,001 of 1,001 briefings" in turn.locator(".qa-scope").inner_text()
    main = turn.locator("blockquote.qa-main").inner_text()
    assert "Nairobi" in main and "**" not in main
    turn.locator("details.qa-card").first.evaluate("d => { d.open = true; d.querySelector('.qa-exact').open = true; }")
    assert "**name:** Nairobi" in turn.locator(".qa-exact-text").first.inner_text()
    assert ui.dialogs == [] and ui.outside == []


@pytest.fixture(scope="module")
def maintain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from qa.index.embedding import HashingEmbedder

    base = tmp_path_factory.mktemp("maintain")
    corpus = base / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    sync_index(corpus, base / "index", HashingEmbedder(256, model_id="hashing:256"))
    # the fake embedder's confidences are no test of the threshold: whatever it finds is answered
    env = {"QA_MODEL": "hashing:256", "QA_ADMIN_TOKEN": "open-sesame-42", "QA_ABSTAIN_BELOW": "0"}
    with serve_app(base / "index", corpus, env) as url:
        yield url, corpus


def test_the_maintain_tab_adds_briefings_and_reindexes_without_a_restart(
    browser: Any, maintain_server: tuple[str, Path], sample_server: str, shots: Path, tmp_path: Path
) -> None:
    url, corpus = maintain_server
    # without the token the tab does not exist, and uploads are refused
    plain = Page(browser, sample_server)
    assert plain.page.get_by_role("tab", name="Maintain").count() == 0
    ui = Page(browser, url, theme="dark", path="/?__theme=dark")
    page = ui.page
    refused = page.request.post(
        url + "/gradio_api/upload", multipart={"files": {"name": "a.md", "mimeType": "text/markdown", "buffer": b"x"}}
    )
    assert refused.status == 403
    page.get_by_role("tab", name="Maintain").click()
    page.fill("#qa-admin-token input", "wrong")
    page.click("#qa-admin-unlock")
    page.wait_for_function(
        "(document.querySelector('#qa-maintain-report')?.innerText || '').includes('not the maintainer token')"
    )
    assert page.locator("#qa-upload").count() == 0 or not page.locator("#qa-upload").is_visible()
    page.fill("#qa-admin-token input", "open-sesame-42")
    page.click("#qa-admin-unlock")
    page.wait_for_selector("#qa-upload", state="visible")
    kenya = tmp_path / "kenya.md"
    kenya.write_text(
        "# Kenya Briefing, March 2026\n\n## Capital\n\n**name:** Nairobi\n\nNairobi hosts the new trade office.\n"
    )
    page.locator("#qa-upload input[type=file]").set_input_files([str(kenya)])
    page.wait_for_timeout(1000)
    page.click("#qa-admin-add")
    page.wait_for_function(
        "(document.querySelector('#qa-maintain-report')?.innerText || '').includes('added: kenya.md')"
    )
    assert (corpus / "kenya.md").read_text().startswith("# Kenya Briefing")
    assert sorted(p.name for p in corpus.iterdir()) == sorted([SAMPLE.name, "kenya.md"])  # no temporary file left
    accepted = page.request.post(
        url + "/gradio_api/upload",
        multipart={"files": {"name": "a.md", "mimeType": "text/markdown", "buffer": b"x"}},
        headers={"Cookie": "qa_admin=open-sesame-42"},
    )
    assert accepted.status == 200  # the token's cookie opens the upload route (into the app's cache, not the corpus)
    page.evaluate(
        """window.steps = []; new MutationObserver(() => { const t = document.querySelector('#qa-maintain-report')
        ?.closest('.block')?.innerText || ''; if (/Reading briefings|Embedding|Starting/.test(t)) window.steps.push(t); })
        .observe(document.body, {subtree: true, childList: true, characterData: true})"""
    )
    page.click("#qa-admin-reindex")
    page.wait_for_function(
        "(document.querySelector('#qa-maintain-report')?.innerText || '').includes('Generation')", timeout=60000
    )
    report = page.locator("#qa-maintain-report").inner_text()
    assert "added        1  kenya.md" in report and "Answers now come from the new index." in report
    assert "2 documents" in page.locator("#qa-status").inner_text()
    assert page.evaluate("window.steps.length") > 0  # the progress bar showed its steps
    assert contrast(page)["failures"] == []  # the Maintain tab, in the dark theme
    page.screenshot(path=str(shots / "maintain.png"))
    turn = ui.ask("What is the capital of Kenya?")
    assert "Nairobi" in turn.locator("blockquote.qa-main").inner_text()
    assert ui.errors == [] or all("favicon" in e for e in ui.errors)


@pytest.fixture(scope="module")
def series_server(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The sample briefing and a January 2026 update of it (a changed rank, a new minister, an added line)."""
    base = tmp_path_factory.mktemp("series")
    corpus = base / "corpus"
    corpus.mkdir()
    sample = SAMPLE.read_text(encoding="utf-8")
    (corpus / SAMPLE.name).write_text(sample, encoding="utf-8")
    update = (
        sample.replace("July 2025 Update", "January 2026 Update", 1)
        .replace("second largest trading partner", "third largest trading partner")
        .replace("Juan Ramon de la Fuente Ramirez", "Alicia Barcena Ibarra")
        .replace("Cooperation in the field of nuclear energy continues.", "A consulate opened in Monterrey.")
    )
    (corpus / "rm-2026-01.txt").write_text(update, encoding="utf-8")
    sync_index(corpus, base / "index", real_embedder)
    with serve_app(base / "index", corpus) as url:
        yield url


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_what_changed_shows_two_columns_and_the_newest_update_answers(
    browser: Any, series_server: str, shots: Path, theme: str
) -> None:
    ui = Page(browser, series_server, theme=theme, path=f"/?__theme={theme}")
    turn = ui.ask("What changed since the last update?")
    table = turn.locator(".qa-diff table")
    assert table.count() == 1
    headers = table.locator("thead th").all_inner_texts()
    assert "July 2025" in headers[1] and "January 2026" in headers[2]  # the older on the left
    marked = table.locator("mark").all_inner_texts()
    assert "third" in marked and "second" in marked and "Alicia" in " ".join(marked)
    assert turn.locator(".qa-diff-added").count() >= 1 and turn.locator(".qa-diff-removed").count() >= 1
    kinds = turn.locator(".qa-diff tbody th").all_inner_texts()
    assert kinds == sorted(kinds, key=["Changed", "Added", "Removed"].index)  # changed lines first
    scope = turn.locator(".qa-scope").inner_text()
    assert "Compared" in scope and "July 2025" in scope and "January 2026" in scope  # the two updates, not "all"
    assert "score" not in turn.locator(".qa-diff-sources").inner_text()  # no ranking, no score
    assert not turn.locator("details.qa-diff-sources").evaluate("d => d.open")  # the sources folded
    result = contrast(ui.page)
    assert result["failures"] == []
    if theme == "light":
        turn.evaluate("t => t.scrollIntoView({block: 'start'})")
        ui.page.screenshot(path=str(shots / "changes.png"))
    compared = ui.ask("Which is larger, Mexico or Brazil?")
    assert compared.locator(".qa-sides li").count() == 2 or compared.locator(".qa-abstain").count() == 1
    assert contrast(ui.page)["failures"] == []
    answer = ui.ask("What is Mexico's rank among Russia's trading partners in Latin America?")
    assert "third largest" in answer.locator(".qa-main").inner_text()
    assert "second largest" in answer.locator(".qa-versions").inner_text()  # the July update said otherwise
    assert not ui.dialogs and not ui.outside


def test_a_change_view_stacks_on_a_phone(browser: Any, series_server: str) -> None:
    ui = Page(browser, series_server, width=390)
    turn = ui.ask("What changed since the last update?")
    cell = turn.locator(".qa-diff td[data-side]").first
    assert cell.evaluate("c => getComputedStyle(c).display") == "block"
    width = cell.bounding_box()
    assert width is not None and width["width"] > 250  # a line per cell, not a word per line
    label = cell.evaluate("c => getComputedStyle(c, '::before').content")
    assert "Before" in label or "After" in label  # each stacked cell says which update it quotes


@pytest.fixture(scope="module")
def watching_server(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """The sample briefing, the real model, and a maintainer token (the Maintain tab re-indexes it)."""
    base = tmp_path_factory.mktemp("watching")
    corpus = base / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    sync_index(corpus, base / "index", real_embedder)
    with serve_app(base / "index", corpus, {"QA_ADMIN_TOKEN": "open-sesame-42"}) as url:
        yield url, corpus


def test_keep_watching_a_question_then_see_what_a_reindex_changed(
    browser: Any, watching_server: tuple[str, Path], shots: Path
) -> None:
    url, corpus = watching_server
    ui = Page(browser, url)
    page = ui.page
    turn = ui.ask("What does Mexico supply to Russia?")
    assert "coffee" in turn.locator("blockquote.qa-main").inner_text()
    turn.get_by_role("button", name="Keep watching").click()  # locked: the token is asked for, nothing kept
    page.wait_for_function("(document.querySelector('#qa-notice')?.innerText || '').includes('maintainer token')")
    page.get_by_role("tab", name="Maintain").click()
    page.fill("#qa-admin-token input", "open-sesame-42")
    page.click("#qa-admin-unlock")
    page.wait_for_selector("#qa-upload", state="visible")
    turn.get_by_role("button", name="Keep watching").click()
    page.wait_for_function("(document.querySelector('#qa-watching')?.innerText || '').includes('Mexico supply')")
    panel = page.locator("#qa-watching")
    assert panel.is_visible() and "nothing changed since last seen" in panel.inner_text()  # the section opened
    assert "coffee" in panel.inner_text() and "Watching 1 question" in page.locator("#qa-watching-box").inner_text()
    # a maintainer edits the briefing and re-indexes: the question is re-checked, its old and new answers side by side
    briefing = corpus / SAMPLE.name
    briefing.write_text(briefing.read_text().replace("coffee, pepper", "avocados, tequila"))
    page.get_by_role("tab", name="Maintain").click()
    page.click("#qa-admin-reindex")
    page.wait_for_function(
        "(document.querySelector('#qa-maintain-report')?.innerText || '').includes('re-checked')", timeout=60000
    )
    assert "1 standing question re-checked in" in page.locator("#qa-maintain-report").inner_text()
    assert "1 changed" in page.locator("#qa-maintain-report").inner_text()
    assert "Watching 1 question: 1 changed" in page.locator("#qa-watching-box").inner_text()
    item = page.locator(".qa-watch-item").first
    assert item.get_attribute("data-state") == "changed" and "1 of 1 standing questions changed" in panel.inner_text()
    before, after = item.locator("td").nth(0).inner_text(), item.locator("td").nth(1).inner_text()
    assert "coffee" in before and "avocados" in after and "coffee" not in after
    assert contrast(page)["failures"] == []
    assert item.locator("td").nth(1).locator("mark").first.inner_text().startswith("avocados")
    page.locator("#qa-watching-box").screenshot(path=str(shots / "watching.png"))
    item.get_by_role("button", name="Mark seen").click()
    page.wait_for_function("document.querySelector('.qa-watch-item')?.dataset.state === 'unchanged'")
    page.reload()  # a reload (or a restart) keeps the list and its states
    page.wait_for_selector("#qa-status[data-loaded]", timeout=30000)
    page.locator("#qa-watching-box button.label-wrap").first.click()
    assert page.locator(".qa-watch-item").first.get_attribute("data-state") == "unchanged"
    page.locator(".qa-watch-item").first.get_by_role(
        "button", name="Stop watching"
    ).click()  # locked again after the reload
    page.wait_for_function("(document.querySelector('#qa-notice')?.innerText || '').includes('maintainer token')")
    assert page.locator(".qa-watch-item").count() == 1
    assert ui.dialogs == [] and ui.outside == []

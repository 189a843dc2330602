"""The Watching panel and its actions over a fake service (pure); the browser test is in test_browser.py, the
HTTP endpoints' in test_app.py."""

import json

from qa.errors import StandingError
from qa.records import AnswerSeen, Filters, StandingQuestion
from qa.web.watching import NEEDS_TOKEN, act, api_change, api_list, keep_button, keep_payload, watching_html

NOW = AnswerSeen(answered=True, short_answer="avocados", quote="Mexico supplies avocados.", doc_id="a.md",
                 title="Update", date="2026-01", start=4, end=29, sha256="2", checked="2026-12-07T10:00:00+00:00")  # fmt: skip
THEN = NOW.model_copy(update={"short_answer": "coffee", "quote": "Mexico supplies coffee.", "sha256": "1"})


class FakeStanding:
    """A deterministic fake of the Assistant's standing questions."""

    def __init__(self) -> None:
        self.items: dict[int, StandingQuestion] = {}
        self.broken = False
        self.reads = 0

    def standing(self) -> "FakeStanding":
        return self

    def list(self) -> list[StandingQuestion]:
        self.reads += 1
        if self.broken:
            raise StandingError("the standing questions cannot be read: damaged")
        return list(self.items.values())

    def remove(self, standing_id: int) -> None:
        if standing_id not in self.items:
            raise StandingError(f"no standing question {standing_id}")
        del self.items[standing_id]

    def mark_seen(self, standing_id: int) -> StandingQuestion:
        item = self.items[standing_id]
        self.items[standing_id] = item.model_copy(update={"seen": item.latest, "state": "unchanged"})
        return self.items[standing_id]

    def keep_watching(self, question: str, filters: Filters | None = None) -> StandingQuestion:
        filters = filters or Filters()
        n = len(self.items) + 1
        self.items[n] = StandingQuestion(id=n, question=question, doc_ids=filters.doc_ids,
                                         date_from=filters.date_from, seen=THEN, latest=THEN)  # fmt: skip
        return self.items[n]


def test_a_changed_question_shows_its_answer_as_last_seen_beside_its_answer_now() -> None:
    changed = StandingQuestion(id=1, question="What does Mexico supply?", seen=THEN, latest=NOW, state="changed")
    same = StandingQuestion(id=2, question="Is <b>a</b> treaty signed?", seen=NOW, latest=NOW)
    html = watching_html([same, changed])
    assert "1 of 2 standing questions changed since last seen." in html
    assert html.index("What does Mexico supply?") < html.index(
        "Is &#60;b&#62;a&#60;/b&#62; treaty signed?"
    )  # moved first
    assert "As last seen" in html and "<strong>coffee</strong>" in html and "<strong>avocados</strong>" in html
    assert "data-watch='seen:1'" in html and "data-watch='seen:2'" not in html  # only a moved one is marked seen
    assert "data-watch='remove:2'" in html and "chars 4–29" in html and "<b>" not in html
    assert "nothing changed since last seen" in watching_html([same])
    assert "Keep watching" in watching_html([])
    failed = same.model_copy(update={"error": "No briefing matches the filters"})
    assert "could not answer it: No briefing matches the filters" in watching_html([failed])


def test_keep_watching_carries_the_question_and_its_filters() -> None:
    filters = Filters(doc_ids=("a.md",), date_from="2025")
    payload = json.loads(keep_payload("What's new? 'quoted'", filters))
    assert payload == {"question": "What's new? 'quoted'", "doc_ids": ["a.md"], "date_from": "2025", "date_to": None}
    assert "&#39;" in keep_button("What's new?", filters) and "'s" not in keep_button("What's new?", filters)


def test_actions_need_the_token_to_add_or_remove_where_one_is_set() -> None:
    service = FakeStanding()
    keep = "keep:" + keep_payload("What does Mexico supply?", Filters(doc_ids=("a.md",)))
    shown, _, said = act(service, keep, "wrong", "secret-token")
    assert said == NEEDS_TOKEN and not service.items
    shown, heading, said = act(service, keep, "secret-token", "secret-token")
    assert said == "" and service.items[1].doc_ids == ("a.md",) and "What does Mexico supply?" in shown
    assert heading == "Watching 1 question"  # the title read with the panel, after the action
    before = service.reads
    act(service, "seen:1", None, None)
    assert service.reads == before + 1  # the store is read once for the panel and its title
    assert act(service, keep, None, None)[2] == ""  # no token set: anyone keeps questions
    service.items[1] = service.items[1].model_copy(update={"latest": NOW, "state": "changed"})
    assert act(service, "seen:1", None, "secret-token")[2] == ""  # marking seen needs no token
    assert service.items[1].state == "unchanged"
    assert act(service, "remove:1", "wrong", "secret-token")[2] == NEEDS_TOKEN and 1 in service.items
    assert act(service, "remove:1", "secret-token", "secret-token")[2] == "" and 1 not in service.items
    assert "no standing question 9" in act(service, "remove:9", None, None)[2]
    assert act(service, "launch:1", None, None)[2] == "That action is not known."
    service.broken = True
    assert "cannot be read" in act(service, "seen:2", None, None)[0]  # the panel says so; nothing else breaks
    assert act(service, "seen:2", None, None)[1] == "Watching: the standing questions cannot be read"


def test_the_endpoints_answer_with_records_or_an_error() -> None:
    service = FakeStanding()
    kept = api_change(service, "add", {"question": "What does Mexico supply?", "doc_ids": ["a.md"]}, None, None)
    assert kept["id"] == 1 and kept["doc_ids"] == ["a.md"]
    assert api_list(service) == [service.items[1].model_dump(mode="json")]
    assert "maintainer token" in api_change(service, "add", {"question": "q?"}, None, "secret-token")["error"]
    assert "maintainer token" in api_change(service, "remove", {"id": 1}, "nope", "secret-token")["error"]
    assert "Give the question" in api_change(service, "add", {"question": 3}, None, None)["error"]
    assert "as `id`" in api_change(service, "seen", {"id": "1"}, None, None)["error"]
    assert api_change(service, "remove", {"id": 1}, "secret-token", "secret-token") == {"removed": 1}
    service.broken = True
    assert api_list(service) == {"error": "the standing questions cannot be read: damaged"}


def test_the_words_that_changed_are_marked_on_each_side() -> None:
    from qa.web.watching import marked_words

    assert marked_words("Mexico supplies coffee, pepper.", "Mexico supplies avocados, pepper.") == (
        "Mexico supplies <mark>coffee,</mark> pepper."
    )
    assert marked_words("a <b> c", "a <b> c") == "a &#60;b&#62; c"
    assert marked_words("new words", "") == "<mark>new</mark> <mark>words</mark>"


def test_the_verification_pack_carries_the_standing_questions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qa.records import Answer, Turn
    from qa.web.export import conversation_json, conversation_markdown, write_conversation_pack

    changed = StandingQuestion(id=1, question="What does Mexico supply?", seen=THEN, latest=NOW, state="changed")
    same = StandingQuestion(id=2, question="Is a treaty signed?", seen=NOW, latest=NOW)
    turn = Turn(question="q?", asked_at="2026-12-07T10:00:00+00:00",
                answer=Answer(question="q?", text="x", abstained=True, confidence=0.1))  # fmt: skip
    md = conversation_markdown([turn], "now", [changed, same])
    assert "## Standing questions" in md and "[1] What does Mexico supply? — changed" in md
    assert '- seen: **coffee** — "Mexico supplies coffee."' in md and "a.md chars 4–29, sha256 2" in md
    assert "[2] Is a treaty signed? — unchanged" in md and md.count("  - seen:") == 1
    assert [i["state"] for i in json.loads(conversation_json([turn], "now", [changed, same]))["standing"]] == [
        "changed", "unchanged",
    ]  # fmt: skip
    assert "Standing questions" not in conversation_markdown([turn], "now")
    md_path, _ = write_conversation_pack(tmp_path, [turn], "now", standing=[changed])
    assert "What does Mexico supply?" in md_path.read_text()

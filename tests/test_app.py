"""The app served over HTTP on loopback with the real model: the /ask API and the refused routes."""

import urllib.error
from pathlib import Path

import pytest

from conftest import ROOT, get, get_headers, serve_app

# one pytest-xdist worker runs this file's tests: they share its costly fixtures
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("app")]


@pytest.fixture
def server(sample_app: str) -> str:
    return sample_app


def test_ask_api_with_question_only_and_with_history(server: str) -> None:
    from gradio_client import Client

    client = Client(server + "/", verbose=False)
    answer = client.predict("What does Mexico supply to Russia?", api_name="/ask")
    assert answer["abstained"] is False and "coffee" in answer["citations"][0]["quote"]
    assert {"n", "doc_id", "title", "date", "source", "quote", "start", "end", "score"} <= set(answer["citations"][0])
    follow = client.predict(
        "What about agriculture?",
        ["What sectors hold the greatest potential for bilateral relations?"],
        api_name="/ask",
    )
    assert "wheat" in follow["text"]
    refused = client.predict("   ", api_name="/ask")
    assert "error" in refused and "Please type a question" in refused["error"]
    nothing = client.predict(None, api_name="/ask")  # answered as the text "None" before
    assert nothing == {"error": "The question must be text, for example: What does Mexico supply to Russia?"}
    odd = client.predict("What does Mexico supply to Russia?", "not a list", api_name="/ask")
    assert "history must be a list" in odd["error"]


def test_a_raw_http_call_with_the_question_alone_is_answered(server: str) -> None:
    import json

    status, body = get(server + "/gradio_api/call/ask", b'{"data": ["What does Mexico supply to Russia?"]}',
                       {"Content-Type": "application/json"})  # fmt: skip
    assert status == 200
    event_id = json.loads(body)["event_id"]
    status, stream = get(f"{server}/gradio_api/call/ask/{event_id}")
    assert status == 200 and b"event: complete" in stream
    data = stream.split(b"event: complete", 1)[1].split(b"data:", 1)[1].strip().splitlines()[0]
    answer = json.loads(data)[0]
    assert answer["abstained"] is False and "coffee" in answer["citations"][0]["quote"]


def test_page_is_served_on_loopback_without_outside_assets(server: str) -> None:
    status, body = get(server + "/")
    assert status == 200 and b"Briefing QA" in body
    headers = get_headers(server + "/")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert b"fonts.googleapis" not in body and b"fonts.gstatic" not in body


@pytest.mark.parametrize(
    "path",
    [
        "index/CURRENT",
        "corpus/russia-mexico-bilateral-relations-2025-07.txt",
        "../../../../etc/passwd",
        "/etc/passwd",
        ".env",
        "app.py",
    ],
)
def test_file_route_serves_none_of_the_index_corpus_or_system(server: str, real_sample_index: Path, path: str) -> None:
    target = path
    if path.startswith("index/"):
        target = str(real_sample_index / path.removeprefix("index/"))
    elif path.startswith("corpus/"):
        target = str(real_sample_index.parent / path)
    elif path in (".env", "app.py"):
        target = str(ROOT / path)
    status, _ = get(f"{server}/gradio_api/file={target}")
    assert status in (403, 404)


def test_monitoring_route_is_closed(server: str) -> None:
    assert get(server + "/monitoring")[0] in (403, 404)


def test_large_upload_is_refused(server: str) -> None:
    boundary = "qaboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode()
        + b"x" * (2 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    try:
        status, _ = get(server + "/gradio_api/upload", body, headers)
        assert status in (403, 413)
    except urllib.error.URLError as exc:
        # refused before its body is read: the server may answer and close while the client is still sending
        assert isinstance(exc.reason, (BrokenPipeError, ConnectionResetError)), exc


def test_a_small_upload_is_refused_too(server: str) -> None:
    boundary = "qaboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="small.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n".encode()
    )
    status, _ = get(server + "/gradio_api/upload", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 403  # the app has no upload control: nothing may be uploaded


def test_a_stopped_app_leaves_no_verification_pack_folder_behind(real_sample_index: Path, tmp_path: Path) -> None:
    with serve_app(real_sample_index, real_sample_index.parent / "corpus", {"TMPDIR": str(tmp_path)}):
        assert len(list(tmp_path.glob("qa-export-*"))) == 1
    assert list(tmp_path.glob("qa-export-*")) == []


def test_the_diff_api_answers_with_the_changes_or_a_plain_error(server: str) -> None:
    from gradio_client import Client

    client = Client(server + "/", verbose=False)
    one = client.predict("Russia, Mexico, Bilateral Relations", None, None, api_name="/diff")
    assert one == {
        "error": "The series 'Russia, Mexico, Bilateral Relations' has one briefing only: there is nothing to compare it with.",
        "series": "Russia, Mexico, Bilateral Relations",
    }
    unknown = client.predict("Atlantis", None, None, api_name="/diff")
    assert unknown["error"].startswith("No series is called 'Atlantis'")
    assert "Name a series" in client.predict("  ", None, None, api_name="/diff")["error"]


def test_standing_questions_over_http(server: str) -> None:
    from gradio_client import Client

    client = Client(server + "/", verbose=False)
    kept = client.predict("What does Mexico supply to Russia?", api_name="/watch_add")
    assert kept["state"] == "unchanged" and "coffee" in kept["latest"]["quote"] and kept["seen"] == kept["latest"]
    listed = client.predict(api_name="/watch_list")
    assert [item["question"] for item in listed] == ["What does Mexico supply to Russia?"]
    assert client.predict(kept["id"], api_name="/watch_seen")["state"] == "unchanged"
    assert "error" in client.predict("   ", api_name="/watch_add")
    assert client.predict(kept["id"], api_name="/watch_remove") == {"removed": kept["id"]}
    assert "no standing question" in client.predict(kept["id"], api_name="/watch_remove")["error"]
    assert client.predict(api_name="/watch_list") == []

"""The security middleware, driven as an ASGI app with a fake inner app (no server)."""

import asyncio
from typing import Any

from qa.web.security import CONTENT_SECURITY_POLICY, SecurityHeaders


def call(
    method: str, path: str, kind: str = "http", token: str | None = None, cookie: str | None = None
) -> tuple[list[dict[str, Any]], bool]:
    sent: list[dict[str, Any]] = []
    reached = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b"<p>ok</p>"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"cookie", cookie.encode())] if cookie is not None else []
    scope = {"type": kind, "method": method, "path": path, "headers": headers}
    asyncio.run(SecurityHeaders(inner, admin_token=token)(scope, receive, send))
    return sent, bool(reached)


def test_every_response_carries_the_security_headers() -> None:
    sent, reached = call("GET", "/")
    headers = dict(sent[0]["headers"])
    assert reached and sent[0]["status"] == 200 and headers[b"content-type"] == b"text/html"
    assert headers[b"content-security-policy"] == CONTENT_SECURITY_POLICY.encode()
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "connect-src 'self'" in CONTENT_SECURITY_POLICY
    assert headers[b"x-frame-options"] == b"DENY" and headers[b"x-content-type-options"] == b"nosniff"


def test_uploads_are_refused_before_the_app_sees_them() -> None:
    for path in ("/gradio_api/upload", "/upload", "/gradio_api/upload/"):
        sent, reached = call("POST", path)
        assert not reached and sent[0]["status"] == 403 and b"no uploads" in sent[1]["body"]
    _, reached = call("GET", "/gradio_api/upload_progress")
    assert reached


def test_other_protocols_pass_through_untouched() -> None:
    sent, reached = call("GET", "/", kind="websocket")
    assert reached and b"content-security-policy" not in dict(sent[0]["headers"])


def test_a_raw_ask_call_with_the_question_alone_gets_a_null_history() -> None:
    import json

    from qa.web.security import AskDefaults, with_default_history

    assert json.loads(with_default_history(b'{"data": ["Who met Lavrov?"]}')) == {"data": ["Who met Lavrov?", None]}
    assert with_default_history(b'{"data": ["q", ["h"]]}') == b'{"data": ["q", ["h"]]}'
    assert with_default_history(b"not json") == b"not json"

    seen: list[bytes] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append((await receive())["body"])
        assert dict(scope["headers"])[b"content-length"] == str(len(seen[-1])).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})

    chunks = [{"type": "http.request", "body": b'{"data": ["Who', "more_body": True},
              {"type": "http.request", "body": b' met Lavrov?"]}', "more_body": False}]  # fmt: skip

    async def receive() -> dict[str, Any]:
        return chunks.pop(0)

    async def send(message: dict[str, Any]) -> None:
        pass

    scope = {"type": "http", "method": "POST", "path": "/gradio_api/call/ask", "headers": [(b"content-length", b"31")]}
    asyncio.run(AskDefaults(inner)(scope, receive, send))
    assert json.loads(seen[0]) == {"data": ["Who met Lavrov?", None]}


def test_uploads_pass_only_with_the_maintainer_token_in_their_cookie() -> None:
    path = "/gradio_api/upload"
    assert call("POST", path, token="s3cret", cookie="qa_admin=s3cret")[1]
    assert call("POST", path, token="s3cret", cookie="theme=dark; qa_admin=s3cret")[1]  # among other cookies
    for cookie in (None, "qa_admin=wrong", "qa_admin=", "qa_admin=s3cre", "other=s3cret", 'qa_admin="unbalanced'):
        sent, reached = call("POST", path, token="s3cret", cookie=cookie)
        assert not reached and sent[0]["status"] == 403, cookie
    # no token set: nothing opens uploads, not even an empty cookie
    for cookie in ("qa_admin=", "qa_admin=anything"):
        assert not call("POST", path, token=None, cookie=cookie)[1]
        assert not call("POST", path, token="", cookie=cookie)[1]

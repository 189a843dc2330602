"""What the served app adds to every HTTP response, and the one kind of request it refuses outright.

A pure ASGI middleware (no web framework imported): every response carries a content security policy
that lets the page load and contact nothing but its own origin and be framed by no other page, plus
`X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`. Uploads
(`…/upload`) are refused with 403 before their body is read, unless the app has a maintainer token
(QA_ADMIN_TOKEN) and the request carries it in the `qa_admin` cookie the Maintain tab sets on unlocking.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The page's own scripts and styles are inline (the web framework writes them so), and it draws with data:
# and blob: URLs; nothing else, from anywhere else, is allowed, and no other page may frame it
CONTENT_SECURITY_POLICY = (
    "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
_NO_UPLOADS = b'{"error": "This app accepts no uploads."}'
ADMIN_COOKIE = "qa_admin"


def token_matches(given: str | None, token: str | None) -> bool:
    """Whether `given` is the maintainer token (compared in constant time); never when no token is set."""
    import hmac

    return bool(token) and given is not None and hmac.compare_digest(given.encode(), str(token).encode())


def cookie_value(scope: Scope, name: str) -> str | None:
    from http.cookies import CookieError, SimpleCookie
    from urllib.parse import unquote

    for key, value in scope.get("headers", []):
        if key.lower() == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except CookieError:
                return None
            if name in jar:
                return unquote(jar[name].value)
    return None


def is_upload(scope: Scope) -> bool:
    return (
        scope.get("type") == "http"
        and scope.get("method") == "POST"
        and str(scope.get("path", "")).rstrip("/").endswith("/upload")
    )


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response; uploads refused unless they carry the
    maintainer token (`admin_token`; None: refused always)."""

    def __init__(self, app: ASGIApp, admin_token: str | None = None) -> None:
        self.app = app
        self.admin_token = admin_token or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        if is_upload(scope) and not token_matches(cookie_value(scope, ADMIN_COOKIE), self.admin_token):
            await send({"type": "http.response.start", "status": 403, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(_NO_UPLOADS)).encode()), *HEADERS,
            ]})  # fmt: skip
            await send({"type": "http.response.body", "body": _NO_UPLOADS})
            return

        async def with_headers(message: Message) -> None:
            if message.get("type") == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in HEADERS if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


_ASK_CALL = "/gradio_api/call/ask"
_MAX_CALL_BYTES = 256 * 1024


class AskDefaults:
    """ASGI middleware: a raw HTTP call of `/ask` may send the question alone (`{"data": ["…"]}`); the optional
    history is filled in as null before the web framework counts the inputs (it refused such a call with
    `{"error": null}` and a traceback in the log). Bodies over 256 KB are refused with 413."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", "")).rstrip("/")
        if scope.get("type") != "http" or scope.get("method") != "POST" or not path.endswith(_ASK_CALL):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > _MAX_CALL_BYTES:
                await send({"type": "http.response.start", "status": 413, "headers": list(HEADERS)})
                await send({"type": "http.response.body", "body": b""})
                return
            if not message.get("more_body"):
                break
        body = with_default_history(body)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        await self.app(scope, replay, send)


def with_default_history(body: bytes) -> bytes:
    """`{"data": [question]}` → `{"data": [question, null]}`; any other body as it is."""
    import json

    try:
        payload = json.loads(body)
    except ValueError:
        return body
    if isinstance(payload, dict) and isinstance(payload.get("data"), list) and len(payload["data"]) == 1:
        payload["data"].append(None)
        return json.dumps(payload).encode()
    return body

"""The back office's pages, mounted in a Python web app.

A WSGI app (Flask, Django) or an ASGI app (FastAPI, Starlette), mounted at a prefix of your
choosing. You say who is acting from the request (your own session or login); the pages run as
that member, so memberkit's permission and rank rules apply unchanged::

    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    import memberkit.console

    back_office = memberkit.console.wsgi(
        hub, secret=SECRET,
        tenant=lambda environ: current_tenant_id(environ),
        actor=lambda environ: current_member_id(environ),   # None: nobody signed in
    )
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/back-office": back_office})

The console converts only: every page, form check and rule lives in the Rust core, which runs
with the GIL released (on a worker thread under ASGI).
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any, Awaitable, Callable, Dict, Iterable, Iterator, List, MutableMapping, Optional, Tuple, Union

from ._native import Console, Hub
from ._types import ConsoleResponse, Handoff

__all__ = ["Console", "ConsoleResponse", "Handoff", "wsgi", "asgi", "invitee_wsgi", "invitee_asgi"]

Environ = Dict[str, Any]
Scope = MutableMapping[str, Any]
Headers = List[Tuple[str, str]]
#: A request as the console reads it: method, mount prefix, path, query, headers, body.
Parts = Tuple[str, str, str, str, Headers, bytes]
#: What the host does with a handoff. It returns ``None`` (send the console's page), a URL
#: (send the browser there instead, with a ``303``), or headers to add (a ``Set-Cookie`` of
#: its own session; with a ``Location`` among them the browser is sent there).
OnHandoff = Callable[[Any, Handoff], Union[None, str, Iterable[Tuple[str, str]]]]

#: The largest body read (a pasted import list is the largest form).
MOST_BODY = 16 * 1024 * 1024

_REASONS = {200: "OK", 303: "See Other", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 409: "Conflict", 413: "Payload Too Large", 500: "Internal Server Error"}


def _console(hub: Union[Hub, Console], secret: Optional[bytes], options: Dict[str, Any]) -> Console:
    if isinstance(hub, Console):
        return hub
    if secret is None:
        raise TypeError("secret is required: the key that signs the console's forms")
    return Console(hub, secret, **options)


#: An answer as sent: status, headers, body, and the rest of the body still being made.
Answer = Tuple[int, Headers, bytes, Optional[Iterator[bytes]]]


def _finish(response: ConsoleResponse, request: Any, on_handoff: Optional[OnHandoff]) -> Answer:
    headers = [(n, v) for n, v in response.headers]
    if response.handoff is None or on_handoff is None:
        return response.status, headers, response.body, response.rest
    answer = on_handoff(request, response.handoff)
    added = [("location", answer)] if isinstance(answer, str) else list(answer or ())
    if any(n.lower() == "location" for n, _ in added):
        # Elsewhere, keeping the console's cookies (the invite link's is cleared).
        kept = [(n, v) for n, v in headers if n.lower() == "set-cookie"]
        return 303, kept + added + [("cache-control", "no-store")], b"", None
    return response.status, headers + added, response.body, response.rest


# ----- WSGI ---------------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


_TOO_LARGE: Answer = (413, [("content-type", "text/plain; charset=utf-8")], b"The form is too large.", None)


def _wsgi_parts(environ: Environ) -> Parts:
    headers = [(k[5:].replace("_", "-").lower(), v) for k, v in environ.items() if k.startswith("HTTP_")]
    if environ.get("CONTENT_TYPE"):
        headers.append(("content-type", environ["CONTENT_TYPE"]))
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MOST_BODY:
        raise _TooLarge()
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    path = environ.get("PATH_INFO") or "/"
    # WSGI hands the path as latin-1 decoded bytes; the console reads UTF-8.
    path = path.encode("latin-1").decode("utf-8", "replace")
    return environ["REQUEST_METHOD"], environ.get("SCRIPT_NAME", ""), path, environ.get("QUERY_STRING", ""), headers, body


def _wsgi_send(start_response: Callable[..., Any], status: int, headers: Headers, body: bytes,
               rest: Optional[Iterator[bytes]]) -> Iterable[bytes]:
    start_response(f"{status} {_REASONS.get(status, 'OK')}", headers)
    # A page still being made goes out chunk by chunk as the server iterates.
    return [body] if rest is None else itertools.chain([body], rest)


def _wsgi_app(who: Callable[[Environ], Any], answer: Callable[[Parts, Any], ConsoleResponse],
              on_handoff: Optional[OnHandoff]) -> Callable[[Environ, Callable[..., Any]], Iterable[bytes]]:
    def app(environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            parts = _wsgi_parts(environ)
        except _TooLarge:
            return _wsgi_send(start_response, *_TOO_LARGE)
        response = answer(parts, who(environ))
        return _wsgi_send(start_response, *_finish(response, environ, on_handoff))

    return app


def wsgi(
    hub: Union[Hub, Console],
    *,
    tenant: Callable[[Environ], Optional[str]],
    actor: Callable[[Environ], Optional[str]],
    secret: Optional[bytes] = None,
    on_handoff: Optional[OnHandoff] = None,
    **options: Any,
) -> Callable[[Environ, Callable[..., Any]], Iterable[bytes]]:
    """The back office as a WSGI app. ``tenant(environ)`` and ``actor(environ)`` say who is
    acting (``None``: nobody signed in, answered ``401`` or sent to ``login_url``).
    ``on_handoff(environ, handoff)`` finishes what only the host can ("Log in as": keep
    ``handoff.impersonation.token`` in the admin's session). ``options`` are the
    :class:`Console`'s (``login_url``, ``invite_links``, ``site_url``, ``templates``, ``progress_after``)."""
    console = _console(hub, secret, options)
    return _wsgi_app(lambda e: (tenant(e), actor(e)), lambda p, who: console.handle(*p, *who), on_handoff)


def invitee_wsgi(
    hub: Union[Hub, Console],
    *,
    signed_in: Callable[[Environ], Optional[str]],
    secret: Optional[bytes] = None,
    on_handoff: Optional[OnHandoff] = None,
    **options: Any,
) -> Callable[[Environ, Callable[..., Any]], Iterable[bytes]]:
    """The invitee's pages (the invite link's landing page, "your workspaces") as a WSGI app,
    mounted where your invite links point. ``signed_in(environ)`` is the email the person is
    signed in with, or ``None``. ``on_handoff`` gets ``kind == "accepted"``: return the URL of
    your sign-up or login with ``handoff.email`` filled in."""
    console = _console(hub, secret, options)
    return _wsgi_app(signed_in, lambda p, email: console.invitee(*p, email), on_handoff)


# ----- ASGI ---------------------------------------------------------------------------------

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def _asgi_parts(scope: Scope, receive: Receive) -> Parts:
    chunks: List[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MOST_BODY:
            raise _TooLarge()
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
    root = scope.get("root_path", "")
    path = scope.get("path", "/")
    # Starlette and others keep the full path and set root_path to the mount prefix.
    if root and path.startswith(root):
        path = path[len(root):] or "/"
    query = scope.get("query_string", b"").decode("latin-1")
    return scope["method"], root, path, query, headers, b"".join(chunks)


async def _asgi_send(send: Send, status: int, headers: Headers, body: bytes,
                     rest: Optional[Iterator[bytes]]) -> None:
    raw = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": rest is not None})
    if rest is None:
        return
    loop = asyncio.get_running_loop()
    while True:
        # Each chunk is waited for on a worker thread, never on the event loop.
        chunk = await loop.run_in_executor(None, next, rest, None)
        if chunk is None:
            break
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


def _asgi_app(who: Callable[[Scope], Any], answer: Callable[[Parts, Any], ConsoleResponse],
              on_handoff: Optional[OnHandoff]) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            parts = await _asgi_parts(scope, receive)
        except _TooLarge:
            return await _asgi_send(send, *_TOO_LARGE)
        asking = who(scope)
        # The core waits on the database: on a worker thread, never on the event loop.
        response = await asyncio.get_running_loop().run_in_executor(None, lambda: answer(parts, asking))
        await _asgi_send(send, *_finish(response, scope, on_handoff))

    return app


def asgi(
    hub: Union[Hub, Console],
    *,
    tenant: Callable[[Scope], Optional[str]],
    actor: Callable[[Scope], Optional[str]],
    secret: Optional[bytes] = None,
    on_handoff: Optional[OnHandoff] = None,
    **options: Any,
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The back office as an ASGI app (FastAPI / Starlette: ``app.mount("/back-office", …)``);
    as :func:`wsgi`, with the ASGI ``scope`` in place of the environ."""
    console = _console(hub, secret, options)
    return _asgi_app(lambda s: (tenant(s), actor(s)), lambda p, who: console.handle(*p, *who), on_handoff)


def invitee_asgi(
    hub: Union[Hub, Console],
    *,
    signed_in: Callable[[Scope], Optional[str]],
    secret: Optional[bytes] = None,
    on_handoff: Optional[OnHandoff] = None,
    **options: Any,
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The invitee's pages as an ASGI app; see :func:`invitee_wsgi`."""
    console = _console(hub, secret, options)
    return _asgi_app(signed_in, lambda p, email: console.invitee(*p, email), on_handoff)

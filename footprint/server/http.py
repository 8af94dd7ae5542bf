"""What every route needs: the body limit, reading JSON, and every error as one line with its status.

Every error is a JSON object ``{"code": ..., "message": ...}`` with one line of message and
no stack trace: a body over :data:`MAX_BODY` bytes is 413, malformed JSON or a bad field
400, a missing, unknown, expired or revoked token 401, a forbidden move 403, an entry or
record the caller may not see 404 (its existence is not told), a move the review rules
forbid 409 (a wrong state, or an entry whose checks find an error at submit or validate),
anything unforeseen 500 ("internal error", logged on the server).
The codes are PACT's where PACT has one (BadRequest, AccessDenied, NoSuchFootprint,
TokenExpired, InternalError); PACT has none for 409, which is ``Conflict``.
"""

from __future__ import annotations

import json
import logging

from footprint.errors import FootprintError, OptionError, UnitError, one_line

#: Largest request body [bytes]: an entry with a PACT footprint is a few kB.
MAX_BODY = 64 * 1024
#: Deepest JSON nesting accepted in a body.
MAX_DEPTH = 32

log = logging.getLogger("footprint.server")


class ServerError(FootprintError):
    """An answer other than 200, with its HTTP status and code."""

    def __init__(self, status: int, code: str, message: str):
        self.status, self.code = status, code
        super().__init__(one_line(" ".join(str(message).split()))[:500])


class BodyTooLarge(ServerError):
    def __init__(self):
        super().__init__(413, "BadRequest", f"request body over {MAX_BODY} bytes; expected at most {MAX_BODY}")


def classify(exc: Exception) -> ServerError:
    """The HTTP answer for a library error."""
    from footprint.registry.db import RegistryError
    from footprint.registry.workflow import TransitionError
    from footprint.shareddb.entries import AccessError, ReviewError
    from footprint.shareddb.tokens import AuthError

    if isinstance(exc, ServerError):
        return exc
    message = str(exc)
    if isinstance(exc, AuthError):
        return ServerError(401, "TokenExpired" if message.startswith("expired") else "AccessDenied", message)
    if isinstance(exc, AccessError):
        if "not in the shared database" in message:
            return ServerError(404, "NoSuchFootprint", message)
        return ServerError(403, "AccessDenied", message)
    if isinstance(exc, (ReviewError, TransitionError)):
        return ServerError(409, "Conflict", message)
    if isinstance(exc, RegistryError):
        return ServerError(503, "InternalError", "the registry is not available; try again")
    if isinstance(exc, (UnitError, OptionError, FootprintError, ValueError)):
        return ServerError(400, "BadRequest", message)
    return ServerError(500, "InternalError", "internal error")


def _depth(value, limit):
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return True


async def read_json(request, *, expected=dict):
    """The request's body as JSON of the ``expected`` type, or a 400 that says why in one line."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise BodyTooLarge()
    if not raw.strip():
        raise ServerError(400, "BadRequest", "empty body; expected a JSON object")
    try:
        value = json.loads(raw)
    except UnicodeDecodeError:
        raise ServerError(400, "BadRequest", "body is not UTF-8; expected a JSON object") from None
    except json.JSONDecodeError as exc:
        raise ServerError(400, "BadRequest", f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ServerError(400, "BadRequest", "JSON nested too deep") from None
    if not _depth(value, MAX_DEPTH):
        raise ServerError(400, "BadRequest", f"JSON nested deeper than {MAX_DEPTH} levels")
    if not isinstance(value, expected):
        raise ServerError(400, "BadRequest", f"got a JSON {type(value).__name__}; expected a JSON object")
    return value


class LimitBody:
    """ASGI middleware: a body over :data:`MAX_BODY` bytes is refused with 413 before the app reads it all."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return await _send_error(send, BodyTooLarge() if length.isdigit() else
                                     ServerError(400, "BadRequest", "Content-Length is not a number"))
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY:
                    raise BodyTooLarge()
            return message

        return await self.app(scope, limited, send)


async def _send_error(send, error: ServerError):
    body = json.dumps({"code": error.code, "message": str(error)}).encode("utf-8")
    await send({"type": "http.response.start", "status": error.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def json_response(data, *, status: int = 200, headers: dict | None = None):
    """JSON as the standard library writes it: large lists of footprints skip FastAPI's slower generic encoder."""
    from fastapi.responses import Response

    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def error_response(error: ServerError):
    from fastapi.responses import JSONResponse

    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return JSONResponse({"code": error.code, "message": str(error)}, status_code=error.status, headers=headers)

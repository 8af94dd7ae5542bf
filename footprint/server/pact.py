"""PACT Technical Specification 2.x endpoints: /auth/token, GET /2/footprints, GET /2/footprints/{id}, POST /2/events.

``/auth/token`` is OAuth 2 client credentials: HTTP Basic with the organisation's name as
client id and one of its API tokens as client secret, form body
``grant_type=client_credentials``; the answer is an access token of one hour
(:data:`footprint.shareddb.tokens.ACCESS_SECONDS`). The other endpoints take any valid
token as ``Bearer``. Pagination: ``limit`` (1..1000) and a ``Link: <...>; rel="next"``
header while more follow.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from footprint.server.api import caller
from footprint.server.http import MAX_BODY, BodyTooLarge, ServerError, json_response, read_json

router = APIRouter()
#: Most footprints on one page.
MAX_LIMIT = 1000


@router.post("/auth/token")
async def auth_token(request: Request):
    from footprint.shareddb.tokens import ACCESS_SECONDS, AuthError, authenticate, issue_token

    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise ServerError(401, "AccessDenied", "expected HTTP Basic authentication: client id and secret")
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise ServerError(400, "BadRequest", "the Basic credentials are not base64 of 'id:secret'") from None
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise BodyTooLarge()
    try:
        form = parse_qs(raw.decode("utf-8"), strict_parsing=bool(raw))
    except (UnicodeDecodeError, ValueError):
        raise ServerError(400, "BadRequest", "the body is not a form (application/x-www-form-urlencoded)") from None
    if form.get("grant_type") != ["client_credentials"]:
        raise ServerError(400, "BadRequest", "grant_type: expected client_credentials")
    registry = request.app.state.registry
    who = await run_in_threadpool(authenticate, secret, registry=registry)
    if who.organisation != client_id:
        raise AuthError("the client id is not the secret's organisation")
    issued = await run_in_threadpool(issue_token, who.organisation, seconds=ACCESS_SECONDS, label="access", registry=registry)
    return {"access_token": issued["token"], "token_type": "bearer", "expires_in": ACCESS_SECONDS}


@router.get("/2/footprints")
async def footprints(request: Request, limit: int = 100, offset: int = 0):
    from footprint.shareddb.pact import list_footprints

    who = await caller(request)
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise ServerError(400, "BadRequest", f"limit: expected 1 to {MAX_LIMIT}, offset 0 or more; got {limit}, {offset}")
    wanted = request.query_params.get("$filter")
    found, more = await run_in_threadpool(list_footprints, viewer=who.organisation, filter=wanted, limit=limit, offset=offset,
                                          registry=request.app.state.registry)
    headers = {}
    if more:
        query = {"limit": limit, "offset": offset + limit, **({"$filter": wanted} if wanted else {})}
        headers["Link"] = f'<{request.url.scheme}://{request.url.netloc}/2/footprints?{urlencode(query)}>; rel="next"'
    return json_response({"data": found}, headers=headers)


@router.get("/2/footprints/{pf_id}")
async def footprint(request: Request, pf_id: str):
    from footprint.shareddb.pact import get_footprint

    who = await caller(request)
    found = await run_in_threadpool(get_footprint, pf_id, viewer=who.organisation, registry=request.app.state.registry)
    return json_response({"data": found})


@router.post("/2/events")
async def events(request: Request):
    from footprint.shareddb.pact import record_event

    who = await caller(request)
    event = await read_json(request)
    await run_in_threadpool(record_event, event, sender=who.organisation, registry=request.app.state.registry)
    return Response(status_code=200)

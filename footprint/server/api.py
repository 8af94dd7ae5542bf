"""The shared database and the registry over HTTP, for members with a token.

Routes (JSON; ``Authorization: Bearer <token>``):

- ``GET /shared/entries`` (``?state=``, ``?kind=``), ``GET /shared/entries/{ref}``: what the
  caller may see (:func:`footprint.shareddb.entries.visible`);
- ``POST /shared/entries``: a draft owned by the caller's organisation;
- ``POST /shared/entries/{ref}/submit | validate | reject | publish | withdraw | share``, with
  ``{"by": person, "reason": ..., "with": organisation}`` as each needs;
- ``GET /shared/resolve/{ref}?as_of=YYYY-MM-DD``: what a calculation gets, or why not;
- ``GET /registry/certificates``, ``GET /registry/certificates/{number}``: certification
  records, to the certificate's holder, its certification body and the operator only (404
  to anyone else: another organisation's records are not told to exist).

The caller's organisation always comes from the token, never from the body.
"""

from __future__ import annotations

import datetime as _dt

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from footprint.server.http import ServerError, json_response, read_json

router = APIRouter()


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def caller(request: Request):
    """Who is calling (the token's organisation and role); 401 without a valid token."""
    from footprint.shareddb.tokens import authenticate

    return await run_in_threadpool(authenticate, bearer(request), registry=request.app.state.registry)


def _text(body, key, *, required=True):
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ServerError(400, "BadRequest", f"{key}: got {value!r:.60}; expected text")
    return value


@router.get("/shared/entries")
async def list_entries(request: Request, state: str | None = None, kind: str | None = None):
    from footprint.shareddb import list_entries as run

    who = await caller(request)
    rows = await run_in_threadpool(run, viewer=who.organisation, state=state, kind=kind, registry=request.app.state.registry)
    return json_response({"data": rows})


@router.get("/shared/entries/{ref}")
async def show_entry(request: Request, ref: str):
    from footprint.shareddb import show_entry as run

    who = await caller(request)
    return await run_in_threadpool(run, ref, viewer=who.organisation, registry=request.app.state.registry)


@router.post("/shared/entries", status_code=201)
async def add_entry(request: Request):
    from footprint.shareddb import add_entry as run

    who = await caller(request)
    body = await read_json(request)
    return await run_in_threadpool(run, body, owner=who.organisation, registry=request.app.state.registry)


@router.post("/shared/entries/{ref}/{action}")
async def move_entry(request: Request, ref: str, action: str):
    import footprint.shareddb as shared

    who = await caller(request)
    body = await read_json(request)
    registry = request.app.state.registry
    org = who.organisation
    if action == "submit":
        call = lambda: shared.submit(ref, by=org, registry=registry)  # noqa: E731
    elif action == "validate":
        person = _text(body, "by")
        call = lambda: shared.validate(ref, reviewer=org, by=person, registry=registry)  # noqa: E731
    elif action == "reject":
        person, reason = _text(body, "by"), _text(body, "reason")
        call = lambda: shared.reject(ref, reviewer=org, by=person, reason=reason, registry=registry)  # noqa: E731
    elif action == "publish":
        call = lambda: shared.publish(ref, by=org, registry=registry)  # noqa: E731
    elif action == "withdraw":
        reason = _text(body, "reason")
        call = lambda: shared.withdraw(ref, by=org, reason=reason, registry=registry)  # noqa: E731
    elif action == "share":
        other = _text(body, "with")
        call = lambda: shared.share(ref, by=org, with_organisation=other, registry=registry)  # noqa: E731
    else:
        raise ServerError(404, "BadRequest", f"no action {action!r:.40}; expected submit, validate, reject, publish, withdraw "
                                             "or share")
    return await run_in_threadpool(call)


@router.get("/shared/resolve/{ref}")
async def resolve(request: Request, ref: str, as_of: str | None = None):
    from footprint.fileio import parse_date
    from footprint.shareddb import resolve_entry

    who = await caller(request)
    day = parse_date(as_of, where="as_of", today=_dt.date.today())
    data, provenance = await run_in_threadpool(resolve_entry, ref, as_of=day, organisation=who.organisation,
                                               registry=request.app.state.registry)
    data.pop("quantity")
    return {"data": data, "provenance": provenance}


def certificate_readers(record: dict) -> set:
    """The organisations that may read a certificate's records: its holder and its certification body."""
    return {record["holder"], record["body"]}


@router.get("/registry/certificates")
async def list_certificates(request: Request):
    from footprint.registry.records import list_records

    who = await caller(request)
    rows = await run_in_threadpool(list_records, registry=request.app.state.registry)
    if who.role != "operator":
        bodies = await run_in_threadpool(_bodies, [row["certificate"] for row in rows], request.app.state.registry)
        rows = [row for row in rows if who.organisation in (row["holder"], bodies.get(row["certificate"]))]
    return {"data": rows}


def _bodies(numbers, registry):
    from sqlalchemy import select

    from footprint.registry.db import transaction
    from footprint.registry.models import Certificate, Organisation

    if not numbers:
        return {}
    with transaction(registry, write=False) as session:
        query = select(Certificate.number, Organisation.name).join(Organisation, Organisation.id == Certificate.body_id)
        return dict(session.execute(query.where(Certificate.number.in_(numbers))).all())


@router.get("/registry/certificates/{number}")
async def show_certificate(request: Request, number: str):
    from footprint.errors import InputError
    from footprint.registry.records import show

    who = await caller(request)
    hidden = ServerError(404, "NoSuchFootprint", f"certificate {number!r:.80}: not in the registry")
    try:
        record = await run_in_threadpool(show, number, registry=request.app.state.registry)
    except InputError:
        raise hidden from None
    if "certificate" not in record or "holder" not in record:  # an application number: not served here
        raise hidden
    if who.role != "operator" and who.organisation not in certificate_readers(record):
        raise hidden
    return record

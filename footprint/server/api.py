"""The shared database and the registry over HTTP, for members with a token.

Routes (JSON; ``Authorization: Bearer <token>``):

- ``GET /shared/entries`` (``?state=``, ``?kind=``), ``GET /shared/entries/{ref}``: what the
  caller may see (:func:`footprint.shareddb.entries.visible`);
- ``POST /shared/entries``: a draft owned by the caller's organisation;
- ``POST /shared/certified/{number}``: a draft of a valid certificate's footprint (its holder or the operator);
- ``POST /shared/entries/{ref}/submit | validate | reject | publish | withdraw | share``, with
  ``{"by": person, "reason": ..., "with": organisation}`` as each needs;
- ``GET /shared/resolve/{ref}?as_of=YYYY-MM-DD``: what a calculation gets, or why not;
- ``GET /registry/certificates`` and ``GET /registry/applications`` (``?state=``, ``?scheme=``),
  ``GET /registry/certificates/{number}``, ``GET /registry/records/{number}`` (a certificate or
  an application), ``GET /registry/log?subject=``: certification records, to the certificate's
  holder (the application's applicant), its certification body and the operator only (404 to
  anyone else: another organisation's records are not told to exist); the whole log and
  ``?verify=true`` (the chain's check) to the operator only;
- ``GET /registry/status/{number}?sha256=&key=``: a certificate's standing for ``footprint
  verify`` (public, as the verification page: status, body, dates, whether the key is the
  body's and the digest the issued one's).

The caller's organisation always comes from the token, never from the body. A client may
say which organisation it means to act for (``?as=``, the command line's ``--by``,
``--owner``, ``--reviewer``): anything but the token's is refused (403), nothing written.
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


def acting(request: Request, who) -> None:
    """Refuse (403) a request whose ``?as=`` names another organisation than the token's: a wrong token acts for no one."""
    claimed = request.query_params.get("as")
    if claimed is not None and " ".join(claimed.split()) != who.organisation:
        raise ServerError(403, "AccessDenied", f"the token speaks for {who.organisation}, not for {' '.join(claimed.split())[:80]}; "
                                               "use that organisation's token")


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
    acting(request, who)
    body = await read_json(request)
    return await run_in_threadpool(run, body, owner=who.organisation, registry=request.app.state.registry)


@router.post("/shared/certified/{number}", status_code=201)
async def add_certified(request: Request, number: str):
    from footprint.shareddb import add_certified as run

    who = await caller(request)
    acting(request, who)
    return await run_in_threadpool(run, number, by=who.organisation, registry=request.app.state.registry)


@router.post("/shared/entries/{ref}/{action}")
async def move_entry(request: Request, ref: str, action: str):
    import footprint.shareddb as shared

    who = await caller(request)
    acting(request, who)
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


def record_readers(record: dict) -> set:
    """Who may read a record of :func:`footprint.registry.records.show`: a certificate's holder and body, an application's
    applicant and body."""
    if "certificate" in record and "holder" in record:
        return certificate_readers(record)
    return {record["applicant"], record["body"]}


@router.get("/registry/certificates")
async def list_certificates(request: Request, state: str | None = None, scheme: str | None = None):
    return await _list_records(request, applications=False, state=state, scheme=scheme)


@router.get("/registry/applications")
async def list_applications(request: Request, state: str | None = None, scheme: str | None = None):
    return await _list_records(request, applications=True, state=state, scheme=scheme)


async def _list_records(request, *, applications, state, scheme):
    from footprint.registry.records import list_records

    who = await caller(request)
    rows = await run_in_threadpool(list_records, applications=applications, state=state, scheme=scheme,
                                   registry=request.app.state.registry)
    if who.role != "operator":
        key = "application" if applications else "certificate"
        readers = await run_in_threadpool(_readers, applications, [row[key] for row in rows], request.app.state.registry)
        rows = [row for row in rows if who.organisation in readers.get(row[key], ())]
    return json_response({"data": rows})


def _readers(applications, numbers, registry):
    """number -> the organisations that may read it (holder or applicant, and body)."""
    from sqlalchemy import select

    from footprint.registry.db import transaction
    from footprint.registry.models import Application, Certificate, Organisation

    if not numbers:
        return {}
    model, party = (Application, Application.applicant_id) if applications else (Certificate, Certificate.holder_id)
    with transaction(registry, write=False) as session:
        names = {row.id: row.name for row in session.scalars(select(Organisation))}
        query = select(model.number, party, model.body_id).where(model.number.in_(numbers))
        return {number: {names[one], names[body]} for number, one, body in session.execute(query).all()}


async def _readable(request, who, number):
    """The record of ``number`` if ``who`` may read it; 404 otherwise (its existence is not told)."""
    from footprint.errors import InputError
    from footprint.registry.records import show

    hidden = ServerError(404, "NoSuchFootprint", f"{number!r:.80}: no certificate or application of that number in the registry")
    try:
        record = await run_in_threadpool(show, number, registry=request.app.state.registry)
    except InputError:
        raise hidden from None
    if who.role != "operator" and who.organisation not in record_readers(record):
        raise hidden
    return record


@router.get("/registry/certificates/{number}")
async def show_certificate(request: Request, number: str):
    who = await caller(request)
    record = await _readable(request, who, number)
    if "certificate" not in record or "holder" not in record:  # an application number: /registry/records serves it
        raise ServerError(404, "NoSuchFootprint", f"certificate {number!r:.80}: not in the registry")
    return json_response(record)


@router.get("/registry/records/{number}")
async def show_record(request: Request, number: str):
    who = await caller(request)
    return json_response(await _readable(request, who, number))


@router.get("/registry/log")
async def event_log(request: Request, subject: str | None = None, verify: bool = False):
    from footprint.registry.records import log

    who = await caller(request)
    if who.role != "operator":
        if verify:
            raise ServerError(403, "AccessDenied", "the chain's check covers every organisation's records: the operator's")
        if not subject:
            raise ServerError(403, "AccessDenied", "the whole log is the operator's; ask for the log of one of your records "
                                                   "(?subject=NUMBER)")
        await _readable(request, who, subject)
    found = await run_in_threadpool(log, subject=subject, verify=verify, registry=request.app.state.registry)
    if who.role != "operator":  # exactly that record's events (the query matches a suffix)
        found["events"] = [event for event in found["events"] if event["subject"].partition(":")[2] == subject]
    return json_response(found)


@router.get("/registry/status/{number}")
async def certificate_status(request: Request, number: str, sha256: str | None = None, key: str | None = None):
    """Public, as /verify/{number}: what ``footprint verify CERTIFICATE.json --registry https://...`` reports."""
    from footprint.registry.records import certificate_status as run

    document = {"number": number.strip()[:80]}
    signer = {"fingerprint": key} if key else None
    return json_response(await run_in_threadpool(run, document, signer=signer, document_sha256=sha256,
                                                 registry=request.app.state.registry))

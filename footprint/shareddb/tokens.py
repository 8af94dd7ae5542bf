"""API tokens of organisations: issued once, kept only as their SHA-256, ending on a date-time.

A token is 32 random bytes (URL-safe base64, 43 characters) prefixed ``fp_``; the database
keeps its SHA-256, so a copy of the database gives no one a way in. ``authenticate`` answers
who holds a token and with which role, or why it is refused (unknown, expired, revoked).
Access tokens of the PACT ``/auth/token`` endpoint are tokens of the same kind with a
short life.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from footprint.errors import FootprintError, OptionError
from footprint.registry import store
from footprint.registry.events import append as append_event
from footprint.registry.models import Organisation
from footprint.shareddb.db import transaction
from footprint.shareddb.models import ApiToken, Member

PREFIX = "fp_"
#: Life of an access token of /auth/token [s] (PACT's example answers carry an hour).
ACCESS_SECONDS = 3600
#: Longest life of an API token [days].
MAX_DAYS = 3650


class AuthError(FootprintError, PermissionError):
    """A token that is missing, unknown, expired or revoked (the server answers 401)."""


@dataclass(frozen=True)
class Caller:
    """Who a token speaks for."""

    organisation: str
    organisation_id: int
    role: str | None


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(organisation: str, *, days: float = 365, seconds: float | None = None, label: str = "api",
                registry=None) -> dict:
    """A new token for an organisation that has a role; the token is in the answer only, never stored.

    Raises
    ------
    OptionError
        An organisation without a role, or a life outside 1 second .. :data:`MAX_DAYS` days.
    """
    life = _dt.timedelta(seconds=seconds) if seconds is not None else _dt.timedelta(days=days)
    if not _dt.timedelta(seconds=1) <= life <= _dt.timedelta(days=MAX_DAYS):
        given = f"{seconds:g} s" if seconds is not None else f"{days:g}"  # as the caller wrote it, not a timedelta
        raise OptionError("seconds" if seconds is not None else "days",
                          f"got {given}; expected a life of 1 s to {MAX_DAYS} days")
    token = PREFIX + secrets.token_urlsafe(32)
    created = _now()
    expires = created + life
    with transaction(registry) as session:
        org = store.organisation(session, organisation, create=False)
        if session.get(Member, org.id) is None:
            raise OptionError("organisation", f"{org.name} has no role; give it one first (footprint shared role)")
        session.add(ApiToken(organisation_id=org.id, token_sha256=token_sha256(token), label=str(label)[:200],
                             created_at=created.isoformat(timespec="seconds"), expires_at=expires.isoformat(timespec="seconds"),
                             revoked=0))
        if label != "access":  # access tokens come and go every hour: not history
            append_event(session, actor=org.name, action="shared.token", subject=f"organisation:{org.id}",
                         data={"label": label, "expires_at": expires.isoformat(timespec="seconds")})
    return {"organisation": org.name, "token": token, "expires_at": expires.isoformat(timespec="seconds"), "label": label}


def revoke_tokens(organisation: str, *, registry=None) -> int:
    """Revoke every token of an organisation; how many were revoked."""
    with transaction(registry) as session:
        org = store.organisation(session, organisation, create=False)
        rows = session.scalars(select(ApiToken).where(ApiToken.organisation_id == org.id, ApiToken.revoked == 0)).all()
        for row in rows:
            row.revoked = 1
        append_event(session, actor=org.name, action="shared.revoke", subject=f"organisation:{org.id}",
                     data={"tokens": len(rows)})
    return len(rows)


def authenticate(token: str | None, *, registry=None) -> Caller:
    """Who holds ``token``.

    Raises
    ------
    AuthError
        No token, an unknown one, an expired or a revoked one, or an organisation without a role.
    """
    if not token:
        raise AuthError("no token; send 'Authorization: Bearer <token>'")
    if not token.startswith(PREFIX) or len(token) > 200:
        raise AuthError("unknown token")
    with transaction(registry, write=False) as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_sha256(token)))
        if row is None:
            raise AuthError("unknown token")
        if row.revoked:
            raise AuthError("revoked token")
        if _dt.datetime.fromisoformat(row.expires_at) <= _now():
            raise AuthError(f"expired token (expired {row.expires_at})")
        org = session.get(Organisation, row.organisation_id)
        member = session.get(Member, org.id)
        return Caller(org.name, org.id, member.role if member else None)

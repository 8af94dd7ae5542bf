"""The registry's history: every change appends an event, each event chained to the one before by hash.

An event's hash is the SHA-256 of the canonical JSON of ``[seq, at, actor, action, subject,
data, prev_hash]`` (``data`` as stored: canonical JSON text), and ``prev_hash`` is the previous
event's hash (64 zeros for the first). :func:`verify_chain` recomputes every hash and link:
a changed event no longer matches its hash, a removed one leaves a gap in the numbers or a
broken link, a reordered one breaks the links, and the chain head (the last number and hash,
kept in its own row) shows a removed last event. The table itself refuses UPDATE and DELETE
(triggers of the first migration).

The chain proves the history was not rewritten by anyone who could not also recompute every
later hash; the hashes carried by signed certificates (``registry_event``) anchor it outside
the database.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import select

from footprint.registry.models import ChainHead, Event
from footprint.signing import canonical_json

GENESIS = "0" * 64


def event_hash(seq: int, at: str, actor: str, action: str, subject: str, data: str, prev_hash: str) -> str:
    """The SHA-256 (hex) that chains an event."""
    return hashlib.sha256(canonical_json([seq, at, actor, action, subject, data, prev_hash])).hexdigest()


def append(session, *, actor: str, action: str, subject: str, data: dict) -> Event:
    """Append one event after the chain's head, in the caller's transaction (which holds the write lock)."""
    head = session.get(ChainHead, 1)
    seq, previous = (head.seq + 1, head.hash) if head else (1, GENESIS)
    at = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")
    text = canonical_json(data).decode("utf-8")
    event = Event(seq=seq, at=at, actor=actor, action=action, subject=subject, data=text, prev_hash=previous,
                  hash=event_hash(seq, at, actor, action, subject, text, previous))
    session.add(event)
    if head is None:
        session.add(ChainHead(id=1, seq=seq, hash=event.hash))
    else:
        head.seq, head.hash = seq, event.hash
    session.flush()
    return event


@dataclass
class ChainCheck:
    """What :func:`verify_chain` found."""

    ok: bool
    events: int
    head: dict = field(default_factory=dict)  # seq, hash
    problems: list = field(default_factory=list)

    def to_dict(self):
        return asdict(self)


def verify_chain(session) -> ChainCheck:
    """Recompute every event's hash and link, and compare the last one with the chain head."""
    problems = []
    previous_seq, previous_hash = 0, GENESIS
    count = 0
    for event in session.scalars(select(Event).order_by(Event.seq)):
        count += 1
        if event.seq != previous_seq + 1:
            problems.append(f"event {previous_seq + 1}" + (f" to {event.seq - 1}" if event.seq - 1 > previous_seq + 1 else "")
                            + f": missing (the numbers jump from {previous_seq} to {event.seq})")
        expected = event_hash(event.seq, event.at, event.actor, event.action, event.subject, event.data, event.prev_hash)
        if expected != event.hash:
            problems.append(f"event {event.seq} ({event.action} {event.subject}): changed (its content no longer matches its hash)")
        if event.prev_hash != previous_hash:
            problems.append(f"event {event.seq}: does not follow event {previous_seq} (its previous hash differs): an event "
                            "before it was changed, removed or moved")
        previous_seq, previous_hash = event.seq, event.hash
    head = session.get(ChainHead, 1)
    if head is None and count:
        problems.append("the chain head is missing")
    elif head is not None and (head.seq != previous_seq or head.hash != previous_hash):
        problems.append(f"the chain head names event {head.seq} ({head.hash[:16]}...), the last event is {previous_seq}: "
                        "the last event(s) were removed or changed")
    return ChainCheck(not problems, count, {"seq": head.seq, "hash": head.hash} if head else {}, problems)


def event_dict(event: Event) -> dict:
    """An event as plain data (``data`` parsed)."""
    return {"seq": event.seq, "at": event.at, "actor": event.actor, "action": event.action, "subject": event.subject,
            "data": json.loads(event.data), "prev_hash": event.prev_hash, "hash": event.hash}

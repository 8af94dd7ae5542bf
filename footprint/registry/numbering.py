"""Numbers of applications, certificates, findings and label licences: unique, gapless per series, under concurrency.

A series (``CN-CFP-2026`` for the cn-cfp certificates issued in 2026) is one row of
``counters``, read and advanced inside the caller's write transaction: the registry's write
lock (:func:`footprint.registry.db.transaction`) lets one writer at a time through, and the
unique constraint on each number stays as the last guard. A transaction rolled back (a
refused move, a killed process) gives its number back: numbers have no gaps.
"""

from __future__ import annotations

import re

from footprint.registry.models import Counter


def next_number(session, series: str) -> int:
    """The next number of ``series`` (1 for a new series), taken in the caller's transaction."""
    counter = session.get(Counter, series)
    if counter is None:
        counter = Counter(name=series, value=1)
        session.add(counter)
    else:
        counter.value += 1
    session.flush()
    return counter.value


def scheme_prefix(scheme: str) -> str:
    """A certificate number's prefix from a scheme id: ``cn-cfp`` -> ``CN-CFP``."""
    return re.sub(r"[^A-Z0-9]+", "-", scheme.upper()).strip("-") or "CERT"


def certificate_number(session, scheme: str, year: int) -> str:
    """``CN-CFP-2026-000001``: the scheme, the year of issue, the number in that series."""
    series = f"{scheme_prefix(scheme)}-{year}"
    return f"{series}-{next_number(session, series):06d}"


def application_number(session, year: int) -> str:
    """``APP-2026-000001``."""
    return f"APP-{year}-{next_number(session, f'APP-{year}'):06d}"


def finding_number(session, parent: str) -> str:
    """``APP-2026-000001-F03`` or ``CN-CFP-2026-000001-F01``: the findings of one application or certificate."""
    return f"{parent}-F{next_number(session, f'F:{parent}'):02d}"


def licence_number(session, certificate: str) -> str:
    """``CN-CFP-2026-000001-L01``: the label licences of one certificate."""
    return f"{certificate}-L{next_number(session, f'L:{certificate}'):02d}"

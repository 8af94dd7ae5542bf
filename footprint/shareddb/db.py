"""The shared database's transactions: the registry's (same database, same migrations, same write lock).

The shared tables are created by the registry's migration ``0002``
(``footprint/registry/migrations/versions/0002_shared.py``): a new registry gets them at first
use, a registry at 0001 is refused until ``footprint registry upgrade``, as for every revision
(:func:`footprint.registry.db.check_schema`).
"""

from __future__ import annotations

import contextlib
import os

from footprint.registry import db as registry_db
from footprint.registry.db import transaction as registry_transaction


def ensure_schema(registry: str | os.PathLike | None = None):
    """The registry's engine, its schema checked (and created in an empty database), so the shared tables are there.

    Raises
    ------
    RegistryError
        The registry cannot be used, or it is at a revision other than this code's.
    """
    return registry_db.engine(registry)


@contextlib.contextmanager
def transaction(registry: str | os.PathLike | None = None, *, write: bool = True):
    """The registry's transaction (:func:`footprint.registry.db.transaction`)."""
    with registry_transaction(registry, write=write) as session:
        yield session

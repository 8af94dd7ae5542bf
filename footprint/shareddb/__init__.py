"""The shared database: certified footprints, supplier declarations and base data, reviewed and versioned (``ID@N``).

Same database and migrations as the certification registry (:mod:`footprint.registry`);
docs/server.md. The functions are the ``footprint shared`` commands.
"""

from footprint.shareddb.checks import KINDS, EntryError, Finding, check_plausible, check_schema
from footprint.shareddb.entries import (
    ROLES,
    STATES,
    AccessError,
    ReviewError,
    add_certified,
    add_entry,
    list_entries,
    monitor,
    parse_ref,
    publish,
    reject,
    resolve_entry,
    resolver,
    set_role,
    share,
    show_entry,
    submit,
    validate,
    withdraw,
)
from footprint.shareddb.impact import data_impact, impact, successor

__all__ = ["KINDS", "ROLES", "STATES", "AccessError", "EntryError", "Finding", "ReviewError", "add_certified", "add_entry", "check_plausible",
           "check_schema", "data_impact", "impact", "list_entries", "monitor", "parse_ref", "publish", "reject", "resolve_entry", "resolver", "set_role", "share",
           "show_entry", "submit", "successor", "validate", "withdraw"]

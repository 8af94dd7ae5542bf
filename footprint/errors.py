"""The library's errors.

Users catch :class:`FootprintError`. Each subclass also subclasses the built-in exception
that fits, so code that expects a ``ValueError`` or ``OSError`` keeps working.

Every message is one line that names where the problem is (file, YAML path or
sheet/row/column), the value seen and what was expected.
"""


class FootprintError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(FootprintError, ValueError):
    """A product file, workbook or option holds a value that cannot be used."""


class UnitError(InputError):
    """A quantity has no unit, an unknown unit, or a unit of the wrong dimension."""


class DataError(FootprintError, ValueError):
    """A bundled or user-supplied data file (inventories/, methods/) is malformed."""


class SetupError(FootprintError, RuntimeError):
    """The data directory or the Brightway project is missing, stale or locked."""


def located(where, message):
    """Return ``"where: message"``, the one-line shape of every error message."""
    return f"{where}: {message}" if where else message

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


def show(value, limit=60):
    """A value as a message shows it: quoted, control characters escaped, at most ``limit`` characters.

    Bounded in time too: a huge list or mapping is cut before it is turned into text.
    """
    if isinstance(value, str):
        text = f"'{value}'" if value.isprintable() else repr(value)
    elif isinstance(value, (list, tuple, dict, set)):
        import reprlib

        shower = reprlib.Repr()
        shower.maxlevel, shower.maxlist, shower.maxdict, shower.maxstring, shower.maxother = 3, 6, 6, limit, limit
        text = shower.repr(value)
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def one_line(text):
    """``text`` with control characters (a newline in a YAML key ...) shown as escapes: a message stays one line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == " " else repr(char)[1:-1] for char in text)


def located(where, message):
    """Return ``"where: message"``, the one-line shape of every error message."""
    return f"{where}: {message}" if where else message


class OptionError(InputError):
    """A keyword argument (an option, on the command line) has a value that cannot be used.

    ``option`` is the argument's name (``per``, ``as_of``); the message reads
    ``"per: got 'furlong'; expected ..."``, and the command line shows it as ``--per``.
    """

    def __init__(self, option, message):
        self.option = option
        self.detail = message
        super().__init__(f"{option}: {message}")


class OutputExistsError(InputError):
    """An output file or folder exists, and replacing it was not asked for (``overwrite``; ``--force``)."""


class UnitMismatch(UnitError):
    """The value is not a quantity in the expected unit: another dimension, or no quantity at
    all (None, empty, unreadable). A caller that accepts several units tries the next; every
    other :class:`UnitError` (unknown unit, a comma, no unit, not finite) is the answer."""


class WorkbookError(InputError):
    """The workbooks hold errors; ``problems`` lists every error and warning found, in reading order."""

    def __init__(self, files, problems):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        warnings = [p for p in self.problems if p.severity != "error"]
        lines = [f"{files}: {len(errors)} error{'s' if len(errors) != 1 else ''}; nothing was imported "
                 "(fix them all and run again):"]
        lines += [f"  {p}" for p in errors] + [f"  warning: {p}" for p in warnings]
        super().__init__("\n".join(lines))


class WorkbookWarning(UserWarning):
    """A value of a workbook that was imported but looks wrong (outlier, ambiguous unit)."""


class ProductWarning(UserWarning):
    """A value of a product file or dict that was read but looks wrong (outlier, unusual efficiency or cell-to-module ratio)."""

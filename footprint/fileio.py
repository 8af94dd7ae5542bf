"""Files in and out: reading with one-line errors, atomic writes, dates.

Every file the library reads goes through :func:`read_bytes` (and :func:`load_yaml`,
:func:`load_json` or :func:`decode_text` for its text), so that a missing, unreadable,
oversized or mis-encoded file gives the same one-line message everywhere: the path, what
went wrong, and what kind of file was expected.

Every file the library writes goes through :func:`atomic_write` or :func:`atomic_path`:
the new content is written under a temporary name in the same folder and renamed into
place, so a failure (or a killed process) leaves the old file or the new one, never a mix.

Dates given by users are read by :func:`parse_date`; :func:`add_years` moves a date by
whole years the way validity periods count them.
"""

import contextlib
import datetime as _dt
import json
import os
from pathlib import Path

import yaml

from footprint.errors import InputError, OptionError

#: Largest input file read whole [bytes]: product, site, supplier, scheme and CSV files are
#: kilobytes; this only stops ``/dev/zero`` or a wrong file from filling the memory.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def read_bytes(path, *, what, limit=MAX_INPUT_BYTES):
    """Read a whole input file.

    Parameters
    ----------
    path : str or Path
    what : str
        What the file should be, for messages ("a YAML product file").
    limit : int
        Largest size read [bytes].

    Raises
    ------
    InputError
        No such file, a folder, unreadable, or larger than ``limit``.
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; expected {what}") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; expected {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc}); expected {what}") from None
    if len(data) > limit:
        raise InputError(f"{path}: larger than {limit // (1024 * 1024)} MiB; expected {what}")
    return data


def decode_text(raw, source, *, what):
    """UTF-8 text of a file's bytes (a byte-order mark is dropped).

    Raises
    ------
    InputError
        The bytes are not UTF-8.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text (byte {exc.start} is 0x{raw[exc.start]:02x}); expected {what} "
                         "saved as UTF-8") from None


def load_yaml(raw, source, *, what):
    """Parse YAML text or bytes (safe loader).

    Raises
    ------
    InputError
        Not YAML (with line and column), or not UTF-8.
    """
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(exc, "problem", None) or "invalid syntax"
        raise InputError(f"{source}: not valid YAML at {place} ({problem}); expected {what}") from None
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text; expected {what} saved as UTF-8") from None


def load_json(raw, source, *, what):
    """Parse JSON text or bytes.

    Raises
    ------
    InputError
        Not JSON (with line), or not UTF-8.
    """
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text; expected {what} saved as UTF-8") from None
    except ValueError as exc:
        where = f" at line {exc.lineno}" if hasattr(exc, "lineno") else ""
        raise InputError(f"{source}: not valid JSON ({getattr(exc, 'msg', exc)}{where}); expected {what}") from None


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` when the block ends well.

    The temporary file is removed if the block raises. The folder must exist.
    """
    path = Path(path)
    # not tempfile.mkstemp: its 0600 mode would stay on the file; this one gets the umask's
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write(path, data):
    """Write ``data`` (str as UTF-8, or bytes) to ``path`` atomically."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())


def parse_date(value, *, where, today=None):
    """A date from a date, a date-time (its date) or ISO text ``YYYY-MM-DD``.

    Parameters
    ----------
    value : datetime.date or datetime.datetime or str or None
    where : str
        The field or option, for the message.
    today : datetime.date, optional
        What ``None`` means; ``None`` stays ``None`` when not given.

    Raises
    ------
    InputError
        Not a date.
    """
    if value is None:
        return today
    if isinstance(value, _dt.datetime):  # a date-time would compare with no date (TypeError)
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise OptionError(where, f"got {value!r}; expected a date YYYY-MM-DD") from None


def add_years(day, years):
    """``day`` moved by whole ``years``; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def prepare_output(output):
    """Create the folders of an output file before any work, or say in one line why not."""
    from pathlib import Path

    if not output or output == "-":
        return
    folder = Path(output).parent
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            raise InputError(f"{output}: {part} is a file; expected a folder to write into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{output}: cannot create its folder {folder} ({exc.strerror or exc}); "
                             "expected a path in a folder that exists or can be created") from None
    if not os.access(folder, os.W_OK):
        raise InputError(f"{output}: the folder {folder} is not writable; expected a path footprint can write to")

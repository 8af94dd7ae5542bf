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
import stat
from pathlib import Path

import yaml

from footprint.errors import InputError, OptionError, OutputExistsError

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
        status = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; expected {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc}); expected {what}") from None
    if stat.S_ISCHR(status.st_mode) or stat.S_ISBLK(status.st_mode):
        raise InputError(f"{path}: is a device, not a file; expected {what}")
    if stat.S_ISREG(status.st_mode) and status.st_size > limit:
        raise InputError(f"{path}: larger than {limit // (1024 * 1024)} MiB; expected {what}")
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


#: Most nodes a YAML document may expand to, aliases followed: a product file has about 200;
#: a "billion laughs" (aliases of aliases) would otherwise take minutes and gigabytes.
MAX_YAML_NODES = 100_000


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key, first, second):
        super().__init__(f"key {key!r} given twice, on lines {first} and {second}")
        self.key, self.first, self.second = key, first, second


class _TooLarge(yaml.YAMLError):
    pass


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses a key given twice in one mapping (the last one would win)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the constructor says so
                    break
                line = key_node.start_mark.line + 1
                if first is not None:
                    raise _DuplicateKey(key, first, line)
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node, sizes, limit):
    """Nodes of a document with every alias expanded (memoised: linear in the distinct nodes)."""
    stack = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if key in sizes:
            continue
        if isinstance(current, yaml.MappingNode):
            children = [child for pair in current.value for child in pair]
        elif isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        else:
            sizes[key] = 1
            continue
        if children_done:
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > limit:
                raise _TooLarge(f"expands to more than {limit:,} values once its aliases (*name) are followed")
        else:
            stack.append((current, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(node)]


def load_yaml(raw, source, *, what):
    """Parse YAML text or bytes: the safe loader, a key given twice refused, aliases bounded.

    Raises
    ------
    InputError
        Not YAML (with line and column), not UTF-8, a key given twice in one mapping (both
        lines named), nested too deep, or expanding beyond :data:`MAX_YAML_NODES` values.
    """
    try:
        loader = _Loader(raw)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _expanded_size(node, {}, MAX_YAML_NODES)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except _DuplicateKey as exc:
        raise InputError(f"{source}: line {exc.second}: the key {exc.key!r} is given twice in one mapping (also line "
                         f"{exc.first}); expected each field once in {what}") from None
    except _TooLarge as exc:
        raise InputError(f"{source}: {exc}; expected {what}") from None
    except RecursionError:
        raise InputError(f"{source}: nested too deep; expected {what}") from None
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
    except RecursionError:
        raise InputError(f"{source}: nested too deep; expected {what}") from None
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
    # the suffix kept at the end: writers that go by it (openpyxl, the results workbook) accept the name
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_folder(path, *, overwrite=False, marker=None):
    """Yield a temporary folder beside ``path``; put it in place of ``path`` whole when the block ends well.

    A failure (or a killed process) leaves the old folder or the new one, never a mix: the
    new folder is written aside, then renamed into place; an old one is renamed away first
    and removed after.

    Parameters
    ----------
    path : str or Path
    overwrite : bool
        Replace a folder that exists and is not empty.
    marker : str, optional
        A file name that a folder this function wrote holds (``manifest.json``): a non-empty
        folder without it is never replaced, ``overwrite`` or not, so that ``-o .`` cannot
        wipe a folder of other files.

    Raises
    ------
    OutputExistsError
        ``path`` exists and is not an empty folder, and ``overwrite`` is false.
    InputError
        ``path`` is a file, or a non-empty folder without ``marker``.
    """
    import shutil

    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: is a file; expected a folder to write the dossier into")
    if path.is_dir() and any(path.iterdir()):
        if marker and not (path / marker).is_file():
            raise InputError(f"{path}: holds files that are not a dossier written by footprint (no {marker}); expected a new "
                             "or empty folder for the dossier")
        if not overwrite:
            raise OutputExistsError(f"{path}: exists and is not empty; choose another folder or allow replacing it")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    try:
        yield temporary
        if path.exists():
            old = path.with_name(f".{path.name}.{os.getpid()}.old")
            os.replace(path, old)
            os.replace(temporary, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def check_not_an_input(output, inputs):
    """Refuse an output that is one of the inputs of the same command (it would be lost).

    Raises
    ------
    InputError
        Naming the input.
    """
    target = Path(output)
    for source in inputs:
        source = Path(source)
        same = False
        try:
            same = target.exists() and source.exists() and os.path.samefile(target, source)
        except OSError:
            pass
        if same or target.resolve() == source.resolve():
            raise InputError(f"{output}: is also an input of this command ({source}); choose another file for the output")


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
    """``day`` moved by whole ``years``; 29 February becomes 28 February in a common year.

    Raises
    ------
    InputError
        The year would leave the calendar (after 9999).
    """
    year = day.year + years
    if not 1 <= year <= 9999:
        raise InputError(f"{day.isoformat()} + {years} years: the year {year} is outside 1 to 9999; expected a date in the "
                         "calendar")
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def prepare_output(output, *, inputs=(), overwrite=False):
    """Check an output file before any work and create its folders, or say in one line why not.

    Parameters
    ----------
    output : str or os.PathLike or None
        The file to write; ``None`` or ``"-"`` (standard output) is not checked.
    inputs : iterable of str or os.PathLike
        The command's input files: the output may be none of them (it would be lost).
    overwrite : bool
        Replace an existing file (otherwise :class:`~footprint.errors.OutputExistsError`).

    Raises
    ------
    InputError
        The output is one of the inputs, or its folder cannot be made or written.
    OutputExistsError
        The output exists and ``overwrite`` is false.
    """
    if not output or output == "-":
        return
    check_not_an_input(output, inputs)
    if Path(output).exists() and not overwrite:
        if Path(output).is_dir():
            raise InputError(f"{output}: is a folder; expected a file name to write")
        raise OutputExistsError(f"{output}: exists; choose another name or allow replacing it")
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

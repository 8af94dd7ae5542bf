"""The Brightway project behind the library: data directory, offline bootstrap, versions.

The data directory is ``FOOTPRINT_HOME`` if set, else the platform's user data directory
for "footprint". It is never the user's own Brightway directory: bw2data is pointed at
``<home>/brightway`` before it is imported (``BRIGHTWAY2_DIR``), or moved there with
``projects.change_base_directories`` when it already is.

:func:`setup` installs, into the project ``footprint``:

- ``biosphere3`` (ecoinvent 3.9 elementary flows, shipped with bw2io, no network);
- the IPCC 2021 GWP100 methods (total, fossil, biogenic, land use) and IPCC 2013 GWP100,
  read from bw2io's own ``lcia_39_ecoinvent.zip`` (``bw2setup()`` needs the network);
- the bundled background inventories (``inventories/``), as database ``footprint-background``.

Each part carries a fingerprint in ``<home>/installed.json``; a later setup re-installs only
the parts whose fingerprint changed, so a new bundled data version replaces the old one and
an unchanged one costs nothing. A file lock keeps two processes from setting up at once.
"""

import contextlib
import hashlib
import json
import logging
import os
import sys
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import filelock
import platformdirs

from footprint.errors import SetupError

PROJECT = "footprint"
BIOSPHERE = "biosphere3"
BACKGROUND = "footprint-background"
FOREGROUND_PREFIX = "footprint-product-"
LOCK_TIMEOUT = 600  # [s] a first setup takes seconds; a stuck lock is reported, not waited on forever

#: (GWP set, part) -> Brightway method id. "total" is what labels use.
METHODS = {
    ("ar6", "total"): ("IPCC 2021", "climate change", "global warming potential (GWP100)"),
    ("ar6", "fossil"): ("IPCC 2021", "climate change: fossil", "global warming potential (GWP100)"),
    ("ar6", "biogenic"): ("IPCC 2021", "climate change: biogenic", "global warming potential (GWP100)"),
    ("ar6", "land_use"): ("IPCC 2021", "climate change: land use", "global warming potential (GWP100)"),
    ("ar5", "total"): ("IPCC 2013", "climate change", "global warming potential (GWP100)"),
}
GWP_SETS = {"ar6": "IPCC AR6 GWP100 (IPCC 2021)", "ar5": "IPCC AR5 GWP100 (IPCC 2013)"}

def home():
    """The data directory: ``FOOTPRINT_HOME``, else the platform's user data directory."""
    configured = os.environ.get("FOOTPRINT_HOME")
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(platformdirs.user_data_dir("footprint", appauthor=False))


def _ensure_home():
    """Create the data directory if needed and check it is a writable directory; return it.

    Raises
    ------
    SetupError
        ``FOOTPRINT_HOME`` (or the default) names a file, or a place that cannot be written.
    """
    path = home()
    named = f"FOOTPRINT_HOME={os.environ['FOOTPRINT_HOME']}" if os.environ.get("FOOTPRINT_HOME") else "data directory"
    expected = "expected a directory footprint can create and write to"
    if path.exists() and not path.is_dir():
        raise SetupError(f"{named}: {path} is a file; {expected}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SetupError(f"{named}: cannot create {path} ({exc.strerror}); {expected}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise SetupError(f"{named}: {path} is not writable; {expected}")
    return path


def _quiet_logging():
    """bw2data and bw2io log through structlog to stdout at import; send it to stderr."""
    import structlog

    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR),
    )


def brightway():
    """Import bw2data pointed at ``<home>/brightway`` and return the module.

    Every use of bw2data in the library goes through here, so that the user's own
    Brightway directory is never touched.
    """
    base = _ensure_home() / "brightway"
    base.mkdir(exist_ok=True)
    with lock():  # bw2data creates its directories and project database at import: one process at a time
        return _import_brightway(base)


def _import_brightway(base):
    if "bw2data" not in sys.modules:
        # bw2calc suggests pypardiso at import; it is slower on systems of this size
        warnings.filterwarnings("ignore", category=UserWarning, module="bw2calc")
        os.environ["BRIGHTWAY2_DIR"] = str(base)
        os.environ.setdefault("TQDM_DISABLE", "1")  # bw2io's progress bars are noise for our users
        _quiet_logging()
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            import bw2data
        _quiet_logging()  # bw2data configures structlog at import: configure it again
    import bw2data

    if Path(bw2data.projects._base_data_dir).resolve() != base.resolve():
        (base / "logs").mkdir(exist_ok=True)
        with contextlib.redirect_stdout(sys.stderr):
            bw2data.projects.change_base_directories(base, base_logs_dir=base / "logs")
    return bw2data


_locks = {}


def lock():
    """A file lock around every write to the project (setup and product databases).

    The same lock object is returned for the same directory, so nested use in one
    process is re-entrant (two FileLock objects on one file would block each other).
    """
    path = _ensure_home() / "project.lock"
    if path not in _locks:
        _locks[path] = filelock.FileLock(str(path), timeout=LOCK_TIMEOUT)
    return _locks[path]


@dataclass
class SetupReport:
    """What :func:`setup` found and did."""

    home: Path
    data_version: str
    actions: list = field(default_factory=list)  # (part, "installed" | "re-installed" | "up to date", detail)

    @property
    def changed(self):
        return any(action != "up to date" for _, action, _ in self.actions)


def _bw2io():
    """Import bw2io after bw2data is pointed at our directory, with its logging on stderr."""
    brightway()
    if "bw2io" not in sys.modules:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            import bw2io
        _quiet_logging()
    import bw2io

    return bw2io


def _fingerprints():
    """The fingerprint of each part: what would make it need re-installing."""
    bw2io = _bw2io()

    from footprint.bundle import read as inventories

    bundle = inventories.read_bundle()
    return {
        "biosphere": f"bw2io {bw2io.__version__}; own flows "
                     + hashlib.sha256(repr(sorted(inventories.own_biosphere_flows().items())).encode()).hexdigest()[:16],
        "methods": hashlib.sha256(
            json.dumps([bw2io.__version__, sorted(METHODS.values()), inventories.extra_characterisation()]).encode()
        ).hexdigest(),
        "background": bundle.sha256,
    }, bundle


def _read_installed(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # an unreadable marker means: install again


def setup(*, progress=None):
    """Create or update the data directory; idempotent and safe against concurrent runs.

    Parameters
    ----------
    progress : callable, optional
        Called with one-line messages while work is done.

    Returns
    -------
    SetupReport

    Raises
    ------
    SetupError
        If another process holds the lock for longer than ``LOCK_TIMEOUT``.
    footprint.errors.DataError
        If a bundled data file is malformed (named with its row).
    """
    say = progress or (lambda message: None)
    wanted, bundle = _fingerprints()  # validates the bundled data before anything is written
    report = SetupReport(home=home(), data_version=bundle.data_version)
    marker = home() / "installed.json"
    try:
        with lock():
            bd = brightway()
            installed = _read_installed(marker)
            with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
                bd.projects.set_current(PROJECT)
                if installed.get("biosphere") != wanted["biosphere"] or BIOSPHERE not in bd.databases:
                    say("installing biosphere3 (ecoinvent 3.9 elementary flows from bw2io)")
                    _install_biosphere(bd)
                    # methods and background link to biosphere3: redo them too
                    installed.pop("methods", None)
                    installed.pop("background", None)
                    report.actions.append(("biosphere3", _verb(installed, "biosphere"), "ecoinvent 3.9 elementary flows"))
                    installed["biosphere"] = wanted["biosphere"]
                else:
                    report.actions.append(("biosphere3", "up to date", ""))
                missing_method = any(m not in bd.methods for m in METHODS.values())
                if installed.get("methods") != wanted["methods"] or missing_method:
                    say("installing IPCC 2021 and IPCC 2013 GWP100 methods")
                    _install_methods(bd)
                    report.actions.append(("methods", _verb(installed, "methods"), f"{len(METHODS)} IPCC GWP100 methods"))
                    installed["methods"] = wanted["methods"]
                else:
                    report.actions.append(("methods", "up to date", ""))
                if installed.get("background") != wanted["background"] or BACKGROUND not in bd.databases:
                    say(f"installing bundled inventories, data version {bundle.data_version}")
                    _install_background(bd, bundle)
                    report.actions.append(
                        ("inventories", _verb(installed, "background"), f"data version {bundle.data_version}, {len(bundle.datasets)} datasets")
                    )
                    installed["background"] = wanted["background"]
                    installed["data_version"] = bundle.data_version
                else:
                    report.actions.append(("inventories", "up to date", f"data version {bundle.data_version}"))
            tmp = marker.with_suffix(".tmp")
            tmp.write_text(json.dumps(installed, indent=2), encoding="utf-8")
            tmp.replace(marker)
    except filelock.Timeout:
        raise SetupError(f"{home()}: another footprint process has held the setup lock for {LOCK_TIMEOUT} s; try again when it ends") from None
    return report


def _verb(installed, part):
    return "re-installed" if part in installed else "installed"


def require_setup():
    """Check that :func:`setup` has installed the current bundled data, and open the project.

    Returns
    -------
    module
        bw2data, with the project current.

    Raises
    ------
    SetupError
        If setup has not been run, or the bundled data changed since it was.
    """
    wanted, bundle = _fingerprints()
    installed = _read_installed(home() / "installed.json")
    stale = [part for part in wanted if installed.get(part) != wanted[part]]
    if stale:
        what = "has not been set up" if not installed else f"holds older {', '.join(stale)} than this version of footprint"
        raise SetupError(f"{home()}: the data directory {what}; run 'footprint setup' first")
    bd = brightway()
    if bd.projects.current != PROJECT:  # switching runs gc.collect() twice (0.4 s): only when needed
        with contextlib.redirect_stdout(sys.stderr):
            bd.projects.set_current(PROJECT)
    return bd


def _install_biosphere(bd):
    bw2io = _bw2io()

    from footprint.bundle import read as inventories

    if BIOSPHERE in bd.databases:
        del bd.databases[BIOSPHERE]
    bw2io.create_default_biosphere3()
    inventories.write_own_biosphere(bd)


def _lcia_zip():
    bw2io = _bw2io()

    return Path(bw2io.__file__).parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"


def _install_methods(bd):
    """Write the IPCC methods the library uses from bw2io's bundled LCIA file.

    bw2io stores flow keys as lists; Brightway needs tuples. The library's own aggregated
    CO2-eq flow (see inventories.AGGREGATED_FLOW) gets a factor of 1 in the total methods.
    """
    from footprint.bundle import read as inventories

    wanted = set(METHODS.values())
    with zipfile.ZipFile(_lcia_zip()) as archive:
        records = json.loads(archive.read("data.json"))
    found = {}
    for record in records:
        name = tuple(record["name"])
        if name in wanted:
            found[name] = record
    missing = wanted - set(found)
    if missing:
        raise SetupError(f"{_lcia_zip()}: bw2io's LCIA data lacks {sorted(missing)}; expected the ecoinvent 3.9 IPCC methods")
    extra = inventories.extra_characterisation()
    for name, record in found.items():
        factors = [(tuple(cf["input"]), cf["amount"]) for cf in record["exchanges"]]
        factors.extend((tuple(key), amount) for key, amount in extra.get(name[1], []))
        method = bd.Method(name)
        if method.name in bd.methods:
            method.deregister()
        method.register(unit=record.get("unit", "kg CO2-Eq"), description=record.get("description", ""), filename="lcia_39_ecoinvent.zip")
        method.write(factors)


def _install_background(bd, bundle):
    from footprint.bundle import read as inventories

    inventories.write_background(bd, bundle)

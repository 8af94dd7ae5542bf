"""The Brightway project behind the library: where it is, its lock, and opening it.

The data directory is :func:`footprint.resources.home`. It is never the user's own
Brightway directory: bw2data is pointed at ``<home>/brightway`` before it is imported
(``BRIGHTWAY2_DIR``), or moved there with ``projects.change_base_directories`` when it
already is. :mod:`footprint.brightway.install` fills the project (``footprint setup``);
:func:`check_setup` tells, without importing Brightway, whether that was done for the
bundled data of this version; :func:`require_setup` opens the project.
"""

import contextlib
import hashlib
import json
import logging
import os
import sys
import warnings
from pathlib import Path

import filelock

from footprint.errors import SetupError
from footprint.resources import ensure_home, home
from footprint.vocab import BACKGROUND, BIOSPHERE, FOREGROUND_PREFIX, GWP_SETS, METHODS, PROJECT  # noqa: F401

LOCK_TIMEOUT = 600  # [s] a first setup takes seconds; a stuck lock is reported, not waited on forever


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
    base = ensure_home() / "brightway"
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
    path = ensure_home() / "project.lock"
    if path not in _locks:
        _locks[path] = filelock.FileLock(str(path), timeout=LOCK_TIMEOUT)
    return _locks[path]


def bw2io():
    """Import bw2io after bw2data is pointed at our directory, with its logging on stderr."""
    brightway()
    if "bw2io" not in sys.modules:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            import bw2io
        _quiet_logging()
    import bw2io

    return bw2io


def fingerprints(bundle=None):
    """The fingerprint of each installed part: what would make it need re-installing.

    Read without importing Brightway (bw2io's version from the package metadata).
    """
    from importlib.metadata import version

    from footprint.bundle.read import extra_characterisation, own_biosphere_flows, read_bundle

    bundle = bundle or read_bundle()
    bw2io_version = version("bw2io")
    return {
        "biosphere": f"bw2io {bw2io_version}; own flows "
                     + hashlib.sha256(repr(sorted(own_biosphere_flows().items())).encode()).hexdigest()[:16],
        "methods": hashlib.sha256(
            json.dumps([bw2io_version, sorted(METHODS.values()), extra_characterisation()]).encode()
        ).hexdigest(),
        "background": bundle.sha256,
    }, bundle


def read_installed(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # an unreadable marker means: install again


def check_setup(bundle=None):
    """Check, without importing Brightway, that setup installed the current bundled data.

    Returns
    -------
    dict
        The installed parts' fingerprints (``installed.json``).

    Raises
    ------
    SetupError
        If setup has not been run, or the bundled data changed since it was.
    """
    wanted, _ = fingerprints(bundle)
    installed = read_installed(ensure_home() / "installed.json")
    stale = [part for part in wanted if installed.get(part) != wanted[part]]
    if stale:
        what = "has not been set up" if not installed else f"holds older {', '.join(stale)} than this version of footprint"
        raise SetupError(f"{home()}: the data directory {what}; run 'footprint setup' first")
    return installed


def require_setup(bundle=None):
    """Check that setup has installed the current bundled data, and open the project.

    Returns
    -------
    module
        bw2data, with the project current.

    Raises
    ------
    SetupError
        If setup has not been run, or the bundled data changed since it was.
    """
    check_setup(bundle)
    bd = brightway()
    if bd.projects.current != PROJECT:  # switching runs gc.collect() twice (0.4 s): only when needed
        with lock(), contextlib.redirect_stdout(sys.stderr):  # it reads databases.json: never while another writes it
            bd.projects.set_current(PROJECT)
    return bd


@contextlib.contextmanager
def writing(bd):
    """Hold the project lock and re-read bw2data's registries inside it, for a write or a consistent read.

    bw2data keeps ``databases.json`` (and ``methods.json``) in memory and writes the whole
    dictionary back on every change: a copy read before another process added its database
    would drop that database when written back. Every write of the project, and every read
    of a product database that another process could be rewriting, runs inside this block.
    """
    with lock():
        with contextlib.redirect_stdout(sys.stderr):
            bd.databases.load()
            bd.methods.load()
        yield bd


def brightway_versions():
    """``"bw2data X, bw2calc Y"``: the Brightway that set up the project and checks results (no import)."""
    from importlib.metadata import version

    return f"bw2data {version('bw2data')}, bw2calc {version('bw2calc')}"

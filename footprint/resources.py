"""Where things are: the bundled data folders (a checkout, or an installed wheel) and the data directory.

In a checkout (and an editable install) ``inventories/``, ``methods/`` and
``report_templates/`` sit beside the package; a wheel ships them inside it as
``footprint/_data/<folder>`` (see ``[tool.setuptools.package-dir]`` in pyproject.toml).

``FOOTPRINT_INVENTORIES`` names another inventories directory (same layout as the
bundled one: a ``manifest.yaml`` and the files it lists). It is meant for testing a
modified or extended inventory: ``footprint setup`` then installs and checks that one.
"""

import os
from pathlib import Path

import platformdirs

from footprint.errors import SetupError

FOLDERS = ("inventories", "methods", "report_templates")
#: Environment variables that point a data folder elsewhere.
OVERRIDES = {"inventories": "FOOTPRINT_INVENTORIES"}
_PACKAGE = Path(__file__).resolve().parent


def data_dir(folder):
    """Return the directory of a bundled data folder.

    Parameters
    ----------
    folder : str
        One of ``FOLDERS``.

    Raises
    ------
    SetupError
        The folder is missing, or an override variable names no directory.
    """
    if folder not in FOLDERS:
        raise ValueError(f"unknown data folder {folder!r}; expected one of {FOLDERS}")
    override = os.environ.get(OVERRIDES[folder], "") if folder in OVERRIDES else ""
    if override:
        path = Path(override).expanduser()
        if not path.is_dir():
            raise SetupError(f"{OVERRIDES[folder]}={override}: not a directory; expected an inventories folder with a manifest.yaml")
        return path.resolve()
    for candidate in (_PACKAGE / "_data" / folder, _PACKAGE.parent / folder):
        if candidate.is_dir():
            return candidate
    raise SetupError(f"{folder}/: bundled data folder not found beside {_PACKAGE}; reinstall footprint")


def home():
    """The data directory: ``FOOTPRINT_HOME``, else the platform's user data directory."""
    configured = os.environ.get("FOOTPRINT_HOME")
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(platformdirs.user_data_dir("footprint", appauthor=False))


def ensure_home():
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

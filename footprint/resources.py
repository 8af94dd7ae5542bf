"""Where the bundled data folders are: a checkout, or an installed wheel.

In a checkout (and an editable install) ``inventories/``, ``methods/`` and
``report_templates/`` sit beside the package; a wheel ships them inside it as
``footprint/_data/<folder>`` (see ``[tool.setuptools.package-dir]`` in pyproject.toml).

``FOOTPRINT_INVENTORIES`` names another inventories directory (same layout as the
bundled one: a ``manifest.yaml`` and the files it lists). It is meant for testing a
modified or extended inventory: ``footprint setup`` then installs and checks that one.
"""

import os
from pathlib import Path

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

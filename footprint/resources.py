"""Where the bundled data folders are: a checkout, or an installed wheel.

In a checkout (and an editable install) ``inventories/``, ``methods/`` and
``report_templates/`` sit beside the package; a wheel ships them inside it as
``footprint/_data/<folder>`` (see ``[tool.setuptools.package-dir]`` in pyproject.toml).
"""

from pathlib import Path

from footprint.errors import SetupError

FOLDERS = ("inventories", "methods", "report_templates")
_PACKAGE = Path(__file__).resolve().parent


def data_dir(folder):
    """Return the directory of a bundled data folder.

    Parameters
    ----------
    folder : str
        One of ``FOLDERS``.
    """
    if folder not in FOLDERS:
        raise ValueError(f"unknown data folder {folder!r}; expected one of {FOLDERS}")
    for candidate in (_PACKAGE / "_data" / folder, _PACKAGE.parent / folder):
        if candidate.is_dir():
            return candidate
    raise SetupError(f"{folder}/: bundled data folder not found beside {_PACKAGE}; reinstall footprint")

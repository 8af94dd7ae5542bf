"""Excel data collection: templates that manufacturers fill in, and their validated import.

A workbook made by :func:`write_template` has an instructions sheet, a ``Product`` sheet and
one sheet per stage (``MG silicon`` ... ``Module``). Each stage sheet is a table of rows:
the item (a parameter of the product model, a material or a gas), its value and unit, the
period and site the figure belongs to, and where the figure comes from. A value is given
either per reference unit of the stage (``66.5 kWh/kg``, ``0.033 kWh/piece``,
``17.7 kWh/m2``) or as a total over a period (``12 000 MWh`` in ``2024``), which is divided
by the stage's production output of the same period.

:func:`read_workbook` reads a filled workbook back and checks everything before anything
is used: every problem found is reported at once with its sheet and cell, and nothing is
imported while any error remains (see :mod:`footprint.collect.importer`). The result is a
:class:`WorkbookProduct`, the same :class:`~footprint.model.spec.ProductSpec` a YAML
product file gives, so ``footprint calc data.xlsx`` and ``footprint calc product.yaml``
compute the same thing.

The workbook's layout is :mod:`footprint.collect.layout`; the steps are
:mod:`~footprint.collect.xlsx` (open safely, read cells), :mod:`~footprint.collect.sheets`
(rows to entries), :mod:`~footprint.collect.importer` (entries to a product),
:mod:`~footprint.collect.checks` (the plausibility checks of :mod:`footprint.model.checks` on the
workbook's cells), :mod:`~footprint.collect.template`
and :mod:`~footprint.collect.product_yaml`.
"""

from __future__ import annotations

import os
from pathlib import Path

from footprint.collect.layout import Problem, WorkbookProduct
from footprint.collect.product_yaml import write_product_yaml
from footprint.errors import WorkbookError, WorkbookWarning


def write_template(path: str | os.PathLike, *, stage: str = "all", lang: str = "both", overwrite: bool = False) -> Path:
    """Write a data-collection workbook for a manufacturer (or one supplier) to fill in.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.xlsx`` file to write.
    stage : str
        ``all`` (the whole module chain) or one stage (:data:`footprint.vocab.STAGES`), for a supplier.
    lang : str
        ``zh``, ``en`` or ``both``: headers, descriptions and hints.
    overwrite : bool
        Replace an existing file (otherwise :class:`~footprint.errors.OutputExistsError`).

    Returns
    -------
    pathlib.Path
        The file written (atomically: a failure leaves no half-written workbook).

    Examples
    --------
    >>> import footprint
    >>> footprint.write_template("data.xlsx", lang="zh")  # doctest: +SKIP
    PosixPath('data.xlsx')
    """
    from footprint.collect.template import write_template as _write

    return _write(path, stage=stage, lang=lang, overwrite=overwrite)


def read_workbook(*paths: str | os.PathLike) -> WorkbookProduct:
    """Read, check and import filled workbooks into one product.

    Parameters
    ----------
    *paths : str or Path
        One full-chain workbook, or several (one per supplier stage) that together hold
        the product sheet and every stage.

    Returns
    -------
    WorkbookProduct

    Raises
    ------
    footprint.errors.WorkbookError
        Listing every error found (sheet, cell, value, what was expected); nothing is
        imported.

    Examples
    --------
    >>> import footprint
    >>> product = footprint.read_workbook("data.xlsx")  # doctest: +SKIP
    >>> footprint.compute(product, per="kWp").total  # doctest: +SKIP
    """
    from footprint.collect.importer import read_workbooks

    return read_workbooks(paths)


def check_workbook(*paths):
    """Check the sheets of filled workbooks without requiring the whole product.

    For a supplier who filled in one stage: the same checks as :func:`read_workbook`, but
    a missing product sheet or stage is not an error.

    Returns
    -------
    list of Problem
        The warnings.

    Raises
    ------
    footprint.errors.WorkbookError
        Listing every error found.
    """
    from footprint.collect.importer import read_workbooks

    return read_workbooks(paths, check_only=True)


def is_workbook(path):
    """True if ``path`` names an Excel file by its suffix or starts like one (zip or OLE)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xls", ".xlsb"):
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head.startswith(b"PK\x03\x04") or head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_any(path, *, warn=None):
    """Read a product from a YAML product file or an Excel workbook, with its plausibility checks.

    Both run the checks of :mod:`footprint.model.checks` (cell efficiency, wafer thickness
    and kerf, mass balances, cell-to-module ratio, cells' area, outliers against the
    bundled defaults).

    Parameters
    ----------
    path : str or Path
    warn : callable, optional
        Called with each warning line; by default warnings go through :func:`warnings.warn`,
        as :class:`~footprint.errors.WorkbookWarning` for a workbook and
        :class:`~footprint.errors.ProductWarning` for a product file.

    Returns
    -------
    footprint.model.spec.ProductSpec

    Raises
    ------
    footprint.errors.InputError
        A product file that cannot be read, or whose values fail a check (naming the file,
        the field's path, the value and the threshold).
    footprint.errors.WorkbookError
        A workbook with errors, listing them all with their cells.
    """
    if not is_workbook(path):
        from footprint.bundle.read import read_bundle
        from footprint.model.checks import require_plausible
        from footprint.model.spec import read_product

        product = read_product(path)
        require_plausible(product, read_bundle(), warn=warn)
        return product
    product = read_workbook(path)
    for problem in product.warnings:
        if warn is None:
            import warnings

            warnings.warn(str(problem), WorkbookWarning, stacklevel=2)
        else:
            warn(str(problem))
    return product




__all__ = [
    "Problem", "WorkbookError", "WorkbookProduct", "WorkbookWarning", "check_workbook", "is_workbook", "read_any",
    "read_workbook", "write_product_yaml", "write_template",
]

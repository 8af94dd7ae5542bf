"""The plausibility checks of an imported product, placed on the workbook's cells.

The checks and their thresholds are :mod:`footprint.model.checks`, the same for a product
file: bounds of single values (cell efficiency, wafer thickness and kerf, mass balances),
wafer mass and silicon input against the geometry, the cell-to-module ratio, the cells'
area against the module area, and outliers against the bundled defaults.

Run by :mod:`footprint.collect.importer` after every value was read. This module gives the
checks the import's values as a product (each value the user's where given and valid;
values given but invalid are marked unusable, so that no check runs on a default instead),
and turns each finding into a :class:`~footprint.collect.layout.Problem` at the cell of the
row that gave its path.
"""

from footprint.model.checks import check_product as check_spec
from footprint.model.spec import ProductSpec, StageSpec
from footprint.vocab import STAGES

#: Row kinds that give no quantity to check.
_NOT_QUANTITIES = ("text", "choice", "site", "output", "file")


def check_product(imp):
    """Add the plausibility problems of an import (``_Import``) to its list."""
    spec, rows, measured, unusable = _as_product(imp)

    def where(path):
        entry = rows.get(path)
        return f"{entry.sheet}!{entry.value.coordinate}" if entry is not None else "!"

    for finding in check_spec(spec, imp.bundle, measured=measured, unusable=unusable, where=where):
        entry = rows.get(finding.path)
        if entry is None:
            # the row is not in these workbooks (a supplier's own stage checked alone): its
            # figures are not the supplier's, so there is nothing to place the finding on
            continue
        # a value out of bounds is shown as typed, like every other problem of one value
        value = imp.shown(entry) if finding.check == "bound" else finding.value
        imp.problem(finding.severity, entry, entry.value.coordinate, value, finding.message)


def _as_product(imp):
    """The import's values as a product for the checks.

    Returns
    -------
    (ProductSpec, dict of path to Entry, dict of path to Quantity, set of str)
        The product (rated power or area None if not given), the row of each path, the
        check-only figures (wafer mass, silicon input) and the paths given but invalid.
    """
    rows, measured, unusable = {}, {}, set()
    stages = {}
    for stage in STAGES:
        spec = StageSpec(stage, technology=imp.technologies.get(stage, ""))
        for entry in imp.entries.get(stage, {}).values():
            if entry.kind in _NOT_QUANTITIES:
                continue
            if entry.kind in ("material", "emission"):
                group = "materials" if entry.kind == "material" else "emissions"
                path = f"stages.{stage}.{group}.{entry.key}"
                value = imp.resolved.get((stage, f"{entry.kind}:{entry.key}"))
                values = spec.materials if entry.kind == "material" else spec.emissions
            else:
                path = f"stages.{stage}.{entry.key}"
                value = imp.resolved.get((stage, entry.key))
                values = measured if entry.kind == "check" else spec.parameters
            rows[path] = entry
            if value is None:
                if entry.value is not None and entry.value.value is not None:
                    unusable.add(path)
                continue
            values[path if entry.kind == "check" else entry.key] = value
        stages[stage] = spec
    for key, entry in imp.entries.get("product", {}).items():
        rows[f"product.{key}"] = entry
    rated_power = imp.resolved.get(("product", "rated_power"))
    area = imp.resolved.get(("product", "area"))
    files = " + ".join(sorted({entry.file for entry in rows.values()}))
    spec = ProductSpec(id="", name="", technology="", rated_power=rated_power, area=area, stages=stages, source=files,
                       sha256="")
    return spec, rows, measured, unusable

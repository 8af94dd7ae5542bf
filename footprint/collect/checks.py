"""Checks of an imported product as a whole: consistency between figures, and outliers.

Run by :mod:`footprint.collect.importer` after every value was read. Each value is the
user's where given and valid, else the bundled default (none, if neither exists, and the
check is skipped):

- wafer mass against wafer area x thickness x density of silicon;
- ingot silicon used per wafer against what the model derives from the geometry,
  utilisation and yield (what the calculation will use);
- module rated power against the power of its cells (cell count, cells per wafer, wafer
  area, cell efficiency at 1000 W/m2): the cell-to-module ratio;
- the area of the module's cells (cell count / cells per wafer x wafer area) against the
  module area: they cannot exceed it (the model refuses such a product);
- every value given against its bundled default: more than :data:`OUTLIER_FACTOR` times
  above or below is a warning.
"""

from footprint.collect.layout import short_source
from footprint.model.chain import SILICON_DENSITY, STC_IRRADIANCE
from footprint.units import Quantity, format_quantity

#: Highest efficiency a single-junction crystalline silicon cell can reach at STC: 29.43 %
#: (Richter A., Hermle M., Glunz S.W., Reassessment of the limiting efficiency for crystalline
#: silicon solar cells, IEEE J. Photovoltaics 3(4), 1184-1191 (2013)). Above it is an error.
EFFICIENCY_LIMIT = 0.2943
#: Check thresholds chosen for this import (not data from a source): an efficiency below
#: this is flagged as a warning (a percentage written as a fraction, or a typo) ...
EFFICIENCY_LOW = 0.15
#: ... measured and computed quantities that should agree may differ by this fraction ...
CONSISTENCY_TOLERANCE = 0.10
#: ... module power over the power of its cells (cell-to-module ratio) outside these bounds
#: is an error above and a warning below ...
CTM_MAX, CTM_LOW = 1.10, 0.85
#: ... and a value this many times above or below the bundled default is a warning.
OUTLIER_FACTOR = 2.0

def check_product(imp):
    """Add the consistency and outlier problems of an import (``_Import``) to its list."""
    checker = _Checker(imp)
    checker.wafer_mass()
    checker.silicon_input()
    checker.cell_to_module()
    checker.cell_area()
    checker.outliers()


class _Checker:
    def __init__(self, imp):
        self.imp = imp
        self.bundle = imp.bundle

    def get(self, stage, key):
        """The user's value if valid, else the bundled default, else None (as a Quantity)."""
        if (stage, key) in self.imp.resolved:
            return self.imp.resolved[(stage, key)]
        entry = self.imp.entries.get(stage, {}).get(key)
        if entry is not None and entry.value.value is not None:
            return None  # given but invalid: already reported, no check on a default instead
        default = self.bundle.process_default(stage, self.imp.technologies.get(stage, "any"), key)
        return default.value if default is not None else None

    def entry(self, stage, key):
        return self.imp.entries.get(stage, {}).get(key)

    def wafer_mass(self):
        entry = self.entry("wafer", "wafer_mass")
        given = self.imp.resolved.get(("wafer", "wafer_mass"))
        area, thickness = self.get("wafer", "wafer_area"), self.get("wafer", "thickness")
        if entry is None or given is None or area is None or thickness is None:
            return
        expected = (area * thickness * SILICON_DENSITY).to("g")
        deviation = float(given.to("g").magnitude / expected.magnitude) - 1
        if abs(deviation) > CONSISTENCY_TOLERANCE:
            self.imp.error(entry, entry.value.coordinate, f"{given.to('g').magnitude:g} g",
                           f"differs by {deviation:+.0%} from wafer area x thickness x {SILICON_DENSITY.magnitude} g/cm3 "
                           f"= {expected.magnitude:.2f} g ({area.to('cm**2').magnitude:g} cm2, "
                           f"{thickness.to('um').magnitude:g} um); expected them to agree within "
                           f"{CONSISTENCY_TOLERANCE:.0%}: check the area, thickness and mass")

    def silicon_input(self):
        entry = self.entry("wafer", "silicon_input")
        given = self.imp.resolved.get(("wafer", "silicon_input"))
        names = ("wafer_area", "thickness", "kerf", "ingot_utilisation", "yield")
        values = {name: self.get("wafer", name) for name in names}
        if entry is None or given is None or any(v is None for v in values.values()):
            return
        given = self.per_piece("wafer", given)
        if given is None:
            return
        model = (values["wafer_area"] * (values["thickness"] + values["kerf"]) * SILICON_DENSITY
                 / (values["ingot_utilisation"] * values["yield"])).to("kg") / Quantity(1, "piece")
        deviation = float((given / model).to("").magnitude) - 1
        if abs(deviation) > CONSISTENCY_TOLERANCE:
            self.imp.error(entry, entry.value.coordinate, f"{given.to('g/piece').magnitude:.4g} g per wafer",
                           f"differs by {deviation:+.0%} from the {model.to('g/piece').magnitude:.4g} g per wafer the model "
                           "uses (area x (thickness + kerf) x density / (ingot utilisation x yield)); expected them to "
                           f"agree within {CONSISTENCY_TOLERANCE:.0%}: check kerf, ingot utilisation and yield")

    def cell_power(self):
        """Power of one full-wafer cell at STC [W], or None."""
        area, efficiency = self.get("wafer", "wafer_area"), self.get("cell", "efficiency")
        if area is None or efficiency is None:
            return None
        return (area * efficiency * STC_IRRADIANCE).to("W")

    def cell_to_module(self):
        cells, per_wafer = self.get("module", "cells"), self.get("module", "cells_per_wafer")
        power = self.imp.resolved.get(("product", "rated_power"))
        cell_power = self.cell_power()
        entry = self.entry("module", "cells")
        if None in (cells, per_wafer, power, cell_power) or entry is None:
            return
        cells_power = float(cells.magnitude) / float(per_wafer.magnitude) * cell_power
        ratio = float((power / cells_power).to("").magnitude)
        file, sheet, cell = self.imp.cells.get("product.rated_power", ("", "", ""))
        message = (f"{float(cells.magnitude):g} cells from {float(per_wafer.magnitude):g} per wafer give "
                   f"{cells_power.magnitude:.0f} W of cells for a rated power of {power.to('W').magnitude:g} W "
                   f"({sheet}!{cell}): a cell-to-module ratio of {ratio:.2f}")
        if ratio > CTM_MAX:
            self.imp.error(entry, entry.value.coordinate, f"{float(cells.magnitude):g}", f"{message}; expected at most "
                           f"{CTM_MAX:.2f}: check the cell count, cells per wafer, wafer area and cell efficiency")
        elif ratio < CTM_LOW:
            self.imp.warn(entry, entry.value.coordinate, f"{float(cells.magnitude):g}", f"{message}; below {CTM_LOW:.2f} "
                          "is unusual: check the cell count, cells per wafer, wafer area and cell efficiency")

    def cell_area(self):
        cells, per_wafer = self.get("module", "cells"), self.get("module", "cells_per_wafer")
        area, wafer_area = self.imp.resolved.get(("product", "area")), self.get("wafer", "wafer_area")
        entry = self.entry("module", "cells")
        if None in (cells, per_wafer, area, wafer_area) or entry is None:
            return
        cells_area = (float(cells.magnitude) / float(per_wafer.magnitude) * wafer_area).to("m**2")
        if cells_area > area:
            file, sheet, cell = self.imp.cells.get("product.area", ("", "", ""))
            self.imp.error(entry, entry.value.coordinate, f"{float(cells.magnitude):g}",
                           f"{float(cells.magnitude):g} cells from {float(per_wafer.magnitude):g} per wafer of "
                           f"{wafer_area.to('cm**2').magnitude:g} cm2 cover {cells_area.magnitude:.3g} m2, more than the "
                           f"module area {area.to('m**2').magnitude:g} m2 ({sheet}!{cell}); expected them to fit: check the "
                           "cell count, cells per wafer, wafer area and module area")

    def per_piece(self, stage, quantity):
        """An amount per m2 or per W of a piece stage converted to per piece; None if unknown."""
        for denominator, size in (("m**2", self.area), ("W", self.power)):
            probe = quantity * Quantity(1, denominator)
            if probe.check("[mass]") or probe.check("[energy]"):
                measure = size(stage)
                return None if measure is None else (probe * measure / Quantity(1, denominator)) / Quantity(1, "piece")
        return quantity

    def area(self, stage):
        if stage == "module":
            return self.imp.resolved.get(("product", "area"))
        return self.get("wafer", "wafer_area")

    def power(self, stage):
        if stage == "module":
            return self.imp.resolved.get(("product", "rated_power"))
        return self.cell_power()

    def outliers(self):
        for (stage, key), value in list(self.imp.resolved.items()):
            if stage == "product" or key in ("wafer_mass", "silicon_input"):
                continue
            default = self.bundle.process_default(stage, self.imp.technologies.get(stage, "any"), key)
            if default is None:
                continue
            if key.startswith(("material:", "emission:")):
                kind, item = key.split(":", 1)
                entry = self.imp.entries.get(stage, {}).get((kind, item))
            else:
                entry = self.entry(stage, key)
            if entry is None:
                continue
            if key.startswith(("material:", "emission:")) and value.magnitude == 0:
                continue  # 0 removes a default material on purpose (a glass-glass module has no backsheet)
            mine, theirs = value, default.value
            if stage in ("wafer", "cell", "module"):
                mine, theirs = self.per_piece(stage, mine), self.per_piece(stage, theirs)
            if mine is None or theirs is None or mine.dimensionality != theirs.dimensionality:
                continue
            theirs_value = float(theirs.to(mine.units).magnitude)
            if theirs_value <= 0:
                continue
            ratio = float(mine.magnitude) / theirs_value
            if ratio > OUTLIER_FACTOR or ratio < 1 / OUTLIER_FACTOR:
                author = short_source(default.source)
                self.imp.warn(entry, entry.value.coordinate, format_quantity(value, percent=False),
                              f"{ratio:.2g} times the bundled default {format_quantity(default.value, percent=False)} ({author}, {default.year}); "
                              "check the value and its unit")


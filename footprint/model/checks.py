"""Plausibility checks of a product: physical bounds, consistency between figures, outliers.

One set of checks for every way a product comes in: a product file or dict
(:func:`footprint.collect.read_any`, :func:`footprint.calc.compute.read_product`, through
:func:`require_plausible`) and a data-collection workbook (:mod:`footprint.collect.checks`,
which places each finding on the sheet and cell that gave its path). Each check takes the
user's value where given, else the bundled default (``inventories/processes.csv``); a check
whose inputs are neither given nor defaulted is skipped.

- bounds of single values: cell efficiency above the limiting efficiency of crystalline
  silicon (error) or below :data:`EFFICIENCY_LOW` (warning); a wafer thicker than
  :data:`WAFER_THICKNESS_MAX` or a kerf wider than :data:`KERF_MAX` (error); less than
  :data:`MASS_BALANCE_MIN` of silicon feed per kg of polysilicon or ingot (error);
- wafer mass against wafer area x thickness x density of silicon (a workbook's check row);
- ingot silicon used per wafer against what the model derives from the geometry,
  utilisation and yield (a workbook's check row);
- module rated power against the power of its cells (cell count, cells per wafer, wafer
  area, cell efficiency at 1000 W/m2): the cell-to-module ratio;
- the area of the module's cells (cell count / cells per wafer x wafer area) against the
  module area;
- every value given against its bundled default: more than :data:`OUTLIER_FACTOR` times
  above or below is a warning, more than :data:`OUTLIER_ERROR_FACTOR` times an error;
- a material given by its dataset that replaces a default of another dataset in the same
  role (``aluminium_primary_EU`` for the default ``aluminium_primary_CN`` frame) without
  the file saying so: a warning naming both;
- the bill of materials' mass against the module's datasheet mass (``product.mass``),
  beyond :data:`MASS_TOLERANCE` a warning; the frame and the glass per m2 of module outside
  :data:`FRAME_PER_AREA` and :data:`GLASS_PER_AREA`, a warning.

A value that breaks a bound is an error and is not used by the other checks (they would
only repeat it).

References
----------
.. [1] Richter A., Hermle M., Glunz S.W., Reassessment of the limiting efficiency for
   crystalline silicon solar cells, IEEE J. Photovoltaics 3(4), 1184-1191 (2013).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from footprint.bundle.types import MATERIAL_ROLES, NOT_IN_MODULE_MASS, cite, short_source
from footprint.errors import InputError, ProductWarning, show
from footprint.model.chain import SILICON_DENSITY, STC_IRRADIANCE, resolve_materials
from footprint.units import Quantity, format_quantity
from footprint.vocab import STAGE_PARAMETERS, STAGES

#: Highest efficiency a single-junction crystalline silicon cell can reach at STC [1]: 29.43 %.
#: A cell efficiency above it is an error; one of zero or less is an error too (no cell).
EFFICIENCY_LIMIT = 0.2943
#: A cell efficiency below this is a warning (a percentage written as a fraction, or a typo).
#: Check threshold chosen here (not from a source).
EFFICIENCY_LOW = 0.15
#: Measured and computed quantities that should agree (wafer mass, silicon per wafer) may
#: differ by this fraction. Check threshold chosen here (not from a source).
CONSISTENCY_TOLERANCE = 0.10
#: Module power over the power of its cells (the cell-to-module ratio): above CTM_MAX is an
#: error, below CTM_LOW a warning. Check thresholds chosen here (not from a source).
CTM_MAX, CTM_LOW = 1.10, 0.85
#: A value this many times above or below its bundled default is a warning. Check threshold
#: chosen here (not from a source).
OUTLIER_FACTOR = 2.0
#: ... and this many times is an error: a unit slip (MWh for kWh, g for kg) rather than a
#: different process. Check threshold chosen here (not from a source).
OUTLIER_ERROR_FACTOR = 100.0
#: A wafer thicker than this is an error: several times any wafer sawn for solar cells (the
#: bundled default is 165 um). Check threshold chosen here (not from a source).
WAFER_THICKNESS_MAX = Quantity(1, "mm")
#: A kerf (silicon lost per cut) wider than this is an error: diamond-wire kerf is tens of
#: micrometres (the bundled default is 55 um). Check threshold chosen here (not from a source).
KERF_MAX = Quantity(1, "mm")
#: Silicon feed per kg of product of the polysilicon and ingot stages [kg/kg]: less than 1
#: breaks the mass balance (a stage cannot make 1 kg of silicon from less than 1 kg).
MASS_BALANCE_MIN = 1.0
#: The parameters held to the mass balance: (stage, parameter).
MASS_BALANCE = (("polysilicon", "mg_silicon"), ("ingot", "polysilicon"))

#: The bill of materials may weigh this fraction more or less than the datasheet mass
#: (``product.mass``) before a warning. The defaults leave out a few parts (silicone
#: sealant, junction-box diodes; for glass-backsheet also the junction box and the
#: backsheet's PVF film: inventories/README.md), so a bill of defaults weighs a few per cent
#: less than the module. Check threshold chosen here (not from a source).
MASS_TOLERANCE = 0.10
#: Frame mass per m2 of module [kg/m2] outside these bounds is a warning (a frameless module,
#: 0 kg, is not checked). The bundled defaults are 1.09 (Götz et al. 2026, glass-glass) and
#: 1.58 (NREL PV_ICE 2020 market average). Check thresholds chosen here (not from a source).
FRAME_PER_AREA = (Quantity(0.5, "kg/m**2"), Quantity(3.0, "kg/m**2"))
#: Glass mass per m2 of module [kg/m2] outside these bounds is a warning: about 1.6 mm and
#: 8 mm of glass in all at 2.5 g/cm3 (the defaults: 8.0 for 3.2 mm front glass, 10.1 for
#: 2 + 2 mm). Check thresholds chosen here (not from a source).
GLASS_PER_AREA = (Quantity(4.0, "kg/m**2"), Quantity(20.0, "kg/m**2"))

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    """One result of a plausibility check.

    Attributes
    ----------
    severity : str
        ``"error"`` (the product is refused) or ``"warning"``.
    path : str
        The product-file path the finding is about, such as ``"stages.cell.efficiency"``
        or ``"product.rated_power"``.
    value : str
        The value at ``path`` as shown to people (``"23 %"``, ``"144"``, ``"11.5 g"``).
    message : str
        What is wrong, with the numbers and the thresholds.
    check : str
        Which check found it: ``bound``, ``wafer_mass``, ``silicon_input``,
        ``cell_to_module``, ``cell_area``, ``outlier``, ``role``, ``module_mass`` or
        ``mass_per_area``.
    """

    severity: str
    path: str
    value: str
    message: str
    check: str

    def __str__(self):
        seen = f"got {self.value}; " if self.value else ""
        return f"{self.path}: {seen}{self.message}"


def check_product(spec, bundle, *, measured=None, unusable=(), where=None):
    """Check a product for values out of bounds, figures that disagree, and outliers.

    Parameters
    ----------
    spec : footprint.model.spec.ProductSpec
        The product; ``rated_power`` and ``area`` may be None (a workbook checked without
        its product sheet), and the checks that need them are then skipped.
    bundle : footprint.bundle.types.Bundle
        For the defaults of the parameters the product leaves out.
    measured : dict of str to pint.Quantity, optional
        Figures used only by the checks, by path: ``stages.wafer.wafer_mass`` [g] and
        ``stages.wafer.silicon_input`` (per wafer, per m2 or per W) of a workbook.
    unusable : collection of str
        Paths that were given but could not be read (their problem is reported already):
        the checks that need them are skipped instead of run on a default.
    where : callable, optional
        ``where(path) -> str``: how a message names the place of another field (a
        workbook's ``Sheet!C7``); the path itself by default.

    Returns
    -------
    list of Finding
        Bounds first, then consistency, then outliers.
    """
    checker = _Checker(spec, bundle, measured or {}, set(unusable), where or (lambda path: path))
    checker.bounds()
    checker.wafer_mass()
    checker.silicon_input()
    checker.cell_to_module()
    checker.cell_area()
    checker.outliers()
    checker.roles()
    checker.module_mass()
    return checker.findings


def require_plausible(spec, bundle, *, warn=None):
    """Check a product read from a file or dict: raise on errors, pass warnings on.

    Parameters
    ----------
    spec : footprint.model.spec.ProductSpec
    bundle : footprint.bundle.types.Bundle
    warn : callable, optional
        Called with each warning as one line (``"<file>: <path>: got ...; ..."``); by
        default each goes through :func:`warnings.warn` as :class:`ProductWarning`.

    Returns
    -------
    list of Finding
        The warnings (already passed on).

    Raises
    ------
    InputError
        The first error, naming the file, the path, the value and the threshold (and the
        paths of any further errors). Warnings are passed on before it is raised.
    """
    findings = check_product(spec, bundle)
    found = [f for f in findings if f.severity != "error"]
    for finding in found:
        line = f"{spec.source}: {finding}"
        if warn is None:
            warnings.warn(line, ProductWarning, stacklevel=3)
        else:
            warn(line)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        more = ""
        if len(errors) > 1:
            others = ", ".join(f.path for f in errors[1:])
            more = f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''}: {others})"
        raise InputError(f"{spec.source}: {errors[0]}{more}")
    return found


class _Materials:
    """The checks of the materials after roles are resolved (mixed into :class:`_Checker`)."""

    def resolved(self, stage):
        """The stage's materials (:func:`footprint.model.chain.resolve_materials`), or None if they cannot be resolved.

        A material that cannot be resolved (an unknown dataset, two materials in one role)
        is the chain's error to report; these checks then have nothing to say.
        """
        if stage == "module" and (self.product("area") is None or self.product("rated_power") is None):
            return None
        try:
            return resolve_materials(self.spec, self.bundle, stage)
        except (InputError, AttributeError, TypeError):
            return None

    def roles(self):
        for stage in STAGES:
            for material in self.resolved(stage) or ():
                if not material.inferred or material.path in self.unusable:
                    continue
                defaults = self.bundle.material_defaults(stage, self.technology(stage))
                replaced = "; ".join(f"{item} ({format_quantity(defaults[item].value, percent=False)}, "
                                     f"{short_source(defaults[item].source)})" for item in material.replaces)
                role = material.role
                self.add("warning", material.path, self.typed(material.path, material.amount),
                         f"{material.dataset} is a {MATERIAL_ROLES[role]} material, so it replaces the default {replaced} "
                         f"instead of adding to it; write {role}: {{dataset: {material.dataset}, amount: ...}} to say so, or "
                         f"my_{role}: {{dataset: {material.dataset}, amount: ...}} to add it to the default", "role")

    def module_mass(self):
        """The bill of materials' mass against ``product.mass``; frame and glass against the module area."""
        materials = self.resolved("module")
        area = self.product("area")
        if materials is None or area is None:
            return
        by_role = {}
        for material in materials:
            mass = _mass_per_piece(material.amount)
            if mass is None or material.role in NOT_IN_MODULE_MASS:
                continue
            name = material.role or material.key
            by_role[name] = by_role.get(name, 0.0) + mass
        for role, (low, high), what in (("frame", FRAME_PER_AREA, "frame"), ("glass", GLASS_PER_AREA, "glass")):
            if not by_role.get(role):
                continue
            per_area = Quantity(by_role[role], "kg") / area.to("m**2")
            if low <= per_area <= high:
                continue
            paths = [m.path for m in materials if m.role == role and m.path]
            path = paths[0] if paths else "stages.module.materials"
            shown = self.typed(path, Quantity(by_role[role], "kg/piece")) if paths else f"{by_role[role]:.3g} kg per module"
            self.add("warning", path, shown,
                     f"{per_area.to('kg/m**2').magnitude:.3g} kg of {what} per m2 of module ({by_role[role]:.3g} kg over "
                     f"{area.to('m**2').magnitude:g} m2, {self.where('product.area')}); expected "
                     f"{low.magnitude:g} to {high.magnitude:g} kg/m2 (check thresholds chosen here): check the amount, its "
                     "unit (per module or per m2) and the module area", "mass_per_area")
        declared = self.product("mass")
        cells = self.cells_mass()
        if declared is None or cells is None:
            return
        by_role["cells"] = cells
        total = sum(by_role.values())
        declared_kg = float(declared.to("kg").magnitude)
        deviation = total / declared_kg - 1
        if abs(deviation) <= MASS_TOLERANCE:
            return
        parts = ", ".join(f"{name} {mass:.2f}" for name, mass in sorted(by_role.items(), key=lambda item: -item[1]) if mass > 0)
        self.add("warning", "product.mass", f"{declared_kg:g} kg",
                 f"the bill of materials weighs {total:.2f} kg ({parts}; packaging left out), {deviation:+.1%} against the "
                 f"datasheet mass; expected them to agree within {MASS_TOLERANCE:.0%} (check threshold chosen here; the defaults "
                 "leave out silicone sealant, diodes and, for glass-backsheet, the junction box and the backsheet's PVF film): "
                 "check product.mass and the materials' amounts", "module_mass")

    def cells_mass(self):
        """Mass of the cells in one module [kg]: full-wafer cells x (wafer silicon + the cell's own materials), or None."""
        cells, per_wafer = self.count("module", "cells"), self.count("module", "cells_per_wafer")
        area, thickness = self.get("wafer", "wafer_area"), self.get("wafer", "thickness")
        if None in (cells, per_wafer, area, thickness):
            return None
        silicon = float((area * thickness * SILICON_DENSITY).to("kg").magnitude)
        own = 0.0
        for material in self.resolved("cell") or ():
            mass = _mass_per_piece(material.amount)
            if mass is not None and material.role not in NOT_IN_MODULE_MASS:
                own += mass
        return cells / per_wafer * (silicon + own)


class _Checker(_Materials):
    def __init__(self, spec, bundle, measured, unusable, where):
        self.spec = spec
        self.bundle = bundle
        self.measured = measured
        self.unusable = unusable
        self.where = where
        self.findings = []

    def add(self, severity, path, value, message, check):
        self.findings.append(Finding(severity, path, value, message, check))

    # -- values ---------------------------------------------------------------------------
    def technology(self, stage):
        """The technology whose defaults a stage takes, as the model picks it (never failing)."""
        given = self.spec.stages[stage].technology
        if given:
            return given
        if stage == "cell" and self.spec.technology:
            return self.spec.technology
        return "any"

    def given(self, stage, key):
        """The product's own value of a stage parameter (scalar), or None."""
        if f"stages.{stage}.{key}" in self.unusable:
            return None
        return _scalar(self.spec.stages[stage].parameters.get(key))

    def default(self, stage, key):
        return self.bundle.process_default(stage, self.technology(stage), key)

    def get(self, stage, key):
        """The product's value if given and usable, else the bundled default, else None."""
        path = f"stages.{stage}.{key}"
        if path in self.unusable:
            return None  # given but unusable: its problem is reported, no check on a default instead
        if key in self.spec.stages[stage].parameters:
            return self.given(stage, key)
        default = self.default(stage, key)
        return default.value if default is not None else None

    def product(self, key):
        if f"product.{key}" in self.unusable:
            return None
        return _scalar(getattr(self.spec, key))

    def count(self, stage, key):
        """A count (cells, cells per wafer) as a float, or None."""
        value = self.get(stage, key)
        if value is None:
            return None
        return float(value.to("piece" if value.check("[count]") else "").magnitude)

    # -- bounds of single values ----------------------------------------------------------
    def bounds(self):
        efficiency = self.given("cell", "efficiency")
        if efficiency is not None:
            self.efficiency(efficiency.to("").magnitude, self.typed("stages.cell.efficiency", efficiency))
        for key, limit, what, expected in (
                ("thickness", WAFER_THICKNESS_MAX, "thicker than any wafer for solar cells", "the as-cut thickness, such as 150 um"),
                ("kerf", KERF_MAX, "wider than the cut of any wafering saw", "the silicon lost per cut, such as 50 um")):
            value = self.given("wafer", key)
            if value is not None and value > limit:
                path = f"stages.wafer.{key}"
                self.fail(path, self.typed(path, value), f"above {format_quantity(limit)}, {what} (the bundled default is "
                          f"{self.shown_default('wafer', key)}; check threshold chosen here); expected {expected}: check the "
                          "value and its unit")
        for stage, key in MASS_BALANCE:
            value = self.given(stage, key)
            if value is None:
                continue
            per = float(value.to("").magnitude)
            if per < MASS_BALANCE_MIN:
                path = f"stages.{stage}.{key}"
                self.fail(path, self.typed(path, value), f"{per:g} kg of {key} per kg of {stage} breaks the mass balance; "
                          f"expected {MASS_BALANCE_MIN:g} kg/kg or more")

    def efficiency(self, magnitude, shown):
        path = "stages.cell.efficiency"
        if magnitude <= 0:
            self.fail(path, shown, "a cell converts some of the light it gets; expected the cell efficiency at STC above zero, "
                      "such as 23 %")
        elif magnitude > EFFICIENCY_LIMIT:
            self.fail(path, shown, f"above the {EFFICIENCY_LIMIT:.2%} limiting efficiency of a crystalline silicon cell "
                      "(Richter et al. 2013); expected the cell efficiency at STC")
        elif magnitude < EFFICIENCY_LOW:
            self.add("warning", path, shown, f"a cell efficiency below {EFFICIENCY_LOW:.0%} is unusual; check the value "
                     "(23 % is written 23 % or 0.23)", "bound")

    def fail(self, path, shown, message):
        """A bound broken: an error, and the value is kept out of the other checks."""
        self.add("error", path, shown, message, "bound")
        self.unusable.add(path)

    def typed(self, path, quantity):
        """A value as the product file gives it (quoted, as the reader's errors show it), else as a quantity."""
        raw = self.spec.data
        for part in path.split("."):
            raw = raw.get(part) if isinstance(raw, dict) else None
        if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
            return show(raw)
        return format_quantity(quantity)

    def shown_default(self, stage, key):
        default = self.default(stage, key)
        return format_quantity(default.value, percent=False) if default is not None else "none"

    # -- consistency ----------------------------------------------------------------------
    def wafer_mass(self):
        path = "stages.wafer.wafer_mass"
        given = _scalar(self.measured.get(path))
        area, thickness = self.get("wafer", "wafer_area"), self.get("wafer", "thickness")
        if given is None or area is None or thickness is None:
            return
        expected = (area * thickness * SILICON_DENSITY).to("g")
        deviation = float(given.to("g").magnitude / expected.magnitude) - 1
        if abs(deviation) > CONSISTENCY_TOLERANCE:
            self.add("error", path, f"{given.to('g').magnitude:g} g",
                     f"differs by {deviation:+.0%} from wafer area x thickness x {SILICON_DENSITY.magnitude} g/cm3 "
                     f"= {expected.magnitude:.2f} g ({area.to('cm**2').magnitude:g} cm2, {thickness.to('um').magnitude:g} um); "
                     f"expected them to agree within {CONSISTENCY_TOLERANCE:.0%}: check the area, thickness and mass",
                     "wafer_mass")

    def silicon_input(self):
        path = "stages.wafer.silicon_input"
        given = _scalar(self.measured.get(path))
        names = ("wafer_area", "thickness", "kerf", "ingot_utilisation", "yield")
        values = {name: self.get("wafer", name) for name in names}
        if given is None or any(v is None for v in values.values()):
            return
        given = self.per_piece("wafer", given)
        if given is None:
            return
        model = (values["wafer_area"] * (values["thickness"] + values["kerf"]) * SILICON_DENSITY
                 / (values["ingot_utilisation"] * values["yield"])).to("kg") / Quantity(1, "piece")
        deviation = float((given / model).to("").magnitude) - 1
        if abs(deviation) > CONSISTENCY_TOLERANCE:
            self.add("error", path, f"{given.to('g/piece').magnitude:.4g} g per wafer",
                     f"differs by {deviation:+.0%} from the {model.to('g/piece').magnitude:.4g} g per wafer the model "
                     "uses (area x (thickness + kerf) x density / (ingot utilisation x yield)); expected them to "
                     f"agree within {CONSISTENCY_TOLERANCE:.0%}: check kerf, ingot utilisation and yield", "silicon_input")

    def cell_power(self):
        """Power of one full-wafer cell at STC [W], or None."""
        area, efficiency = self.get("wafer", "wafer_area"), self.get("cell", "efficiency")
        if area is None or efficiency is None:
            return None
        return (area * efficiency * STC_IRRADIANCE).to("W")

    def cell_to_module(self):
        cells, per_wafer = self.count("module", "cells"), self.count("module", "cells_per_wafer")
        power, cell_power = self.product("rated_power"), self.cell_power()
        if None in (cells, per_wafer, power, cell_power):
            return
        cells_power = cells / per_wafer * cell_power
        ratio = float((power / cells_power).to("").magnitude)
        message = (f"{cells:g} cells from {per_wafer:g} per wafer give {cells_power.magnitude:.0f} W of cells for a rated "
                   f"power of {power.to('W').magnitude:g} W ({self.where('product.rated_power')}): a cell-to-module ratio "
                   f"of {ratio:.2f}")
        hint = "check the cell count, cells per wafer, wafer area and cell efficiency"
        if ratio > CTM_MAX:
            self.add("error", "stages.module.cells", f"{cells:g}", f"{message}; expected at most {CTM_MAX:.2f}: {hint}",
                     "cell_to_module")
        elif ratio < CTM_LOW:
            self.add("warning", "stages.module.cells", f"{cells:g}", f"{message}; below {CTM_LOW:.2f} is unusual: {hint}",
                     "cell_to_module")

    def cell_area(self):
        cells, per_wafer = self.count("module", "cells"), self.count("module", "cells_per_wafer")
        area, wafer_area = self.product("area"), self.get("wafer", "wafer_area")
        if None in (cells, per_wafer, area, wafer_area):
            return
        cells_area = (cells / per_wafer * wafer_area).to("m**2")
        if cells_area > area:
            self.add("error", "stages.module.cells", f"{cells:g}",
                     f"{cells:g} cells from {per_wafer:g} per wafer of {wafer_area.to('cm**2').magnitude:g} cm2 cover "
                     f"{cells_area.magnitude:.3g} m2, more than the module area {area.to('m**2').magnitude:g} m2 "
                     f"({self.where('product.area')}); expected them to fit: check the cell count, cells per wafer, wafer "
                     "area and module area", "cell_area")

    # -- outliers -------------------------------------------------------------------------
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
            return self.product("area")
        return self.get("wafer", "wafer_area")

    def power(self, stage):
        if stage == "module":
            return self.product("rated_power")
        return self.cell_power()

    def given_values(self, stage):
        """The values a stage gives, in the order of a workbook's rows: (path, key, quantity)."""
        spec = self.spec.stages[stage]
        keys = [*STAGE_PARAMETERS[stage], "electricity", "heat"]
        keys += [key for key in spec.parameters if key not in keys]
        for key in keys:
            if key in spec.parameters:
                yield f"stages.{stage}.{key}", key, spec.parameters[key]
        for group, prefix, values in (("materials", "material", spec.materials), ("emissions", "emission", spec.emissions)):
            for item, value in values.items():
                yield f"stages.{stage}.{group}.{item}", f"{prefix}:{item}", value

    def outliers(self):
        for stage in STAGES:
            for path, key, value in self.given_values(stage):
                value = _scalar(value)
                if value is None or path in self.unusable:
                    continue
                default = self.default(stage, key)
                if default is None and key.startswith("material:"):
                    default = self.role_default(stage, key.split(":", 1)[1])
                if default is None:
                    continue
                if (key.startswith(("material:", "emission:")) or key == "heat") and value.magnitude == 0:
                    # 0 removes a default on purpose: a glass-glass module has no backsheet, a line heated
                    # electrically burns no gas (its heat is in its electricity)
                    continue
                self.outlier(stage, path, value, default)

    def role_default(self, stage, role):
        """The one default of a role in a stage (``frame`` -> the frame's default), or None."""
        if role not in MATERIAL_ROLES:
            return None
        defaults = self.bundle.material_defaults(stage, self.technology(stage))
        of_role = [default for item, default in defaults.items() if self.bundle.role_of(item) == role]
        return of_role[0] if len(of_role) == 1 else None

    def outlier(self, stage, path, value, default):
        mine, theirs = value, default.value
        if stage in ("wafer", "cell", "module"):
            mine, theirs = self.per_piece(stage, mine), self.per_piece(stage, theirs)
        if mine is None or theirs is None or mine.dimensionality != theirs.dimensionality:
            return
        theirs_value = float(theirs.to(mine.units).magnitude)
        if theirs_value <= 0:
            return
        ratio = float(mine.magnitude) / theirs_value
        if ratio > OUTLIER_ERROR_FACTOR or ratio < 1 / OUTLIER_ERROR_FACTOR:
            self.add("error", path, format_quantity(value, percent=False),
                     f"{ratio:.2g} times the bundled default {format_quantity(default.value, percent=False)} "
                     f"({cite(default.source, data_year=default.year)}), beyond any plausible value; expected a value "
                     f"within {OUTLIER_ERROR_FACTOR:g} times the default (check the value and its unit)", "outlier")
        elif ratio > OUTLIER_FACTOR or ratio < 1 / OUTLIER_FACTOR:
            self.add("warning", path, format_quantity(value, percent=False),
                     f"{ratio:.2g} times the bundled default {format_quantity(default.value, percent=False)} "
                     f"({cite(default.source, data_year=default.year)}); check the value and its unit", "outlier")


def _mass_per_piece(amount):
    """A material amount per piece as kg (a float), or None if it is not a mass per piece."""
    amount = _scalar(amount)
    if amount is None:
        return None
    total = amount * Quantity(1, "piece")
    if not total.check("[mass]"):
        return None
    return float(total.to("kg").magnitude)


def _scalar(quantity):
    """A quantity holding one finite number, else None (a batch's arrays are not checked here)."""
    if quantity is None or not hasattr(quantity, "magnitude"):
        return None
    if np.ndim(quantity.magnitude) != 0 or not np.isfinite(float(quantity.magnitude)):
        return None
    return quantity


"""The foreground process chain of a product: amounts per reference unit, with provenance.

Pure data, no Brightway: :func:`build_chain` fills every parameter the product file leaves
out with the bundled default (``inventories/processes.csv``) and computes the mass flows
between stages:

- wafer: ingot silicon per wafer = wafer area x (thickness + kerf) x density of silicon
  / (ingot utilisation x wafer yield);
- cell: wafers per cell = 1 / cell yield;
- module: cells per module = cells / cells per wafer / module yield (in full cells).
"""

from dataclasses import dataclass, field

import numpy as np

from footprint.errors import InputError
from footprint.i18n import names
from footprint.units import Quantity
from footprint.vocab import REFERENCE_UNITS, STAGES

#: Density of crystalline silicon at 25 C [g/cm3]. Reference: CRC Handbook of Chemistry
#: and Physics, 97th ed. (2016), "Physical constants of inorganic compounds": 2.3290.
SILICON_DENSITY = Quantity(2.329, "g/cm**3")
#: Irradiance at standard test conditions [W/m2] (IEC 60904-3), for the power of a cell.
STC_IRRADIANCE = Quantity(1000.0, "W/m**2")

#: The upstream stage each stage consumes, and the parameter that gives how much.
UPSTREAM = {"polysilicon": "mg_silicon", "ingot": "polysilicon", "wafer": "ingot", "cell": "wafer", "module": "cell"}


@dataclass(frozen=True)
class Provenance:
    """Where a number came from: the user's file (primary) or a bundled default."""

    primary: bool
    source: str
    year: int | None = None
    locator: str = ""
    #: Fraction of the flow's emissions that is primary data, when the source says so
    #: (a supplier's declared primaryDataShare); None means all (primary) or nothing.
    share: float | None = None

    @property
    def primary_fraction(self):
        if self.share is not None:
            return self.share
        return 1.0 if self.primary else 0.0

    def describe(self):
        if self.primary:
            return f"product file ({self.source})"
        year = f", {self.year}" if self.year else ""
        locator = f", {self.locator}" if self.locator else ""
        return f"default: {self.source}{year}{locator}"


@dataclass
class Flow:
    """An input or emission of a foreground process, per reference unit of the process.

    ``kind`` is "stage" (another foreground process of the chain, by its code), "dataset"
    (a background dataset) or "gas" (a direct emission); ``amount`` is in the target's
    reference unit: a float, or a numpy array when a batch builds many variants at once.
    """

    kind: str
    target: str
    amount: float
    label: str
    provenance: Provenance


@dataclass
class Process:
    """One foreground process: a stage of the product."""

    stage: str
    name: str
    unit: str  # pint unit of the reference flow: "kg" or "piece"
    site: str
    electricity_dataset: str
    flows: list = field(default_factory=list)
    parameters: dict = field(default_factory=dict)  # name -> (Quantity, Provenance)
    technology: str = ""  # whose defaults the stage took ("any" if none)


@dataclass
class Chain:
    """The whole foreground of a product, upstream first."""

    product_id: str
    product_name: str
    technology: str
    rated_power: Quantity
    area: Quantity
    processes: dict  # code -> Process; the stage processes' codes are the stage names
    source: str
    sha256: str


def build_chain(spec, bundle, *, replaced=()):
    """Turn a checked product spec into its foreground chain.

    Parameters
    ----------
    spec : footprint.model.spec.ProductSpec
    bundle : footprint.bundle.read.Bundle
    replaced : iterable of str
        Stages whose product comes with a supplier's declared footprint: neither they nor
        the stages upstream of them are built (the caller adds the declared process).

    Raises
    ------
    InputError
        A required parameter without default, an unknown site, material or gas, or
        inconsistent geometry; named with its YAML path.
    """
    builder = _Builder(spec, bundle)
    skipped = set()
    for stage in replaced:
        while stage:
            skipped.add(stage)
            stage = UPSTREAM.get(stage)
    processes = {stage: builder.process(stage) for stage in STAGES if stage not in skipped}
    return Chain(spec.id, spec.name, spec.technology, spec.rated_power, spec.area, processes, spec.source, spec.sha256)


def stage_parameter(spec, bundle, stage, name, unit):
    """A stage parameter from the product file, else its bundled default.

    Returns
    -------
    (pint.Quantity in ``unit``, Provenance)
    """
    value, provenance = _Builder(spec, bundle).parameter(stage, name, unit)
    return value.to(unit), provenance


class _Builder:
    def __init__(self, spec, bundle):
        self.spec = spec
        self.bundle = bundle
        self.user = Provenance(True, spec.source)

    def fail(self, path, message):
        raise InputError(f"{self.spec.source}: {path}: {message}")

    def technology(self, stage):
        """The technology whose defaults a stage takes: the file's, else the product's for cells.

        Modules have no fallback: glass, backsheet and encapsulant defaults differ between
        glass-backsheet and glass-glass, and guessing would change the footprint silently.
        """
        given = self.spec.stages[stage].technology
        known = self.bundle.known_technologies(stage)
        if given:
            if given != "any" and given not in known:
                expected = ", ".join(known) if known else "no technology (leave the field out)"
                self.fail(f"stages.{stage}.technology", f"got {given!r}; expected one of {expected}")
            return given
        if stage == "cell":
            return self.spec.technology
        if stage == "module" and known:
            self.fail("stages.module.technology", f"missing; expected one of {', '.join(known)} (the glass, backsheet and encapsulant defaults depend on it)")
        return "any"

    def parameter(self, stage, name, unit, *, required=True):
        """The user's value, else the bundled default; as (Quantity in ``unit``, Provenance)."""
        given = self.spec.stages[stage].parameters.get(name)
        if given is not None:
            return self.per_reference(stage, given, name), self.user
        default = self.bundle.process_default(stage, self.technology(stage), name)
        if default is None:
            if not required:
                return None, None
            self.fail(f"stages.{stage}.{name}", f"missing, and no bundled default exists for {stage} ({self.technology(stage)}); expected a value in {unit}")
        provenance = Provenance(False, default.source, default.year, default.locator)
        return self.per_reference(stage, default.value, name, where=default.where).to(unit), provenance

    def per_reference(self, stage, quantity, name, *, where=None, numerator=None):
        """Convert a per-m2 or per-W amount to per reference unit of the stage.

        ``numerator`` is the unit the amount measures (a dataset's unit), when known.
        """
        if stage in ("wafer", "cell", "module"):
            if _is_per(quantity, "m**2", numerator):
                return quantity * self.area(stage) / Quantity(1, "piece")
            if _is_per(quantity, "W", numerator):
                return quantity * self.power(stage) / Quantity(1, "piece")
        return quantity

    def area(self, stage):
        """Area of one reference unit [m2]: the wafer (wafer, cell) or the module."""
        if stage == "module":
            return self.spec.area.to("m**2")
        area, _ = self.parameter("wafer", "wafer_area", "cm**2")
        return area.to("m**2")

    def power(self, stage):
        """Rated power of one reference unit [W]: cells from area x efficiency x 1000 W/m2."""
        if stage == "module":
            return self.spec.rated_power.to("W")
        efficiency, _ = self.parameter("cell", "efficiency", "dimensionless")
        return (self.area("cell") * efficiency * STC_IRRADIANCE).to("W")

    def site(self, stage):
        site = self.spec.stages[stage].site
        if not site:
            self.fail(f"stages.{stage}.site", "missing; expected the site's geography, such as CN-JS (Jiangsu) or VN")
        if site not in self.bundle.geographies:
            self.fail(f"stages.{stage}.site", f"unknown geography {site!r}; expected an id of inventories/geographies.csv such as CN, CN-JS or VN")
        return site

    def process(self, stage):
        site = self.site(stage)
        grid = self.bundle.electricity_for(site)
        if grid is None:
            self.fail(f"stages.{stage}.site", f"no bundled grid electricity for {site!r} or the grids it belongs to")
        unit = REFERENCE_UNITS[stage]
        process = Process(stage, _STAGE_NAMES[stage], unit, site, grid.id, technology=self.technology(stage))
        if stage in UPSTREAM:
            amount, provenance, label = self.upstream_amount(stage, process)
            process.flows.append(Flow("stage", UPSTREAM[stage], amount, label, provenance))
        electricity, provenance = self.parameter(stage, "electricity", f"kWh/{unit}")
        process.parameters["electricity"] = (electricity, provenance)
        label = grid.name if grid.name.startswith("electricity") else f"electricity, {grid.name}"
        process.flows.append(Flow("dataset", grid.id, _magnitude(electricity), label, provenance))
        heat, provenance = self.parameter(stage, "heat", f"MJ/{unit}", required=False)
        if heat is not None and np.any(heat.magnitude > 0):
            process.parameters["heat"] = (heat, provenance)
            process.flows.append(Flow("dataset", "heat_natural_gas", _magnitude(heat), "heat, natural gas", provenance))
        for kind, prefix in (("dataset", "material"), ("gas", "emission")):
            for item, (amount, provenance) in self.items(stage, prefix).items():
                known = self.bundle.datasets if kind == "dataset" else self.bundle.gases
                field_name = "materials" if kind == "dataset" else "emissions"
                if item not in known:
                    choices = ", ".join(sorted(k for k in known if not k.startswith("electricity_"))[:40])
                    self.fail(f"stages.{stage}.{field_name}.{item}", f"unknown {'dataset' if kind == 'dataset' else 'gas'} {item!r}; expected one of {choices}")
                target_unit = self.bundle.datasets[item].unit if kind == "dataset" else "kg"
                try:
                    value = amount.to(f"({target_unit})/{unit}")
                except Exception:
                    self.fail(f"stages.{stage}.{field_name}.{item}", f"got {_show_amount(amount)}; expected {target_unit} per {unit}, per m2 or per W")
                if np.any(value.magnitude > 0):
                    label = self.bundle.datasets[item].name if kind == "dataset" else self.bundle.gases[item].label
                    process.flows.append(Flow(kind, item, _magnitude(value), label, provenance))
        return process

    def items(self, stage, prefix):
        """Materials or emissions: bundled defaults, overridden item by item by the user's."""
        found = {}
        technology = self.technology(stage)
        for tech in ("any", technology):
            for default in self.bundle.processes:
                if default.stage == stage and default.technology == tech and default.parameter.startswith(prefix + ":"):
                    item = default.parameter.split(":", 1)[1]
                    found[item] = (self.per_reference(stage, default.value, item, numerator=self.item_unit(prefix, item)),
                                   Provenance(False, default.source, default.year, default.locator))
        given = self.spec.stages[stage].materials if prefix == "material" else self.spec.stages[stage].emissions
        for item, amount in given.items():
            found[item] = (self.per_reference(stage, amount, item, numerator=self.item_unit(prefix, item)), self.user)
        return found

    def item_unit(self, prefix, item):
        """The unit a material (its dataset's unit) or an emission (kg) is measured in; None if unknown."""
        if prefix == "emission":
            return "kg"
        dataset = self.bundle.datasets.get(item)
        return dataset.unit if dataset is not None else None

    def upstream_amount(self, stage, process):
        """Amount of the upstream stage's product per reference unit of this stage."""
        if stage in ("polysilicon", "ingot"):
            name = UPSTREAM[stage]
            amount, provenance = self.parameter(stage, name, "kg/kg")
            process.parameters[name] = (amount, provenance)
            return _magnitude(amount), provenance, f"{_STAGE_NAMES[name]} input"
        if stage == "wafer":
            values = {}
            provenances = []
            for name, unit in (("wafer_area", "cm**2"), ("thickness", "um"), ("kerf", "um"), ("ingot_utilisation", ""), ("yield", "")):
                values[name], provenance = self.parameter("wafer", name, unit)
                process.parameters[name] = (values[name], provenance)
                provenances.append(provenance)
            silicon = values["wafer_area"] * (values["thickness"] + values["kerf"]) * SILICON_DENSITY
            amount = (silicon / (values["ingot_utilisation"] * values["yield"])).to("kg")
            return _magnitude(amount), _combined(provenances, self.user), "ingot silicon per wafer"
        if stage == "cell":
            cell_yield, provenance = self.parameter("cell", "yield", "")
            efficiency, eff_provenance = self.parameter("cell", "efficiency", "")
            process.parameters["yield"] = (cell_yield, provenance)
            process.parameters["efficiency"] = (efficiency, eff_provenance)
            return _magnitude(1 / cell_yield), provenance, "wafers per cell"
        # module
        cells, cell_provenance = self.parameter("module", "cells", "piece")
        per_wafer, wafer_provenance = self.parameter("module", "cells_per_wafer", "")
        module_yield, provenance = self.parameter("module", "yield", "")
        for name, value, prov in (("cells", cells, cell_provenance), ("cells_per_wafer", per_wafer, wafer_provenance), ("yield", module_yield, provenance)):
            process.parameters[name] = (value, prov)
        full_cells = _magnitude(cells) / _magnitude(per_wafer)
        too_many = np.ravel(full_cells * self.area("cell") > self.spec.area)
        if np.any(too_many):
            first = int(np.flatnonzero(too_many)[0])  # a batch builds arrays: name the first offending variant

            def pick(magnitude):
                values = np.ravel(magnitude)
                return float(values[min(first, values.size - 1)])

            self.fail("stages.module.cells", f"{pick(cells.magnitude):g} cells of {pick(self.area('cell').to('cm**2').magnitude):.1f} cm2 per wafer "
                      f"exceed the module area {pick(self.spec.area.to('m**2').magnitude):g} m2")
        return full_cells / _magnitude(module_yield), _combined([cell_provenance, wafer_provenance, provenance], self.user), "cells per module (full-wafer cells)"


def _show_amount(quantity):
    """An amount for a message; the first value when a batch holds many."""
    return f"{float(np.ravel(quantity.magnitude)[0]):.6g} {quantity.units:~}"


def _magnitude(quantity):
    """A quantity's magnitude as a float, or as a float array when it holds many variants."""
    magnitude = quantity.magnitude if hasattr(quantity, "magnitude") else quantity
    if np.ndim(magnitude) == 0:
        return float(magnitude)
    return np.asarray(magnitude, dtype=float)


def _is_per(quantity, unit, numerator=None):
    """True if ``quantity`` has a denominator of ``unit``'s dimension (per m2, per W).

    With ``numerator`` (e.g. "tonne * km"), true when the quantity is numerator per unit;
    without, when it is an energy or a mass per unit.
    """
    product = quantity * Quantity(1, unit)
    if numerator is not None:
        return product.dimensionality == Quantity(1, numerator).dimensionality
    return product.check("[energy]") or product.check("[mass]")


def _combined(provenances, user):
    """A derived amount is primary only when every input to it is."""
    if all(p.primary for p in provenances):
        return user
    defaults = [p for p in provenances if not p.primary]
    return Provenance(False, "; ".join(sorted({p.source for p in defaults})), max((p.year or 0) for p in defaults) or None)


_STAGE_NAMES = {stage: words["en"] for stage, words in names("stage_process").items()}

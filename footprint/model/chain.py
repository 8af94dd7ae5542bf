"""The foreground process chain of a product: amounts per reference unit, with provenance.

Pure data, no Brightway: :func:`build_chain` fills every parameter the product file leaves
out with the bundled default (``inventories/processes.csv``) and computes the mass flows
between stages:

- polysilicon: MG silicon per kg (``mg_silicon``), by default the polysilicon technology's;
- ingot: polysilicon per kg (``polysilicon``); the bundled default, like the ingot
  electricity, is per kg of squared ingot with the source's offcut loop in it and is
  multiplied by the ingot utilisation (:meth:`_Builder.per_ingot_drawn`);
- wafer: ingot silicon per wafer = wafer area x (thickness + kerf) x density of silicon
  / (ingot utilisation x wafer yield);
- cell: wafers per cell = 1 / cell yield;
- module: cells per module = cells / cells per wafer / module yield (in full cells).

Materials fill roles (:data:`footprint.bundle.types.MATERIAL_ROLES`): a product's material
replaces the stage's default of its role (:func:`resolve_materials`). An aluminium frame is
extruded at the module stage: ``frame_extrusion_electricity`` and ``frame_extrusion_heat`` per
kg of frame, with the grid of the frame maker's site (the frame's ``site``, else the module's).
A material with ``recycled_content`` and a bundled recycled counterpart
(:data:`~footprint.bundle.types.RECYCLED_COUNTERPARTS`) is split between the two. A material or heat
given with a supplier's own factor enters as a direct CO2-eq emission (``co2e_aggregated``)
with the factor's source, and counts as primary data; a material typed in with a bundled
factor counts as secondary data (its amount is the user's, its factor generic).
"""

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np

from footprint.bundle.types import AGGREGATED_GAS, EXTRUDED_FRAME_METALS, MATERIAL_ROLES, RECYCLED_COUNTERPARTS
from footprint.errors import InputError
from footprint.i18n import names
from footprint.model.spec import SharedFactor, SharedGrid
from footprint.units import Quantity, format_quantity
from footprint.vocab import REFERENCE_UNITS, STAGES

#: Density of crystalline silicon at 25 C [g/cm3]. Reference: CRC Handbook of Chemistry
#: and Physics, 97th ed. (2016), "Physical constants of inorganic compounds": 2.3290.
SILICON_DENSITY = Quantity(2.329, "g/cm**3")
#: Irradiance at standard test conditions [W/m2] (IEC 60904-3), for the power of a cell.
STC_IRRADIANCE = Quantity(1000.0, "W/m**2")

#: Cell inputs without a default, (technology, parameter) -> why, for the message that asks for them.
CELL_WITHOUT_DEFAULT = {
    ("hjt", "yield"): ": no public heterojunction cell yield was found (Götz et al. 2026, the source of the PERC and TOPCon "
                      "yields, have no HJT inventory)",
    ("bc", "yield"): ": no public back-contact cell yield was found (no public BC cell inventory exists)",
}
#: What is public about back-contact cells' metallisation, for the message that asks for it.
BC_METALLISATION = ("a back-contact cell's silver has no bundled default: no public figure of silver (or silver-coated copper "
                    "paste) per back-contact cell or per W was found, only the qualitative statement that IBC cells are "
                    "metallised with printed silver-copper or pure copper contacts (Fraunhofer ISE, 2025)")

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
        if self.primary and self.locator:
            return f"{self.source}; {self.locator}"
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
    electricity_basis: str = ""  # the basis its grid factor was chosen on (vocab.ELECTRICITY_BASES), "" without grid


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


def build_chain(spec, bundle, *, replaced=(), as_of=None):
    """Turn a checked product spec into its foreground chain.

    Parameters
    ----------
    spec : footprint.model.spec.ProductSpec
    bundle : footprint.bundle.read.Bundle
    replaced : iterable of str
        Stages whose product comes with a supplier's declared footprint: neither they nor
        the stages upstream of them are built (the caller adds the declared process).
    as_of : datetime.date, optional
        The calculation date, which every supplier-specific factor (``valid_until``) must
        reach; today by default.

    Raises
    ------
    InputError
        A required parameter without default, an unknown site, material or gas, two
        materials filling one role, an expired supplier factor, or inconsistent geometry;
        named with its YAML path.
    """
    check_factor_dates(spec, as_of=as_of or _dt.date.today())
    builder = _Builder(spec, bundle)
    skipped = set()
    for stage in replaced:
        while stage:
            skipped.add(stage)
            stage = UPSTREAM.get(stage)
    last = getattr(spec, "stage", "module")  # a supplier's file ends at its own stage (product.stage)
    built = STAGES[: STAGES.index(last) + 1]
    processes = {stage: builder.process(stage) for stage in built if stage not in skipped}
    return Chain(spec.id, spec.name, spec.technology, spec.rated_power, spec.area, processes, spec.source, spec.sha256)


def check_factor_dates(spec, *, as_of):
    """Refuse a supplier-specific factor whose ``valid_until`` is before the calculation date.

    Raises
    ------
    InputError
        Naming the file, the factor's path, its source, the date it expired and ``as_of``.
    """
    for stage in STAGES:
        given = spec.stages[stage]
        found = [(f"stages.{stage}.materials.{key}", entry.factor) for key, entry in given.material_entries.items()]
        found += [(f"stages.{stage}.{key}", factor) for key, factor in given.factors.items()]
        if given.electricity_factor is not None:
            found.append((f"stages.{stage}.electricity_factor", given.electricity_factor))
        for path, factor in found:
            if isinstance(factor, (str, SharedFactor)):  # a registry:ENTRY@N that nobody fetched
                raise InputError(f"{spec.source}: {path}: {getattr(factor, 'ref', factor)} is a shared database entry, but no "
                                 "shared database was given; expected FOOTPRINT_REGISTRY (the command line), or "
                                 "footprint.supplier.resolving(footprint.shareddb.resolver(...))")
            if factor is not None and factor.valid_until < as_of:
                raise InputError(f"{spec.source}: {path}.valid_until: the factor ({factor.source}) expired on "
                                 f"{factor.valid_until.isoformat()}; the calculation date is {as_of.isoformat()}: expected a "
                                 "factor valid on that date")


@dataclass
class Material:
    """One material of a stage after roles are resolved: a default or the product's own.

    ``amount`` is per reference unit of the stage, in the dataset's unit (or, with a
    supplier's factor and no dataset, in the amount's own unit). ``replaces`` lists the
    default datasets it stands in for; ``inferred`` is true when it replaces a default of
    another dataset only because its dataset has that role (the file did not say so).
    """

    key: str  # the product file's key, or the default's dataset id
    path: str  # "stages.<stage>.materials.<key>", or "" for a default
    dataset: str  # dataset id, or "" (a supplier's factor for a role without default)
    role: str
    amount: object  # Quantity per reference unit of the stage
    provenance: Provenance
    factor: object = None  # footprint.model.spec.SupplierFactor, or None
    recycled_content: object = None
    replaces: tuple = ()
    inferred: bool = False
    site: str = ""  # a frame's extrusion site, or "": the stage's


def resolve_materials(spec, bundle, stage):
    """The materials of a stage: the defaults, with the product's own in their roles.

    A product's material (``stages.<stage>.materials``) is, by its key:

    - a role (``frame``): it replaces every default of that role; its dataset is the one
      given (``{dataset: ..., amount: ...}``), else the role's default dataset;
    - a dataset of the stage's defaults (``aluminium_primary_CN``): it sets that default's
      amount (0 removes it);
    - another dataset with a role (``aluminium_primary_EU``: frame): it replaces the
      defaults of that role, ``inferred`` (the plausibility checks warn, naming both);
    - anything else written as ``{dataset: ..., amount: ...}``: an addition, which
      replaces nothing.

    Two materials filling one role are refused: nothing says which one the module has.

    Returns
    -------
    list of Material
        The defaults left, then the product's own, in the file's order.

    Raises
    ------
    InputError
        An unknown dataset or role, a role without default and without dataset, two
        materials in one role; named with their paths.
    """
    return _Builder(spec, bundle).materials(stage)


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
            why = CELL_WITHOUT_DEFAULT.get((self.technology(stage), name), "") if stage == "cell" else ""
            self.fail(f"stages.{stage}.{name}", f"missing, and no bundled default exists for {stage} ({self.technology(stage)}){why}; "
                                                f"expected {'a value in ' + unit if unit else 'a fraction, such as 0.98'}")
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
        basis = self.spec.stages[stage].electricity_basis or self.spec.electricity_basis
        grid = self.bundle.grid_for(site, basis)
        if grid is None:
            self.fail(f"stages.{stage}.site", f"no bundled grid electricity for {site!r} or the grids it belongs to")
        unit = REFERENCE_UNITS[stage]
        shared = self.spec.stages[stage].electricity_factor
        shared = shared if isinstance(shared, SharedGrid) else None
        process = Process(stage, _STAGE_NAMES[stage], unit, site, shared.ref if shared else grid.id,
                          technology=self.technology(stage), electricity_basis=basis)
        if stage in UPSTREAM:
            amount, provenance, label = self.upstream_amount(stage, process)
            process.flows.append(Flow("stage", UPSTREAM[stage], amount, label, provenance))
        electricity, provenance = self.parameter(stage, "electricity", f"kWh/{unit}")
        if stage == "ingot" and not provenance.primary:
            electricity, provenance = self.per_ingot_drawn(electricity, provenance)
        process.parameters["electricity"] = (electricity, provenance)
        label = grid.name if grid.name.startswith("electricity") else f"electricity, {grid.name}"
        if shared is None:
            process.flows.append(Flow("dataset", grid.id, _magnitude(electricity), label, provenance))
        else:  # the shared entry's factor x the kWh, as direct CO2-eq (as a supplier's factor): docs/server.md
            emission = _magnitude((electricity * shared.value).to(f"kg_CO2_eq/{unit}"))
            process.flows.append(Flow("gas", AGGREGATED_GAS, emission, f"electricity, {shared.title} ({shared.ref})",
                                      Provenance(provenance.primary, f"{shared.ref}: {shared.source}", None,  # no data year in an entry
                                                 f"valid from {shared.valid_from.isoformat()} until "
                                                 f"{shared.valid_until.isoformat()}; {shared.basis}",
                                                 provenance.share)))
        heat, provenance = self.parameter(stage, "heat", f"MJ/{unit}", required=False)
        if heat is not None and np.any(heat.magnitude > 0):
            process.parameters["heat"] = (heat, provenance)
            heat_factor = self.spec.stages[stage].factors.get("heat")
            if heat_factor is None:
                process.flows.append(Flow("dataset", "heat_natural_gas", _magnitude(heat), "heat, natural gas", provenance))
            else:
                self.add_factor(process, "heat", f"stages.{stage}.heat", heat, heat_factor, "heat")
        if stage == "module" and getattr(self.spec, "dimensions", None) is not None:
            per_length, provenance = self.parameter("module", "frame_mass_per_length", "kg/m", required=False)
            if per_length is not None:
                process.parameters["frame_mass_per_length"] = (per_length, provenance)
        materials = self.materials(stage)
        if stage == "cell" and process.technology == "bc" and not any(m.path and m.role == "metallisation" for m in materials):
            self.fail("stages.cell.materials.silver", f"missing; {BC_METALLISATION}; expected the silver of your cells, such as "
                                                      "'90 mg/cell' (and copper for a silver-coated copper paste), or 0 for "
                                                      "silver-free contacts")
        for material in materials:
            self.add_material(process, material)
            if material.role == "frame" and material.factor is None and material.dataset in EXTRUDED_FRAME_METALS:
                self.add_frame_extrusion(process, material, basis)
        for item, (amount, provenance) in self.items(stage, "emission").items():
            if item not in self.bundle.gases:
                choices = ", ".join(sorted(self.bundle.gases)[:40])
                self.fail(f"stages.{stage}.emissions.{item}", f"unknown gas {item!r}; expected one of {choices}")
            try:
                value = amount.to(f"kg/{unit}")
            except Exception:
                self.fail(f"stages.{stage}.emissions.{item}", f"got {_show_amount(amount)}; expected kg per {unit}, per m2 or per W")
            if np.any(value.magnitude > 0):
                process.flows.append(Flow("gas", item, _magnitude(value), self.bundle.gases[item].label, provenance))
        if stage == "cell" and self.spec.stages[stage].fluorinated is not None:
            self.add_fluorinated_gases(process)
        return process

    def fluorinated_value(self, name, unit):
        """A value of ``stages.cell.fluorinated_gases``: the file's, else the bundled IPCC default."""
        given = self.spec.stages["cell"].fluorinated.values
        if name in given:
            return given[name].to(unit), self.user
        default = self.bundle.process_default("cell", self.technology("cell"), name)
        if default is None:
            self.fail(f"stages.cell.fluorinated_gases.{name}", f"missing, and no bundled default exists; expected a value in {unit}")
        return default.value.to(unit), Provenance(False, default.source, default.year, default.locator)

    def add_fluorinated_gases(self, process):
        """The cell line's fluorinated gases (``stages.cell.fluorinated_gases``; docs/calculator.md).

        ``ipcc-tier2``: NF3 of CVD chamber cleaning, emitted = used x (1 - U) x (1 - abated x
        destruction) [1]_, and the NF3 used is produced (``nitrogen_trifluoride``, its plant's
        leak included). ``ipcc-tier1``: CF4 and C2F6 per m2 of cell produced [1]_, a screening
        value for lines that etch and clean with fluorinated compounds.

        References
        ----------
        .. [1] IPCC, 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3, Ch. 6
           Electronics Industry Emissions: Tier 1 PV-cell factors; Tier 2 defaults for PV CVD
           cleaning (NF3 1-U = 0.3) and emission-control destruction efficiency (NF3 0.95).
        """
        method = self.spec.stages["cell"].fluorinated.method
        unit = process.unit
        prefix = "fluorinated_gases"
        if method == "ipcc-tier1":
            area = self.area("cell")
            for gas in ("cf4", "c2f6"):
                factor, provenance = self.fluorinated_value(f"ipcc_tier1_{gas}", "kg/m**2")
                process.parameters[f"{prefix}.ipcc_tier1_{gas}"] = (factor, provenance)
                amount = (factor * area).to("kg") / Quantity(1, unit)
                label = f"{self.bundle.gases[gas].label}, fluorinated gases of the cell line (IPCC 2006 Tier 1 PV-cell factor, screening)"
                process.flows.append(Flow("gas", gas, _magnitude(amount), label, provenance))
            return
        given = self.spec.stages["cell"].fluorinated.values
        used = self.per_reference("cell", given["nf3_used"], "nf3_used", numerator="kg").to(f"kg/{unit}")
        abated = given["nf3_abated"].to("")
        emitted_fraction, fraction_provenance = self.fluorinated_value("nf3_emitted_fraction", "")
        destruction, destruction_provenance = self.fluorinated_value("nf3_destruction", "")
        for name, value, provenance in (("nf3_used", used, self.user), ("nf3_abated", abated, self.user),
                                        ("nf3_emitted_fraction", emitted_fraction, fraction_provenance),
                                        ("nf3_destruction", destruction, destruction_provenance)):
            process.parameters[f"{prefix}.{name}"] = (value, provenance)
        emitted = used * emitted_fraction * (1 - abated * destruction)
        # the user's amount with IPCC defaults is secondary data, as a material with a bundled factor is
        factors_given = fraction_provenance.primary and destruction_provenance.primary
        provenance = self.user if factors_given else Provenance(True, self.spec.source, share=0.0)
        if np.any(emitted.magnitude > 0):
            process.flows.append(Flow("gas", "nf3", _magnitude(emitted), "NF3 emitted, CVD chamber cleaning (IPCC 2006 Tier 2)",
                                      provenance))
        if np.any(used.magnitude > 0):
            name = self.bundle.datasets["nitrogen_trifluoride"].name
            process.flows.append(Flow("dataset", "nitrogen_trifluoride", _magnitude(used), name, Provenance(True, self.spec.source, share=0.0)))

    def per_ingot_drawn(self, value, provenance):
        """A bundled ingot default (electricity, polysilicon) per kg of the chain's ingot: x the ingot utilisation.

        The defaults are per kg of squared ingot (brick) with the source's silicon loop in
        them (1.81 kg pulled per kg of brick, the offcuts re-melted: Götz et al. 2026). The
        wafer stage draws squared ingot / ingot_utilisation kg of ingot, so per kg of that the
        default is x utilisation: per kg of brick it stays the source's figure, and the
        squaring loss is not counted a second time. A value from the product file is per kg
        of ingot as drawn.
        """
        utilisation, _ = self.parameter("wafer", "ingot_utilisation", "")
        locator = (f"{provenance.locator}; x stages.wafer.ingot_utilisation: per kg of ingot before squaring "
                   "(the default is per kg of squared ingot)")
        converted = Provenance(False, provenance.source, provenance.year, locator)
        return (value * utilisation).to(value.units), converted

    def add_material(self, process, material):
        """A material's flow: its dataset, or the supplier's factor as direct CO2-eq."""
        unit = process.unit
        if material.factor is not None:
            what = self.bundle.datasets[material.dataset].name if material.dataset else MATERIAL_ROLES.get(material.role, material.key)
            self.add_factor(process, f"materials.{material.key}", material.path, material.amount, material.factor, what)
            if material.recycled_content is not None:
                process.parameters[f"materials.{material.key}.recycled_content"] = (material.recycled_content, self.user)
            return
        target_unit = self.bundle.datasets[material.dataset].unit
        try:
            value = material.amount.to(f"({target_unit})/{unit}")
        except Exception:
            self.fail(material.path or f"stages.{process.stage}.materials.{material.key}",
                      f"got {_show_amount(material.amount)}; expected {target_unit} per {unit}, per m2 or per W")
        name = self.bundle.datasets[material.dataset].name
        if material.recycled_content is not None:
            # the recycled share is valued with the primary dataset's recycled counterpart, the rest as primary
            share = material.recycled_content.to("").magnitude
            recycled = RECYCLED_COUNTERPARTS[material.dataset]
            process.parameters[f"materials.{material.key}.recycled_content"] = (material.recycled_content, self.user)
            if np.any(value.magnitude * share > 0):
                percent = f"{float(np.ravel(share)[0]) * 100:g} %"
                process.flows.append(Flow("dataset", recycled, _magnitude(value * share),
                                          f"{self.bundle.datasets[recycled].name} (recycled content {percent} of {material.key})",
                                          material.provenance))
            value = value * (1 - share)
        if np.any(value.magnitude > 0):
            process.flows.append(Flow("dataset", material.dataset, _magnitude(value), name, material.provenance))

    def add_frame_extrusion(self, process, material, basis):
        """The extrusion of an aluminium frame: electricity at the frame maker's grid and natural gas, per kg of frame.

        Defaults: USLCI "Aluminum, secondary, extruded" (inventories/processes.csv,
        ``frame_extrusion_electricity`` and ``frame_extrusion_heat``); the product file may give
        its own under ``stages.module``. The grid is the frame's ``site``'s, else the module's,
        on the stage's electricity basis.
        """
        path = material.path or f"stages.module.materials.{material.key}"
        frame = material.amount.to(f"kg/{process.unit}")
        if not np.any(frame.magnitude > 0):
            return
        site = material.site or process.site
        grid = self.bundle.grid_for(site, basis) if site in self.bundle.geographies else None
        if grid is None:
            self.fail(f"{path}.site", f"unknown geography {site!r} or no bundled grid electricity for it; expected an id of "
                                      "inventories/geographies.csv such as CN-JS")
        electricity, electricity_provenance = self.parameter("module", "frame_extrusion_electricity", "kWh/kg")
        heat, heat_provenance = self.parameter("module", "frame_extrusion_heat", "MJ/kg")
        process.parameters["frame_extrusion_electricity"] = (electricity, electricity_provenance)
        process.parameters["frame_extrusion_heat"] = (heat, heat_provenance)
        grid_label = grid.name if grid.name.startswith("electricity") else f"electricity, {grid.name}"
        kwh = (frame * electricity).to(f"kWh/{process.unit}")
        megajoules = (frame * heat).to(f"MJ/{process.unit}")
        if np.any(kwh.magnitude > 0):
            process.flows.append(Flow("dataset", grid.id, _magnitude(kwh), f"frame extrusion ({material.key}): {grid_label}",
                                      electricity_provenance))
        if np.any(megajoules.magnitude > 0):
            process.flows.append(Flow("dataset", "heat_natural_gas", _magnitude(megajoules),
                                      f"frame extrusion ({material.key}): heat, natural gas", heat_provenance))

    def add_factor(self, process, name, path, amount, factor, what):
        """A supplier's factor x the amount, as a direct CO2-eq emission with the factor's source.

        Its amount and factor are listed in the process's parameters (``materials.<key>``,
        ``materials.<key>.factor``; ``heat``, ``heat.factor``), the factor with its source.
        """
        unit = process.unit
        per = self.per_reference(process.stage, amount, name)
        emission = self.per_reference(process.stage, amount * factor.value, name)
        try:
            emission = emission.to(f"kg_CO2_eq/{unit}")
        except Exception:
            self.fail(f"{path}.factor", f"got {format_quantity(factor.value)} for {_show_amount(amount)}; expected kg CO2-eq "
                      "per unit of the amount")
        provenance = Provenance(True, f"supplier-specific factor: {factor.source}",
                                locator=f"valid until {factor.valid_until.isoformat()}; product file {self.spec.source}")
        if name != "heat":
            process.parameters[name] = (per, self.user)
        process.parameters[f"{name}.factor"] = (factor.value, provenance)
        if np.any(emission.magnitude > 0):
            process.flows.append(Flow("gas", AGGREGATED_GAS, _magnitude(emission), f"{what}, supplier-specific factor ({factor.source})",
                                      provenance))

    def materials(self, stage):
        """See :func:`resolve_materials`."""
        defaults = self.bundle.material_defaults(stage, self.technology(stage))
        kept = {item: Material(item, "", item, self.bundle.role_of(item),
                               self.per_reference(stage, default.value, item, numerator=self.item_unit("material", item)),
                               Provenance(False, default.source, default.year, default.locator))
                for item, default in defaults.items()}
        if stage == "module":
            self.frame_by_perimeter(kept)
        default_roles = {self.bundle.role_of(item) for item in defaults}
        given = self.spec.stages[stage]
        secondary = Provenance(True, self.spec.source, share=0.0)  # the user's amount, a bundled factor: secondary data
        own = []
        fills = {}  # role -> the path of the product's material that fills it
        for key, amount in given.materials.items():
            path = f"stages.{stage}.materials.{key}"
            entry = given.material_entries.get(key)
            dataset, factor, recycled = (entry.dataset, entry.factor, entry.recycled_content) if entry else ("", None, None)
            if dataset and dataset not in self.bundle.datasets:
                self.fail(f"{path}.dataset", f"unknown dataset {dataset!r}; expected one of {self.material_choices()}")
            if key in MATERIAL_ROLES:  # a role: it says which default it replaces
                role, said = key, True
                dataset = dataset or self.role_dataset(stage, role, defaults, path, needed=factor is None)
            elif key in self.bundle.datasets:  # a dataset: its role, if the stage has a default of it
                if dataset and dataset != key:
                    self.fail(f"{path}.dataset", f"got {dataset!r} under the dataset key {key!r}; expected one dataset (leave "
                                                 "out dataset, or use a role or a label of your own as the key)")
                dataset, role, said = key, self.bundle.role_of(key), False
            elif entry is not None and (dataset or factor is not None):  # a label of the product's own: an addition
                role, said = "", True
            else:
                self.fail(path, f"unknown dataset {key!r}; expected one of {self.material_choices()}, a role "
                                f"({', '.join(MATERIAL_ROLES)}) or a label of your own with {{dataset: ..., amount: ...}}")
            if recycled is not None and factor is None and dataset not in RECYCLED_COUNTERPARTS:
                self.fail(f"{path}.recycled_content", f"no recycled counterpart of {dataset or role} is bundled (only of "
                          f"{', '.join(sorted(RECYCLED_COUNTERPARTS))}), so recycled content cannot change the footprint; expected "
                          "one of those datasets, or the supplier's factor of the material as delivered (factor, source, "
                          "valid_until) beside it")
            site = entry.site if entry else ""
            if site and (role != "frame" or factor is not None or dataset not in EXTRUDED_FRAME_METALS):
                self.fail(f"{path}.site", f"got {site!r}; a site is the extrusion site of an aluminium frame valued with a "
                          f"bundled dataset ({', '.join(sorted(EXTRUDED_FRAME_METALS))}); a supplier's factor covers the "
                          "frame as delivered; expected no site here")
            amount = self.per_reference(stage, amount, key, numerator=self.item_unit("material", dataset) if dataset else None)
            provenance = self.user if factor is not None else secondary
            if key in defaults:  # the default's own dataset: its amount, item by item (0 removes it)
                kept[key] = Material(key, path, dataset, role, amount, provenance, factor, recycled, site=site)
                continue
            replaces = ()
            if role and (said or role in default_roles):
                if role in fills:
                    self.fail(path, f"fills the {MATERIAL_ROLES[role]} role, which {fills[role]} already fills; expected one "
                                    "material per role (for a deliberate addition, write it under a label of your own: "
                                    f"my_{role}: {{dataset: {dataset or '...'}, amount: ...}})")
                fills[role] = path
                replaces = tuple(item for item in defaults if self.bundle.role_of(item) == role)
            own.append(Material(key, path, dataset, role, amount, provenance, factor, recycled, replaces, inferred=not said, site=site))
        for material in own:
            given_too = [item for item in material.replaces if kept[item].path]
            for item in given_too:
                if not _all_zero(kept[item].amount):
                    self.fail(material.path, f"fills the {MATERIAL_ROLES[material.role]} role, and {kept[item].path} gives "
                                             f"{item} of that role too; expected one material per role (set {item} to 0 to "
                                             "replace it, or write an addition under a label of your own)")
            # the file set every replaced default to zero itself: the replacement is said
            material.inferred = material.inferred and bool(material.replaces) and len(given_too) < len(material.replaces)
            for item in material.replaces:
                kept.pop(item, None)
        return [*kept.values(), *own]

    def frame_by_perimeter(self, kept):
        """The default frame from the module's perimeter where the product gives its dimensions.

        ``frame_mass_per_length`` [kg/m] x 2 x (length + width) of ``product.dimensions``
        replaces the per-m2 default of the frame role; only where a per-length figure exists for
        the module technology (glass-backsheet: Götz et al. 2026's 0.5 kg/m) or the file gives
        one. The product file's own frame amount, read afterwards, still wins.
        """
        dimensions = getattr(self.spec, "dimensions", None)
        if dimensions is None:
            return
        per_length, provenance = self.parameter("module", "frame_mass_per_length", "kg/m", required=False)
        if per_length is None:
            return
        perimeter = 2 * (dimensions[0] + dimensions[1])
        for item, material in kept.items():
            if material.role != "frame":
                continue
            locator = (f"{provenance.locator}; x perimeter 2 x ({dimensions[0].to('mm').magnitude:g} + "
                       f"{dimensions[1].to('mm').magnitude:g} mm) = {perimeter.to('m').magnitude:g} m of product.dimensions")
            amount = (per_length * perimeter / Quantity(1, "piece")).to("kg/piece")
            kept[item] = Material(item, "", material.dataset, material.role, amount,
                                  Provenance(provenance.primary, provenance.source, provenance.year, locator))

    def role_dataset(self, stage, role, defaults, path, *, needed):
        """The dataset of a role's default in a stage; "" when it has none and a supplier's factor stands in."""
        of_role = sorted(item for item in defaults if self.bundle.role_of(item) == role)
        if len(of_role) == 1:
            return of_role[0]
        if needed:
            have = f"several defaults ({', '.join(of_role)})" if of_role else "no default"
            self.fail(path, f"the {role} role has {have} in {stage}; expected {{dataset: <dataset id>, amount: ...}}")
        return ""

    def material_choices(self):
        return ", ".join(sorted(k for k in self.bundle.datasets if not k.startswith("electricity_"))[:40])

    def items(self, stage, prefix):
        """Emissions (or materials, without roles): bundled defaults, overridden item by item by the user's."""
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
            if stage == "ingot" and not provenance.primary:
                amount, provenance = self.per_ingot_drawn(amount, provenance)
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


def _all_zero(quantity):
    return not np.any(np.asarray(quantity.magnitude) != 0)


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

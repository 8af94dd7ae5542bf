"""Read and check a product file.

A product file is YAML::

    format: footprint-product/1
    product:
      id: perc-gb-550-jiangsu
      name: PERC glass-backsheet module 550 W
      technology: perc
      rated_power: 550 W
      area: 2.58 m2
    stages:
      polysilicon: {site: CN-XJ, electricity: 60 kWh/kg}
      ...

Quantities are "number unit" strings, checked with pint. A site is a geography of
``inventories/geographies.csv``: its id in any case (``CN-JS``, ``cn-js``), its English name
(``Jiangsu``) or its Chinese name, also inside a longer Chinese name (the official name of
a province, with its "province" or "autonomous region" suffix); see :func:`geography_id`.
Technologies are ids in any case (``G12R``, ``Siemens``); a wafer format may also be named
as in :data:`~footprint.bundle.types.WAFER_FORMATS` (``182mm``, ``210R``). A stage parameter that is not
given takes the bundled default from ``inventories/processes.csv`` (with its source);
where no default exists, the parameter is required. See :data:`STAGES`.

Optional parts (see docs/calculator.md):

- ``stages.<stage>.electricity_instruments``: the site electricity file of the stage's site,
  with its green certificates, PPAs and on-site PV (:mod:`footprint.electricity`);
- ``stages.<stage>.supplier``: the supplier's declared footprint of the stage's product,
  a PACT JSON file or ``registry:ENTRY@VERSION``, a shared database entry carrying one
  (:mod:`footprint.supplier`);
- ``use``: the use-phase parameters for results per kWh (:mod:`footprint.energy_yield`);
- ``downstream``: transport to site, installation, use and end of life, for cradle-to-grave
  results (:mod:`footprint.lifecycle`).

File paths are relative to the product file.
"""

import datetime as _dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from footprint.bundle.types import WAFER_FORMATS
from footprint.errors import InputError, UnitError, UnitMismatch, one_line, show
from footprint.fileio import load_yaml, read_bytes
from footprint.model.downstream import parse_downstream
from footprint.model.use import parse_use
from footprint.units import Quantity, parse_quantity
from footprint.vocab import (  # noqa: F401  (STAGES ... re-exported: the product file's vocabulary)
    DEFAULT_ELECTRICITY_BASIS,
    ELECTRICITY_BASES,
    FLUORINATED_METHODS,
    FLUORINATED_PARAMETERS,
    FRACTIONS,
    REFERENCE_UNITS,
    STAGE_PARAMETERS,
    STAGE_PRODUCTS,
    STAGES,
    SUPPLIER_STAGES,
    TECHNOLOGIES,
    WHOLE_NUMBERS,
)

FORMAT = "footprint-product/1"
#: ``product.dimensions`` (length x width) and ``product.area`` may differ by this fraction
#: (rounding of a datasheet's millimetres and of the area); more is two different modules.
DIMENSIONS_TOLERANCE = 0.01
#: ``stages.<stage>.supplier: registry:ENTRY@VERSION``: an entry id of the shared database
#: (footprint.shareddb.checks.ENTRY_ID) and its version; resolved by the caller's resolver.
SHARED_REF = re.compile(r"registry:[A-Za-z0-9][A-Za-z0-9._-]{0,79}@[1-9][0-9]*")


#: What a material amount may measure: the reference units of the background datasets
#: (materials and chemicals in kg, transport in tonne*km, heat in MJ ...).
MATERIAL_NUMERATORS = ("kg", "tonne * km", "MJ", "kWh", "m**2", "piece")
COMMON_KEYS = {"site", "technology", "electricity", "heat", "materials", "emissions", "route",
               "electricity_instruments", "supplier", "electricity_basis", "electricity_factor"}


@dataclass
class StageSpec:
    """One stage of the product as given by the user (quantities already checked)."""

    name: str
    site: str = ""
    technology: str = ""
    parameters: dict = field(default_factory=dict)  # name -> Quantity
    materials: dict = field(default_factory=dict)  # dataset id -> Quantity per reference unit
    emissions: dict = field(default_factory=dict)  # gas id -> Quantity per reference unit
    instruments: object = None  # Path of the site electricity file, or None
    electricity_basis: str = ""  # a key of vocab.ELECTRICITY_BASES, or "" for the product's
    supplier: object = None  # (Path of the PACT file, footprint id or None), ("registry:ENTRY@N", None), or None
    #: Materials written as mappings (a role's dataset, a supplier's factor): key -> MaterialEntry.
    #: Their amounts are in ``materials`` under the same key.
    material_entries: dict = field(default_factory=dict)
    #: Supplier-specific factors of energy: "heat" -> SupplierFactor.
    factors: dict = field(default_factory=dict)
    #: ``electricity_factor: registry:ENTRY@N``: the grid factor of a shared database entry, as the
    #: reference (str) until resolved (footprint.shared_data), then a SharedGrid.
    electricity_factor: object = None
    #: ``stages.cell.fluorinated_gases``: a FluorinatedGases, or None (no fluorinated-gas estimate).
    fluorinated: object = None


@dataclass
class ProductSpec:
    """A checked product file."""

    id: str
    name: str
    technology: str
    rated_power: object  # Quantity [W]
    area: object  # Quantity [m**2]
    stages: dict  # stage name -> StageSpec
    source: str  # file path or "<string>"
    sha256: str  # of the file's bytes
    use: object = None  # footprint.energy_yield.UseSpec, or None
    downstream: object = None  # footprint.lifecycle.DownstreamSpec, or None
    data: dict = field(default_factory=dict)  # the parsed YAML, for batch variants
    mass: object = None  # Quantity [kg]: the module's datasheet weight (product.mass), or None
    electricity_basis: str = DEFAULT_ELECTRICITY_BASIS  # product.electricity_basis: a key of vocab.ELECTRICITY_BASES
    stage: str = "module"  # product.stage: the last stage the file describes (vocab.STAGE_PRODUCTS)
    dimensions: object = None  # (length, width) Quantities [m] (product.dimensions), or None

    @property
    def directory(self):
        """The directory that relative file paths in the product file start from."""
        return Path(self.source).parent if self.source and not self.source.startswith("<") else Path.cwd()


def read_product(path):
    """Read and check a product YAML file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ProductSpec

    Raises
    ------
    InputError
        The file is missing, not YAML, or a field is missing or wrong (named with its path).
    """
    path = Path(path)
    return parse_product(read_bytes(path, what="a YAML product file"), source=str(path))


def parse_product(text, *, source="<string>"):
    """Check a product given as YAML text (str or bytes); see :func:`read_product`."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    data = load_yaml(raw, source, what="a YAML product file")
    return product_from_data(data, source=source, sha256=hashlib.sha256(raw).hexdigest())


def product_from_data(data, *, source, sha256):
    """Check a product already loaded from YAML (a dict); see :func:`read_product`.

    Parameters
    ----------
    data : dict
    source : str
        Where the data came from, for messages and for relative paths.
    sha256 : str
        The hash recorded as the product's inputs hash.
    """
    return _Reader(source).product(data, sha256)


class _Reader:
    def __init__(self, source):
        self.source = source

    def fail(self, path, message):
        raise InputError(one_line(f"{self.source}: {path}: {message}"))

    def mapping(self, value, path):
        if not isinstance(value, dict):
            self.fail(path, f"got {show(value)}; expected a mapping of fields")
        return value

    def text(self, value, path, *, choices=None):
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"got {show(value)}; expected text")
        value = value.strip()
        control = next((char for char in value if unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff"), None)
        if control is not None:
            self.fail(path, f"got {show(value)}, which holds the control character U+{ord(control):04X}; expected printable "
                            "text (labels and reports are XML)")
        if choices and value not in choices:
            self.fail(path, f"got {value!r}; expected one of {', '.join(choices)}")
        return value

    def quantity(self, value, expected, path, *, positive=False, fraction=False, whole=False):
        where = f"{self.source}: {path}"
        quantity = parse_quantity(value, expected, where=where)
        magnitude = float(quantity.magnitude)  # finite: parse_quantity refuses inf and nan
        if whole and not magnitude.is_integer():
            raise UnitError(f"{where}: got {show(value)}; expected a whole number, such as {max(round(magnitude), 1)}")
        if magnitude < 0:
            raise UnitError(f"{where}: got {show(value)}; expected a non-negative amount")
        if positive and magnitude == 0:
            raise UnitError(f"{where}: got {show(value)}; expected an amount above zero")
        if fraction and not 0 < magnitude <= 1:
            raise UnitError(f"{where}: got {show(value)}; expected a fraction in (0, 1], such as 0.97 or 97 %")
        return quantity

    def unknown_keys(self, data, allowed, path):
        for key in data:
            if key not in allowed:
                self.fail(f"{path}.{key}" if path else str(key), f"unknown field; expected one of {', '.join(sorted(allowed))}")

    def product(self, data, sha):
        data = self.mapping(data, "(top level)")
        self.unknown_keys(data, {"format", "product", "stages", "use", "downstream", "uncertainty"}, "")
        fmt = data.get("format", FORMAT)
        if fmt != FORMAT:
            self.fail("format", f"got {show(fmt)}; expected {FORMAT!r}")
        if "product" not in data:
            self.fail("product", "missing; expected the product's id, name, technology, rated_power and area")
        product = self.mapping(data["product"], "product")
        self.unknown_keys(product, {"id", "name", "technology", "rated_power", "area", "mass", "electricity_basis", "stage", "dimensions"},
                          "product")
        last = self.text(product["stage"], "product.stage").casefold() if product.get("stage") is not None else "module"
        if last not in STAGE_PRODUCTS:
            self.fail("product.stage", f"got {show(product['stage'])}; expected one of {', '.join(STAGE_PRODUCTS)}")
        # a supplier's own stage needs no module fields; a cell's defaults depend on its technology
        required = {"module": ("id", "name", "technology", "rated_power", "area"), "cell": ("id", "name", "technology")}
        for key in required.get(last, ("id", "name")):
            if key not in product:
                self.fail(f"product.{key}", "missing; this field is required" if last == "module"
                          else f"missing; a file for the {last} stage (product.stage) needs it")
        product_id = self.text(product["id"], "product.id")
        if not all(ch.isalnum() or ch in "-_." for ch in product_id):
            self.fail("product.id", f"got {product_id!r}; expected letters, digits, '-', '_' or '.'")
        technology = ""
        if product.get("technology") is not None:
            technology = self.text(product["technology"], "product.technology").casefold()
            if technology not in TECHNOLOGIES:
                self.fail("product.technology", f"got {product['technology'].strip()!r}; expected one of {', '.join(TECHNOLOGIES)}")
        rated_power = area = None
        if product.get("rated_power") is not None:
            rated_power = self.quantity(product["rated_power"], "W", "product.rated_power", positive=True)
        if product.get("area") is not None:
            area = self.quantity(product["area"], "m**2", "product.area", positive=True)
        stages_data = self.mapping(data.get("stages", {}) or {}, "stages")
        self.unknown_keys(stages_data, set(STAGES), "stages")
        for later in STAGES[STAGES.index(last) + 1:]:
            if stages_data.get(later) is not None:
                self.fail(f"stages.{later}", f"the file describes the product up to {last} (product.stage); a later stage has no place in it")
        stages = {}
        for name in STAGES:
            stage_data = stages_data.get(name) or {}
            stages[name] = self.stage(name, self.mapping(stage_data, f"stages.{name}"), technology)
        use = downstream = None
        if data.get("use") is not None:
            use = parse_use(self.mapping(data["use"], "use"), where=f"{self.source}: use")
        if data.get("downstream") is not None:
            downstream = parse_downstream(self.mapping(data["downstream"], "downstream"), reader=self)
        mass = self.quantity(product["mass"], "kg", "product.mass", positive=True) if product.get("mass") is not None else None
        dimensions = self.dimensions(product["dimensions"], area) if product.get("dimensions") is not None else None
        basis = self.electricity_basis(product.get("electricity_basis"), "product.electricity_basis") or DEFAULT_ELECTRICITY_BASIS
        if last != "module" and (use is not None or downstream is not None):
            self.fail("use" if use is not None else "downstream", f"the file describes the product up to {last} (product.stage); "
                      "use and downstream belong to a module")
        return ProductSpec(product_id, self.text(product["name"], "product.name"), technology, rated_power, area,
                           stages, self.source, sha, use=use, downstream=downstream, data=data, mass=mass,
                           electricity_basis=basis, stage=last, dimensions=dimensions)

    def dimensions(self, value, area):
        """``product.dimensions``: the module's length and width, "2278 x 1134 mm"; their product must be ``product.area``.

        Returns
        -------
        (pint.Quantity [m], pint.Quantity [m])
        """
        path = "product.dimensions"
        text = self.text(value, path)
        parts = [part.strip() for part in re.split(r"\s*[x×*]\s*", text)]
        if len(parts) != 2 or not all(parts):
            self.fail(path, f"got {show(value)}; expected length x width, such as '2278 x 1134 mm'")
        unit = re.sub(r"^[0-9.eE+-]+", "", parts[1]).strip()
        if unit and not re.sub(r"^[0-9.eE+-]+", "", parts[0]).strip():
            parts[0] = f"{parts[0]} {unit}"  # "2278 x 1134 mm": the unit after the width is the length's too
        sides = tuple(self.quantity(part, "m", path, positive=True).to("m") for part in parts)
        if area is not None:
            product = (sides[0] * sides[1]).to("m**2")
            if abs(product.magnitude - area.to("m**2").magnitude) > DIMENSIONS_TOLERANCE * area.to("m**2").magnitude:
                self.fail(path, f"got {show(value)}, {product.magnitude:.4g} m2; product.area is {area.to('m**2').magnitude:g} m2: "
                          f"expected the same module (within {DIMENSIONS_TOLERANCE:.0%})")
        return sides

    def electricity_basis(self, value, path):
        """A basis of the grid factors (``life-cycle`` or ``official``), or "" when not given."""
        if value is None:
            return ""
        basis = self.text(value, path).casefold()
        if basis not in ELECTRICITY_BASES:
            self.fail(path, f"got {show(value)}; expected one of {', '.join(ELECTRICITY_BASES)}")
        return basis

    def stage(self, name, data, product_technology):
        path = f"stages.{name}"
        specific = STAGE_PARAMETERS[name]
        self.unknown_keys(data, COMMON_KEYS | set(specific) | ({"fluorinated_gases"} if name == "cell" else set()), path)
        stage = StageSpec(name)
        if "site" in data:
            stage.site = self.site(data["site"], f"{path}.site")
        technology = data.get("technology", data.get("route"))
        stage.technology = self.technology(technology, name, f"{path}.technology") if technology is not None else ""
        reference = REFERENCE_UNITS[name]
        for key in ("electricity", "heat"):
            if key in data:
                unit = "kWh" if key == "electricity" else "MJ"
                value = data[key]
                if isinstance(value, dict):
                    value = self.energy_entry(stage, key, value, reference, f"{path}.{key}")
                stage.parameters[key] = self.per_unit(value, unit, reference, f"{path}.{key}")
        for key, unit in specific.items():
            if key in data:
                stage.parameters[key] = self.quantity(data[key], unit, f"{path}.{key}", positive=True, fraction=key in FRACTIONS,
                                                      whole=key in WHOLE_NUMBERS)
        for key, target in (("materials", stage.materials), ("emissions", stage.emissions)):
            items = self.mapping(data.get(key) or {}, f"{path}.{key}")
            numerators = MATERIAL_NUMERATORS if key == "materials" else ("kg",)
            for item, value in items.items():
                if key == "materials" and isinstance(value, dict):
                    target[str(item)] = self.material_entry(stage, str(item), value, reference, f"{path}.{key}.{item}")
                else:
                    target[str(item)] = self.per_unit(value, numerators, reference, f"{path}.{key}.{item}")
        if data.get("fluorinated_gases") is not None:
            stage.fluorinated = self.fluorinated_gases(data["fluorinated_gases"], stage, reference, f"{path}.fluorinated_gases")
        stage.electricity_basis = self.electricity_basis(data.get("electricity_basis"), f"{path}.electricity_basis")
        if data.get("electricity_instruments") is not None:
            stage.instruments = self.path(data["electricity_instruments"], f"{path}.electricity_instruments")
        if data.get("electricity_factor") is not None:
            stage.electricity_factor = self.shared_ref(data["electricity_factor"], f"{path}.electricity_factor",
                                                       "a grid_factor or electricity_mix entry")
        if data.get("supplier") is not None:
            if name not in SUPPLIER_STAGES:
                self.fail(f"{path}.supplier", f"a supplier's declared footprint can replace {', '.join(SUPPLIER_STAGES)}; not {name}")
            stage.supplier = self.supplier(data["supplier"], f"{path}.supplier")
        return stage

    def fluorinated_gases(self, value, stage, reference, path):
        """``ipcc-tier1``, or ``{method, nf3_used, nf3_abated, nf3_emitted_fraction, nf3_destruction, ipcc_tier1_cf4, ...}``.

        Tier 2 (NF3 chamber cleaning) needs the NF3 used: no public figure per m2 of cell
        exists. Tier 1 is not combined with other fluorinated-gas data (IPCC), so the gases it
        counts, and NF3, may then not be given as emissions too.
        """
        if isinstance(value, str):
            value = {"method": value}
        value = self.mapping(value, path)
        self.unknown_keys(value, {"method", "nf3_used", "nf3_abated", *FLUORINATED_PARAMETERS}, path)
        nf3_keys = [key for key in ("nf3_used", "nf3_abated", "nf3_emitted_fraction", "nf3_destruction") if key in value]
        method = "ipcc-tier2" if nf3_keys else ""
        if value.get("method") is not None:
            method = self.text(value["method"], f"{path}.method").casefold()
            if method not in FLUORINATED_METHODS:
                self.fail(f"{path}.method", f"got {show(value['method'])}; expected one of {', '.join(FLUORINATED_METHODS)}")
        if not method:
            self.fail(f"{path}.method", f"missing; expected one of {', '.join(FLUORINATED_METHODS)} (ipcc-tier2 with nf3_used)")
        given = {}
        if method == "ipcc-tier1":
            if nf3_keys:
                self.fail(f"{path}.{nf3_keys[0]}", "given with method ipcc-tier1, whose CF4 and C2F6 factors per m2 stand for all "
                                                   "fluorinated-gas emissions of the cell line and are not combined with other data "
                                                   "(IPCC 2006); expected method ipcc-tier2 for NF3 chamber cleaning, or no NF3 fields")
            own = ("ipcc_tier1_cf4", "ipcc_tier1_c2f6")
            doubled = sorted({"cf4", "c2f6", "nf3"} & set(stage.emissions))
            if doubled:
                self.fail(f"stages.cell.emissions.{doubled[0]}", "given with fluorinated_gases: ipcc-tier1, which already counts "
                                                                 "the cell line's fluorinated gases; expected one of the two")
        else:
            own = ("nf3_emitted_fraction", "nf3_destruction")
            for key in ("ipcc_tier1_cf4", "ipcc_tier1_c2f6"):
                if key in value:
                    self.fail(f"{path}.{key}", "goes with method ipcc-tier1; expected it left out with ipcc-tier2")
            if value.get("nf3_used") is None:
                self.fail(f"{path}.nf3_used", "missing; no public figure of the NF3 a PERC, TOPCon, HJT or BC line uses per m2 of "
                                              "cell exists, so there is no default: expected the NF3 fed to the CVD tools (purchases "
                                              "less the heel left in the cylinders), such as '0.05 g/m2', '4 mg/cell' or '0.2 mg/W'")
            if "nf3" in stage.emissions:
                self.fail("stages.cell.emissions.nf3", "given with fluorinated_gases.nf3_used, from which the NF3 emitted is "
                                                       "computed; expected one of the two (emissions.nf3 for a measured release)")
            given["nf3_used"] = self.per_unit(value["nf3_used"], "kg", reference, f"{path}.nf3_used")
            abated = 0.0 if value.get("nf3_abated") is None else value["nf3_abated"]
            given["nf3_abated"] = self.quantity(abated, "dimensionless", f"{path}.nf3_abated")
            if float(given["nf3_abated"].to("").magnitude) > 1:
                self.fail(f"{path}.nf3_abated", f"got {show(value['nf3_abated'])}; expected the share of the NF3 used in tools with "
                                                "abatement, 0 to 1 (or 0 % to 100 %)")
        for key in own:
            if value.get(key) is not None:
                unit = FLUORINATED_PARAMETERS[key]
                fraction = unit == "dimensionless"
                given[key] = self.quantity(value[key], unit, f"{path}.{key}", positive=not fraction, fraction=fraction)
        return FluorinatedGases(method, given)

    def material_entry(self, stage, item, value, reference, path):
        """A material written as a mapping; its amount is returned, the rest kept in ``stage.material_entries``.

        ``{amount, dataset, factor, source, valid_until, recycled_content, site}``: the key is a role
        (``frame``), a dataset id or a label of the product's own; see docs/calculator.md,
        "Materials: roles" and "Supplier-specific factors".
        """
        self.unknown_keys(value, ENTRY_KEYS, path)
        if "amount" not in value:
            self.fail(f"{path}.amount", "missing; expected the amount per reference unit, such as '4.08 kg/module'")
        amount = self.per_unit(value["amount"], MATERIAL_NUMERATORS, reference, f"{path}.amount")
        dataset = self.text(value["dataset"], f"{path}.dataset") if value.get("dataset") is not None else ""
        recycled = None
        if value.get("recycled_content") is not None:
            recycled = self.quantity(value["recycled_content"], "dimensionless", f"{path}.recycled_content", fraction=True)
        factor = self.factor(value, amount, reference, path)
        site = self.site(value["site"], f"{path}.site") if value.get("site") is not None else ""
        stage.material_entries[item] = MaterialEntry(dataset, factor, recycled, site)
        return amount

    def energy_entry(self, stage, key, value, reference, path):
        """Heat written as ``{amount, factor, source, valid_until}``; electricity's factors are instruments."""
        if key == "electricity":
            self.fail(path, "got a mapping; a supplier's electricity factor is an instrument (a PPA's emission_factor in the "
                            "stage's electricity_instruments file), so that location- and market-based results stay apart; "
                            "expected an amount such as '17.7 kWh/m2'")
        self.unknown_keys(value, FACTOR_KEYS | {"amount"}, path)
        if "amount" not in value:
            self.fail(f"{path}.amount", "missing; expected the amount per reference unit, such as '70 MJ/kg'")
        amount = self.per_unit(value["amount"], "MJ", reference, f"{path}.amount")
        if isinstance(value.get("factor"), str) and value["factor"].strip().startswith("registry:"):
            self.fail(f"{path}.factor", "a shared database entry gives a material's factor (per kg, m2, m3 or piece), "
                                        "not heat's; expected a factor with its source and valid_until")
        factor = self.factor(value, amount, reference, path)
        if factor is None:
            self.fail(f"{path}.factor", "missing; a mapping gives a supplier's factor (factor, source, valid_until), "
                                        "else write the amount alone")
        stage.factors[key] = factor
        return amount

    def factor(self, value, amount, reference, path):
        """The ``factor``, ``source`` and ``valid_until`` of an entry, checked; None without a factor."""
        if value.get("factor") is None:
            for key in ("source", "valid_until"):
                if value.get(key) is not None:
                    self.fail(f"{path}.{key}", f"given without factor; {key} goes with a supplier's factor such as "
                                               "'factor: 8.6 kg CO2-eq/kg'")
            return None
        where = f"{self.source}: {path}.factor"
        raw = value["factor"]
        if isinstance(raw, str) and raw.strip().startswith("registry:"):
            for key in ("source", "valid_until"):
                if value.get(key) is not None:
                    self.fail(f"{path}.{key}", f"given with {raw.strip()}; a shared database entry brings its own {key}")
            return SharedFactor(self.shared_ref(raw, f"{path}.factor", "a material_factor entry"))
        text = _co2e_units(raw) if isinstance(raw, str) else raw
        numerator = _numerator(amount, reference)
        try:
            factor = parse_quantity(text, f"kg_CO2_eq/({numerator})", where=where)
        except UnitMismatch:
            raise UnitError(f"{where}: got {show(raw)}; expected kg CO2-eq per {_plain_unit(numerator)} (the amount's unit), "
                            f"such as '8.6 kg CO2-eq/{_plain_unit(numerator)}'") from None
        if float(factor.magnitude) < 0:
            raise UnitError(f"{where}: got {show(raw)}; expected a non-negative factor")
        for key, expected in (("source", "the factor's source: the supplier, the document (an EPD's registration number) "
                                         "and where in it"),
                              ("valid_until", "the last day the factor is valid, such as 2027-06-30 (an EPD's validity)")):
            if value.get(key) is None:
                self.fail(f"{path}.{key}", f"missing; a supplier's factor needs {expected}")
        source = self.text(value["source"], f"{path}.source")
        until = value["valid_until"]
        if isinstance(until, _dt.datetime):
            until = until.date()
        elif not isinstance(until, _dt.date):
            try:
                until = _dt.date.fromisoformat(str(until).strip())
            except ValueError:
                self.fail(f"{path}.valid_until", f"got {show(until)}; expected a date YYYY-MM-DD")
        return SupplierFactor(factor, source, until)

    def path(self, value, path):
        """A file named in the product file, relative to the product file."""
        text = self.text(value, path)
        base = Path(self.source).parent if self.source and not self.source.startswith("<") else Path.cwd()
        resolved = (base / text).resolve() if not Path(text).is_absolute() else Path(text)
        if not resolved.is_file():
            self.fail(path, f"got {show(text)}, but there is no such file ({resolved}); expected a file path relative to the "
                            "product file")
        return resolved

    def shared_ref(self, value, path, what):
        """``registry:ENTRY@VERSION``, checked in form only (the entry is fetched when the chain is built)."""
        ref = value.strip() if isinstance(value, str) else ""
        if not SHARED_REF.fullmatch(ref):
            self.fail(path, f"got {show(value)}; expected registry:ENTRY@VERSION such as registry:GRID-CN-JS-2025@1 ({what} of the "
                            "shared database, with its version)")
        return ref

    def supplier(self, value, path):
        """``file.json``, ``{file: file.json, id: <footprint id>}`` or ``registry:ENTRY@VERSION`` (a shared database entry)."""
        if isinstance(value, str) and value.strip().startswith("registry:"):
            ref = value.strip()
            if not SHARED_REF.fullmatch(ref):
                self.fail(path, f"got {show(value)}; expected registry:ENTRY@VERSION such as registry:POLY-XJ-2026@3 "
                                "(a shared database entry, with its version)")
            return (ref, None)
        if isinstance(value, str):
            return (self.path(value, path), None)
        mapping = self.mapping(value, path)
        for key, named in mapping.items():
            if isinstance(named, str) and named.strip().startswith("registry:"):  # {polysilicon: registry:...}
                self.fail(f"{path}.{key}", f"unknown field; a shared entry is the supplier itself: write "
                                           f"'{path}: {named.strip()}'")
        self.unknown_keys(mapping, {"file", "id"}, path)
        if "file" not in mapping:
            self.fail(f"{path}.file", "missing; expected the path of the supplier's PACT JSON file")
        footprint_id = self.text(mapping["id"], f"{path}.id") if "id" in mapping else None
        return (self.path(mapping["file"], f"{path}.file"), footprint_id)

    def per_unit(self, value, numerator, reference, path):
        """An amount per reference unit; per m2 and per W are accepted and kept as given.

        ``numerator`` is a unit, or a tuple of units any of which the amount may measure.
        """
        numerators = (numerator,) if isinstance(numerator, str) else tuple(numerator)
        denominators = (reference,) if reference == "kg" else (reference, "m**2", "W")
        for top in numerators:
            for denominator in denominators:
                try:
                    return self.quantity(value, f"({top})/{denominator}", path)
                except UnitMismatch:
                    continue  # another dimension (or no quantity): try the next unit; any other problem is the answer
        tops = " or ".join(top.replace(" ", "").replace("**2", "2") for top in numerators)
        expected = f"{tops} per {reference}" + (", per m2 or per W" if reference == "piece" else "")
        example = numerators[0].replace(" ", "").replace("**2", "2")
        raise UnitError(f"{self.source}: {path}: got {show(value)}; expected {expected}, such as '1.5 {example}/{_short(reference)}'")

    def technology(self, value, stage, path):
        """A technology id in any case (``G12R`` -> ``g12r``); a wafer format by any of its names (``210R``)."""
        text = self.text(value, path).casefold()
        if stage == "wafer":
            text = WAFER_FORMATS.get(text.replace("×", "x").replace(" ", ""), text)
        return text

    def site(self, value, path):
        """A geography id; names and ids in other cases are read as the id (an unknown text is kept, for the chain's error)."""
        if isinstance(value, str):
            return _site_id(self.text(value, path))
        mapping = self.mapping(value, path)
        self.unknown_keys(mapping, {"country", "province"}, path)
        if "province" in mapping:
            return _site_id(self.text(mapping["province"], f"{path}.province"))
        if "country" in mapping:
            return _site_id(self.text(mapping["country"], f"{path}.country"))
        self.fail(path, "expected a geography id such as CN-JS, or {country: CN, province: CN-JS}")


#: A geography id written in any case: GLO, CN, CN-JS, cn-ncg.
_GEOGRAPHY_CODE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,4})?")


def _site_id(text):
    """The geography id a product file's site names, or the text unchanged when it names none.

    An id already written as one is kept without reading the bundle (the chain checks it).
    """
    if _GEOGRAPHY_CODE.fullmatch(text) and text == text.upper():
        return text
    if _GEOGRAPHY_CODE.fullmatch(text):
        return text.upper()
    from footprint.bundle.read import read_bundle

    return geography_id(text, read_bundle().geographies) or text


def _is_cjk(char):
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def geography_id(text, geographies):
    """The id of the geography a text names, or None.

    Parameters
    ----------
    text : str
        An id in any case (``CN-JS``, ``cn-js``), an English name in any case (``Jiangsu``),
        a Chinese name (``name_zh`` of ``geographies.csv``), or Chinese text holding such
        names: the official name of a province (with its "province" or "autonomous region"
        suffix), a city in it (province, then city), or a country and a province.
    geographies : dict
        Geography id -> :class:`~footprint.bundle.types.Geography` (``Bundle.geographies``).

    Returns
    -------
    str or None
        The id; in Chinese text holding several names, the one the others contain (the
        province, not its country); None when the text names none, or two that do not
        contain each other (two provinces): a site is never guessed.
    """
    text = unicodedata.normalize("NFKC", text).strip()
    if text in geographies:
        return text
    if _GEOGRAPHY_CODE.fullmatch(text) and text.upper() in geographies:
        return text.upper()
    folded = text.casefold()
    for geography in geographies.values():
        if geography.name.casefold() == folded or geography.name_zh == text:
            return geography.id
    if not any(_is_cjk(char) for char in text):
        return None
    # The names in the text, read left to right, the longest name at each place (the Chinese
    # name of Indonesia starts with that of India).
    names = sorted(((g.name_zh, g.id) for g in geographies.values() if g.name_zh), key=lambda pair: -len(pair[0]))
    found, position = set(), 0
    while position < len(text):
        match = next(((name, gid) for name, gid in names if text.startswith(name, position)), None)
        if match is None:
            position += 1
            continue
        found.add(match[1])
        position += len(match[0])
    innermost = {gid for gid in found if not any(other != gid and _within(other, gid, geographies) for other in found)}
    return innermost.pop() if len(innermost) == 1 else None


def _within(inner, outer, geographies):
    """True if geography ``inner`` lies in ``outer`` (through its parents)."""
    seen, current = set(), geographies[inner].parent
    while current and current not in seen:
        if current == outer:
            return True
        seen.add(current)
        current = geographies[current].parent if current in geographies else ""
    return False


#: The keys of a material written as a mapping, and of a supplier's factor.
FACTOR_KEYS = {"factor", "source", "valid_until"}
ENTRY_KEYS = {"amount", "dataset", "recycled_content", "site"} | FACTOR_KEYS

#: "kg CO2-eq", "kg CO2e", "t CO2eq" ... as the registry's units (kg_CO2_eq, t_CO2_eq).
_CO2E_UNIT = re.compile(r"(?<![A-Za-z_])(kg|g|t|tonnes?)\s*CO2[-_ ]?e(?:q(?:uivalents?)?)?\.?(?![A-Za-z_])", re.IGNORECASE)


def _co2e_units(text):
    """A factor's text with CO2-eq masses written as the registry's units ("8.6 kg CO2-eq/kg" -> "8.6 kg_CO2_eq/kg")."""
    units = {"kg": "kg_CO2_eq", "g": "g_CO2_eq", "t": "t_CO2_eq", "tonne": "t_CO2_eq", "tonnes": "t_CO2_eq"}
    return _CO2E_UNIT.sub(lambda match: units[match.group(1).lower()], text)


def _numerator(amount, reference):
    """The unit an amount measures (kg, MJ, tonne * km ...), whatever it is given per."""
    for top in MATERIAL_NUMERATORS:
        for denominator in (reference, "m**2", "W"):
            if amount.dimensionality == Quantity(1, f"({top})/{denominator}").dimensionality:
                return top
    return "kg"


def _plain_unit(unit):
    return unit.replace(" ", "").replace("**2", "2")


@dataclass(frozen=True)
class SupplierFactor:
    """A supplier's own cradle-to-gate factor for a material or for heat: primary data.

    ``value`` [kg CO2-eq per unit of the amount: kg, MJ ...]; ``source`` names the supplier
    and the document; ``valid_until`` is checked against the calculation date.
    """

    value: object  # Quantity [kg_CO2_eq / unit]
    source: str
    valid_until: _dt.date


@dataclass(frozen=True)
class SharedFactor:
    """``factor: registry:ENTRY@N`` as read: a shared database entry, fetched when the chain is built
    (:func:`footprint.shared_data.resolve_shared`, which puts a :class:`SupplierFactor` in its place)."""

    ref: str


@dataclass(frozen=True)
class SharedGrid:
    """A stage's grid electricity factor from a shared database entry (``electricity_factor: registry:ENTRY@N``), fetched.

    ``value`` [kg CO2-eq/kWh]; ``basis`` is the entry's (``life-cycle`` or ``co2-only``).
    """

    ref: str
    value: object  # Quantity [kg_CO2_eq / kWh]
    basis: str
    title: str
    source: str
    valid_until: _dt.date
    geography: str
    valid_from: _dt.date  # the first day it holds for (an entry has no field for the year of its data)
@dataclass(frozen=True)
class FluorinatedGases:
    """``stages.cell.fluorinated_gases`` as given: a method of :data:`FLUORINATED_METHODS` and its values.

    ``values`` holds what the file gives: ``nf3_used`` (kg per reference unit, per m2 or per W),
    ``nf3_abated`` (a fraction, 0 when not given) and any bundled IPCC default it replaces
    (:data:`FLUORINATED_PARAMETERS`).
    """

    method: str
    values: dict


@dataclass(frozen=True)
class MaterialEntry:
    """What a material written as a mapping says besides its amount."""

    dataset: str = ""  # the dataset it names; "" = its key's (a dataset id, or a role's default)
    factor: object = None  # SupplierFactor, or None: the bundled dataset's factor
    recycled_content: object = None  # Quantity [fraction], or None
    site: str = ""  # where a frame is extruded (its grid), or "": the stage's site


def _short(reference):
    return {"piece": "piece", "kg": "kg"}[reference]



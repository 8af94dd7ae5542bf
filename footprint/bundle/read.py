"""The bundled life-cycle inventories read from their CSV files, every row checked, with its provenance.

``inventories/manifest.yaml`` names the data version and every data file. The files are
CSV, one row per number, and every row carries its unit, year and source:

``gases.csv``
    The greenhouse gases the inventories emit, each mapped to its ecoinvent 3.9
    biosphere flow (name, compartment, code as shipped by bw2io).
``geographies.csv``
    Countries (ISO 3166-1), Chinese provinces (ISO 3166-2) and regional grids, with the
    grid each falls back on.
background files (``electricity.csv``, ``materials.csv`` ...)
    Background datasets, one row per exchange: ``amount`` of ``flow`` (a gas id or another
    dataset id) in ``flow_unit`` per one ``unit`` of ``dataset``.
``technologies.csv``
    The technologies each stage knows (polysilicon ``siemens`` / ``fbr``, cell ``perc`` /
    ``topcon`` / ``hjt`` / ``bc``, module ``glass-backsheet`` / ``glass-glass`` ...).
``processes.csv``
    Default parameters of the foreground processes (polysilicon electricity per kg, wafer
    thickness ...), per stage and technology.
``specific_yield.csv`` (manifest key ``specific_yield``)
    Country-average final yields of PV systems [kWh/kWp per year] by mounting, the location
    default of :mod:`footprint.energy_yield`.

Everything is checked when loaded (schema, numbers, units through pint, source and year,
pedigree quality scores, duplicates, references from one file to another); a problem raises
:class:`~footprint.errors.DataError` naming the file, row and column. The schema and the
quality scale are documented in ``inventories/README.md``.

The directory read is the bundled ``inventories/``, or the one named by the environment
variable ``FOOTPRINT_INVENTORIES`` (see :func:`footprint.resources.data_dir`).
"""

import csv
import hashlib
import math
from pathlib import Path

import yaml

from footprint.bundle.checks import Pending, check_default, check_references
from footprint.bundle.types import (  # noqa: F401  (AGGREGATED_*, Bundle ...: re-exported, the bundle's vocabulary)
    AGGREGATED_FLOW,
    AGGREGATED_GAS,
    DECLARED_GASES,
    ELECTRICITY_BASES,
    GRID_BASES,
    MATERIAL_ROLES,
    NOT_IN_MODULE_MASS,
    WAFER_FORMATS,
    Bundle,
    Dataset,
    Exchange,
    Gas,
    Geography,
    ProcessDefault,
    SpecificYield,
    Technology,
    extra_characterisation,
    own_biosphere_flows,
    parse_quality,
)
from footprint.errors import DataError, FootprintError, UnitError
from footprint.resources import data_dir
from footprint.units import Quantity, brightway_unit, parse_yield, ureg
from footprint.vocab import PEDIGREE, SCOPES, STAGES

BACKGROUND_COLUMNS = (
    "dataset", "name", "unit", "geography", "category", "flow", "amount", "flow_unit",
    "year", "source", "locator", "quality", "scope", "note",
)
PROCESS_COLUMNS = ("stage", "technology", "parameter", "value", "unit", "year", "source", "locator", "quality", "note")
GAS_COLUMNS = ("gas", "label", "flow_name", "categories", "code", "origin")
GEOGRAPHY_COLUMNS = ("id", "name", "name_zh", "level", "parent", "grid")
TECHNOLOGY_COLUMNS = ("stage", "technology", "name", "note")
YIELD_COLUMNS = ("geography", "mounting", "value", "unit", "year", "source", "locator", "quality", "note")
#: Mountings of ``specific_yield.csv``, as its source names them.
YIELD_MOUNTINGS = ("roof", "ground", "facade")
YEAR_RANGE = (1990, 2030)


def wafer_format(name, *, bundle=None):
    """The wafer technology and default area of a named wafer format.

    Parameters
    ----------
    name : str
        ``M10``, ``G12``, ``G12R`` (also ``182 mm``, ``210 mm``, ``210R``, ``182 x 210 mm``).
    bundle : Bundle, optional
        Defaults to :func:`read_bundle`.

    Returns
    -------
    (str, ProcessDefault)
        The wafer technology id (``m10`` ...) and its ``wafer_area`` default, which carries
        the value [cm**2] and its source.

    Raises
    ------
    InputError
        An unknown format name.
    """
    from footprint.errors import InputError

    bundle = bundle or read_bundle()
    key = str(name).lower().replace("×", "x").replace(" ", "")
    technology = WAFER_FORMATS.get(key)
    default = bundle.process_default("wafer", technology, "wafer_area") if technology else None
    if default is None or default.technology != technology:
        known = ", ".join(sorted({t.upper() for t in WAFER_FORMATS.values()}))
        raise InputError(f"wafer format {name!r} is not known; expected one of {known} (or give wafer_area)")
    return technology, default


def electricity_bases(dataset_ids, *, bundle=None):
    """The factor bases of grid-electricity datasets.

    Parameters
    ----------
    dataset_ids : iterable of str
        Dataset ids (``electricity_grid_CN-JS``, ``electricity_lifecycle_VN_2022`` ...);
        ids that are not electricity datasets of the bundle are ignored.
    bundle : Bundle, optional
        Defaults to :func:`read_bundle`.

    Returns
    -------
    dict
        Basis label (a value of :data:`ELECTRICITY_BASES`) -> sorted list of the dataset ids
        on that basis.
    """
    bundle = bundle or read_bundle()
    bases = {}
    for dataset_id in dict.fromkeys(dataset_ids):
        dataset = bundle.datasets.get(dataset_id)
        if dataset is None or dataset.category != "electricity":
            continue
        for scope in dataset.scope.split(","):
            label = ELECTRICITY_BASES.get(scope, scope)
            bases.setdefault(label, set()).add(dataset_id)
    return {label: sorted(ids) for label, ids in sorted(bases.items())}


def mixed_electricity_note(dataset_ids, *, bundle=None):
    """A one-line note when one total adds grid factors of different bases, else None.

    A CO2-only factor (China's MEE, US eGRID ...) leaves out CH4, N2O and the fuels'
    upstream that a life-cycle factor (Ember ...) includes: a total that adds both is not on
    one basis, and says so.
    """
    bases = electricity_bases(dataset_ids, bundle=bundle)
    if len(bases) < 2:
        return None
    parts = "; ".join(f"{label}: {', '.join(ids)}" for label, ids in bases.items())
    return (f"grid electricity factors of different bases are added in this total ({parts}); "
            f"CO2-only factors leave out CH4, N2O and the fuels' upstream that life-cycle factors include")


_cache = {}


def read_bundle(directory=None):
    """Read and check every file of ``inventories/`` (cached per directory and content).

    Raises
    ------
    DataError
        On the first malformed row, naming file, row and column.
    """
    directory = Path(directory) if directory else data_dir("inventories")
    manifest_path = directory / "manifest.yaml"
    manifest = _read_manifest(manifest_path)
    files = [manifest["gases"], manifest["geographies"], manifest["technologies"], manifest["processes"], *manifest["background"]]
    if manifest.get("specific_yield"):
        files.append(manifest["specific_yield"])
    digest = hashlib.sha256(manifest_path.read_bytes())
    for name in files:
        path = directory / name
        if not path.is_file():
            raise DataError(f"{manifest_path}: lists {name!r}, which does not exist in {directory}")
        digest.update(name.encode() + b"\0" + path.read_bytes())
    sha = digest.hexdigest()
    if _cache.get(directory, (None,))[0] == sha:
        return _cache[directory][1]
    gases = _read_gases(directory / manifest["gases"])
    geographies = _read_geographies(directory / manifest["geographies"])
    datasets = {}
    for name in manifest["background"]:
        _read_background(directory / name, datasets, geographies)
    check_references(datasets, gases)
    technologies = _read_technologies(directory / manifest["technologies"])
    processes = _read_processes(directory / manifest["processes"], technologies, datasets, gases)
    _check_roles(processes, datasets)
    specific_yields = (_read_specific_yields(directory / manifest["specific_yield"], geographies)
                       if manifest.get("specific_yield") else {})
    bundle = Bundle(str(manifest["data_version"]), sha, gases, geographies, datasets, processes, directory, technologies,
                    specific_yields)
    _cache[directory] = (sha, bundle)
    return bundle


def _read_manifest(path):
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: missing; the bundled inventories are incomplete") from None
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML ({_one_line(exc)})") from None
    for key in ("data_version", "gases", "geographies", "technologies", "processes", "background"):
        if not isinstance(manifest, dict) or key not in manifest:
            raise DataError(f"{path}: missing key {key!r}")
    if not isinstance(manifest["background"], list) or not manifest["background"]:
        raise DataError(f"{path}: 'background' must list the background CSV files")
    return manifest


def _rows(path, columns):
    """Yield (where, row) for each non-blank, non-comment row; check the header."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in columns if column not in header]
        if missing:
            raise DataError(f"{path} header: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
        for row in reader:
            where = f"{path.name} row {reader.line_num}"
            first = (row.get(columns[0]) or "").strip()
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)) or first.startswith("#"):
                continue
            if None in row:
                raise DataError(f"{where}: more fields than the {len(header)} columns of the header")
            yield where, {key: (value or "").strip() for key, value in row.items()}


def _require(row, column, where):
    value = row[column]
    if not value:
        raise DataError(f"{where}, column {column}: empty; a value is required")
    return value


def _year(row, where):
    text = _require(row, "year", where)
    try:
        year = int(text)
    except ValueError:
        raise DataError(f"{where}, column year: got {text!r}; expected a year such as 2022") from None
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise DataError(f"{where}, column year: got {year}; expected a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    return year


def _number(row, column, where):
    text = _require(row, column, where)
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{where}, column {column}: got {text!r}; expected a number") from None
    if not math.isfinite(value):
        raise DataError(f"{where}, column {column}: got {text!r}; expected a finite number")
    return value


#: Locators that point nowhere: a row must say where in its source the number is.
VAGUE_LOCATORS = {"-", "--", "?", "n/a", "na", "none", "unknown", "tbd", "todo", "see source", "source", "various"}


def _locator(row, where):
    text = _require(row, "locator", where)
    if text.lower().strip(" .") in VAGUE_LOCATORS:
        raise DataError(f"{where}, column locator: got {text!r}; expected where in the source the number is "
                        f"(table, figure, page or row)")
    return text


def _provenance(row, where):
    """The checked ``year``, ``source``, ``locator`` and ``quality`` of a data row, as keyword arguments.

    Every reader of numbers takes these four the same way: a number without its year, source,
    place in the source and pedigree is refused.
    """
    _require(row, "source", where)
    return {"year": _year(row, where), "source": row["source"], "locator": _locator(row, where), "quality": _quality(row, where)}


def _quality(row, where):
    text = _require(row, "quality", where)
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != len(PEDIGREE) or not all(len(part) == 1 and part in "12345" for part in parts):
        raise DataError(f"{where}, column quality: got {text!r}; expected five pedigree scores 1..5 "
                        f"({', '.join(PEDIGREE)}) such as '2,1,1,1,2'")
    return ",".join(parts)


def _read_gases(path):
    gases = {}
    for where, row in _rows(path, GAS_COLUMNS):
        gas = _require(row, "gas", where)
        if gas in gases:
            raise DataError(f"{where}, column gas: {gas!r} is defined twice")
        origin = _require(row, "origin", where)
        if origin not in ("fossil", "biogenic", "land_use"):
            raise DataError(f"{where}, column origin: got {origin!r}; expected fossil, biogenic or land_use")
        categories = tuple(part.strip() for part in _require(row, "categories", where).split("/"))
        gases[gas] = Gas(gas, _require(row, "label", where), ("biosphere3", _require(row, "code", where)),
                         _require(row, "flow_name", where), categories, origin)
    gases[AGGREGATED_GAS] = Gas(AGGREGATED_GAS, "CO2-eq, aggregated (no gas split in the source)", AGGREGATED_FLOW,
                                "CO2-eq, aggregated", ("air",), "aggregated")
    for gas_id, (label, key, origin, _) in DECLARED_GASES.items():
        gases[gas_id] = Gas(gas_id, label, key, label, ("air",), origin)
    return gases


def _read_geographies(path):
    places = {}
    for where, row in _rows(path, GEOGRAPHY_COLUMNS):
        place = _require(row, "id", where)
        if place in places:
            raise DataError(f"{where}, column id: {place!r} is defined twice")
        places[place] = Geography(place, _require(row, "name", where), row["name_zh"], _require(row, "level", where),
                                  row["parent"], row["grid"])
    for place in places.values():
        for column in ("parent", "grid"):
            target = getattr(place, column)
            if target and target not in places:
                raise DataError(f"{path.name}: {place.id} names {column} {target!r}, which is not a listed geography")
    return places


def _read_background(path, datasets, geographies):
    order = []
    previous = None  # the dataset of the previous data row: a dataset's rows form one block
    flows_seen = {}  # (dataset, flow, scope) -> where: one row per flow and scope
    for where, row in _rows(path, BACKGROUND_COLUMNS):
        dataset_id = _require(row, "dataset", where)
        unit_text = _require(row, "unit", where)
        try:
            unit = ureg.Unit(unit_text)
            brightway_unit(unit)
        except FootprintError:
            raise DataError(f"{where}, column unit: got {unit_text!r}; expected a reference unit such as kg, kWh, MJ, m**2, piece or tonne * km") from None
        except Exception:
            raise DataError(f"{where}, column unit: unknown unit {unit_text!r}") from None
        geography = _require(row, "geography", where)
        if geography not in geographies and geography != "GLO":
            raise DataError(f"{where}, column geography: {geography!r} is not in geographies.csv (or GLO)")
        dataset = datasets.get(dataset_id)
        if dataset is None:
            dataset = Dataset(dataset_id, _require(row, "name", where), unit_text, geography,
                              _require(row, "category", where), file=path.name, role=_role(row, where))
            datasets[dataset_id] = dataset
            order.append(dataset_id)
        elif dataset.file != path.name or dataset_id not in order:
            raise DataError(f"{where}, column dataset: {dataset_id!r} is already defined in {dataset.file}")
        elif dataset_id != previous:
            # a second block of rows would add its exchanges to the first one's and double-count
            raise DataError(f"{where}, column dataset: {dataset_id!r} is already defined above ({dataset.exchanges[0].where}); "
                            f"expected all rows of a dataset in one block, each row a different flow")
        else:
            for column, seen in (("name", dataset.name), ("unit", dataset.unit), ("geography", dataset.geography), ("category", dataset.category),
                                 ("role", dataset.role)):
                if row.get(column) and row[column] != seen:
                    raise DataError(f"{where}, column {column}: got {row[column]!r}; expected {seen!r} as on the dataset's first row")
        previous = dataset_id
        scope = _require(row, "scope", where)
        if scope not in SCOPES:
            raise DataError(f"{where}, column scope: got {scope!r}; expected one of {', '.join(SCOPES)}")
        flow = _require(row, "flow", where)
        first = flows_seen.setdefault((dataset_id, flow, scope), where)
        if first != where:
            raise DataError(f"{where}, column flow: {dataset_id} already has a row of flow {flow!r} and scope {scope} ({first}); "
                            f"expected one row per flow and scope (add the amounts into one row)")
        provenance = _provenance(row, where)
        amount = _number(row, "amount", where)
        if amount < 0:
            raise DataError(f"{where}, column amount: got {amount}; expected a non-negative amount")
        exchange = Exchange(flow=flow, amount=amount, scope=scope, note=row["note"], where=where, **provenance)
        dataset.exchanges.append(Pending(exchange, _require(row, "flow_unit", where), where))


def _role(row, where):
    """The optional ``role`` column of a background file: what a material does in a product (or empty)."""
    role = row.get("role", "")
    if role and role not in MATERIAL_ROLES:
        raise DataError(f"{where}, column role: got {role!r}; expected one of {', '.join(MATERIAL_ROLES)} (or empty)")
    return role


def _check_roles(defaults, datasets):
    """Every default material has a role (its dataset's), and no role id is also a dataset id.

    A product file's ``materials:`` key names a dataset or a role: the two must never meet.
    """
    for role in MATERIAL_ROLES:
        if role in datasets:
            raise DataError(f"{datasets[role].exchanges[0].where}, column dataset: {role!r} is also a material role; "
                            f"expected dataset ids that are not role ids ({', '.join(MATERIAL_ROLES)})")
    for default in defaults:
        if not default.parameter.startswith("material:"):
            continue
        item = default.parameter.split(":", 1)[1]
        dataset = datasets[item]
        if not dataset.role:
            raise DataError(f"{default.where}, column parameter: the default material {item!r} has no role; expected one in "
                            f"{dataset.file} (column role) for dataset {item}: one of {', '.join(MATERIAL_ROLES)}")


def _read_technologies(path):

    technologies = {}
    for where, row in _rows(path, TECHNOLOGY_COLUMNS):
        stage = _require(row, "stage", where)
        if stage not in STAGES:
            raise DataError(f"{where}, column stage: got {stage!r}; expected one of {', '.join(STAGES)}")
        technology = _require(row, "technology", where)
        if technology == "any":
            raise DataError(f"{where}, column technology: 'any' is implicit for every stage; list real technologies only")
        known = technologies.setdefault(stage, {})
        if technology in known:
            raise DataError(f"{where}, column technology: {stage}/{technology} is defined twice")
        known[technology] = Technology(stage, technology, _require(row, "name", where), row["note"])
    return technologies


def _read_processes(path, technologies, datasets, gases):
    defaults = []
    seen = set()
    for where, row in _rows(path, PROCESS_COLUMNS):
        key = (_require(row, "stage", where), _require(row, "technology", where), _require(row, "parameter", where))
        if key in seen:
            raise DataError(f"{where}: default {'/'.join(key)} is defined twice")
        seen.add(key)
        stage, technology, _ = key
        if technology != "any" and technology not in technologies.get(stage, {}):
            known = ", ".join(["any", *sorted(technologies.get(stage, {}))])
            raise DataError(f"{where}, column technology: {technology!r} is not a {stage} technology of technologies.csv; expected one of {known}")
        text = f"{_require(row, 'value', where)} {row['unit']}".strip()
        try:
            # pint reads the bundled data's units whole: they may be expressions ("96 mg/(166 mm)**2", silver per
            # M6 cell area, as the source gives it), which the rules for what users type refuse
            value = ureg.Quantity(text)
        except Exception:
            raise DataError(f"{where}, columns value/unit: cannot read {text!r} as a quantity") from None
        if not isinstance(value, Quantity):
            value = Quantity(float(value), "")
        check_default(key, value, where, datasets, gases)
        defaults.append(ProcessDefault(*key, value=value, note=row["note"], where=where, text=text,
                                       **_provenance(row, where)))
    return defaults


def _read_specific_yields(path, geographies):
    """``specific_yield.csv``: (geography, mounting) -> :class:`SpecificYield`."""
    import re


    rows = {}
    for where, row in _rows(path, YIELD_COLUMNS):
        geography = _require(row, "geography", where)
        if not re.fullmatch(r"[A-Z]{2}", geography):
            raise DataError(f"{where}, column geography: got {geography!r}; expected an ISO 3166-1 alpha-2 country code such as DE")
        if geography not in geographies:
            raise DataError(f"{where}, column geography: {geography!r} is not in geographies.csv")
        mounting = _require(row, "mounting", where)
        if mounting not in YIELD_MOUNTINGS:
            raise DataError(f"{where}, column mounting: got {mounting!r}; expected one of {', '.join(YIELD_MOUNTINGS)}")
        if (geography, mounting) in rows:
            raise DataError(f"{where}: {geography}/{mounting} is defined twice ({rows[(geography, mounting)].where})")
        value = _number(row, "value", where)
        unit = _require(row, "unit", where)
        # kWh/kWp/year is dimensionless in pint: the unit must name the peak power, or "%" would pass.
        try:
            if "Wp" not in unit:
                raise UnitError("no peak power in the unit")
            quantity = parse_yield(f"{value} {unit}", where=f"{where}, column unit")
        except UnitError:
            raise DataError(f"{where}, columns value/unit: got {row['value']} {unit!r}; expected a positive yield in kWh/kWp/year") from None
        rows[(geography, mounting)] = SpecificYield(geography, mounting, float(quantity.magnitude), note=row["note"], where=where,
                                                    **_provenance(row, where))
    return rows


def _one_line(exc):
    return " ".join(str(exc).split())

"""France's simplified carbon evaluation (ECS) of a PV module, from a user-supplied factor table.

    G = sum over stages i, countries j of (GWP_ij x X_ij) x Q_i     [kg CO2-eq/kWp]

GWP_ij is the tender's factor for stage i made in country j [kg CO2-eq per unit of i];
X_ij the share of stage i supplied from country j; Q_i the quantity of stage i in one kWp of
modules, losses included, taken from the product's foreground chain.

No factor table is bundled: the published tables could not be read first-hand, so the user
gives the one of the tender they answer (:func:`read_factor_table`). Each row must cite it.

Factor table (CSV, UTF-8, ``#`` lines are comments)::

    stage,country,gwp,per,source,locator
    polysilicon,CN,...,kg,"CRE, cahier des charges ... (date)","annexe ..., tableau ..."

``stage`` is a chain stage (``mg_silicon``, ``polysilicon``, ``ingot``, ``wafer``, ``cell``,
``module``) or a material dataset id of the inventory (``solar_glass``, ``aluminium_primary_CN``...);
``per`` is the unit the factor is given per (kg, piece, m2, W...). Shares (optional CSV
``stage,country,share``) override the default: 100 % from the country of the stage's site.
Materials have no site, so their origin must be given in the shares file.
"""

import csv
import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from footprint.errors import DataError, UnitError
from footprint.fileio import decode_text, read_bytes
from footprint.i18n import text
from footprint.units import Quantity, ureg

FACTOR_COLUMNS = ("stage", "country", "gwp", "per", "source", "locator")
SHARE_COLUMNS = ("stage", "country", "share")
SHARE_TOLERANCE = 1e-6


@dataclass
class Factor:
    stage: str
    country: str
    gwp: float  # [kg CO2-eq per `per`]
    per: str
    source: str
    locator: str
    row: int


@dataclass
class EcsTerm:
    stage: str
    country: str
    gwp: float  # [kg CO2-eq per `per`]
    per: str
    share: float  # fraction
    quantity: float  # [`per` per kWp]
    value: float  # [kg CO2-eq/kWp]
    source: str


@dataclass
class EcsResult:
    """The ECS value with every term, or the reasons it could not be computed."""

    value: float | None  # [kg CO2-eq/kWp], unrounded
    terms: list  # EcsTerm
    quantities: dict  # stage -> (amount per kWp, unit)
    table: str
    table_sha256: str
    unmet: list = field(default_factory=list)  # (kind, item, reason, reason in Chinese)
    shares_table: str = ""
    shares_sha256: str = ""  # of the shares file, "" without one

    def to_dict(self):
        return asdict(self)


def read_factor_table(path):
    """Read a factor table; every row must have a number, a unit and a source.

    Raises
    ------
    DataError
        A missing column or a bad row, named with file, row and column.
    """
    path = Path(path)
    rows = _read_csv(path, FACTOR_COLUMNS[:5])
    factors = []
    seen = set()
    for number, row in rows:
        where = f"{path}: line {number}"
        stage, country = row["stage"].strip(), row["country"].strip().upper()
        if not stage or not country:
            raise DataError(f"{where}: stage and country are required; got {row['stage']!r}, {row['country']!r}")
        try:
            gwp = float(row["gwp"])
        except ValueError:
            raise DataError(f"{where}, column gwp: got {row['gwp']!r}; expected a number of kg CO2-eq per 'per' unit") from None
        per = row["per"].strip()
        try:
            ureg.Unit(per)
        except Exception:
            raise DataError(f"{where}, column per: got {per!r}; expected a unit such as kg, piece, m2 or W") from None
        if not row["source"].strip():
            raise DataError(f"{where}, column source: empty; each factor must cite the tender document it comes from")
        if (stage, country) in seen:
            raise DataError(f"{where}: {stage}/{country} given twice")
        seen.add((stage, country))
        factors.append(Factor(stage, country, gwp, per, row["source"].strip(), (row.get("locator") or "").strip(), number))
    if not factors:
        raise DataError(f"{path}: no factor rows; expected columns {', '.join(FACTOR_COLUMNS)}")
    return factors


def read_shares(path):
    """Read supply shares: {stage: {country: fraction}}; each stage's shares must add up to 1."""
    path = Path(path)
    shares = {}
    for number, row in _read_csv(path, SHARE_COLUMNS):
        try:
            share = float(row["share"].strip().rstrip("%")) / (100.0 if row["share"].strip().endswith("%") else 1.0)
        except ValueError:
            raise DataError(f"{path}: line {number}, column share: got {row['share']!r}; expected a fraction (0.4) or a percentage (40%)") from None
        if not 0.0 <= share <= 1.0:
            raise DataError(f"{path}: line {number}, column share: got {row['share']!r}; expected between 0 and 1")
        shares.setdefault(row["stage"].strip(), {})[row["country"].strip().upper()] = share
    for stage, by_country in shares.items():
        if abs(sum(by_country.values()) - 1.0) > SHARE_TOLERANCE:
            raise DataError(f"{path}: stage {stage}: shares add up to {sum(by_country.values()):g}; expected 1")
    return shares


def quantities_per_kwp(chain, bundle):
    """Quantity of every stage and material in one kWp of modules, losses included.

    Returns
    -------
    dict
        name -> Quantity per kWp: chain stages in their reference unit (kg or piece),
        materials in their dataset unit. Wafers, cells and modules also convert to m2
        through the area attached under ``"<stage>:area"`` [m2 per piece].
    """
    kwp_per_module = float(chain.rated_power.to("kW").magnitude)
    per_module = {"module": 1.0}
    order = list(chain.processes)
    for stage in reversed(order):
        process = chain.processes[stage]
        amount = per_module.get(stage, 0.0)
        for flow in process.flows:
            if flow.kind == "stage":
                per_module[flow.target] = per_module.get(flow.target, 0.0) + amount * flow.amount
    quantities = {}
    for stage, process in chain.processes.items():
        quantities[stage] = Quantity(per_module.get(stage, 0.0) / kwp_per_module, process.unit)
        for flow in process.flows:
            if flow.kind == "dataset" and flow.target in bundle.datasets and not flow.target.startswith("electricity_"):
                unit = bundle.datasets[flow.target].unit
                total = per_module.get(stage, 0.0) * flow.amount / kwp_per_module
                if flow.target in quantities:
                    total += float(quantities[flow.target].to(unit).magnitude)
                quantities[flow.target] = Quantity(total, unit)
    wafer_area = chain.processes["wafer"].parameters["wafer_area"][0].to("m**2")
    quantities["wafer:area"] = wafer_area / Quantity(1, "piece")
    quantities["cell:area"] = wafer_area / Quantity(1, "piece")
    quantities["module:area"] = chain.area.to("m**2") / Quantity(1, "piece")
    quantities["module:power"] = chain.rated_power.to("W") / Quantity(1, "piece")
    return quantities


def evaluate_ecs(chain, bundle, factors, *, shares=None, table="factors", shares_table=None):
    """Compute G from the chain, the factor table and the supply shares.

    Parameters
    ----------
    chain : footprint.model.chain.Chain
    bundle : footprint.bundle.read.Bundle
    factors : list of Factor
        From :func:`read_factor_table`.
    shares : dict, optional
        {stage: {country: fraction}} from :func:`read_shares`; overrides the site's country.
    table : str or Path
        Name of the factor table, for the record; hashed when it is a file.
    shares_table : str or Path, optional
        Name of the shares file, for the record; hashed when it is a file.

    Returns
    -------
    EcsResult
        ``value`` None and ``unmet`` filled when a quantity, an origin or a factor is missing.
    """
    shares = shares or {}
    quantities = quantities_per_kwp(chain, bundle)
    by_stage = {}
    for factor in factors:
        by_stage.setdefault(factor.stage, {})[factor.country] = factor
    terms, unmet = [], []
    for stage, by_country in by_stage.items():
        if stage not in quantities or ":" in stage:
            row = next(iter(by_country.values())).row
            unmet.append(("factor_table", "ecs_factors", *_reason(text("reason", "ecs_unknown_stage", table=table, row=row, stage=stage))))
            continue
        origins = shares.get(stage)
        if origins is None:
            if stage in chain.processes:
                origins = {chain.processes[stage].site.split("-")[0].upper(): 1.0}
            else:
                unmet.append(("missing_data", "ecs_shares", *_reason(text("reason", "ecs_no_origin", stage=stage))))
                continue
        for country, share in origins.items():
            factor = by_country.get(country)
            if factor is None:
                unmet.append(("factor_table", "ecs_factors", *_reason(text("reason", "ecs_no_factor", table=table, stage=stage, country=country))))
                continue
            try:
                amount = _in_unit(quantities, stage, factor.per)
            except UnitError as exc:
                unmet.append(("factor_table", "ecs_factors", *_reason(text("reason", "ecs_bad_row", table=table, row=factor.row, error=exc))))
                continue
            terms.append(EcsTerm(stage, country, factor.gwp, factor.per, share, amount, factor.gwp * share * amount, factor.source))
    value = sum(term.value for term in terms) if not unmet else None
    shown = {name: [float(q.magnitude), f"{q.units:~}"] for name, q in quantities.items() if ":" not in name}
    return EcsResult(value, terms, shown, str(table), _file_sha256(table), unmet,
                     str(shares_table or ""), _file_sha256(shares_table) if shares_table else "")


def _reason(words):
    """(English, Chinese) of a reason of ``names.yaml``: the last two fields of an ``unmet`` entry."""
    return words["en"], words["zh"]


def _file_sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else ""


def _in_unit(quantities, stage, per):
    """Quantity of ``stage`` per kWp in the unit ``per`` (through its area or power if needed)."""
    quantity = quantities[stage]
    target = ureg.Unit(per)
    try:
        return float(quantity.to(target).magnitude)
    except Exception:
        pass
    for extra in (f"{stage}:area", f"{stage}:power"):
        if extra in quantities:
            try:
                return float((quantity * quantities[extra]).to(target).magnitude)
            except Exception:
                continue
    raise UnitError(f"{stage} is counted in {quantity.units:~}; cannot express it per {per}")


def _read_csv(path, required):
    text = decode_text(read_bytes(path, what="a CSV table"), path, what="a CSV table")
    # Keep each line's number in the file, comments included, for error messages.
    numbered = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise DataError(f"{path}: empty; expected a header {', '.join(required)}")
    header = next(csv.reader([numbered[0][1]]))
    header = [column.strip() for column in header]
    missing = [column for column in required if column not in header]
    if missing:
        raise DataError(f"{path}: line {numbered[0][0]}: header misses column(s) {', '.join(missing)}; expected {', '.join(required)}")
    rows = []
    for number, line in numbered[1:]:
        values = next(csv.reader([line]))
        if len(values) > len(header):
            raise DataError(f"{path}: line {number}: {len(values)} fields for {len(header)} columns; quote values that contain commas")
        values += [""] * (len(header) - len(values))
        rows.append((number, dict(zip(header, values))))
    return rows

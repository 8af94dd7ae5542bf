"""The calculator: a product's carbon footprint, by stage and by gas, per declared unit.

:func:`compute` reads a product file, builds its foreground chain on the bundled
inventories, writes it into Brightway and solves it with bw2calc on an IPCC GWP100 method.
The result is plain data (:class:`FootprintResult`), serialisable to JSON, with no
Brightway object inside.

Breakdown by stage is exact: with the supply vector s and the adjoint solution
lambda = A^-T (C B)^T (the cumulative footprint per unit of every product), a foreground
process j contributes s_j * (direct_j + sum over background inputs i of -A_ij * lambda_i);
the contributions add up to the total because the background never consumes foreground.
"""

import contextlib
import datetime as _dt
import sys
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.sparse.linalg import spsolve

from footprint import __version__
from footprint.errors import InputError
from footprint.inventories import read_bundle
from footprint.model import build_chain, read_product
from footprint.model.foreground import write_foreground
from footprint.project import GWP_SETS, METHODS, require_setup
from footprint.units import Quantity

EMISSION_UNIT = "kg CO2-eq"
#: Declared units of a module footprint -> how many of them one module is.
DECLARED_UNITS = {
    "module": lambda chain: 1.0,
    "kWp": lambda chain: float(chain.rated_power.to("kW").magnitude),
    "Wp": lambda chain: float(chain.rated_power.to("W").magnitude),
    "m2": lambda chain: float(chain.area.to("m**2").magnitude),
}


@dataclass
class Amount:
    value: float
    unit: str


@dataclass
class Share:
    value: float  # [kg CO2-eq per declared unit]
    share: float  # fraction of the total


@dataclass
class ElectricityUse:
    stage: str
    site: str
    dataset: str
    name: str
    year: int
    scope: str
    amount: float  # [kWh per declared unit]


@dataclass
class FootprintResult:
    """A product's footprint per declared unit, with everything needed to reproduce it."""

    product: str
    product_name: str
    declared_unit: str
    total: Amount
    by_stage: dict  # stage -> Share
    by_gas: dict  # gas label -> Share
    by_origin: dict  # fossil / biogenic / land_use / aggregated -> Share
    method: str
    gwp: str
    electricity: list = field(default_factory=list)  # ElectricityUse
    data_version: str = ""
    data_sha256: str = ""
    inputs_sha256: str = ""
    input_file: str = ""
    library_version: str = __version__
    computed_at: str = ""

    def to_dict(self):
        """Plain JSON-ready data (the ``--format json`` output)."""
        return asdict(self)


def compute(product, *, per="module", gwp="ar6"):
    """Compute the cradle-to-gate carbon footprint of a PV module.

    Parameters
    ----------
    product : str or Path or footprint.model.ProductSpec
        A product YAML file, an Excel data workbook (.xlsx), or an already read spec.
    per : str
        Declared unit: ``module``, ``kWp``, ``Wp`` or ``m2``.
    gwp : str
        ``ar6`` (IPCC 2021 GWP100, default) or ``ar5`` (IPCC 2013 GWP100).

    Returns
    -------
    FootprintResult
        Values in kg CO2-eq per declared unit.

    Raises
    ------
    footprint.errors.FootprintError
        Bad input (named with file and field), or the data directory not set up.
    """
    if per not in DECLARED_UNITS:
        raise InputError(f"--per: got {per!r}; expected one of {', '.join(DECLARED_UNITS)}")
    if gwp not in GWP_SETS:
        raise InputError(f"--gwp: got {gwp!r}; expected one of {', '.join(GWP_SETS)}")
    from footprint.collect import read_any  # a product YAML file or an Excel data workbook

    spec = product if hasattr(product, "stages") else read_any(product)
    bundle = read_bundle()
    chain = build_chain(spec, bundle)
    bd = require_setup()
    _, ids = write_foreground(bd, chain, bundle)
    with contextlib.redirect_stdout(sys.stderr):
        raw = _solve(bd, ids, bundle, METHODS[(gwp, "total")])
    divisor = DECLARED_UNITS[per](chain)
    total = raw["total"] / divisor

    def share(value):
        value = value / divisor
        return Share(value, value / total if total else 0.0)

    electricity = []
    for stage, process in chain.processes.items():
        dataset = bundle.datasets[process.electricity_dataset]
        kwh = raw["supply"][stage] * dict((f.target, f.amount) for f in process.flows if f.kind == "dataset").get(dataset.id, 0.0)
        electricity.append(ElectricityUse(stage, process.site, dataset.id, dataset.name, dataset.year, dataset.scope, kwh / divisor))
    return FootprintResult(
        product=chain.product_id,
        product_name=chain.product_name,
        declared_unit=f"1 {per}",
        total=Amount(total, f"{EMISSION_UNIT}/{per}"),
        by_stage={stage: share(value) for stage, value in raw["by_stage"].items()},
        by_gas={label: share(value) for label, value in raw["by_gas"].items()},
        by_origin={origin: share(value) for origin, value in raw["by_origin"].items()},
        method=" | ".join(METHODS[(gwp, "total")]),
        gwp=GWP_SETS[gwp],
        electricity=electricity,
        data_version=bundle.data_version,
        data_sha256=bundle.sha256,
        inputs_sha256=spec.sha256,
        input_file=spec.source,
        computed_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    )


def _solve(bd, ids, bundle, method):
    """One LCA of one module: total, by stage, by gas, by origin [kg CO2-eq per module]."""
    import bw2calc

    from footprint.matrices import lca_inputs
    from footprint.project import BACKGROUND

    demand_id = ids["module"]
    foreground = bd.get_node(id=demand_id)["database"]
    lca = bw2calc.LCA(demand={demand_id: 1.0}, data_objs=lca_inputs(bd, [foreground, BACKGROUND], method))
    lca.lci()
    lca.lcia()
    total = float(lca.score)

    technosphere = lca.technosphere_matrix.tocsc()
    direct = np.asarray((lca.characterization_matrix @ lca.biosphere_matrix).sum(axis=0)).ravel()
    cumulative = spsolve(technosphere.T.tocsc(), direct)
    supply = lca.supply_array
    column_of = lca.dicts.activity
    foreground_columns = {column_of[node_id] for node_id in ids.values()}
    background = np.ones(technosphere.shape[0], dtype=bool)
    background[list(foreground_columns)] = False
    by_stage = {}
    supply_by_stage = {}
    for stage, node_id in ids.items():
        j = column_of[node_id]
        column = technosphere[:, j].toarray().ravel()
        upstream = float(-(column[background] @ cumulative[background]))
        by_stage[stage] = float(supply[j]) * (float(direct[j]) + upstream)
        supply_by_stage[stage] = float(supply[j])

    per_flow = np.asarray(lca.characterized_inventory.sum(axis=1)).ravel()
    gas_of_key = {gas.key: gas for gas in bundle.gases.values()}
    by_gas = {}
    by_origin = {}
    for flow_id, row in lca.dicts.biosphere.items():
        value = float(per_flow[row])
        if value == 0.0:
            continue
        node = bd.get_node(id=flow_id)
        gas = gas_of_key.get((node["database"], node["code"]))
        label = gas.label if gas else node["name"]
        origin = gas.origin if gas else "unclassified"
        by_gas[label] = by_gas.get(label, 0.0) + value
        by_origin[origin] = by_origin.get(origin, 0.0) + value
    by_gas = dict(sorted(by_gas.items(), key=lambda item: -abs(item[1])))
    return {"total": total, "by_stage": by_stage, "by_gas": by_gas, "by_origin": by_origin, "supply": supply_by_stage}

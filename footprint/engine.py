"""The numerical core: the background solved once, each foreground evaluated in numpy.

The bundled background (``footprint-background``) never consumes a product's foreground,
so the technosphere is block-triangular and a product's footprint splits exactly into

- the background's *cumulative inventory* Lambda = A_b^-T B_b^T: kg of each gas per unit of
  each background dataset. It is solved once per data version (with bw2calc's matrices of
  the installed background) and reused for every product and every variant;
- the foreground, a handful of processes: supply s = A_f^-1 d for the demand d, then the
  inventory of each foreground flow: s_j x amount x Lambda[dataset] for a background input,
  s_j x amount for a direct emission.

Characterising the inventory with the method's factors (c . inventory) gives the total; the
same flows grouped by stage, by flow, by gas or by origin give the breakdowns, which add
up to the total by construction. Amounts may be numpy arrays (one value per variant): a
batch evaluates thousands of variants in one pass.

The background is read from the installed ``footprint-background`` database with
:func:`footprint.brightway.matrices.lca_inputs` (float64; Brightway's own datapackages are float32).
``footprint.calc`` checks every single computation against a full bw2calc LCA of the
recorded inventory, ``tests/test_batch.py`` checks batch variants the same way.
"""

import json
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Background:
    """The background solved once: cumulative inventory per dataset and the method's factors."""

    gwp: str
    data_sha256: str
    datasets: list  # dataset ids, in the order of the rows of ``inventory``
    index: dict  # dataset id -> row
    gases: list  # gas ids, in the order of the columns of ``inventory``
    gas_index: dict
    inventory: np.ndarray  # (datasets x gases) [kg of gas per unit of dataset], cumulative
    factors: dict  # indicator -> (gases,) [kg CO2-eq per kg]
    methods: dict  # indicator -> Brightway method id
    technosphere: np.ndarray = None  # (datasets x datasets) A_b, to trace an emission to the dataset that emits it
    direct: np.ndarray = None  # (datasets x gases) [kg of gas per unit of dataset], direct emissions only
    technosphere_inverse: np.ndarray = None  # A_b^-1, saved by setup: tracing multiplies, no solve on the calculation path

    def cumulative(self, indicator="total"):
        """Cumulative footprint per unit of each dataset [kg CO2-eq per unit]."""
        return self.inventory @ self.factors[indicator]


#: Version of the saved background's layout; a file of another layout is solved again.
SAVED_FORMAT = "footprint-background/1"


def background_path(data_sha256, gwp):
    """Where setup saves the solved background of a data version and GWP set."""
    from footprint.resources import home

    return home() / "background" / f"{data_sha256[:32]}-{gwp}.npz"


def dataset_factors(bundle, gwp="ar6"):
    """Dataset id -> its footprint [kg CO2-eq per unit], from the background setup solved and saved.

    None before ``footprint setup`` (nothing is solved here: listing datasets stays fast and offline).
    """
    solved = read_background(background_path(bundle.sha256, gwp), data_sha256=bundle.sha256, gwp=gwp)
    if solved is None:
        return None
    return {dataset: float(value) for dataset, value in zip(solved.datasets, solved.cumulative())}


def save_background(background, path):
    """Write a solved background as one ``.npz`` file (float64 arrays, exact; no pickles)."""
    from footprint.fileio import atomic_path

    meta = {"format": SAVED_FORMAT, "gwp": background.gwp, "data_sha256": background.data_sha256,
            "datasets": background.datasets, "gases": background.gases,
            "methods": {key: list(value) for key, value in background.methods.items()},
            "indicators": list(background.factors)}
    arrays = {f"factors_{key}": value for key, value in background.factors.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as handle:
            np.savez(handle, meta=np.array(json.dumps(meta)), inventory=background.inventory,
                     technosphere=background.technosphere, direct=background.direct,
                     technosphere_inverse=_inverse(background), **arrays)


def read_background(path, *, data_sha256, gwp):
    """Read a background saved by :func:`save_background`; None if missing or not this data's."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            meta = json.loads(str(saved["meta"]))
            if meta.get("format") != SAVED_FORMAT or meta["data_sha256"] != data_sha256 or meta["gwp"] != gwp:
                return None
            datasets, gases = meta["datasets"], meta["gases"]
            return Background(gwp, data_sha256, datasets, {d: i for i, d in enumerate(datasets)}, gases,
                              {g: i for i, g in enumerate(gases)}, saved["inventory"],
                              {key: saved[f"factors_{key}"] for key in meta["indicators"]},
                              {key: tuple(value) for key, value in meta["methods"].items()},
                              saved["technosphere"], saved["direct"],
                              saved["technosphere_inverse"] if "technosphere_inverse" in saved.files else None)
    except (OSError, ValueError, KeyError):
        return None


@dataclass
class FlowResult:
    """The cumulative inventory of one foreground flow, per the demand."""

    code: str  # the foreground process it enters
    stage: str
    label: str
    kind: str  # "dataset" or "gas"
    target: str
    primary: float  # fraction of it that is primary data
    inventory: np.ndarray  # (gases, variants) [kg]
    amount: np.ndarray = None  # (variants,) [the target's unit] per demand: supply x amount per unit


@dataclass
class Evaluation:
    """A foreground evaluated on the background, per the demand (one or many variants)."""

    background: Background
    supply: dict  # code -> (variants,) [reference units]
    flows: list = field(default_factory=list)  # FlowResult
    processes: dict = field(default_factory=dict)  # code -> Process

    def score(self, indicator="total"):
        """Footprint [kg CO2-eq per demand], one value per variant."""
        factors = self.background.factors[indicator]
        return sum(factors @ flow.inventory for flow in self.flows)

    def by_stage(self, indicator="total"):
        factors = self.background.factors[indicator]
        result = {}
        for flow in self.flows:
            result[flow.stage] = result.get(flow.stage, 0.0) + factors @ flow.inventory
        return result

    def by_flow(self, indicator="total"):
        factors = self.background.factors[indicator]
        return [(flow, factors @ flow.inventory) for flow in self.flows]

    def inventory(self):
        """Cumulative inventory by gas [kg per demand]: gas id -> (variants,)."""
        total = sum(flow.inventory for flow in self.flows)
        return {gas: total[i] for i, gas in enumerate(self.background.gases)}

    def by_gas(self, indicator="total"):
        factors = self.background.factors[indicator]
        return {gas: factors[i] * amount for i, (gas, amount) in enumerate(self.inventory().items())}


def reachable(processes, demand):
    """The codes of the processes the demand needs, upstream included."""
    seen = set()
    queue = list(demand)
    while queue:
        code = queue.pop()
        if code in seen:
            continue
        seen.add(code)
        queue.extend(flow.target for flow in processes[code].flows if flow.kind == "stage")
    return [code for code in processes if code in seen]


def evaluate(processes, background, *, demand):
    """Evaluate a foreground on the solved background.

    Parameters
    ----------
    processes : dict
        code -> footprint.model.chain.Process; flow amounts floats or arrays of one
        length (the variants).
    background : Background
    demand : dict
        code -> amount [reference units], such as ``{"module": 1.0}``.

    Returns
    -------
    Evaluation
    """
    codes = reachable(processes, demand)
    position = {code: i for i, code in enumerate(codes)}
    variants = 1
    for code in codes:
        for flow in processes[code].flows:
            variants = max(variants, np.size(flow.amount))
    size = len(codes)
    matrix = np.zeros((variants, size, size))
    matrix[:, np.arange(size), np.arange(size)] = 1.0
    for code in codes:
        for flow in processes[code].flows:
            if flow.kind == "stage":
                matrix[:, position[flow.target], position[code]] -= flow.amount
    rhs = np.zeros((variants, size, 1))
    for code, amount in demand.items():
        rhs[:, position[code], 0] = amount
    # an overflow (a huge value in a product file) gives inf or nan, which the calculator and the
    # batch report as an error naming the value; numpy's own warning would only add noise
    with np.errstate(over="ignore", invalid="ignore"):
        return _evaluate(processes, background, codes, matrix, rhs)


def _evaluate(processes, background, codes, matrix, rhs):
    position = {code: i for i, code in enumerate(codes)}
    supply = np.linalg.solve(matrix, rhs)[:, :, 0]  # (variants, processes)
    evaluation = Evaluation(background, {code: supply[:, position[code]] for code in codes},
                            processes={code: processes[code] for code in codes})
    cumulative = background.inventory
    unit = np.eye(len(background.gases))
    for code in codes:
        process = processes[code]
        s = supply[:, position[code]]
        for flow in process.flows:
            if flow.kind == "stage":
                continue
            if flow.kind == "dataset":
                per_unit = cumulative[background.index[flow.target]]
            else:
                per_unit = unit[background.gas_index[flow.target]]
            amount = s * flow.amount  # (variants,)
            evaluation.flows.append(FlowResult(code, process.stage, flow.label, flow.kind, flow.target,
                                               flow.provenance.primary_fraction, np.outer(per_unit, amount), amount))
    return evaluation


def direct_sources(evaluation, gases):
    """Where some gases are emitted directly, per demand (the first variant).

    The cumulative inventory says how much of a gas a foreground flow brings, not which
    dataset upstream emits it; this traces it: the background's supply for the
    foreground's demands (A_b x = y), times each dataset's direct emissions.

    Parameters
    ----------
    evaluation : Evaluation
    gases : iterable of str
        Gas ids.

    Returns
    -------
    dict
        ("dataset", dataset id) or ("flow", "stage: label") -> kg of the gases (summed).
    """
    background = evaluation.background
    columns = [background.gas_index[gas] for gas in gases if gas in background.gas_index]
    demand = np.zeros(len(background.datasets))
    found = {}
    for flow in evaluation.flows:
        amount = float(np.ravel(flow.amount)[0])
        if flow.kind == "dataset":
            demand[background.index[flow.target]] += amount
        elif flow.target in gases and amount:
            key = ("flow", f"{flow.stage}: {flow.label}")
            found[key] = found.get(key, 0.0) + amount
    # A_b^-1 d: with the inverse saved at setup, a product costs a matrix-vector product, not a
    # 282x282 solve (which OpenBLAS spreads over threads: 20 ms instead of 1.6 ms on a busy machine)
    supply = _inverse(background) @ demand
    emitted = supply * background.direct[:, columns].sum(axis=1)
    for row in np.flatnonzero(emitted):
        found[("dataset", background.datasets[row])] = float(emitted[row])
    return found


def _inverse(background):
    """A_b^-1 of a background (computed once if an older saved file lacks it)."""
    if background.technosphere_inverse is None:
        background.technosphere_inverse = np.linalg.inv(background.technosphere)
    return background.technosphere_inverse

"""bw2calc's own Monte Carlo of a product: the reference the fast path is compared with.

The background is what setup installed: every exchange of ``footprint-background`` with the
uncertainty fields :func:`footprint.brightway.install.uncertainty_fields` wrote into it (what
Activity Browser shows). bw2calc samples them itself, with stats_arrays, inside its own loop::

    lca = bw2calc.LCA(demand, data_objs=..., use_distributions=True, use_arrays=True)
    lca.lci(); lca.lcia()            # the first draw
    next(lca)                         # every next draw: matrices rebuilt, system solved again

The product's foreground comes in as arrays, one column per iteration (its figures drawn by
:mod:`footprint.uncertainty`): a Brightway exchange holds one distribution per amount, while a
foreground amount such as the silicon per wafer is a formula of several drawn figures
(thickness, kerf, yields), so its draws are computed, not sampled by bw2calc.

Why the datapackages are built here rather than taken from bw2data's processed database:
bw2calc seeds every resource group of a datapackage with the package's one seed, so the
technosphere's and the biosphere's k-th lognormal would get the same standard normal and be
perfectly correlated. Each matrix gets a datapackage of its own and its own seed (both from
the run's seed); the distributions are the stored exchanges' fields, read with bw2data's
``as_uncertainty_dict`` as ``Database.process()`` reads them; amounts in float64
(:mod:`footprint.brightway.matrices`).
"""

from __future__ import annotations

import contextlib
import sys
import time

import numpy as np
from bw_processing import INDICES_DTYPE, UNCERTAINTY_DTYPE, create_datapackage

from footprint.brightway.project import read_installed, require_setup
from footprint.bundle import quality
from footprint.errors import SetupError
from footprint.resources import home
from footprint.vocab import BACKGROUND, METHODS


def bw2calc_monte_carlo(processes: dict, demand: dict, *, bundle, gwp: str, iterations: int, seed: int,
                        progress=None, background_distributions: bool = True) -> tuple[np.ndarray, float]:
    """Scores of a foreground, iteration by iteration, with bw2calc's Monte Carlo loop.

    Parameters
    ----------
    processes : dict
        code -> footprint.model.chain.Process; each flow amount a float or an array of
        ``iterations`` (one draw of the foreground per iteration).
    demand : dict
        code -> amount [reference units].
    bundle : footprint.bundle.read.Bundle
    gwp : str
        ``ar6`` or ``ar5``: the total climate-change method.
    iterations : int
    seed : int
        Seeds the background's distributions (each matrix its own stream).
    progress : callable, optional
        Called with the number of iterations done, every 100.
    background_distributions : bool
        False keeps the background at its static amounts (a check that the foreground's
        columns line up with the fast path's draws, iteration by iteration).

    Returns
    -------
    (numpy.ndarray, float)
        The score of each iteration [kg CO2-eq per demand] and the seconds the loop took
        (``lci``/``lcia`` of the first iteration and every ``next``; building the packages not included).

    Raises
    ------
    SetupError
        The data directory's background was installed without uncertainty fields (an older
        footprint): run ``footprint setup``.
    """
    import bw2calc
    from bw2data.backends.schema import ActivityDataset, ExchangeDataset
    from bw2data.utils import as_uncertainty_dict

    bd = require_setup(bundle)
    if read_installed(home() / "installed.json").get("background_uncertainty") != quality.FINGERPRINT:
        raise SetupError(f"{home()}: the background's exchanges carry no uncertainty fields of this version; run 'footprint setup'")
    method = METHODS[(gwp, "total")]
    rows = list(ExchangeDataset.select(ExchangeDataset.data, ExchangeDataset.type, ExchangeDataset.input_database,
                                       ExchangeDataset.input_code, ExchangeDataset.output_database, ExchangeDataset.output_code)
                .where(ExchangeDataset.output_database == BACKGROUND).tuples())
    method_data = bd.Method(method).load()
    keys = {(row[2], row[3]) for row in rows} | {(row[4], row[5]) for row in rows}
    keys |= {tuple(flow) for flow, _ in method_data if not isinstance(flow, int)}
    keys |= {bundle.gases[flow.target].key for process in processes.values() for flow in process.flows if flow.kind == "gas"}
    ids = _node_ids(ActivityDataset, keys)
    technosphere, biosphere = [], []
    for data, kind, in_db, in_code, out_db, out_code in rows:
        entry = (ids[(in_db, in_code)], ids[(out_db, out_code)], as_uncertainty_dict(dict(data)))
        if kind in ("production", "technosphere"):
            technosphere.append((*entry, kind == "technosphere"))
        elif kind == "biosphere":
            biosphere.append((*entry, False))
    characterisation = []
    for flow, factor in method_data:
        flow_id = flow if isinstance(flow, int) else ids.get(tuple(flow))
        if flow_id is not None:
            characterisation.append((flow_id, flow_id, {"amount": float(factor)}, False))
    technosphere_seed, biosphere_seed = np.random.SeedSequence(seed).generate_state(2)
    if not background_distributions:
        technosphere = [(row, col, {"amount": data["amount"]}, flip) for row, col, data, flip in technosphere]
        biosphere = [(row, col, {"amount": data["amount"]}, flip) for row, col, data, flip in biosphere]
    packages = [_vector_package("technosphere_matrix", technosphere, int(technosphere_seed)),
                _vector_package("biosphere_matrix", biosphere, int(biosphere_seed)),
                _vector_package("characterization_matrix", characterisation, None)]
    foreground_ids = {code: max(ids.values()) + 1 + position for position, code in enumerate(processes)}
    packages.append(_foreground_package(processes, foreground_ids, ids, bundle, iterations))
    demand_ids = {foreground_ids[code]: amount for code, amount in demand.items()}
    scores = np.empty(iterations)
    with contextlib.redirect_stdout(sys.stderr):
        started = time.perf_counter()
        lca = bw2calc.LCA(demand_ids, data_objs=packages, use_distributions=True, use_arrays=True)
        lca.lci()
        lca.lcia()
        scores[0] = lca.score  # already a draw (bw2calc samples on the first calculation)
        for iteration in range(1, iterations):
            next(lca)
            scores[iteration] = lca.score
            if progress is not None and iteration % 100 == 0:
                progress(iteration)
        seconds = time.perf_counter() - started
    if progress is not None:
        progress(iterations)
    return scores, seconds


def _node_ids(ActivityDataset, keys):
    by_database = {}
    for database, code in keys:
        by_database.setdefault(database, set()).add(code)
    ids = {}
    for database, codes in by_database.items():
        query = ActivityDataset.select(ActivityDataset.id, ActivityDataset.database, ActivityDataset.code).where(
            (ActivityDataset.database == database) & (ActivityDataset.code << list(codes)))
        for node_id, db_name, code in query.tuples():
            ids[(db_name, code)] = node_id
    return ids


def _vector_package(matrix, entries, seed):
    """One matrix's static amounts (float64) and stored distributions, with its own seed."""
    package = create_datapackage(seed=seed, sum_intra_duplicates=True, sum_inter_duplicates=False)
    distributions = np.zeros(len(entries), dtype=UNCERTAINTY_DTYPE)
    for position, (_, _, data, _) in enumerate(entries):
        kind = int(data.get("uncertainty type", data.get("uncertainty_type", 0)) or 0)
        amount = float(data["amount"])
        distributions[position] = (kind, data.get("loc", amount) if kind else amount, data.get("scale", np.nan),
                                   data.get("shape", np.nan), data.get("minimum", np.nan), data.get("maximum", np.nan),
                                   bool(data.get("negative", False)))
    package.add_persistent_vector(
        matrix=matrix, name=f"footprint-mc-{matrix}",
        indices_array=np.array([(row, col) for row, col, _, _ in entries], dtype=INDICES_DTYPE),
        data_array=np.array([float(data["amount"]) for _, _, data, _ in entries], dtype=np.float64),
        flip_array=np.array([flip for _, _, _, flip in entries], dtype=bool),
        distributions_array=distributions,
    )
    return package


def _foreground_package(processes, foreground_ids, ids, bundle, iterations):
    """The foreground as arrays: one column per iteration, taken in order (sequential)."""
    technosphere, biosphere = [], []
    for code, process in processes.items():
        column = foreground_ids[code]
        technosphere.append((column, column, 1.0, False))
        for flow in process.flows:
            if flow.kind == "stage":
                technosphere.append((foreground_ids[flow.target], column, flow.amount, True))
            elif flow.kind == "dataset":
                technosphere.append((ids[(BACKGROUND, flow.target)], column, flow.amount, True))
            else:
                biosphere.append((ids[bundle.gases[flow.target].key], column, flow.amount, False))
    package = create_datapackage(sequential=True, sum_intra_duplicates=True, sum_inter_duplicates=False)
    for matrix, entries in (("technosphere_matrix", technosphere), ("biosphere_matrix", biosphere)):
        data = np.empty((len(entries), iterations))
        for position, (_, _, amount, _) in enumerate(entries):
            data[position] = np.broadcast_to(np.asarray(amount, dtype=float), (iterations,))
        package.add_persistent_array(
            matrix=matrix, name=f"footprint-mc-foreground-{matrix}",
            indices_array=np.array([(row, col) for row, col, _, _ in entries], dtype=INDICES_DTYPE),
            data_array=data,
            flip_array=np.array([flip for _, _, _, flip in entries], dtype=bool),
        )
    return package

"""The bundled background solved with bw2calc: cumulative inventory per dataset, and factors.

Run by setup (the result is saved beside the project, :func:`footprint.engine.save_background`)
and never on the path of a calculation once saved; see :mod:`footprint.engine`.
"""

import contextlib
import sys

import numpy as np
from threadpoolctl import threadpool_limits

from footprint.brightway.project import require_setup
from footprint.engine import Background, background_path, read_background, save_background
from footprint.resources import home
from footprint.vocab import BACKGROUND, METHODS, SUB_METHODS

_cache = {}


def load_background(bundle, gwp):
    """The background of the bundled data solved for a GWP set: from memory, from the file
    setup saved, or (a data directory set up by an older version) solved with Brightway now.

    Parameters
    ----------
    bundle : footprint.bundle.read.Bundle
    gwp : str
        ``ar6`` or ``ar5``.
    """
    key = (str(home()), bundle.sha256, gwp)
    if key in _cache:
        return _cache[key]
    path = background_path(bundle.sha256, gwp)
    background = read_background(path, data_sha256=bundle.sha256, gwp=gwp)
    if background is None:
        background = solve_background(require_setup(bundle), bundle, gwp)
        save_background(background, path)
    _cache[key] = background
    return background


def solve_background(bd, bundle, gwp):
    """Solve the installed background for a GWP set with bw2calc.

    Parameters
    ----------
    bd : module
        bw2data, with the project current (``footprint.brightway.project.require_setup``).
    bundle : footprint.bundle.read.Bundle
    gwp : str
        ``ar6`` or ``ar5``.
    """
    import bw2calc

    from footprint.brightway.matrices import lca_inputs  # imports bw_processing: only when solving

    methods = {"total": METHODS[(gwp, "total")]}
    for indicator in SUB_METHODS:
        if (gwp, indicator) in METHODS:
            methods[indicator] = METHODS[(gwp, indicator)]
    with contextlib.redirect_stdout(sys.stderr):
        nodes = list(bd.Database(BACKGROUND))
        lca = bw2calc.LCA(demand={node.id: 1.0 for node in nodes}, data_objs=lca_inputs(bd, [BACKGROUND], methods["total"]))
        lca.lci()
    gases = list(bundle.gases)
    gas_index = {gas: i for i, gas in enumerate(gases)}
    gas_of_key = {bundle.gases[gas].key: gas for gas in gases}
    # biosphere rows -> gases; every background exchange is a gas of gases.csv
    flow_rows = np.zeros((lca.biosphere_matrix.shape[0], len(gases)))
    key_of = _node_keys(lca.dicts.biosphere)
    for flow_id, row in lca.dicts.biosphere.items():
        flow_rows[row, gas_index[gas_of_key[key_of[flow_id]]]] = 1.0
    code_of = {node.id: node["code"] for node in nodes}
    datasets = [None] * lca.technosphere_matrix.shape[0]
    for node_id, column in lca.dicts.activity.items():
        datasets[column] = code_of[node_id]
    technosphere = lca.technosphere_matrix.toarray()
    direct = (lca.biosphere_matrix.T @ flow_rows)  # (datasets x gases) kg per unit, direct
    # One BLAS thread: OpenBLAS's threads made this small solve take 0.35 s on a busy machine
    # (3 ms alone), and one thread gives the same bits on every machine.
    with threadpool_limits(limits=1, user_api="blas"):
        inventory = np.linalg.solve(technosphere.T, np.asarray(direct))
    factors = {indicator: _factors(bd, method, bundle, gases) for indicator, method in methods.items()}
    background = Background(gwp, bundle.sha256, datasets, {d: i for i, d in enumerate(datasets)}, gases, gas_index,
                            inventory, factors, methods, technosphere, np.asarray(direct))
    return background


def _factors(bd, method, bundle, gases):
    """The method's factor for each gas [kg CO2-eq per kg]; 0 where the method has none."""
    entries = bd.Method(method).load()
    key_of = _node_keys([entry[0] for entry in entries if isinstance(entry[0], int)])
    by_key = {}
    for entry in entries:
        flow, amount = entry[0], entry[1]
        by_key[key_of[flow] if isinstance(flow, int) else tuple(flow)] = float(amount)
    return np.array([by_key.get(bundle.gases[gas].key, 0.0) for gas in gases])


def _node_keys(ids):
    """Node id -> (database, code), in one query (``get_node`` per id took 0.3 s a setup)."""
    from bw2data.backends.schema import ActivityDataset

    query = ActivityDataset.select(ActivityDataset.id, ActivityDataset.database, ActivityDataset.code).where(
        ActivityDataset.id << list(ids))
    return {node_id: (database, code) for node_id, database, code in query.tuples()}

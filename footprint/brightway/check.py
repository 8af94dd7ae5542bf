"""The cross-check: a foreground written into Brightway and solved with bw2calc, against the engine.

A full bw2calc LCA of the recorded inventory, on float64 matrices built from the stored
exchanges (:mod:`footprint.brightway.matrices`); the engine's totals must agree with it to
:data:`AGREEMENT`, else the calculation stops rather than report a number that two methods
disagree on.
"""

import contextlib
import copy
import sys

import numpy as np

from footprint.brightway.foreground import write_foreground
from footprint.brightway.matrices import lca_inputs
from footprint.brightway.project import require_setup, writing
from footprint.vocab import BACKGROUND, METHODS, VERIFY_PREFIX

#: Relative agreement required between the engine and a full bw2calc LCA.
AGREEMENT = 1e-9


def brightway_lca(bd, processes, system, bundle, method, *, name=None):
    """Write a foreground into Brightway and solve it with bw2calc; return the score per demand.

    Parameters
    ----------
    processes : dict
        code -> Process (scalar amounts).
    name : str, optional
        The database name; by default the product study's (reused when inputs are unchanged).
    """
    import bw2calc

    chain = copy.copy(system.chain)
    chain.processes = processes
    # written and read under the lock: another process can never see it half-written
    with writing(bd):
        database, ids = write_foreground(bd, chain, bundle, name=name)
        with contextlib.redirect_stdout(sys.stderr):
            demand = {ids[code]: amount for code, amount in system.demand.items()}
            lca = bw2calc.LCA(demand=demand, data_objs=lca_inputs(bd, [database, BACKGROUND], method))
            lca.lci()
            lca.lcia()
    return float(lca.score)


def check_with_brightway(bd, system, bundle, gwp, evaluations):
    """Require the engine's totals to equal full bw2calc LCAs of the written foreground.

    Returns
    -------
    str
        The bw2data and bw2calc versions used.
    """
    import bw2calc
    import bw2data

    method = METHODS[(gwp, "total")]
    for label, processes in (("location", system.location), ("market", system.market)):
        engine = float(np.ravel(evaluations[label].score())[0])
        reference = brightway_lca(bd, processes, system, bundle, method)
        if not _agree(engine, reference):
            raise RuntimeError(f"{system.spec.source}: the engine gives {engine!r} and bw2calc {reference!r} kg CO2-eq "
                               f"({label}-based); they must agree to {AGREEMENT:g}")
    return f"bw2data {bw2data.__version__}, bw2calc {bw2calc.__version__}"


def _agree(a, b):
    return abs(a - b) <= AGREEMENT * max(abs(a), abs(b), 1e-300)


def agree(a, b):
    """True if two totals agree to :data:`AGREEMENT` (relative)."""
    return _agree(a, b)


def score_in_temporary_database(processes, system, bundle, gwp):
    """Solve one foreground with bw2calc in a database of its own, deleted afterwards; score per demand."""
    import uuid

    bd = require_setup(bundle)
    name = f"{VERIFY_PREFIX}{uuid.uuid4().hex[:12]}"
    try:
        return brightway_lca(bd, processes, system, bundle, METHODS[(gwp, "total")], name=name)
    finally:
        with writing(bd), contextlib.redirect_stdout(sys.stderr):
            if name in bd.databases:
                del bd.databases[name]


def write_product(bd, system, bundle):
    """Write a product's location-based foreground into the project; return the database name."""
    database, _ = write_foreground(bd, system.chain, bundle)
    return database

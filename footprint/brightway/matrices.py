"""Brightway matrices in double precision.

bw_processing (1.6) stores every exchange amount and characterisation factor as float32
in the datapackages that ``Database.process()`` writes, which rounds inputs by up to
6e-8 relative (0.5306 kg/kWh becomes 0.53060001). A footprint must be correct to the
last digit and reproducible by hand, so the calculator builds its own datapackages
straight from the exchanges stored in the project, in float64, and gives them to bw2calc.
"""

import numpy as np
from bw_processing import INDICES_DTYPE, create_datapackage


def lca_inputs(bd, databases, method):
    """float64 datapackages for the given process databases and one LCIA method.

    Parameters
    ----------
    bd : module
        bw2data, with the project current.
    databases : iterable of str
        Every process database the demand reaches (foreground and background).
    method : tuple
        A Brightway method id.

    Returns
    -------
    list of bw_processing.Datapackage
        Technosphere, biosphere and characterisation, for ``bw2calc.LCA(data_objs=...)``.
    """
    from bw2data.backends.schema import ActivityDataset, ExchangeDataset

    databases = list(databases)
    exchanges = list(
        ExchangeDataset.select(ExchangeDataset.data, ExchangeDataset.type, ExchangeDataset.input_database,
                               ExchangeDataset.input_code, ExchangeDataset.output_database, ExchangeDataset.output_code)
        .where(ExchangeDataset.output_database << databases)
        .tuples()
    )
    method_data = bd.Method(method).load()
    keys = {(row[2], row[3]) for row in exchanges} | {(row[4], row[5]) for row in exchanges}
    keys |= {tuple(flow) for flow, _ in method_data if not isinstance(flow, int)}
    ids = {}
    by_database = {}
    for database, code in keys:
        by_database.setdefault(database, set()).add(code)
    for database, codes in by_database.items():
        query = ActivityDataset.select(ActivityDataset.id, ActivityDataset.database, ActivityDataset.code).where(
            (ActivityDataset.database == database) & (ActivityDataset.code << list(codes)))
        for node_id, db_name, code in query.tuples():
            ids[(db_name, code)] = node_id

    technosphere, biosphere = [], []
    for data, kind, in_db, in_code, out_db, out_code in exchanges:
        row, col, amount = ids[(in_db, in_code)], ids[(out_db, out_code)], float(data["amount"])
        if kind == "production":
            technosphere.append((row, col, amount, False))
        elif kind == "technosphere":
            technosphere.append((row, col, amount, True))
        elif kind == "biosphere":
            biosphere.append((row, col, amount, False))
    characterisation = []
    for flow, factor in method_data:
        flow_id = flow if isinstance(flow, int) else ids.get(tuple(flow))
        if flow_id is not None:
            characterisation.append((flow_id, flow_id, float(factor), False))

    package = create_datapackage(sum_intra_duplicates=True, sum_inter_duplicates=False)
    for matrix, entries in (("technosphere_matrix", technosphere), ("biosphere_matrix", biosphere),
                            ("characterization_matrix", characterisation)):
        indices = np.array([(row, col) for row, col, _, _ in entries], dtype=INDICES_DTYPE)
        package.add_persistent_vector(
            matrix=matrix,
            name=f"footprint-{matrix}",
            indices_array=indices,
            data_array=np.array([amount for _, _, amount, _ in entries], dtype=np.float64),
            flip_array=np.array([flip for _, _, _, flip in entries], dtype=bool),
        )
    return [package]

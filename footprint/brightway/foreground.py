"""Write a product's foreground chain into Brightway, one database per product study.

The database name carries a hash of the product file and of the bundled data, so the same
inputs reuse the same database and different inputs never overwrite each other's. The
database is written whole under the project lock; if writing fails it is deleted, so no
half-written database is left behind.
"""

import contextlib
import hashlib
import sys

from footprint.brightway.project import writing
from footprint.vocab import BACKGROUND, FOREGROUND_PREFIX, VERIFY_PREFIX

#: Longest product id kept whole in a database name: bw2data names files after the database,
#: and a name beyond about 200 characters left a registered database with no rows.
NAME_ID_LENGTH = 60


def database_name(chain, bundle):
    """The foreground database name for a chain built on a bundle (a long id is cut; the hash keeps it unique)."""
    digest = hashlib.sha256(f"{chain.sha256}\0{bundle.sha256}\0{_chain_fingerprint(chain)}\0{chain.product_id}".encode())
    product = "".join(char if char.isalnum() or char in "-_." else "_" for char in chain.product_id)[:NAME_ID_LENGTH]
    return f"{FOREGROUND_PREFIX}{product}-{digest.hexdigest()[:12]}"


def _chain_fingerprint(chain):
    parts = []
    for code, process in chain.processes.items():
        for flow in process.flows:
            parts.append(f"{code}|{process.stage}|{flow.kind}|{flow.target}|{flow.amount!r}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def write_foreground(bd, chain, bundle, *, name=None):
    """Write (or reuse) the chain's database; return ``(database name, {code: node id})``.

    ``name`` overrides the database name (a temporary database for a check).
    """
    name = name or database_name(chain, bundle)
    with writing(bd):
        with contextlib.redirect_stdout(sys.stderr):
            if name not in bd.databases or bd.databases[name].get("complete") is not True:
                _write(bd, name, chain, bundle)
            ids = {code: bd.get_node(database=name, code=code).id for code in chain.processes}
    return name, ids


def _write(bd, name, chain, bundle):
    from footprint.units import brightway_unit

    data = {}
    for code, process in chain.processes.items():
        key = (name, code)
        exchanges = [{"input": key, "amount": 1.0, "type": "production", "unit": brightway_unit(process.unit)}]
        for flow in process.flows:
            if flow.kind == "stage":
                target, kind = (name, flow.target), "technosphere"
            elif flow.kind == "dataset":
                target, kind = (BACKGROUND, flow.target), "technosphere"
            else:
                target, kind = bundle.gases[flow.target].key, "biosphere"
            exchanges.append({
                "input": target, "amount": flow.amount, "type": kind, "name": flow.label,
                "primary": flow.provenance.primary, "comment": flow.provenance.describe(),
            })
        data[key] = {
            "name": f"{process.name}, {chain.product_name}",
            "unit": brightway_unit(process.unit),
            "location": process.site,
            "reference product": process.name,
            "type": "process",
            "stage": process.stage,
            "exchanges": exchanges,
        }
    if name in bd.databases:
        del bd.databases[name]
    try:
        with _without_geocollection_warning():
            bd.Database(name).write(data)
        bd.databases[name] = {**bd.databases[name], "complete": True, "product": chain.product_id, "source": chain.source}
        bd.databases.flush()
    except BaseException:
        if name in bd.databases:
            del bd.databases[name]
        raise


#: bw2data warns on every write of a database whose locations are not ISO countries
#: ("CN-JS"): it cannot regionalise it. Regionalised LCIA is not used here, so for users it is
#: noise on every first calculation of a product.
GEOCOLLECTION_WARNING = "Not able to determine geocollections"


class _DropGeocollectionWarning:
    """Wraps bw2data's feedback logger and drops that one warning; everything else passes."""

    def __init__(self, logger):
        self._logger = logger

    def warning(self, message, *args, **kwargs):
        if str(message).startswith(GEOCOLLECTION_WARNING):
            return None
        return self._logger.warning(message, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._logger, name)


@contextlib.contextmanager
def _without_geocollection_warning():
    from bw2data.backends import base

    original = getattr(base, "stdout_feedback_logger", None)
    if original is None:  # another bw2data version: nothing to filter
        yield
        return
    base.stdout_feedback_logger = _DropGeocollectionWarning(original)
    try:
        yield
    finally:
        base.stdout_feedback_logger = original


def clean(*, keep: "tuple[str, ...] | list[str]" = (), dry_run: bool = False) -> list[str]:
    """Remove the product databases from the Brightway project.

    A product database (``footprint-product-<id>-<hash>``) is a record written by ``calc
    --brightway``/``--verify`` and ``report``; the calculator never needs it again (the next
    run writes it anew if asked). Temporary databases of an interrupted batch verification
    (``footprint-verify-...``) go too.

    Parameters
    ----------
    keep : sequence of str
        Product ids (``product.id`` of a product file) whose databases stay.
    dry_run : bool
        Only list what would be removed.

    Returns
    -------
    list of str
        The names of the databases removed (or that would be).

    Examples
    --------
    >>> import footprint
    >>> footprint.clean(keep=["perc-gb-550-jiangsu"])  # doctest: +SKIP
    """
    from footprint.brightway.project import require_setup

    bd = require_setup()
    removed = []
    with writing(bd), contextlib.redirect_stdout(sys.stderr):
        for name in sorted(bd.databases):
            if name.startswith(VERIFY_PREFIX):
                removed.append(name)
            elif name.startswith(FOREGROUND_PREFIX) and bd.databases[name].get("product") not in keep:
                removed.append(name)
        if not dry_run:
            for name in removed:
                del bd.databases[name]
    return removed

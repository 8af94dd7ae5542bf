"""Install what the calculator needs into the Brightway project, offline: :func:`setup`.

Into the project ``footprint`` (:mod:`footprint.brightway.project` finds its directory):

- ``biosphere3`` (ecoinvent 3.9 elementary flows, shipped with bw2io, no network), and
  ``footprint-biosphere``, the library's own flows (aggregated and supplier-declared CO2-eq);
- the IPCC 2021 GWP100 methods (total, fossil, biogenic, land use) and IPCC 2013 GWP100,
  read from bw2io's own ``lcia_39_ecoinvent.zip`` (``bw2setup()`` needs the network);
- the bundled background inventories (``inventories/``), as database ``footprint-background``.

The databases are written without bw2data's full-text search index (``searchable=False``):
footprint never searches them, and the index of biosphere3 alone took 0.5 s. A Brightway
user who wants it can call ``Database(name).make_searchable()``.

Each part carries a fingerprint in ``<home>/installed.json``; a later setup re-installs only
the parts whose fingerprint changed, so a new bundled data version replaces the old one and
an unchanged one costs nothing. A file lock keeps two processes from setting up at once.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import filelock

from footprint.brightway.background import solve_background
from footprint.brightway.project import LOCK_TIMEOUT, brightway, bw2io, fingerprints, home, lock, read_installed
from footprint.bundle import quality
from footprint.bundle.read import extra_characterisation, own_biosphere_flows
from footprint.engine import background_path, read_background, save_background
from footprint.errors import DataError, SetupError
from footprint.fileio import atomic_write
from footprint.resources import ensure_home
from footprint.units import brightway_unit, prime_cache
from footprint.vocab import BACKGROUND, BIOSPHERE, GWP_SETS, METHODS, OWN_BIOSPHERE, PROJECT, VERIFY_PREFIX


@dataclass
class SetupReport:
    """What :func:`setup` found and did."""

    home: Path
    data_version: str
    actions: list = field(default_factory=list)  # (part, "installed" | "re-installed" | "up to date", detail)

    @property
    def changed(self):
        return any(action != "up to date" for _, action, _ in self.actions)


def setup(*, progress: Callable[[str], None] | None = None) -> SetupReport:
    """Create or update the data directory; idempotent and safe against concurrent runs.

    Installs, offline, into the Brightway project under ``FOOTPRINT_HOME``: biosphere3, the
    IPCC 2021 and IPCC 2013 GWP100 methods, the bundled inventories, and the background
    solved once per GWP set (what the calculator reads). A newer bundled data version
    re-installs only what changed; an unchanged one costs nothing.

    Parameters
    ----------
    progress : callable, optional
        Called with one-line messages while work is done.

    Returns
    -------
    SetupReport
        The data directory, the data version, and per part what was done.

    Raises
    ------
    SetupError
        If another process holds the lock for longer than ``LOCK_TIMEOUT``.
    footprint.errors.DataError
        If a bundled data file is malformed (named with its row).

    Examples
    --------
    >>> import footprint
    >>> footprint.setup(progress=print).actions  # doctest: +SKIP
    """
    say = progress or (lambda message: None)
    prime_cache(ensure_home() / "cache" / "pint")  # pint's parsed definitions (footprint.units), written whole
    wanted, bundle = fingerprints()  # validates the bundled data before anything is written
    report = SetupReport(home=home(), data_version=bundle.data_version)
    marker = home() / "installed.json"
    try:
        with lock():
            bd = brightway()
            installed = read_installed(marker)
            with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
                bd.projects.set_current(PROJECT)
                bd.databases.load()
                for name in [name for name in bd.databases if name.startswith(VERIFY_PREFIX)]:
                    del bd.databases[name]  # left by a batch verification that was killed
                if installed.get("biosphere") != wanted["biosphere"] or BIOSPHERE not in bd.databases:
                    say("installing biosphere3 (ecoinvent 3.9 elementary flows from bw2io)")
                    _install_biosphere(bd)
                    # methods and background link to biosphere3: redo them too
                    installed.pop("methods", None)
                    installed.pop("background", None)
                    report.actions.append(("biosphere3", _verb(installed, "biosphere"), "ecoinvent 3.9 elementary flows"))
                    installed["biosphere"] = wanted["biosphere"]
                else:
                    report.actions.append(("biosphere3", "up to date", ""))
                missing_method = any(m not in bd.methods for m in METHODS.values())
                if installed.get("methods") != wanted["methods"] or missing_method:
                    say("installing IPCC 2021 and IPCC 2013 GWP100 methods")
                    _install_methods(bd)
                    report.actions.append(("methods", _verb(installed, "methods"), f"{len(METHODS)} IPCC GWP100 methods"))
                    installed["methods"] = wanted["methods"]
                else:
                    report.actions.append(("methods", "up to date", ""))
                if (installed.get("background") != wanted["background"] or BACKGROUND not in bd.databases
                        or installed.get(UNCERTAINTY_MARKER) != quality.FINGERPRINT):
                    say(f"installing bundled inventories, data version {bundle.data_version}")
                    _install_background(bd, bundle)
                    report.actions.append(
                        ("inventories", _verb(installed, "background"), f"data version {bundle.data_version}, {len(bundle.datasets)} datasets")
                    )
                    installed["background"] = wanted["background"]
                    installed[UNCERTAINTY_MARKER] = quality.FINGERPRINT
                    installed["data_version"] = bundle.data_version
                else:
                    report.actions.append(("inventories", "up to date", f"data version {bundle.data_version}"))
                _save_backgrounds(bd, bundle, say)
            atomic_write(marker, json.dumps(installed, indent=2))
    except filelock.Timeout:
        raise SetupError(f"{home()}: another footprint process has held the setup lock for {LOCK_TIMEOUT} s; try again when it ends") from None
    return report


#: The key of ``installed.json`` that says which pedigree table the background exchanges'
#: uncertainty fields were written with (:data:`footprint.bundle.quality.FINGERPRINT`).
UNCERTAINTY_MARKER = "background_uncertainty"


def _save_backgrounds(bd, bundle, say):
    """Solve the background once per GWP set and save it for the calculator (see footprint.engine).

    Files of other data versions are removed; a saved file that is current is kept.
    """
    wanted = {background_path(bundle.sha256, gwp): gwp for gwp in GWP_SETS}
    for path, gwp in wanted.items():
        if read_background(path, data_sha256=bundle.sha256, gwp=gwp) is None:
            say(f"solving the background once ({gwp})")
            save_background(solve_background(bd, bundle, gwp), path)
    folder = next(iter(wanted)).parent
    for stale in folder.glob("*.npz"):
        if stale not in wanted:
            stale.unlink(missing_ok=True)


def _verb(installed, part):
    return "re-installed" if part in installed else "installed"


def _install_biosphere(bd):
    """Write biosphere3 with the flows and metadata ``bw2io.create_default_biosphere3()`` writes.

    Two differences, neither in the data: no search index (``searchable=False``: bw2data's
    full-text index of the 4709 flows took a quarter of a first setup, and footprint never
    searches), and, for the bw2io release it was checked against, the flows are read by
    :func:`read_biosphere_flows` without importing bw2io (0.4 s).
    """
    if BIOSPHERE in bd.databases:
        del bd.databases[BIOSPHERE]
    database = bd.Database(BIOSPHERE)
    database.register(overwrite=False, format="Ecoinvent XML")  # what bw2io's importer registers
    flows = _biosphere_flows()
    database.write({(BIOSPHERE, flow["code"]): flow for flow in flows}, searchable=False, check_typos=False)
    write_own_biosphere(bd)


def _bw2io_data():
    """bw2io's bundled data folder, found without importing bw2io."""
    import importlib.util

    return Path(importlib.util.find_spec("bw2io").origin).parent / "data"


#: The bw2io release whose biosphere importer :func:`read_biosphere_flows` reproduces
#: (tests/test_project.py compares the two); with another release, bw2io's importer is used.
BW2IO_READ_ALIKE = "0.9.17"
#: bw2io's ecospold2 biosphere importer: compartments whose flows are of type "emission".
_EMISSION_COMPARTMENTS = {"air": "emission", "soil": "emission", "water": "emission"}
#: bw2io's strategy ``drop_unspecified_subcategories``: trailing categories it removes.
_UNSPECIFIED = {"unspecified", "(unspecified)", "", None}
_ECOSPOLD2 = "{http://www.EcoInvent.org/EcoSpold02}"


def _biosphere_flows():
    from importlib.metadata import version

    if version("bw2io") == BW2IO_READ_ALIKE:
        return read_biosphere_flows(_bw2io_data() / "lci" / "ecoinvent elementary flows 3.9.xml")
    bw2io()
    from bw2io.importers import Ecospold2BiosphereImporter

    importer = Ecospold2BiosphereImporter()
    importer.apply_strategies()
    return importer.data


def read_biosphere_flows(path):
    """The elementary flows of an ecoinvent ``ElementaryExchanges`` file, as bw2io 0.9.17 reads them.

    What ``bw2io.importers.Ecospold2BiosphereImporter`` does, with its strategies
    ``normalize_units`` (bw2io's own unit table, read from its ``units.py``),
    ``drop_unspecified_subcategories`` and ``ensure_categories_are_tuples``.

    Parameters
    ----------
    path : pathlib.Path
        bw2io's ``data/lci/ecoinvent elementary flows 3.9.xml``.

    Returns
    -------
    list of dict
        One per flow, in file order: ``categories``, ``code``, ``CAS number``, ``synonyms``,
        ``name``, ``database``, ``exchanges``, ``unit``, ``type``.
    """
    from lxml import etree  # bw2io's XML parser for this file

    normalize_unit = _bw2io_unit_normalization()
    flows = []
    for element in etree.parse(str(path)).getroot().iterchildren():
        compartment = element.find(f"{_ECOSPOLD2}compartment")
        categories = (_text(compartment, "compartment"), _text(compartment, "subcompartment"))
        flow = {
            "categories": categories,
            "code": element.get("id"),
            "CAS number": element.get("casNumber"),
            "synonyms": [synonym.text.strip() for synonym in element.iterchildren(f"{_ECOSPOLD2}synonym")
                         if synonym.text and synonym.text.strip()],
            "name": _text(element, "name"),
            "database": BIOSPHERE,
            "exchanges": [],
            "unit": normalize_unit(_text(element, "unitName")),
            "type": _EMISSION_COMPARTMENTS.get(categories[0], categories[0]),
        }
        while flow["categories"] and flow["categories"][-1] in _UNSPECIFIED:
            flow["categories"] = flow["categories"][:-1]
        flows.append(flow)
    return flows


def _text(element, tag):
    """The text of the first child ``tag`` (None if empty), as lxml.objectify's ``element.tag.text``."""
    return element.find(f"{_ECOSPOLD2}{tag}").text


def _bw2io_unit_normalization():
    """bw2io's ``units.normalize_units``, loaded from its file (plain data, no imports) alone."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("footprint_bw2io_units", _bw2io_data().parent / "units.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.normalize_units


def _lcia_zip():
    return _bw2io_data() / "lcia" / "lcia_39_ecoinvent.zip"


def read_lcia_methods(path, names):
    """The records of the named methods in bw2io's LCIA file, as ``json.load`` gives them.

    The file (``data.json`` in the zip, 40.8 MB) is one JSON list of 762 method records;
    decoding all of it to keep five took 1.3 s. Each wanted record is found by its name as
    JSON text and decoded alone (:func:`_decode_record`). If a name is not found that way, or
    found more than once, the whole file is decoded instead, so the result is always that of
    a full decode (where a name occurs twice, the last record counts).

    Parameters
    ----------
    path : pathlib.Path
        bw2io's ``lcia_39_ecoinvent.zip``.
    names : iterable of tuple of str
        Method names.

    Returns
    -------
    dict
        Method name (tuple) -> record (dict with ``name``, ``unit``, ``exchanges`` ...), for
        the names found.
    """
    wanted = set(names)
    with zipfile.ZipFile(path) as archive:
        text = archive.read("data.json").decode("utf-8")
    found = {}
    for name in wanted:
        record = _decode_record(text, name)
        if record is None:
            return _read_all_lcia_methods(text, wanted)
        found[name] = record
    return found


#: How far before a method's name its record may start [characters]: the keys before
#: ``name`` (``filename``, ``unit``) are short.
_RECORD_HEAD = 2000


def _decode_record(text, name):
    """The one record of the LCIA list whose ``name`` is ``name``, or None if not found alone.

    The name is searched as ``json.dumps`` writes it (bw2io's file is written so); the record
    is decoded from the nearest ``{`` before it that decodes to a dict with that name and
    exchanges.
    """
    needle = '"name": ' + json.dumps(list(name))
    at = text.find(needle)
    if at < 0 or text.find(needle, at + 1) >= 0:
        return None
    decoder = json.JSONDecoder()
    start = at
    while True:
        start = text.rfind("{", max(0, at - _RECORD_HEAD), start)
        if start < 0:
            return None
        try:
            record, end = decoder.raw_decode(text, start)
        except ValueError:
            continue  # a brace inside a string: try the one before
        if end > at and isinstance(record, dict) and record.get("name") == list(name) and "exchanges" in record:
            return record


def _read_all_lcia_methods(text, wanted):
    found = {}
    for record in json.loads(text):
        name = tuple(record["name"])
        if name in wanted:
            found[name] = record
    return found


def _install_methods(bd):
    """Write the IPCC methods the library uses from bw2io's bundled LCIA file.

    bw2io stores flow keys as lists; Brightway needs tuples. The library's own aggregated
    CO2-eq flow (see footprint.bundle.read.AGGREGATED_FLOW) gets a factor of 1 in the total methods.
    """
    wanted = set(METHODS.values())
    found = read_lcia_methods(_lcia_zip(), wanted)
    missing = wanted - set(found)
    if missing:
        raise SetupError(f"{_lcia_zip()}: bw2io's LCIA data lacks {sorted(missing)}; expected the ecoinvent 3.9 IPCC methods")
    extra = extra_characterisation()
    ids = _node_ids((BIOSPHERE, OWN_BIOSPHERE))
    for name, record in found.items():
        keys = [(tuple(cf["input"]), cf["amount"]) for cf in record["exchanges"]]
        keys.extend((tuple(key), amount) for key, amount in extra.get(name[1], []))
        factors = []
        for key, amount in keys:
            if key not in ids:
                raise SetupError(f"{_lcia_zip()}: method {' | '.join(name)} characterises flow {key}, which is not in {BIOSPHERE} or {OWN_BIOSPHERE}")
            factors.append((ids[key], amount))
        method = _known_flows_method(bd)(name)
        if method.name in bd.methods:
            method.deregister()
        method.register(unit=record.get("unit", "kg CO2-Eq"), description=record.get("description", ""), filename="lcia_39_ecoinvent.zip")
        method.write(factors)


def _node_ids(databases):
    """(database, code) -> node id of every node of the databases, in one query.

    ``Method.write`` given flow keys looks each up with its own query; given the ids it
    stores the same rows.
    """
    from bw2data.backends.schema import ActivityDataset

    query = ActivityDataset.select(ActivityDataset.id, ActivityDataset.database, ActivityDataset.code).where(
        ActivityDataset.database << list(databases))
    return {(database, code): node_id for node_id, database, code in query.tuples()}


def _known_flows_method(bd):
    """``bw2data.Method`` for factors whose flows are node ids just read by :func:`_node_ids`.

    bw2data's ``process_row`` checks each id again with a query of its own (0.3 s for the
    five methods); the rows it makes are the same.
    """
    from bw2data.utils import as_uncertainty_dict

    class KnownFlowsMethod(bd.Method):
        def process_row(self, row):
            return {**as_uncertainty_dict(row[1]), "row": row[0], "col": bd.geomapping[bd.config.global_location]}

    return KnownFlowsMethod


def _install_background(bd, bundle):
    write_background(bd, bundle)


def write_own_biosphere(bd):
    """Write ``footprint-biosphere``: the aggregated and the supplier-declared CO2-eq flows."""
    database = bd.Database(OWN_BIOSPHERE)
    if OWN_BIOSPHERE in bd.databases:
        del bd.databases[OWN_BIOSPHERE]
        database = bd.Database(OWN_BIOSPHERE)
    database.write(own_biosphere_flows(), searchable=False)


def check_biosphere(bd, bundle):
    """Check every gas of gases.csv against the installed biosphere3."""
    for gas in bundle.gases.values():
        if gas.key[0] == OWN_BIOSPHERE:
            continue
        try:
            node = bd.get_node(database=gas.key[0], code=gas.key[1])
        except Exception:
            raise DataError(f"gases.csv: gas {gas.id}: no flow with code {gas.key[1]} in biosphere3") from None
        if node["name"] != gas.flow_name or tuple(node["categories"]) != gas.categories:
            raise DataError(
                f"gases.csv: gas {gas.id}: biosphere3 code {gas.key[1]} is {node['name']!r} {tuple(node['categories'])}, "
                f"expected {gas.flow_name!r} {gas.categories}"
            )


def write_background(bd, bundle):
    """Write every background dataset as an activity of ``footprint-background``.

    Each exchange carries its uncertainty in the fields Brightway, stats_arrays and Activity
    Browser read (:func:`uncertainty_fields`), so bw2calc's own Monte Carlo
    (``LCA(..., use_distributions=True)``) samples the distributions footprint's does.
    """
    check_biosphere(bd, bundle)
    data = {}
    for dataset in bundle.datasets.values():
        key = (BACKGROUND, dataset.id)
        exchanges = [{"input": key, "amount": 1.0, "type": "production", "unit": brightway_unit(dataset.unit)}]
        for exchange in dataset.exchanges:
            if exchange.flow in bundle.gases:
                exchanges.append({"input": bundle.gases[exchange.flow].key, "amount": exchange.amount, "type": "biosphere",
                                  "unit": "kilogram", "comment": exchange.source,
                                  **uncertainty_fields(dataset, exchange, bundle)})
            else:
                exchanges.append({"input": (BACKGROUND, exchange.flow), "amount": exchange.amount, "type": "technosphere",
                                  "unit": brightway_unit(bundle.datasets[exchange.flow].unit), "comment": exchange.source,
                                  **uncertainty_fields(dataset, exchange, bundle)})
        data[key] = {
            "name": dataset.name,
            "unit": brightway_unit(dataset.unit),
            "location": dataset.geography,
            "reference product": dataset.name,
            "type": "process",
            "category": dataset.category,
            "year": dataset.year,
            "sources": dataset.sources,
            "scope": dataset.scope,
            "exchanges": exchanges,
        }
    if BACKGROUND in bd.databases:
        del bd.databases[BACKGROUND]
    try:
        bd.Database(BACKGROUND).write(data, searchable=False)
    except Exception:
        if BACKGROUND in bd.databases:
            del bd.databases[BACKGROUND]
        raise


#: stats_arrays ids (``stats_arrays.uncertainty_types``): undefined (the amount, static) and lognormal.
UNDEFINED, LOGNORMAL = 0, 2
#: The five pedigree scores as bw2io names them in an exchange's ``pedigree`` (its ecospold2
#: extractor's ``PM_MAPPING``), in the order of :data:`footprint.bundle.quality.INDICATORS`.
PEDIGREE_KEYS = ("reliability", "completeness", "temporal correlation", "geographical correlation",
                 "further technological correlation")


def uncertainty_fields(dataset, exchange, bundle):
    """The uncertainty of one background row as a Brightway exchange's fields.

    A lognormal (``uncertainty type`` 2) whose median is the amount (``loc`` = ln |amount|,
    ``negative`` for a negative amount) and whose ``scale`` is the sigma of ln x from the row's
    pedigree scores (:func:`footprint.bundle.quality.exchange_sigma`); ``pedigree`` and
    ``scale without pedigree`` as bw2io writes them for ecoinvent. A selection row (a site's
    default grid factor choosing a dataset) is undefined (type 0): its uncertainty is the
    chosen dataset's.

    Returns
    -------
    dict
    """
    sigma = quality.exchange_sigma(dataset, exchange, bundle)
    if sigma is None:
        return {"uncertainty type": UNDEFINED, "loc": exchange.amount}
    scores = quality.scores_of(exchange.quality)
    kind = quality.exchange_kind(exchange, bundle)
    return {
        "uncertainty type": LOGNORMAL,
        "loc": math.log(abs(exchange.amount)),
        "scale": sigma,
        "negative": exchange.amount < 0,
        "pedigree": dict(zip(PEDIGREE_KEYS, scores)),
        "scale without pedigree": math.sqrt(quality.BASIC_VARIANCES[kind][0]),
    }

"""The bundled datasets, listed and filtered: what ``footprint datasets`` prints.

Two kinds of entries come out of ``inventories/``:

- ``background``: a dataset of the background files (grid electricity, fuels, materials,
  transport), with its unit, geography, reference year, scope, sources and pedigree;
- ``default``: a default parameter of a foreground stage (``processes.csv``), such as the
  electricity of Siemens polysilicon per kg.

Filters combine (all must match):

- ``stage``: the stage's defaults, and the background datasets those defaults use
  (materials, and natural-gas heat where the stage has a heat default). Grid electricity
  and transport serve every stage and are not tied to one: find them by geography or text;
- ``geography``: datasets of that geography or of any place within it (``CN`` gives the
  national, regional-grid and provincial datasets; ``CN-ECG`` the East China grid and its
  provinces). Defaults count as ``GLO``;
- ``search``: every word must occur (case-insensitive) in the id, name, source, locator or note.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from footprint.bundle.read import Bundle, read_bundle
from footprint.errors import OptionError
from footprint.vocab import STAGES, choose

if TYPE_CHECKING:
    import pandas

KINDS = ("background", "default")


@dataclass
class DatasetEntry:
    """One listed dataset or default parameter, as plain data."""

    id: str
    kind: str  # "background" | "default"
    name: str
    unit: str  # reference unit (background) or unit of the value (default)
    geography: str
    year: int
    scope: str
    category: str  # electricity, heat, material, transport ... or "process default"
    quality: str  # worst pedigree scores: reliability, completeness, temporal, geographical, technological
    sources: list
    locator: str = ""
    note: str = ""
    stages: list = field(default_factory=list)  # stages whose defaults use it ([] = not tied to a stage)
    exchanges: list = field(default_factory=list)  # background: [{flow, amount, unit}]; default: [{value, unit}]
    #: kg CO2-eq per unit, cumulative (links followed), on the set-up background's GWP set; None
    #: for a default, or where no solved background was given (``footprint setup`` saves it).
    factor: float | None = None

    def to_dict(self):
        return asdict(self)


def list_datasets(
    *,
    stage: str | None = None,
    geography: str | None = None,
    search: str | None = None,
    kind: str | None = None,
    bundle: Bundle | None = None,
    factors: dict | None = None,
) -> list[DatasetEntry]:
    """List the bundled datasets and default parameters, filtered.

    Parameters
    ----------
    stage : str, optional
        One of :data:`footprint.model.spec.STAGES`.
    geography : str, optional
        A geography id of ``inventories/geographies.csv`` (CN, CN-JS, CN-ECG, VN, GLO ...).
    search : str, optional
        Words that must all occur in the id, name, source, locator or note.
    kind : str, optional
        ``background`` or ``default``; both if not given.
    bundle : footprint.bundle.read.Bundle, optional
        Defaults to the bundled inventories (or ``FOOTPRINT_INVENTORIES``).
    factors : dict, optional
        Dataset id -> kg CO2-eq per unit (``Background.cumulative()`` of the solved
        background), shown as each background entry's ``factor``.

    Returns
    -------
    list of DatasetEntry
        Background datasets first (by id), then defaults (in file order).

    Raises
    ------
    InputError
        An unknown stage, geography or kind.

    Examples
    --------
    >>> import footprint
    >>> [entry.id for entry in footprint.list_datasets(stage="module")][:3]  # doctest: +SKIP
    """
    bundle = bundle or read_bundle()
    stage = choose(stage, STAGES, what="stage") if stage is not None else None
    kind = choose(kind, KINDS, what="kind") if kind is not None else None
    if geography is not None:
        known = {place.casefold(): place for place in bundle.geographies}
        if geography.casefold() not in known:
            raise OptionError("geography", f"unknown geography {geography!r}; expected an id of inventories/geographies.csv "
                              "such as CN, CN-JS, CN-ECG or VN")
        geography = known[geography.casefold()]
    entries = [*_background_entries(bundle), *_default_entries(bundle)]
    for entry in entries:
        if factors is not None and entry.kind == "background" and entry.id in factors:
            entry.factor = float(factors[entry.id])
    words = [word.lower() for word in (search or "").split()]
    selected = []
    for entry in entries:
        if kind is not None and entry.kind != kind:
            continue
        if stage is not None and stage not in entry.stages:
            continue
        if geography is not None and geography not in _places_containing(bundle, entry.geography):
            continue
        if words:
            text = " ".join([entry.id, entry.name, *entry.sources, entry.locator, entry.note]).lower()
            if not all(word in text for word in words):
                continue
        selected.append(entry)
    return selected


def datasets_frame(
    *,
    stage: str | None = None,
    geography: str | None = None,
    search: str | None = None,
    kind: str | None = None,
    bundle: Bundle | None = None,
    factors: dict | None = None,
) -> pandas.DataFrame:
    """The bundled datasets and default parameters as a pandas DataFrame, one row each.

    The public :func:`footprint.datasets` calls it with the factors of the solved background
    (:func:`footprint.engine.dataset_factors`), which this layer does not read.

    Parameters
    ----------
    stage, geography, search, kind, bundle, factors
        As for :func:`list_datasets`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id``: ``kind``, ``name``, ``unit``, ``geography``, ``year``, ``scope``,
        ``category``, ``quality`` (pedigree scores), ``sources`` (joined with "; "),
        ``locator``, ``note``, ``stages``, ``factor`` [kg CO2-eq per unit; empty without
        ``factors``]. ``attrs["data_version"]`` is the bundle's version.

    Examples
    --------
    >>> from footprint.bundle.catalogue import datasets_frame
    >>> datasets_frame(geography="CN-JS")[["name", "unit", "year"]]  # doctest: +SKIP
    """
    import pandas

    bundle = bundle or read_bundle()
    rows = []
    for entry in list_datasets(stage=stage, geography=geography, search=search, kind=kind, bundle=bundle, factors=factors):
        row = entry.to_dict()
        row.pop("exchanges")
        row["sources"] = "; ".join(row["sources"])
        row["stages"] = ", ".join(row["stages"])
        rows.append(row)
    columns = [name for name in DatasetEntry.__dataclass_fields__ if name != "exchanges"]
    frame = pandas.DataFrame(rows, columns=columns).set_index("id")
    frame.attrs["data_version"] = bundle.data_version
    return frame


def _stages_using(bundle):
    """Background dataset id -> stages whose defaults consume it."""
    using = {}
    for default in bundle.processes:
        if default.parameter.startswith("material:"):
            using.setdefault(default.parameter.split(":", 1)[1], set()).add(default.stage)
        elif default.parameter == "heat":
            using.setdefault("heat_natural_gas", set()).add(default.stage)  # the chain's heat supply
    return using


def _background_entries(bundle):
    using = _stages_using(bundle)
    flow_units = {gas: "kg" for gas in bundle.gases}
    entries = []
    for dataset in sorted(bundle.datasets.values(), key=lambda d: d.id):
        entries.append(DatasetEntry(
            id=dataset.id,
            kind="background",
            name=dataset.name,
            unit=dataset.unit,
            geography=dataset.geography,
            year=dataset.year,
            scope=dataset.scope,
            category=dataset.category,
            quality=",".join(str(score) for score in dataset.quality),
            sources=dataset.sources,
            locator="; ".join(dict.fromkeys(e.locator for e in dataset.exchanges if e.locator)),
            note="; ".join(dict.fromkeys(e.note for e in dataset.exchanges if e.note)),
            stages=[stage for stage in STAGES if stage in using.get(dataset.id, ())],
            exchanges=[{"flow": e.flow, "amount": e.amount,
                        "unit": flow_units.get(e.flow) or bundle.datasets[e.flow].unit} for e in dataset.exchanges],
        ))
    return entries


def _default_entries(bundle):
    entries = []
    for default in bundle.processes:
        # a pure number (a yield, an efficiency written "23.2 %") is listed as a fraction, 0.232
        quantity = default.value.to("") if default.value.dimensionless else default.value
        unit = f"{quantity.units:~C}" if not quantity.dimensionless else ""
        value = default.text or f"{quantity.magnitude:g} {unit}".strip()
        entries.append(DatasetEntry(
            id=f"{default.stage}/{default.technology}/{default.parameter}",
            kind="default",
            name=f"{default.stage} ({default.technology}): {default.parameter} = {value}",
            unit=unit,
            geography="GLO",
            year=default.year,
            scope="process",
            category="process default",
            quality=default.quality,
            sources=[default.source],
            locator=default.locator,
            note=default.note,
            stages=[default.stage],
            exchanges=[{"value": float(quantity.magnitude), "unit": unit, "as_written": default.text}],
        ))
    return entries


def _places_containing(bundle, geography):
    """The geography and every place it lies within (its grid, its parents), as a set of ids."""
    found = set()
    pending = [geography]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        place = bundle.geographies.get(current)
        if place is not None:
            pending.extend(p for p in (place.parent, place.grid) if p)
    return found


def format_table(entries, *, width=60):
    """A plain-text table of entries, one line each, for people."""
    header = (f"{'id':<46} {'unit':<11} {'kg CO2-eq/unit':>14} {'geography':<14} {'year':<5} {'scope':<20} {'quality':<10} "
              "source")
    lines = [header, "-" * len(header)]
    for entry in entries:
        source = "; ".join(entry.sources)
        if len(source) > width:
            source = source[: width - 3] + "..."
        factor = f"{entry.factor:.6g}" if entry.factor is not None else ""
        lines.append(f"{entry.id:<46} {entry.unit:<11} {factor:>14} {entry.geography:<14} {entry.year:<5} {entry.scope:<20} "
                     f"{entry.quality:<10} {source}")
    lines.append(f"{len(entries)} dataset(s)")
    return "\n".join(lines)

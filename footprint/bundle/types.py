"""The bundled data as types: datasets and their exchanges, defaults, gases, geographies, the Bundle.

Plain frozen dataclasses, read by :mod:`footprint.bundle.read`; every number carries its
source, year, locator and pedigree quality.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from footprint.units import Quantity
from footprint.vocab import DEFAULT_ELECTRICITY_BASIS, OWN_BIOSPHERE
from footprint.vocab import ELECTRICITY_BASES as BASIS_CHOICES

#: The library's own biosphere: one flow for factors published only as aggregated CO2-eq.
AGGREGATED_FLOW = (OWN_BIOSPHERE, "co2-eq-aggregated")


AGGREGATED_GAS = "co2e_aggregated"


#: CO2-eq totals a supplier declares by origin (PACT fossilGhgEmissions, dLucGhgEmissions):
#: already characterised, so they count 1:1 in the total and in their IPCC 2021 sub-method.
DECLARED_GASES = {
    "co2e_fossil_declared": ("CO2-eq, fossil, supplier-declared", (OWN_BIOSPHERE, "co2-eq-fossil-declared"), "fossil",
                             "climate change: fossil"),
    "co2e_land_use_declared": ("CO2-eq, land use, supplier-declared", (OWN_BIOSPHERE, "co2-eq-land-use-declared"), "land_use",
                               "climate change: land use"),
}


#: Dataset-id prefixes of grid electricity, by basis (see :meth:`Bundle.electricity_for`).
GRID_BASES = {
    "default": "electricity_grid_",
    "co2": "electricity_co2_",
    "co2e": "electricity_co2e_",
    "lifecycle": "electricity_lifecycle_",
}


#: The basis of a grid-electricity factor, by its scope: what a kWh's number counts.
ELECTRICITY_BASES = {
    "co2_combustion": "CO2 only, at generation",
    "co2e_combustion": "CO2-eq, at generation",
    "co2e_lifecycle": "CO2-eq, life cycle",
}


@dataclass(frozen=True)
class Exchange:
    """One row of a background file: ``amount`` of ``flow`` per unit of the dataset."""

    flow: str
    amount: float  # in the flow's reference unit (kg for gases, the dataset's unit otherwise)
    year: int
    source: str
    locator: str
    quality: str
    scope: str
    note: str
    where: str


#: What a material does in a product: the ``role`` column of ``materials.csv``. Every material
#: a stage takes by default (``processes.csv``) has one; a product's material of the same role
#: replaces that default (docs/calculator.md, "Materials: roles"). Role ids are never dataset
#: ids, so a product file's ``materials:`` key names one or the other.
MATERIAL_ROLES = {
    "frame": "frame",
    "glass": "glass (the front glass; front and rear glass of a glass-glass module)",
    "backsheet": "backsheet",
    "encapsulant": "encapsulant (EVA, POE, EPE)",
    "ribbons": "interconnect ribbons and junction-box copper",
    "solder": "solder (tin and lead)",
    "junction_box": "junction-box and connector plastics",
    "packaging": "packaging (cartons, plastic film)",
    "metallisation": "cell metallisation (silver)",
    "tco": "transparent conductive oxide (ITO target)",
}

#: The recycled counterpart of a primary material dataset, from the same source: a product's
#: ``recycled_content`` (a mass fraction) is valued with it, the rest with the primary dataset
#: (inventories/materials.csv: aluminium_recycled_CN from Peng et al. 2022 like
#: aluminium_primary_CN; glass_closed_loop from UK DESNZ 2025 like solar_glass). The European
#: and world primary aluminium have none: their sources give no recycled figure.
RECYCLED_COUNTERPARTS = {
    "aluminium_primary_CN": "aluminium_recycled_CN",
    "solar_glass": "glass_closed_loop",
}

#: Frame datasets that are aluminium ingot: a frame of them is extruded at the module stage
#: (``frame_extrusion_electricity`` and ``frame_extrusion_heat`` per kg of frame).
EXTRUDED_FRAME_METALS = frozenset({"aluminium_primary_CN", "aluminium_primary_GLO", "aluminium_primary_EU", "aluminium_recycled_CN"})

#: Roles that are not part of the module as it is weighed (the datasheet mass).
NOT_IN_MODULE_MASS = frozenset({"packaging"})


@dataclass
class Dataset:
    """A background dataset (an activity of the ``footprint-background`` database)."""

    id: str
    name: str
    unit: str  # pint unit expression, e.g. "kWh"
    geography: str
    category: str
    exchanges: list = field(default_factory=list)
    file: str = ""
    role: str = ""  # a key of MATERIAL_ROLES, or "" (materials.csv, column role)

    @property
    def year(self):
        return max(exchange.year for exchange in self.exchanges)

    @property
    def sources(self):
        return sorted({exchange.source for exchange in self.exchanges})

    @property
    def scope(self):
        return ",".join(sorted({exchange.scope for exchange in self.exchanges}))

    @property
    def quality(self):
        """The worst (highest) score of each pedigree indicator over the dataset's rows."""
        scores = [parse_quality(exchange.quality) for exchange in self.exchanges]
        return tuple(max(column) for column in zip(*scores)) if scores else ()


@dataclass(frozen=True)
class ProcessDefault:
    """A default parameter of a foreground process, with its source."""

    stage: str
    technology: str
    parameter: str
    value: Quantity
    year: int
    source: str
    locator: str
    quality: str
    note: str
    where: str
    text: str = ""  # value and unit as written in processes.csv, e.g. "96 mg/(166 mm)**2"


@dataclass(frozen=True)
class SpecificYield:
    """A country-average final yield of ``specific_yield.csv``: AC output, system losses included."""

    geography: str  # ISO 3166-1 alpha-2
    mounting: str  # roof | ground | facade
    value: float  # [kWh/kWp per year]
    year: int
    source: str
    locator: str
    quality: str
    note: str
    where: str  # "specific_yield.csv row N"


@dataclass(frozen=True)
class Gas:
    id: str
    label: str
    key: tuple  # Brightway biosphere key
    flow_name: str
    categories: tuple
    origin: str  # fossil | biogenic | land_use | aggregated


@dataclass(frozen=True)
class Technology:
    stage: str
    id: str
    name: str
    note: str


@dataclass(frozen=True)
class Geography:
    id: str
    name: str
    name_zh: str
    level: str
    parent: str
    grid: str


@dataclass
class Bundle:
    """Everything in ``inventories/``, checked."""

    data_version: str
    sha256: str
    gases: dict
    geographies: dict
    datasets: dict
    processes: list
    directory: Path
    technologies: dict = field(default_factory=dict)  # stage -> {technology id: Technology}
    specific_yields: dict = field(default_factory=dict)  # (geography, mounting) -> SpecificYield

    def process_default(self, stage, technology, parameter):
        """The default for (stage, technology, parameter), falling back on technology "any"."""
        for tech in (technology, "any"):
            for default in self.processes:
                if default.stage == stage and default.technology == tech and default.parameter == parameter:
                    return default
        return None

    def electricity_for(self, geography, *, basis="default"):
        """The grid-electricity dataset for a site: province, then its grid, then its country.

        Parameters
        ----------
        geography : str
            A geography id of ``geographies.csv`` (CN-JS, CN, VN ...).
        basis : str
            ``default``: the ``electricity_grid_<geography>`` dataset, the factor chosen for
            sites there (its scope says whether it is CO2 only or life cycle);
            ``co2`` / ``co2e`` / ``lifecycle``: the latest year of
            ``electricity_<basis>_<geography>_<year>``.

        Returns
        -------
        Dataset or None
        """
        if basis not in GRID_BASES:
            raise ValueError(f"unknown basis {basis!r}; expected one of {', '.join(GRID_BASES)}")
        seen = set()
        current = geography
        while current and current not in seen:
            seen.add(current)
            dataset = self._grid_dataset(current, basis)
            if dataset is not None:
                return dataset
            place = self.geographies.get(current)
            if place is None:
                return None
            current = place.grid if place.grid and place.grid not in seen else place.parent
        return None

    def grid_for(self, geography, basis=DEFAULT_ELECTRICITY_BASIS):
        """The grid-electricity dataset a site gets on a product's electricity basis.

        Parameters
        ----------
        geography : str
            A geography id of ``geographies.csv``.
        basis : str
            A key of :data:`footprint.vocab.ELECTRICITY_BASES`. ``life-cycle``: the latest
            ``electricity_lifecycle_<geography>_<year>`` of the site, its grid or its country
            (China: the MEE/NBS/NEA national electricity carbon-footprint factor, no
            provincial one being published), else the site's default; ``official``: the
            site's default ``electricity_grid_<geography>`` (China: the MEE/NBS provincial
            CO2-only factors).

        Returns
        -------
        Dataset or None
        """
        if basis not in BASIS_CHOICES:
            raise ValueError(f"unknown electricity basis {basis!r}; expected one of {', '.join(BASIS_CHOICES)}")
        if basis == "life-cycle":
            found = self.electricity_for(geography, basis="lifecycle")
            if found is not None:
                return found
        return self.electricity_for(geography)

    def _grid_dataset(self, geography, basis):
        prefix = GRID_BASES[basis]
        if basis == "default":
            return self.datasets.get(prefix + geography)
        candidates = [d for d in self.datasets.values() if d.id.startswith(f"{prefix}{geography}_")
                      and d.id[len(prefix) + len(geography) + 1:].isdigit()]
        return max(candidates, key=lambda d: int(d.id.rsplit("_", 1)[1]), default=None)

    def specific_yield_for(self, geography, mounting):
        """The country-average final yield for a place (a province falls back on its country), or None."""
        seen = set()
        current = geography
        while current and current not in seen:
            seen.add(current)
            row = self.specific_yields.get((current, mounting))
            if row is not None:
                return row
            place = self.geographies.get(current)
            current = place.parent if place is not None else ""
        return None

    def known_technologies(self, stage):
        """Technology ids of a stage, from ``technologies.csv``."""
        return sorted(self.technologies.get(stage, {}))

    def material_defaults(self, stage, technology):
        """The default materials of a stage: dataset id -> ProcessDefault (a technology's row overrides ``any``)."""
        found = {}
        for tech in ("any", technology):
            for default in self.processes:
                if default.stage == stage and default.technology == tech and default.parameter.startswith("material:"):
                    found[default.parameter.split(":", 1)[1]] = default
        return found

    def role_of(self, dataset_id):
        """The role a dataset fills (``materials.csv``, column ``role``), or ""."""
        dataset = self.datasets.get(dataset_id)
        return dataset.role if dataset is not None else ""


#: Names a product may give a wafer format by, normalised (lower case, no spaces, "x" for "×"),
#: and the wafer technology of ``technologies.csv`` whose ``wafer_area`` default is that format's.
WAFER_FORMATS = {
    "m10": "m10", "182": "m10", "182mm": "m10",
    "g12": "g12", "210": "g12", "210mm": "g12",
    "g12r": "g12r", "210r": "g12r", "182x210": "g12r", "182x210mm": "g12r", "182mmx210mm": "g12r",
}


def extra_characterisation():
    """Characterisation factors the library adds to the IPCC methods (by category).

    The aggregated CO2-eq flow counts 1:1 in the totals and in no sub-method, so that
    fossil + biogenic + land use leaves it visible as "unsplit". A supplier's declared
    fossil and land-use CO2-eq count 1:1 in the totals and in their own sub-method.
    """
    extra = {"climate change": [(list(AGGREGATED_FLOW), 1.0)]}
    for _, key, _, sub_method in DECLARED_GASES.values():
        extra["climate change"].append((list(key), 1.0))
        extra.setdefault(sub_method, []).append((list(key), 1.0))
    return extra


def own_biosphere_flows():
    """The flows of ``footprint-biosphere``: key -> Brightway data."""
    flows = {
        AGGREGATED_FLOW: {
            "name": "CO2-eq, aggregated",
            "categories": ("air",),
            "unit": "kg CO2-Eq",
            "type": "emission",
            "comment": "Factors that their source gives only as a CO2-equivalent total; no gas split.",
        }
    }
    for label, key, origin, _ in DECLARED_GASES.values():
        flows[key] = {"name": label, "categories": ("air",), "unit": "kg CO2-Eq", "type": "emission",
                      "comment": f"A supplier's declared CO2-eq ({origin}), already characterised."}
    return flows


def parse_quality(text):
    """The five pedigree scores of a ``quality`` cell such as ``"2,1,1,1,2"``, as a tuple of ints."""
    return tuple(int(part) for part in text.split(","))


def short_source(source):
    """The first part of a source, up to its first comma outside brackets (author or body)."""
    depth = 0
    for index, char in enumerate(source):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            return source[:index].strip()
    return source.strip()


#: A publication year in a citation: "(2021)", "T12-33:2026" or a full date.
_PUBLICATION_YEAR = re.compile(r"\((\d{4})(?:-\d\d){0,2}\)|:(\d{4})\b|\b(\d{4})-\d\d-\d\d\b")


def publication_year(source):
    """The year a source was published, read from its citation (``(2021)``, ``T12-33:2026``), or None."""
    match = _PUBLICATION_YEAR.search(source)
    return int(next(group for group in match.groups() if group)) if match else None


def cite(source, *, data_year=None):
    """A short citation: first author or body and the publication year (``Götz M. et al., 2026``).

    Where the citation holds no publication year, the year of the data is given as such
    (``NREL PV_ICE baseline, data 2022``), never passed off as a publication year.
    """
    short = short_source(source).split(": ")[0]
    short = re.sub(r"\s*\(\d{4}(?:-\d\d){0,2}\)$", "", short)
    year = publication_year(source)
    if year is not None:
        return short if str(year) in short else f"{short}, {year}"
    return f"{short}, data {data_year}" if data_year else short

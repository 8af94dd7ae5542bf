"""Cradle-to-grave: transport to site, installation, use and end of life of a module.

The product file's ``downstream:`` block gives, per module, the inputs of each stage after
the factory gate::

    downstream:
      transport:
        mass: 32 kg                 # shipped mass per module, packaging included
        legs:
          - {dataset: <tonne*km dataset id>, distance: 11000 km}
          - {emission_factor: 0.09 kg/(tonne*km), distance: 800 km, label: truck CN}
      installation: {site: DE, electricity: 0.5 kWh/module}
      use: {}                       # nothing beyond the module itself
      end_of_life:
        emissions: {co2e_aggregated: 1.2 kg/module}

No distance, installation, maintenance or end-of-life amount is bundled: none has a source
that fits every product, so every downstream number is the user's, and a cradle-to-grave
result needs all four stages written out (an empty ``{}`` says "nothing" explicitly).
"""

from dataclasses import dataclass, field

import numpy as np

from footprint.errors import InputError
from footprint.model.chain import Flow, Process, Provenance
from footprint.units import Quantity, UnitMismatch, read_quantity, ureg

#: The stages after the factory gate, in life-cycle order.
DOWNSTREAM_STAGES = ("transport", "installation", "use", "end_of_life")
STAGE_KEYS = {"site", "electricity", "heat", "materials", "emissions", "mass", "legs"}
LEG_KEYS = {"dataset", "emission_factor", "distance", "label"}
_NAMES = {"transport": "transport to site", "installation": "installation", "use": "use (operation and maintenance)",
          "end_of_life": "end of life"}


@dataclass
class Leg:
    distance: object  # Quantity [km]
    dataset: str = ""
    emission_factor: object = None  # Quantity [kg CO2-eq / (tonne km)]
    label: str = ""


@dataclass
class DownstreamStage:
    """One stage after the gate, amounts per module (or per m2 / per W of module)."""

    name: str
    site: str = ""
    electricity: object = None  # Quantity [kWh per module, m2 or W]
    heat: object = None  # Quantity [MJ per module, m2 or W]
    materials: dict = field(default_factory=dict)  # dataset id -> Quantity (any unit per module)
    emissions: dict = field(default_factory=dict)  # gas id -> Quantity [kg per module]
    mass: object = None  # Quantity [kg per module], transport only
    legs: list = field(default_factory=list)


@dataclass
class DownstreamSpec:
    stages: dict  # name -> DownstreamStage (only those written in the file)
    source: str


def parse_downstream(data, *, reader):
    """Check a ``downstream:`` mapping with the product reader (for messages and units)."""
    reader.unknown_keys(data, set(DOWNSTREAM_STAGES), "downstream")
    stages = {}
    for name in DOWNSTREAM_STAGES:
        if name not in data:
            continue
        path = f"downstream.{name}"
        block = reader.mapping(data[name] or {}, path)
        reader.unknown_keys(block, STAGE_KEYS if name == "transport" else STAGE_KEYS - {"mass", "legs"}, path)
        stage = DownstreamStage(name)
        if "site" in block:
            stage.site = reader.site(block["site"], f"{path}.site")
        if "electricity" in block:
            stage.electricity = reader.per_unit(block["electricity"], "kWh", "piece", f"{path}.electricity")
        if "heat" in block:
            stage.heat = reader.per_unit(block["heat"], "MJ", "piece", f"{path}.heat")
        for item, value in reader.mapping(block.get("materials") or {}, f"{path}.materials").items():
            stage.materials[str(item)] = _any_quantity(value, f"{reader.source}: {path}.materials.{item}")
        for item, value in reader.mapping(block.get("emissions") or {}, f"{path}.emissions").items():
            stage.emissions[str(item)] = reader.per_unit(value, "kg", "piece", f"{path}.emissions.{item}")
        if name == "transport":
            if "mass" in block:
                stage.mass = reader.quantity(block["mass"], "kg", f"{path}.mass", positive=True)
            legs = block.get("legs") or []
            if not isinstance(legs, list):
                reader.fail(f"{path}.legs", "expected a list of legs, each {dataset or emission_factor, distance}")
            for index, leg_data in enumerate(legs):
                leg_path = f"{path}.legs[{index}]"
                leg_data = reader.mapping(leg_data, leg_path)
                reader.unknown_keys(leg_data, LEG_KEYS, leg_path)
                if "distance" not in leg_data:
                    reader.fail(f"{leg_path}.distance", "missing; expected a distance such as '11000 km'")
                leg = Leg(reader.quantity(leg_data["distance"], "km", f"{leg_path}.distance", positive=True))
                if ("dataset" in leg_data) == ("emission_factor" in leg_data):
                    reader.fail(leg_path, "expected either dataset (a bundled transport dataset in tonne*km) or emission_factor (kg/(tonne*km))")
                if "dataset" in leg_data:
                    leg.dataset = reader.text(leg_data["dataset"], f"{leg_path}.dataset")
                else:
                    leg.emission_factor = reader.quantity(leg_data["emission_factor"], "kg_CO2_eq/(tonne*km)", f"{leg_path}.emission_factor")
                leg.label = str(leg_data.get("label") or leg.dataset or "transport")
                stage.legs.append(leg)
            if stage.legs and stage.mass is None:
                reader.fail(f"{path}.mass", "missing; transport legs need the shipped mass per module, such as '32 kg'")
        stages[name] = stage
    return DownstreamSpec(stages, reader.source)


def _any_quantity(value, where):
    expected = "an amount per module with a unit, such as '2 kg/module'"
    if not isinstance(value, str):
        raise InputError(f"{where}: got {value!r}; expected {expected}")
    try:
        quantity = read_quantity(value, where=where, expected=expected)
    except UnitMismatch:
        raise InputError(f"{where}: got {value!r}; expected {expected}") from None
    if quantity.units == ureg.Unit(""):
        raise InputError(f"{where}: got {value!r}; expected {expected}")
    magnitude = np.asarray(quantity.magnitude, dtype=float)
    if not np.all(np.isfinite(magnitude)) or np.any(magnitude < 0):
        raise InputError(f"{where}: got {value!r}; expected a finite, non-negative amount per module, such as '2 kg/module'")
    return quantity


def downstream_processes(spec, bundle):
    """The processes after the gate, one per stage, each per module.

    Raises
    ------
    InputError
        No ``downstream:`` block, a stage left out, or an amount that does not fit its dataset.
    """
    where = f"{spec.source}: downstream"
    if spec.downstream is None:
        raise InputError(f"{where}: missing; a cradle-to-grave result needs transport, installation, use and end_of_life "
                         "(per module; no sourced defaults exist, write {} for a stage with nothing)")
    missing = [name for name in DOWNSTREAM_STAGES if name not in spec.downstream.stages]
    if missing:
        raise InputError(f"{where}.{missing[0]}: missing; a cradle-to-grave result needs all of {', '.join(DOWNSTREAM_STAGES)} "
                         "(write {} for a stage with nothing)")
    user = Provenance(True, spec.source)
    area = spec.area.to("m**2")
    power = spec.rated_power.to("W")
    processes = {}
    for name in DOWNSTREAM_STAGES:
        stage = spec.downstream.stages[name]
        path = f"{where}.{name}"
        process = Process(name, _NAMES[name], "piece", stage.site, "")

        def per_module(quantity, numerator, field_path):
            for denominator, factor in (("piece", None), ("m**2", area), ("W", power)):
                if quantity.dimensionality == ureg.Unit(f"({numerator})/{denominator}").dimensionality:
                    scaled = quantity if factor is None else quantity * factor / Quantity(1, "piece")
                    return scaled.to(f"({numerator})/piece").magnitude
            raise InputError(f"{field_path}: got {quantity:~}; expected {numerator} per module, per m2 or per W")

        if stage.electricity is not None or stage.heat is not None:
            if stage.electricity is not None:
                if not stage.site:
                    raise InputError(f"{path}.site: missing; electricity needs the site's geography for its grid")
                grid = bundle.electricity_for(stage.site)
                if grid is None:
                    raise InputError(f"{path}.site: no bundled grid electricity for {stage.site!r} or the grids it belongs to")
                process.electricity_dataset = grid.id
                process.flows.append(Flow("dataset", grid.id, _number(per_module(stage.electricity, "kWh", f"{path}.electricity")),
                                          f"electricity, {grid.name}", user))
            if stage.heat is not None:
                process.flows.append(Flow("dataset", "heat_natural_gas", _number(per_module(stage.heat, "MJ", f"{path}.heat")),
                                          "heat, natural gas", user))
        for item, quantity in stage.materials.items():
            dataset = bundle.datasets.get(item)
            if dataset is None:
                raise InputError(f"{path}.materials.{item}: unknown dataset {item!r}; expected an id of the bundled inventories")
            process.flows.append(Flow("dataset", item, _number(per_module(quantity, dataset.unit, f"{path}.materials.{item}")), dataset.name, user))
        for item, quantity in stage.emissions.items():
            gas = bundle.gases.get(item)
            if gas is None:
                raise InputError(f"{path}.emissions.{item}: unknown gas {item!r}; expected one of {', '.join(sorted(bundle.gases))}")
            process.flows.append(Flow("gas", item, _number(per_module(quantity, "kg", f"{path}.emissions.{item}")), gas.label, user))
        for index, leg in enumerate(stage.legs):
            work = (stage.mass * leg.distance).to("tonne*km").magnitude
            if leg.dataset:
                dataset = bundle.datasets.get(leg.dataset)
                if dataset is None:
                    raise InputError(f"{path}.legs[{index}].dataset: unknown dataset {leg.dataset!r}; expected a bundled transport dataset")
                try:
                    amount = Quantity(work, "tonne*km").to(dataset.unit).magnitude
                except Exception:
                    raise InputError(f"{path}.legs[{index}].dataset: {leg.dataset!r} is in {dataset.unit}; expected a transport dataset in tonne*km") from None
                process.flows.append(Flow("dataset", leg.dataset, _number(amount), f"{leg.label}: {dataset.name}", user))
            else:
                emission = work * leg.emission_factor.to("kg_CO2_eq/(tonne*km)").magnitude
                process.flows.append(Flow("gas", "co2e_aggregated", _number(emission), f"{leg.label} (user emission factor)", user))
        processes[name] = process
    return processes


def _number(value):
    return float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)

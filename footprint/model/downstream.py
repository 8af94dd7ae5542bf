"""The ``downstream:`` block of a product file: the stages after the factory gate, as given.

Turning them into processes (with the bundled datasets) is :mod:`footprint.lifecycle`'s work.
"""

from dataclasses import dataclass, field

import numpy as np

from footprint.errors import InputError, UnitMismatch
from footprint.units import read_quantity, ureg
from footprint.vocab import DOWNSTREAM_STAGES

#: The stages after the factory gate, in life-cycle order.
STAGE_KEYS = {"site", "electricity", "heat", "materials", "emissions", "mass", "legs"}
LEG_KEYS = {"dataset", "emission_factor", "distance", "label"}


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

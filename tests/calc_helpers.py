"""Helpers for the calculator tests: a product with every number written out, so that its
footprint can be recomputed by hand from the data files (tests/handcalc.py)."""

import copy
import functools
from pathlib import Path
from unittest import mock

import yaml

import handcalc

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

#: Every parameter written out, so that no bundled default enters (defaults are tested apart).
BY_HAND = {
    "format": "footprint-product/1",
    "product": {"id": "by-hand-module", "name": "By-hand PERC module", "technology": "perc",
                "rated_power": "550 W", "area": "2.583 m2",
                "electricity_basis": "official"},  # the provincial factors, each site its own (the hand computation's)
    "stages": {
        "mg_silicon": {"site": "CN-XJ", "electricity": "11 kWh/kg", "emissions": {"co2_fossil": "4.85 kg/kg"}},
        "polysilicon": {"site": "CN-XJ", "technology": "siemens", "mg_silicon": "1.136 kg/kg", "electricity": "60 kWh/kg",
                        "heat": "70 MJ/kg"},
        "ingot": {"site": "CN-NM", "polysilicon": "1.0204 kg/kg", "electricity": "38.4 kWh/kg"},
        "wafer": {"site": "CN-JS", "wafer_area": "330.15 cm2", "thickness": "150 um", "kerf": "50 um", "ingot_utilisation": 0.93,
                  "yield": 0.97, "electricity": "0.033 kWh/wafer"},
        "cell": {"site": "CN-JS", "efficiency": "23 %", "yield": 0.98, "electricity": "17.7 kWh/m2",
                 "materials": {"silver": "0.092 g/piece"}, "emissions": {"co2_fossil": "0 kg/m2", "hfc134a": "0 kg/m2"}},
        "module": {"site": "CN-JS", "technology": "glass-backsheet", "cells": 144, "cells_per_wafer": 2, "yield": 0.97, "electricity": "3.32 kWh/m2",
                   "frame_extrusion_electricity": "2.015 kWh/kg", "frame_extrusion_heat": "8.63257 MJ/kg",
                   "materials": {"copper": "8.31488 g/m2", "solar_glass": "8 kg/m2", "aluminium_primary_CN": "1.57996 kg/m2",
                                 "ldpe": "0.7827075 kg/m2", "pet": "0.3983772 kg/m2", "tin": "0 kg/m2", "lead": "0 kg/m2",
                                 "hdpe": "0 kg/m2", "paperboard": "0 kg/m2", "wood": "0 kg/m2"},
                   "emissions": {"co2_fossil": "0 kg/m2"}},
    },
}


def product_data(**changes):
    """A deep copy of BY_HAND; ``changes`` maps dotted paths to values (None deletes)."""
    data = copy.deepcopy(BY_HAND)
    for path, value in changes.items():
        node = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return data


def write_product(directory, data, name="product.yaml"):
    path = Path(directory) / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def method_factors(method):
    """Brightway key -> characterisation factor of an installed method."""
    from footprint.brightway.project import require_setup

    bd = require_setup()
    factors = {}
    for flow, amount in (entry[:2] for entry in bd.Method(method).load()):
        if isinstance(flow, int):
            node = bd.get_node(id=flow)
            flow = (node["database"], node["code"])
        factors[tuple(flow)] = float(amount)
    return factors


@functools.cache
def emission_factors():
    """handcalc.emission_factors, read once per test process.

    handcalc decodes bw2io's whole LCIA file (about 3 s) on every call, in gas_factors; the
    data files do not change during a run, and the tests only read what they get. The gas
    factors it starts from are this module's, read once too.
    """
    gas = _gas_factors()
    with mock.patch.object(handcalc, "gas_factors", lambda: gas):
        return handcalc.emission_factors()


def gas_factors():
    """handcalc.gas_factors, read once per test process (a copy: the caller may change it)."""
    return dict(_gas_factors())


@functools.cache
def _gas_factors():
    return handcalc.gas_factors()


def by_hand():
    """The by-hand product's cradle-to-gate footprint per stage output [kg CO2-eq, AR6].

    Returns a dict: kg of mg silicon, kg of polysilicon, kg of ingot, one wafer, one cell,
    one module; and ``grid_JS``, the Jiangsu grid factor [kg CO2-eq/kWh]. Emission factors
    come from the data files through tests/handcalc.py, which shares no code with the library.
    """
    return dict(_by_hand())


@functools.cache
def _by_hand():
    ef = emission_factors()
    xj, nm, js = ef("electricity_grid_CN-XJ"), ef("electricity_grid_CN-NM"), ef("electricity_grid_CN-JS")
    mg = 11 * xj + 4.85
    poly = 1.136 * mg + 60 * xj + 70 * ef("heat_natural_gas")
    ingot = 1.0204 * poly + 38.4 * nm
    wafer_area = 330.15e-4  # m2
    silicon_per_wafer = wafer_area * (150e-6 + 50e-6) * 2329.0 / (0.93 * 0.97)  # kg, density 2.329 g/cm3
    wafer = silicon_per_wafer * ingot + 0.033 * js
    cell = wafer / 0.98 + 17.7 * wafer_area * js + 0.092e-3 * ef("silver")
    area = 2.583
    # the frame: its aluminium, and its extrusion at the module's site (2.015 kWh and 8.63257 MJ of gas per kg)
    frame = 1.57996 * (ef("aluminium_primary_CN") + 2.015 * js + 8.63257 * ef("heat_natural_gas"))
    module = (144 / 2) / 0.97 * cell + 3.32 * area * js + area * (
        8.31488e-3 * ef("copper") + 8 * ef("solar_glass") + frame
        + 0.7827075 * ef("ldpe") + 0.3983772 * ef("pet"))
    return {"mg_silicon": mg, "polysilicon": poly, "ingot": ingot, "wafer": wafer, "cell": cell, "module": module, "grid_JS": js}

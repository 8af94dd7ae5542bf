"""Hand computation helpers: read the inventory CSVs and bw2io's GWP table without the library.

They share no code with footprint.bundle.read or footprint.calc, so a test that compares a
computed footprint with a sum built from these can catch a mistake in either.
"""

import csv
import functools
import importlib.util
import json
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
INVENTORIES = ROOT / "inventories"

#: Units met in the data files' flow_unit column, to the reference units kg, kWh, MJ and tonne*km.
TO_REFERENCE = {"kg": 1.0, "g": 1e-3, "lb": 0.45359237, "kWh": 1.0, "MJ": 1.0, "tonne * km": 1.0, "m**3": 1.0}
MJ_PER_KWH = 3.6


def rows(name):
    """Data rows of an inventory CSV (comments and blank lines skipped)."""
    with open(INVENTORIES / name, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        first = reader.fieldnames[0]
        return [row for row in reader if row[first] and not row[first].startswith("#")]


@functools.cache
def gwp100_ar6():
    """CF per biosphere3 code, read straight from bw2io's LCIA file (not from our install)."""
    # found without importing bw2io: its import imports bw2data, which creates a Brightway
    # directory wherever BRIGHTWAY2_DIR points at that moment (by default in the user's home)
    archive = Path(importlib.util.find_spec("bw2io").origin).parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(archive) as z:
        methods = json.loads(z.read("data.json"))
    (method,) = [m for m in methods if m["name"] == ["IPCC 2021", "climate change", "global warming potential (GWP100)"]]
    return {cf["input"][1]: cf["amount"] for cf in method["exchanges"]}


def gas_factors():
    """kg CO2-eq per kg of each gas id of gases.csv; the aggregated CO2-eq flow counts 1."""
    cf = gwp100_ar6()
    gas = {row["gas"]: cf.get(row["code"], 0.0) for row in rows("gases.csv")}  # biogenic CO2: no factor
    gas["co2e_aggregated"] = 1.0
    return gas


def emission_factors():
    """A function: dataset id -> kg CO2-eq per reference unit, following links between datasets."""
    gas = gas_factors()
    manifest = yaml.safe_load((INVENTORIES / "manifest.yaml").read_text(encoding="utf-8"))
    all_rows, unit = [], {}
    for name in manifest["background"]:
        for row in rows(name):
            all_rows.append(row)
            unit.setdefault(row["dataset"], row["unit"])
    memo = {}

    def factor(dataset):
        if dataset not in memo:
            total = 0.0
            for row in all_rows:
                if row["dataset"] != dataset:
                    continue
                amount = float(row["amount"]) * TO_REFERENCE[row["flow_unit"]]
                if row["flow"] in gas:
                    total += amount * gas[row["flow"]]
                else:
                    if row["flow_unit"] == "MJ" and unit[row["flow"]] == "kWh":
                        amount /= MJ_PER_KWH
                    total += amount * factor(row["flow"])
            memo[dataset] = total
        return memo[dataset]

    return factor


def grid(site, basis="life-cycle"):
    """kg CO2-eq per kWh of a site's grid electricity on a basis (docs/calculator.md, "Electricity basis").

    ``official``: the site's ``electricity_grid_<site>`` row. ``life-cycle``: the latest
    ``electricity_lifecycle_<country>_<year>`` of the site's country (the bundle has no
    provincial life-cycle factor: China publishes its electricity carbon-footprint factor for
    the nation only).
    """
    ef = emission_factors()
    if basis == "official":
        return ef(f"electricity_grid_{site}")
    country = site.split("-")[0]
    manifest = yaml.safe_load((INVENTORIES / "manifest.yaml").read_text(encoding="utf-8"))
    prefix = f"electricity_lifecycle_{country}_"
    years = {int(row["dataset"][len(prefix):]) for name in manifest["background"] for row in rows(name)
             if row["dataset"].startswith(prefix) and row["dataset"][len(prefix):].isdigit()}
    return ef(f"{prefix}{max(years)}")


def default(stage, technology, parameter):
    """The number of a processes.csv default, for the technology then for "any"."""
    for tech in (technology, "any"):
        for row in rows("processes.csv"):
            if (row["stage"], row["technology"], row["parameter"]) == (stage, tech, parameter):
                return float(row["value"])
    raise KeyError((stage, technology, parameter))


def number(text):
    """The number of a "number unit" string of a product file."""
    return float(str(text).split()[0].rstrip("%"))

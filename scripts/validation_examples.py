"""The two result tables of docs/validation.md: every example on both electricity bases.

    .venv/bin/python scripts/validation_examples.py           # print the two tables
    .venv/bin/python scripts/validation_examples.py --write   # and rewrite them in docs/validation.md

Run it whenever a bundled default or an example changes:
tests/test_examples.py::test_validation_page_matches_results fails while the page holds other
numbers (it computes them afresh; this script only saves typing them).
"""

import argparse
import sys
import warnings
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's footprint, not another one installed in the environment

from footprint.calc import compute  # noqa: E402
from footprint.errors import ProductWarning  # noqa: E402

#: The examples in the page's order (the PERC pair, then TOPCon, HJT, BC); any other example after them.
ORDER = ("perc-glass-backsheet-jiangsu", "perc-glass-backsheet-yunnan-hydro-poly", "topcon-glass-glass-vietnam",
         "hjt-glass-glass-anhui", "bc-glass-backsheet-shaanxi")
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"),
                  key=lambda path: (ORDER.index(path.stem) if path.stem in ORDER else len(ORDER), path.stem))
PAGE = ROOT / "docs" / "validation.md"
MARKERS = {"life-cycle": "<!-- results: example | kg CO2-eq/kWp -->",
           "official": "<!-- results, official basis: example | kg CO2-eq/kWp -->",
           "bases": "<!-- results: electricity bases -->",
           "ar5": "<!-- results: AR5 -->"}
#: China's national life-cycle electricity factors (inventories/electricity_china.csv): the default's year and the one before.
LIFE_CYCLE_CN = {"electricity_lifecycle_CN_2024": 0.5777, "electricity_lifecycle_CN_2023": 0.6205}
END = "<!-- end results -->"
STAGES = ("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module")


def result(path, basis="life-cycle", gwp="ar6"):
    """An example's per-kWp result on an electricity basis and GWP set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if basis == "official":
        data["product"]["electricity_basis"] = "official"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProductWarning)  # the examples' own plausibility notes
        return compute(data, per="kWp", gwp=gwp)


def bases_table():
    """Each example's total on the official basis, the life-cycle default, and with China's 2023 life-cycle factor.

    The 2023 column: the default's total plus (0.6205 - 0.5777) kg CO2-eq/kWh for every kWh the
    result values with China's 2024 national life-cycle factor (Viet Nam's stages unchanged).
    """
    lines = ["| example | official (provincial CO2-only) | life-cycle, 2024 factor (default) | change | life-cycle, 2023 factor | change |",
             "|---|---:|---:|---:|---:|---:|"]
    step = LIFE_CYCLE_CN["electricity_lifecycle_CN_2023"] - LIFE_CYCLE_CN["electricity_lifecycle_CN_2024"]
    for path in EXAMPLES:
        official, default = result(path, "official"), result(path)
        kwh = sum(use.amount for use in default.electricity.uses if use.dataset in _uses_of("electricity_lifecycle_CN_2024"))
        later = default.total.value + step * kwh
        lines.append(f"| {path.stem} | {official.total.value:.1f} | {default.total.value:.1f} | "
                     f"{default.total.value - official.total.value:+.1f} | {later:.1f} | {later - official.total.value:+.1f} |")
    return "\n".join(lines)


def _uses_of(dataset):
    """The grid datasets that are ``dataset`` or take 1 kWh of it (the ``electricity_grid_<geography>`` defaults)."""
    from footprint.bundle import read_bundle

    bundle = read_bundle()
    return {dataset} | {d.id for d in bundle.datasets.values()
                        if d.category == "electricity" and any(exchange.flow == dataset for exchange in d.exchanges)}


def ar5_table():
    """Each example's total with IPCC AR6 and AR5 GWP100 (life-cycle basis)."""
    lines = ["| example | AR6 | AR5 | change |", "|---|---:|---:|---:|"]
    for path in EXAMPLES:
        ar6, ar5 = result(path).total.value, result(path, gwp="ar5").total.value
        lines.append(f"| {path.stem} | {ar6:.1f} | {ar5:.1f} | {ar5 - ar6:+.1f} |")
    return "\n".join(lines)


def table(basis):
    """The Markdown table of every example on ``basis`` (total, stages, grid kWh per kWp)."""
    if basis == "bases":
        return bases_table()
    if basis == "ar5":
        return ar5_table()
    lines = ["| example | kg CO2-eq/kWp | " + " | ".join(STAGES) + " | grid electricity, kWh/kWp |",
             "|---|" + "---:|" * (len(STAGES) + 2)]
    for path in EXAMPLES:
        found = result(path, basis)
        numbers = [found.total.value, *(found.by_stage[s].value for s in STAGES),
                   sum(use.amount for use in found.electricity.uses)]
        lines.append(f"| {path.stem} | " + " | ".join(f"{n:.1f}" for n in numbers) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the tables in docs/validation.md")
    args = parser.parse_args(argv)
    page = PAGE.read_text(encoding="utf-8")
    for basis, marker in MARKERS.items():
        text = table(basis)
        print(text, end="\n\n")
        if marker not in page:
            sys.exit(f"{PAGE}: marker {marker} not found; expected it above the table to rewrite")
        before, rest = page.split(marker, 1)
        page = f"{before}{marker}\n{text}\n{END}{rest.split(END, 1)[1]}"
    if args.write:
        PAGE.write_text(page, encoding="utf-8")
        print(f"wrote {PAGE}")


if __name__ == "__main__":
    main()

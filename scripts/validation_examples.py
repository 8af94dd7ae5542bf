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

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
PAGE = ROOT / "docs" / "validation.md"
MARKERS = {"life-cycle": "<!-- results: example | kg CO2-eq/kWp -->",
           "official": "<!-- results, official basis: example | kg CO2-eq/kWp -->"}
END = "<!-- end results -->"
STAGES = ("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module")


def table(basis):
    """The Markdown table of every example on ``basis`` (total, stages, grid kWh per kWp)."""
    lines = ["| example | kg CO2-eq/kWp | " + " | ".join(STAGES) + " | grid electricity, kWh/kWp |",
             "|---|" + "---:|" * (len(STAGES) + 2)]
    for path in EXAMPLES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if basis == "official":
            data["product"]["electricity_basis"] = "official"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ProductWarning)  # the examples' own plausibility notes
            result = compute(data, per="kWp")
        numbers = [result.total.value, *(result.by_stage[s].value for s in STAGES),
                   sum(use.amount for use in result.electricity.uses)]
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

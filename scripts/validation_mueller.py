"""The Müller et al. 2021 comparison of docs/validation.md, item by item.

    .venv/bin/python scripts/validation_mueller.py           # print the two tables
    .venv/bin/python scripts/validation_mueller.py --write   # and rewrite them in docs/validation.md

Each of the six configurations of ``examples/validation/`` (Müller et al. 2021's glass-backsheet
and glass-glass modules made in China, Germany or the EU) holds every figure of the paper that
was read, each marked "paper" in a comment. This script starts from this library's own values
("ours": the Jiangsu PERC example's value at the same place, or the bundled default where the
example gives none) and puts the paper's figures back one item at a time, in the order of
``ITEMS``; each row is the change of the total that item makes (so the result depends on the
order, as any waterfall does). What is left between the last row and the published total
is the part nobody can quantify here without the paper's own grid mixes and database.

Run it again whenever a bundled default, an example or a configuration changes:
tests/test_validation_mueller.py fails while docs/validation.md holds other numbers.
"""

import argparse
import copy
import sys
import warnings
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's footprint, not another one installed in the environment

from footprint.bundle import read_bundle  # noqa: E402
from footprint.calc import compute  # noqa: E402
from footprint.errors import ProductWarning  # noqa: E402

FOLDER = ROOT / "examples" / "validation"
OURS = ROOT / "examples" / "perc-glass-backsheet-jiangsu.yaml"
PAGE = ROOT / "docs" / "validation.md"

#: (file stem, column title, published kg CO2-eq/kWp (the abstract of Müller et al. 2021))
CONFIGURATIONS = (
    ("mueller-2021-glass-backsheet-china", "glass-backsheet, China", 810),
    ("mueller-2021-glass-backsheet-germany", "glass-backsheet, Germany", 580),
    ("mueller-2021-glass-backsheet-eu", "glass-backsheet, EU", 480),
    ("mueller-2021-glass-glass-china", "glass-glass, China", 750),
    ("mueller-2021-glass-glass-germany", "glass-glass, Germany", 520),
    ("mueller-2021-glass-glass-eu", "glass-glass, EU", 420),
)

#: The paper's figures that were read, in the order they are put in: (row label, the fields it sets).
ITEMS = (
    ("MG-Si electricity, 11 kWh/kg", (("mg_silicon", "electricity"),)),
    ("polysilicon, 72 kWh + 70 MJ per kg", (("polysilicon", "electricity"), ("polysilicon", "heat"))),
    ("ingot electricity, 38.4 kWh/kg", (("ingot", "electricity"),)),
    ("wafering, 2.85 kWh/kg (17.5 % of it heat)", (("wafer", "electricity"), ("wafer", "heat"))),
    ("cell, 6.24 kWh + 3.55 MJ per m2", (("cell", "electricity"), ("cell", "heat"))),
    ("silicon: 170 um wafers, 1.03 kg of ingot per m2", (("wafer", "thickness"), ("wafer", "ingot_utilisation"))),
)

#: The press release's share of transport to the EU in the Chinese module's total (about 3 %).
TRANSPORT_SHARE = 0.03

MARKER = "<!-- results: Müller et al. 2021, item by item -->"
MARKER_OFFICIAL = "<!-- results: Müller et al. 2021, official basis -->"
END = "<!-- end results -->"


def read_yaml(path):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def ours(data, example, fields):
    """``data`` with ``fields`` (stage, name) set back to the example's value, or removed for the default."""
    data = copy.deepcopy(data)
    for stage, name in fields:
        value = example["stages"].get(stage, {}).get(name)
        if value is None:
            data["stages"][stage].pop(name, None)
        else:
            data["stages"][stage][name] = value
    return data


def result(data, basis):
    """The per-kWp result of a product file's content on an electricity basis."""
    with warnings.catch_warnings():
        # the paper's wafer and cell energy is far below the bundled defaults; that is the point
        warnings.simplefilter("ignore", ProductWarning)
        return compute(data, per="kWp", electricity_basis=basis)


def total(data, basis):
    """kg CO2-eq/kWp of a product file's content on an electricity basis."""
    return result(data, basis).total.value


def grid_kwh(data):
    """Grid electricity of a product file's content [kWh/kWp]."""
    return sum(use.amount for use in result(data, "life-cycle").electricity.uses)


def every_field():
    """The (stage, name) of every figure of the paper that was read."""
    return [field for _, fields in ITEMS for field in fields]


def waterfall(paper, example):
    """The life-cycle totals from ours to the configuration, one item at a time: [ours, +item 1, ..., all items]."""
    steps = [total(ours(paper, example, every_field()), "life-cycle")]
    for k in range(1, len(ITEMS) + 1):
        still_ours = [field for _, fields in ITEMS[k:] for field in fields]
        steps.append(total(ours(paper, example, still_ours), "life-cycle"))
    return steps


def _row(label, values):
    return "| " + label + " | " + " | ".join(values) + " |"


def _head():
    return [_row("step (kg CO2-eq/kWp)", [title for _, title, _ in CONFIGURATIONS]), "|---|" + "---:|" * len(CONFIGURATIONS)]


def _number(value):
    return f"{value:.1f}"


def _change(value):
    return f"{value:+.1f}"


def as_net_silicon(paper):
    """``paper`` with the 1.03 kg of ingot per m2 read as net silicon: the ingot's polysilicon given per kg as drawn.

    The bundled ingot default (per kg of squared ingot, offcuts re-melted) scales with
    ``ingot_utilisation``, so the paper's figure in the configuration raises the pulling but not
    the polysilicon. Given in the file, the same default is per kg of ingot as the wafers draw it:
    every kg of the 1.03 is then silicon lost, none of it re-melted.
    """
    data = copy.deepcopy(paper)
    default = read_bundle().process_default("ingot", data["stages"]["ingot"].get("technology", "any"), "polysilicon")
    data["stages"]["ingot"]["polysilicon"] = f"{default.value.to('kg/kg').magnitude!r} kg/kg"
    return data


def waterfall_table(papers, example):
    """The life-cycle table: ours, one row per item, the transport share, the remainder, the published total."""
    steps = {stem: waterfall(papers[stem], example) for stem in papers}
    published = {stem: value for stem, _, value in CONFIGURATIONS}
    # the press release gives transport to the EU for the Chinese modules only
    transport = {stem: TRANSPORT_SHARE * published[stem] if stem.endswith("-china") else None for stem in papers}
    remainder = {stem: published[stem] - steps[stem][-1] - (transport[stem] or 0) for stem in papers}
    kwh = {stem: grid_kwh(papers[stem]) for stem in papers}
    net = {stem: total(as_net_silicon(papers[stem]), "life-cycle") - steps[stem][-1] for stem in papers}

    def row(label, value):
        return _row(label, [value(stem) for stem, _, _ in CONFIGURATIONS])

    lines = _head()
    lines.append(row("ours: the paper's sites and module design, this library's values", lambda s: _number(steps[s][0])))
    for k, (label, _) in enumerate(ITEMS, start=1):
        lines.append(row(f"+ paper: {label}", lambda s: _change(steps[s][k] - steps[s][k - 1])))
    lines.append(row("= with every figure of the paper that was read", lambda s: _number(steps[s][-1])))
    lines.append(row("(other reading: the 1.03 kg of ingot per m2 as net silicon, offcuts not re-melted; not added)",
                     lambda s: _change(net[s])))
    lines.append(row("+ transport China -> EU, 3 % of the published total (press release; not modelled)",
                     lambda s: "not read" if transport[s] is None else _change(transport[s])))
    lines.append(row("+ remainder, not quantifiable here (see below)", lambda s: _change(remainder[s])))
    lines.append(row("= published (abstract)", lambda s: _number(published[s])))
    lines.append(row("grid electricity with every figure read, kWh/kWp", lambda s: _number(kwh[s])))
    lines.append(row("remainder per kWh of it, kg CO2-eq/kWh", lambda s: f"{remainder[s] / kwh[s]:.3f}"))
    lines.append(row("ours / published", lambda s: f"{steps[s][0] / published[s]:.2f}"))
    lines.append(row("with every figure read / published", lambda s: f"{steps[s][-1] / published[s]:.2f}"))
    return "\n".join(lines)


def official_table(papers, example):
    """The official-basis table: ours and every figure read, and the change from the life-cycle basis."""
    ours_official = {stem: total(ours(papers[stem], example, every_field()), "official") for stem in papers}
    read_official = {stem: total(papers[stem], "official") for stem in papers}
    read_life_cycle = {stem: total(papers[stem], "life-cycle") for stem in papers}
    lines = _head()
    lines.append(_row("ours, official basis", [_number(ours_official[s]) for s, _, _ in CONFIGURATIONS]))
    lines.append(_row("with every figure read, official basis", [_number(read_official[s]) for s, _, _ in CONFIGURATIONS]))
    lines.append(_row("change from the life-cycle basis (every figure read)",
                      [_change(read_official[s] - read_life_cycle[s]) for s, _, _ in CONFIGURATIONS]))
    return "\n".join(lines)


def tables():
    """The two Markdown tables of docs/validation.md: the life-cycle waterfall and the official basis."""
    example = read_yaml(OURS)
    papers = {stem: read_yaml(FOLDER / f"{stem}.yaml") for stem, _, _ in CONFIGURATIONS}
    return waterfall_table(papers, example), official_table(papers, example)


def quoted(page, marker):
    """The table between ``marker`` and the next end marker of ``page``."""
    return page.split(marker, 1)[1].split(END, 1)[0].strip()


def replace(page, marker, table):
    before, rest = page.split(marker, 1)
    _, after = rest.split(END, 1)
    return f"{before}{marker}\n{table}\n{END}{after}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the tables in docs/validation.md")
    args = parser.parse_args(argv)
    waterfall_table, official_table = tables()
    print(waterfall_table)
    print()
    print(official_table)
    if args.write:
        page = PAGE.read_text(encoding="utf-8")
        for marker in (MARKER, MARKER_OFFICIAL):
            if marker not in page:
                sys.exit(f"{PAGE}: marker {marker} not found; expected it above the table to rewrite")
        page = replace(page, MARKER, waterfall_table)
        page = replace(page, MARKER_OFFICIAL, official_table)
        PAGE.write_text(page, encoding="utf-8")
        print(f"\nwrote {PAGE}")


if __name__ == "__main__":
    main()

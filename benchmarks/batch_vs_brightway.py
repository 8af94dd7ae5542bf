"""Batch path versus the naive Brightway route, on the same variants.

The naive route is what a Brightway user writes without the batch: for each variant, build
its foreground (a Brightway database), build an LCA and solve it with bw2calc. The batch
path solves the background once and evaluates the variants' foregrounds in numpy
(``footprint.batch``). Both must agree to 1e-9 (relative) on every variant.

Run (a few minutes: the naive route writes one database per variant)::

    .venv/bin/python benchmarks/batch_vs_brightway.py            # 1000 variants
    .venv/bin/python benchmarks/batch_vs_brightway.py --variants 200

It works in a temporary data directory (never the user's own) and prints the timings and
the speed-up as a ratio.
"""

import argparse
import contextlib
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "examples" / "perc-glass-backsheet-jiangsu.yaml"
#: Provinces with a bundled grid factor: each variant moves its cell and module stages.
SITES = ("CN-JS", "CN-ZJ", "CN-AH", "CN-XJ", "CN-NM", "CN-YN", "CN-SC", "CN-GD", "CN-QH", "CN-SD")


def write_variants(path, count, seed):
    """Variants that change grids, electricity, geometry, efficiency and the bill of materials."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variant", "stages.cell.site", "stages.module.site", "stages.polysilicon.electricity [kWh/kg]",
                         "stages.ingot.electricity [kWh/kg]", "stages.wafer.thickness [um]", "stages.cell.efficiency [%]",
                         "stages.module.materials.solar_glass [kg/m2]", "stages.module.materials.aluminium_primary_CN [kg/m2]"])
        for index in range(count):
            site = rng.choice(SITES)
            writer.writerow([f"v{index:05d}", site, site, f"{rng.uniform(40, 75):.3f}", f"{rng.uniform(20, 45):.3f}",
                             f"{rng.uniform(110, 175):.2f}", f"{rng.uniform(21.0, 26.5):.2f}", f"{rng.uniform(5.5, 10):.3f}",
                             f"{rng.uniform(0, 1.8):.4f}"])


def naive(bd, variants, base, per):
    """One Brightway database and one bw2calc LCA per variant."""
    from footprint.batch import _Context
    from footprint.calc import brightway_lca
    from footprint.inventories import read_bundle
    from footprint.model import read_product
    from footprint.model.system import build_system
    from footprint.project import METHODS, lock

    bundle = read_bundle()
    context = _Context(read_product(base), variants, bundle, None, per, "ar6", "cradle-to-gate", None)
    scores = []
    for index in range(len(variants.ids)):
        system = build_system(context.spec_of(index), bundle, per=per)
        name = f"footprint-naive-{index:05d}"
        score = brightway_lca(bd, system.location, system, bundle, METHODS[("ar6", "total")], name=name)
        with lock(), contextlib.redirect_stdout(sys.stderr):
            del bd.databases[name]
        scores.append(score / float(system.divisor))
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per", default="kWp")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="footprint-bench-") as tmp:
        os.environ["FOOTPRINT_HOME"] = str(Path(tmp) / "home")
        from footprint.batch import read_variants, run_batch
        from footprint.project import require_setup, setup

        with contextlib.redirect_stdout(sys.stderr):
            setup()
        bd = require_setup()
        path = Path(tmp) / "variants.csv"
        write_variants(path, args.variants, args.seed)
        variants = read_variants(path)
        run_batch(BASE, variants, per=args.per)  # warm-up: imports and the one background solve

        started = time.perf_counter()
        result = run_batch(BASE, variants, per=args.per)
        batch_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):
            reference = naive(bd, variants, BASE, args.per)
        naive_seconds = time.perf_counter() - started

        worst = max(abs(a - b) / abs(b) for a, b in zip(result.location_based, reference))
        print(f"variants:                  {args.variants}")
        print(f"naive Brightway route:     {naive_seconds:.2f} s ({1000 * naive_seconds / args.variants:.1f} ms per variant)")
        print(f"batch path:                {batch_seconds:.3f} s ({result.groups} groups)")
        print(f"largest relative difference: {worst:.1e} (must be <= 1e-9)")
        print(f"speed-up:                  {naive_seconds / batch_seconds:.0f}x")
        if worst > 1e-9:
            sys.exit("batch and naive results disagree")


if __name__ == "__main__":
    main()

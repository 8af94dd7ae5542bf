"""Batch path versus the naive Brightway route, on the same variants.

What each route does, per run:

- naive Brightway route, for each variant: read the variant (the base product file's data
  with the row's overrides) with the product reader, build its product system, write its
  foreground into a new Brightway database (SQLite), build float64 datapackages from the
  stored exchanges of the foreground and the installed background
  (``footprint.brightway.matrices.lca_inputs``), run a bw2calc LCA (``lci()``, ``lcia()``) and
  delete the database. Nothing is shared between variants but the installed background
  and the Python process (imports, bw2data's open project);
- batch path (``footprint.calc.batch.run_batch``): read the variants file, group the rows by
  their non-numeric values, read each distinct part of the product file once, build one
  product system per group with arrays of amounts, and evaluate it in numpy on the
  background's cumulative inventory, which is solved once per process with bw2calc.

Three batch timings are reported, one run each:

- cold: a fresh Python process that imports footprint, solves the background (one
  bw2calc LCA of the whole background) and runs the batch: everything a user waits for
  after Python starts (the interpreter's own start-up is printed apart);
- first call: the batch's first run in this process, which solves the background: the same
  footing as the naive route (both start with bw2data imported and the project open);
- steady state: the same batch again in this process, the background already solved.

The speed-up is given for both. All results must agree to 1e-9 (relative).

Run (a few minutes: the naive route writes one database per variant)::

    .venv/bin/python benchmarks/batch_vs_brightway.py            # 1000 variants
    .venv/bin/python benchmarks/batch_vs_brightway.py --variants 200

It works in a temporary data directory (never the user's own).
"""

import argparse
import contextlib
import csv
import json
import os
import random
import subprocess
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
    from footprint.brightway.check import brightway_lca
    from footprint.brightway.project import lock
    from footprint.bundle.read import read_bundle
    from footprint.calc.batch import variant_spec
    from footprint.calc.system import build_system
    from footprint.model import read_product
    from footprint.vocab import METHODS

    bundle = read_bundle()
    base_spec = read_product(base)
    scores = []
    for index in range(len(variants)):
        system = build_system(variant_spec(base_spec, variants, index), bundle, per=per)
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
        from footprint.brightway.install import setup
        from footprint.brightway.project import require_setup
        from footprint.calc.batch import run_batch
        from footprint.calc.variants import read_variants

        with contextlib.redirect_stdout(sys.stderr):
            setup()
        bd = require_setup()
        path = Path(tmp) / "variants.csv"
        write_variants(path, args.variants, args.seed)
        cold = cold_batch(path, args.per)

        variants = read_variants(path)
        # First call in this process: the one background solve included, imports and the open project not
        # (the same footing as the naive route, which starts with bw2data imported and the project open).
        started = time.perf_counter()
        run_batch(BASE, variants, per=args.per)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        result = run_batch(BASE, variants, per=args.per)
        batch_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):
            reference = naive(bd, variants, BASE, args.per)
        naive_seconds = time.perf_counter() - started

        worst = max(abs(a - b) / abs(b) for a, b in zip(result.location_based, reference))
        worst_cold = max(abs(a - b) / abs(b) for a, b in zip(cold["values"], reference))
        print(f"variants:                    {args.variants} ({result.groups} groups)")
        print(f"naive Brightway route:       {naive_seconds:.2f} s ({1000 * naive_seconds / args.variants:.1f} ms per variant)")
        print(f"batch, steady state:         {batch_seconds:.3f} s (background already solved in this process)")
        print(f"batch, first call:           {first_seconds:.3f} s (background solve included; imports and the open "
              f"project not, as for the naive route)")
        print(f"batch, cold:                 {cold['seconds']:.3f} s (fresh process: import footprint {cold['import']:.2f} s, "
              f"run_batch with the background solve {cold['run']:.2f} s; Python start-up {cold['startup']:.2f} s more)")
        print(f"largest relative difference: {max(worst, worst_cold):.1e} (must be <= 1e-9)")
        print(f"speed-up, steady state:      {naive_seconds / batch_seconds:.0f}x")
        print(f"speed-up, first call:        {naive_seconds / first_seconds:.0f}x")
        print(f"speed-up, cold:              {naive_seconds / cold['seconds']:.0f}x")
        if max(worst, worst_cold) > 1e-9:
            sys.exit("batch and naive results disagree")


COLD = """
import json, sys, time
started = time.perf_counter()
import footprint.calc.batch
imported = time.perf_counter()
result = footprint.calc.batch.run_batch(sys.argv[1], sys.argv[2], per=sys.argv[3])
done = time.perf_counter()
print(json.dumps({"import": imported - started, "run": done - imported, "values": [float(v) for v in result.location_based]}))
"""


def cold_batch(path, per):
    """The batch in a fresh Python process: imports, the background solve and the run."""
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", COLD, str(BASE), str(path), per], capture_output=True, text=True,
                               env=os.environ.copy(), check=True)
    wall = time.perf_counter() - started
    timing = json.loads(completed.stdout.strip().splitlines()[-1])
    timing["seconds"] = timing["import"] + timing["run"]
    timing["startup"] = wall - timing["seconds"]
    return timing


if __name__ == "__main__":
    main()

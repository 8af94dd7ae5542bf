"""Monte Carlo: the fast path versus bw2calc's own Monte Carlo loop, the same product, in one run.

What each route does for ``--iterations`` draws of the example module (per kWp):

- fast path (``footprint.uncertainty.monte_carlo``): read the product file, list its uncertain
  figures, draw each from its distribution (numpy PCG64, one stream per figure), build the
  product system with arrays of draws (the batch's code) and evaluate it on the background
  solved at setup, the background's rows drawn and propagated in numpy; 10,000 draws at a time;
- bw2calc's loop (``footprint.brightway.montecarlo.bw2calc_monte_carlo``):
  ``bw2calc.LCA(..., use_distributions=True, use_arrays=True)``, ``lci()``, ``lcia()``, then
  ``next(lca)`` per draw (every matrix rebuilt, the whole system solved again); the
  background's distributions are the uncertainty fields setup wrote into the installed
  exchanges, sampled by stats_arrays; the foreground's draws come from the same figures
  (another seed), as arrays.

The ratio is bw2calc's loop (its ``LCA`` object, the first draw and every ``next``; building its
datapackages from the project not counted) over the fast path's whole call from the product
file (reading it, the background loaded from setup's file, every draw and the statistics):
the footing least favourable to the fast path. The steady-state call (a second run in the
process) is printed too. The two routes' statistics must agree within sampling error (4
standard errors of the difference, see tests/test_uncertainty.py).

Measured on this project's 2-core machine, four runs of 10,000 draws while other developers'
test suites kept it busy (load average 4 to 8), so times vary from run to run:

| run | fast, first call | fast, steady | bw2calc's loop | speed-up, first call | speed-up, steady |
|---|---|---|---|---|---|
| 1 | 0.144 s | 0.096 s | 67.96 s (6.80 ms per draw) | 472x | 708x |
| 2 | 0.104 s | 0.053 s | 34.53 s (3.45 ms per draw) | 332x | 647x |
| 3 | 0.088 s | 0.059 s | 28.32 s (2.83 ms per draw) | 321x | 480x |
| 4 | 0.205 s | 0.062 s | 35.85 s (3.58 ms per draw) | 175x | 582x |
| 5 | 0.262 s | 0.145 s | 71.27 s (7.13 ms per draw) | 272x | 493x |

Run 5 (2026-12-02, load average 5 to 6, data 2026.12.x with 46 uncertain figures): mean 426.44
and 426.57, sd 16.63 and 16.48, 2.5 percentile 394.39 and 395.02, median 426.33 and 426.19, 97.5
percentile 459.42 and 459.53 (fast and bw2calc): 0.57, 0.91, 1.01, 0.46 and 0.16 standard errors
apart; Kolmogorov-Smirnov p-value 0.48. Runs 1 to 4 were on the data of 2026.11:

the statistics (the same seeds each run, so the same numbers): mean 437.99 and 438.18 kg
CO2-eq/kWp, sd 16.51 and 16.20, 2.5 percentile 406.37 and 407.55, median 437.71 and 437.84,
97.5 percentile 471.31 and 471.15 (fast and bw2calc): 0.83, 1.94, 1.91, 0.43 and 0.26 standard
errors of the difference apart; the two-sample Kolmogorov-Smirnov p-value 0.69.

Run (about half a minute for 10,000 draws)::

    .venv/bin/python benchmarks/montecarlo_vs_bw2calc.py
    .venv/bin/python benchmarks/montecarlo_vs_bw2calc.py --iterations 2000

It works in a temporary data directory (never the user's own).
"""

import argparse
import contextlib
import math
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the command line does: small solves, one thread

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "examples" / "perc-glass-backsheet-jiangsu.yaml"
#: Standard errors of the difference two estimates may be apart.
Z = 4.0


def agreement(fast, reference):
    """(statistic, fast, bw2calc, difference in standard errors of the difference) for mean, sd and percentiles."""
    from scipy.special import ndtri

    n, m = len(fast), len(reference)
    sd = (fast.std(ddof=1) + reference.std(ddof=1)) / 2
    rows = [("mean", fast.mean(), reference.mean(), math.sqrt(sd ** 2 / n + sd ** 2 / m)),
            ("sd", fast.std(ddof=1), reference.std(ddof=1), sd * math.sqrt(1 / (2 * n) + 1 / (2 * m)))]
    for p in (0.025, 0.5, 0.975):
        density = math.exp(-0.5 * float(ndtri(p)) ** 2) / math.sqrt(2 * math.pi) / sd
        error = math.sqrt(p * (1 - p) * (1 / n + 1 / m)) / density
        rows.append((f"p{100 * p:g}", np.quantile(fast, p), np.quantile(reference, p), error))
    return [(name, a, b, abs(a - b) / error) for name, a, b, error in rows]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per", default="kWp")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="footprint-bench-") as tmp:
        os.environ["FOOTPRINT_HOME"] = str(Path(tmp) / "home")
        from footprint.brightway.install import setup
        from footprint.brightway.montecarlo import bw2calc_monte_carlo
        from footprint.brightway.project import require_setup
        from footprint.uncertainty.montecarlo import monte_carlo, prepare

        with contextlib.redirect_stdout(sys.stderr):
            setup()
        require_setup()  # bw2data imported and the project open before either route, as for the batch benchmark

        started = time.perf_counter()
        fast = monte_carlo(BASE, iterations=args.iterations, seed=args.seed, per=args.per)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        monte_carlo(BASE, iterations=args.iterations, seed=args.seed, per=args.per)
        steady_seconds = time.perf_counter() - started

        started = time.perf_counter()
        model, options = prepare(BASE, per=args.per, gwp="ar6", boundary="cradle-to-gate", as_of=None)
        generators = model.generators(args.seed + 1)
        values = {figure.path: figure.sample(generators[figure.path], args.iterations) for figure in model.figures}
        system, divisor = model.system_for(values, args.iterations)
        with contextlib.redirect_stdout(sys.stderr):
            scores, loop_seconds = bw2calc_monte_carlo(system.location, system.demand, bundle=model.bundle, gwp="ar6",
                                                       iterations=args.iterations, seed=args.seed + 2)
        reference_seconds = time.perf_counter() - started
        reference = scores / divisor

        rows = agreement(fast.samples_of("total"), reference)
        from scipy.stats import ks_2samp

        ks = ks_2samp(fast.samples_of("total"), reference).pvalue
        print(f"product:               {BASE.name}, per {args.per}, {len(model.figures)} uncertain figures")
        print(f"iterations:            {args.iterations:,} each route (seed {args.seed})")
        print(f"fast path, first call: {first_seconds:.3f} s (the product file read, the background loaded, every draw)")
        print(f"fast path, steady:     {steady_seconds:.3f} s (the same call again in this process)")
        print(f"bw2calc's loop:        {loop_seconds:.2f} s ({1000 * loop_seconds / args.iterations:.2f} ms per draw; "
              f"{reference_seconds:.2f} s with its datapackages built from the project)")
        print("statistics (kg CO2-eq/{}):  fast        bw2calc     |difference| / standard error".format(args.per))
        for name, a, b, z in rows:
            print(f"  {name:<8}               {a:>10.3f}  {b:>10.3f}  {z:.2f}")
        print(f"Kolmogorov-Smirnov p:  {ks:.2f}")
        print(f"speed-up, first call:  {loop_seconds / first_seconds:.0f}x")
        print(f"speed-up, steady:      {loop_seconds / steady_seconds:.0f}x")
        if any(z > Z for *_, z in rows):
            sys.exit("the fast path and bw2calc disagree beyond sampling error")


if __name__ == "__main__":
    main()

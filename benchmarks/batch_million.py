"""`footprint batch` of a million variants: CPU time and peak memory of the whole command.

Writes a variants CSV of ``--rows`` rows (default 1,000,000) with an ``id`` column and four
numeric columns (wafer thickness, cell efficiency, polysilicon electricity, rated power;
units in the headers, or with ``--number-units`` two of them as "number unit" cells), runs
``python -m footprint batch`` on the PERC example in a fresh process and prints its CPU
time (user + system) and peak resident memory, as ``/usr/bin/time -v`` would.

With ``--tree DIR`` the same command also runs with another checkout's ``footprint``
package first on ``PYTHONPATH`` (such as the code before a change: ``git archive <commit> |
tar -x -C DIR``); both are printed and the two results CSVs must be byte-identical, and the
provenance files identical but for ``computed_at`` and ``results_file``.

Measured (2 cores shared with other work, AMD EPYC, Python 3.11, numpy 2.4, one run each,
the two versions side by side at a load average of about 3; 1,000,000 rows, 36 MB of CSV
in, 248 MB of results CSV out)::

    units in the headers        ad86928   10.2 s CPU (8.9 user + 1.2 system), 269 MB peak
                                7d62696   29.0 s CPU (27.9 user + 1.1 system), 906 MB peak
    "number unit" cells         ad86928   10.1 s CPU (8.9 user + 1.2 system), 262 MB peak
                                7d62696   31.0 s CPU (29.8 user + 1.2 system), 918 MB peak

Results CSVs byte-identical, provenance identical but for the date. On a busier machine
(load average 4 to 7) the same runs took 11.7 to 15.9 s and 41.7 to 43.7 s: CPU time rises
with the load (shared caches), so compare runs made side by side.

Run (a minute or two, plus the set-up of a temporary data directory)::

    .venv/bin/python benchmarks/batch_million.py
    .venv/bin/python benchmarks/batch_million.py --rows 200000 --number-units
    .venv/bin/python benchmarks/batch_million.py --tree /tmp/footprint-before
"""

import argparse
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


def write_variants(path, rows, *, seed=2026, number_units=False):
    """A variants CSV of numeric columns only (one group: every row is evaluated as arrays)."""
    rng = random.Random(seed)
    efficiency = "stages.cell.efficiency" if number_units else "stages.cell.efficiency [%]"
    electricity = "stages.polysilicon.electricity" if number_units else "stages.polysilicon.electricity [kWh/kg]"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "stages.wafer.thickness [um]", efficiency, electricity, "product.rated_power [W]"])
        for index in range(rows):
            cell = f"{rng.uniform(21.0, 26.5):.2f}"
            poly = f"{rng.uniform(40, 75):.3f}"
            writer.writerow([f"v{index:07d}", f"{rng.uniform(110, 175):.2f}", f"{cell} %" if number_units else cell,
                             f"{poly} kWh/kg" if number_units else poly, f"{rng.uniform(530, 600):.1f}"])


def run(variants, output, *, tree=None):
    """``footprint batch`` in a fresh process: (CPU seconds, peak MB, wall seconds, its last stderr line)."""
    env = os.environ.copy()
    if tree:
        env["PYTHONPATH"] = str(tree)
    command = [sys.executable, "-m", "footprint", "batch", str(variants), "--base", str(BASE), "--per", "kWp",
               "-o", str(output)]
    started = time.perf_counter()
    # not run from the checkout: python -m puts the working directory before PYTHONPATH
    process = subprocess.Popen(command, env=env, cwd=Path(output).parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    stderr = process.stderr.read()
    process.stderr.close()
    _, status, usage = os.wait4(process.pid, 0)  # the child's own resource usage
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if process.returncode != 0:
        sys.exit(f"footprint batch failed ({process.returncode}): {stderr.strip()}")
    lines = [line for line in stderr.splitlines() if "variants in" in line]
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, wall, usage, (lines or [""])[-1]


def same_provenance(a, b):
    """Two provenance files alike but for when and where the results were written."""
    left, right = (json.loads(Path(path).read_text(encoding="utf-8")) for path in (a, b))
    for data in (left, right):
        data.pop("computed_at")
        data.pop("results_file")
    return left == right


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--number-units", action="store_true", help='efficiency and electricity as "number unit" cells')
    parser.add_argument("--tree", help="another checkout to run the same command with (PYTHONPATH), and compare")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="footprint-million-") as tmp:
        tmp = Path(tmp)
        os.environ["FOOTPRINT_HOME"] = str(tmp / "home")
        # set up in a child process too: this process stays small, and a child's peak memory counts
        # the parent's pages it shares between fork and exec
        subprocess.run([sys.executable, "-m", "footprint", "setup"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        variants = tmp / "variants.csv"
        write_variants(variants, args.rows, number_units=args.number_units)
        print(f"variants: {args.rows:,} rows, {variants.stat().st_size / 1e6:.0f} MB"
              f"{' (number unit cells)' if args.number_units else ''}; load average {os.getloadavg()[0]:.1f}")
        runs = {"this checkout": (None, tmp / "results.csv")}
        if args.tree:
            runs[f"--tree {args.tree}"] = (args.tree, tmp / "results-tree.csv")
        for label, (tree, output) in runs.items():
            cpu, peak, wall, usage, line = run(variants, output, tree=tree)
            print(f"{label}: {cpu:.1f} s CPU ({usage.ru_utime:.1f} user + {usage.ru_stime:.1f} system), "
                  f"{peak:.0f} MB peak, {wall:.1f} s wall; {output.stat().st_size / 1e6:.0f} MB of results")
            print(f"    {line}")
        if args.tree:
            (_, mine), (_, theirs) = runs.values()
            same = mine.read_bytes() == theirs.read_bytes()
            provenance = same_provenance(mine.with_name("results.provenance.json"),
                                         theirs.with_name("results-tree.provenance.json"))
            print(f"results CSV byte-identical: {same}; provenance identical but for the date: {provenance}")
            if not (same and provenance):
                sys.exit("the two checkouts wrote different results")


if __name__ == "__main__":
    main()

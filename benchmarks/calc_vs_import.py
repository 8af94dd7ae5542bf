"""A fresh `footprint calc` against importing Brightway, measured in the same run.

The calculation path does not import Brightway: setup solves the background with bw2calc
once and saves it; `calc` reads the product, the bundled data and that saved background, and
evaluates the foreground in numpy. This benchmark times whole processes, alternately:

- A: ``footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per kWp --format json``
  (a new product file name each time is not needed: nothing is cached between processes
  except what setup wrote);
- B: ``python -c "import bw2data, bw2calc"`` (pointed at a temporary BRIGHTWAY2_DIR);
- C: ``footprint label ... --scheme kr-carbon --format json``;

and prints the median wall and CPU seconds of each and the ratios A/B and C/B.

Usage::

    .venv/bin/python benchmarks/calc_vs_import.py [RUNS]

Measured on this project's 2-core machine (2026-12-02, 7 runs, medians): see README.md,
"Speed". The target of the Layers and API issue: A/B and C/B at most 0.5.
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PRODUCT = ROOT / "examples" / "perc-glass-backsheet-jiangsu.yaml"


def run(command, env):
    """Wall and CPU (user + sys of the child) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(runs=7):
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "FOOTPRINT_HOME": str(Path(scratch) / "home"), "BRIGHTWAY2_DIR": str(Path(scratch) / "bw")}
        env.pop("FOOTPRINT_VERIFY", None)
        (Path(scratch) / "bw").mkdir()
        subprocess.run([PYTHON, "-m", "footprint", "setup"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        commands = {
            "A calc": [PYTHON, "-m", "footprint", "calc", str(PRODUCT), "--per", "kWp", "--format", "json"],
            "B import bw2data, bw2calc": [PYTHON, "-W", "ignore", "-c", "import bw2data, bw2calc"],
            "C label": [PYTHON, "-m", "footprint", "label", str(PRODUCT), "--scheme", "kr-carbon", "--format", "json"],
        }
        for command in commands.values():  # warm the file cache
            run(command, env)
        figures = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                figures[name].append(run(command, env))
    medians = {name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
               for name, values in figures.items()}
    for name, (wall, cpu) in medians.items():
        print(f"{name:<28} wall {wall:.3f} s  cpu {cpu:.3f} s")
    base_wall, base_cpu = medians["B import bw2data, bw2calc"]
    for name in ("A calc", "C label"):
        wall, cpu = medians[name]
        print(f"{name} / B: wall {wall / base_wall:.2f}x, cpu {cpu / base_cpu:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)

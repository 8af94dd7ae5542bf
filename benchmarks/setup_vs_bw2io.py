"""``footprint setup`` on an empty data directory versus bw2io's own route to biosphere3.

What each route does, per run, in a fresh Python process and a fresh temporary directory:

- bw2io route: point ``BRIGHTWAY2_DIR`` at an empty directory, import bw2data and bw2io,
  create a project and run ``bw2io.create_default_biosphere3()`` (biosphere3 with bw2data's
  search index, nothing else);
- footprint route: ``python -m footprint setup`` with ``FOOTPRINT_HOME`` an empty directory:
  biosphere3 and footprint's own flows, the five IPCC GWP100 methods, the bundled
  background inventories, and the background solved once per GWP set and saved.

The routes alternate (which goes first alternates too), so that both see the same load on
the machine; the interpreter's own start-up (``python -c pass``) is timed alongside. Wall
time and CPU time (user + system, of the child process) are reported as medians, and the
ratio of the medians is the figure of merit.

Run (about a minute)::

    .venv/bin/python benchmarks/setup_vs_bw2io.py              # 7 runs of each
    .venv/bin/python benchmarks/setup_vs_bw2io.py --runs 11

``--baseline DIR`` also times ``footprint setup`` of another copy of the source (say an
older commit, ``git archive <commit> | tar -x -C DIR``) in the same rounds, run from that
directory with this virtual environment.

It never touches the user's own Brightway or footprint directories.

Figures, medians, measured on 2 CPUs shared with other people's test runs (load average 3
to 8), Python 3.11.7, bw2data 4.8, bw2io 0.9.17. On a busy machine the CPU times are the
steadier figure; wall times grow with the load but their ratio holds. "before" is run as
``--baseline`` in the same rounds.

Medians [s], wall / CPU:

- commit 1410c67 against the same tree with this work's changes to install.py and
  background.py undone (9 runs, load 4 to 8): bw2io route 8.06 / 3.68; footprint setup
  7.17 / 3.83; before 12.70 / 6.88. footprint / bw2io: 0.89 / 1.04, before 1.58 / 1.87.
  The two runs at a quiet moment: bw2io 3.38 and 3.63 s, footprint 3.89 and 3.92 s, before
  6.28 and 6.54 s (1.15 and 1.08; before 1.86 and 1.80).
- commit e1a41a5 against commit 7d62696 (still importing bw2io): 9 runs, load ~3: bw2io
  route 3.60 / 3.26; after 3.69 / 3.79; before 6.82 / 6.85: footprint / bw2io 1.03 / 1.16,
  before 1.89 / 2.10. 11 runs, load 3.5 to 6: 1.11 / 1.17, before 1.95 / 1.93. A loop of
  ``/usr/bin/time`` (5 runs each, load ~7): bw2io route 11.2 s wall, 4.06 s CPU; footprint
  setup 12.5 s, 4.71 s: 1.11 / 1.16.

Where the time went, before (CPU, from profiles): decoding all 40.8 MB of bw2io's LCIA JSON
to keep five methods 1.3-1.45 s; bw2data's search index of the written databases 0.5 s;
importing bw2io 0.4 s; ``get_node``/``get_id`` queries, one per characterisation factor,
0.3-0.5 s; OpenBLAS's threads in the background's small dense solve up to 0.35 s a GWP set
on a busy machine. Left: importing bw2data (1.0 s, as in the bw2io route) and bw2calc
(0.2 s), writing biosphere3 (as in the bw2io route), pint's definitions parsed twice on a
first run (once at import, once to write the cache), reading the bundled data, the five
methods and the background.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: bw2io's own route: an empty Brightway directory, a project, biosphere3.
BW2IO_ROUTE = """
import bw2data, bw2io
bw2data.projects.set_current("footprint")
bw2io.create_default_biosphere3()
"""


def _environment(scratch):
    """The environment of a run: no Brightway or footprint directory of the user's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BRIGHTWAY", "FOOTPRINT_"))}
    brightway = scratch / "brightway"
    brightway.mkdir()
    env["BRIGHTWAY2_DIR"] = str(brightway)
    env["FOOTPRINT_HOME"] = str(scratch / "footprint")
    return env


def run_once(route, baseline=None):
    """Run one route in a fresh process and directory; return (wall, cpu) [s]."""
    commands = {
        "python": [sys.executable, "-c", "pass"],
        "bw2io": [sys.executable, "-c", BW2IO_ROUTE],
        "footprint": [sys.executable, "-m", "footprint", "setup"],
        "baseline": [sys.executable, "-m", "footprint", "setup"],
    }
    # python -m puts the working directory first on sys.path: the baseline runs its own source
    cwd = baseline if route == "baseline" else ROOT
    with tempfile.TemporaryDirectory(prefix=f"setup-bench-{route}-") as scratch:
        env = _environment(Path(scratch))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        ran = subprocess.run(commands[route], cwd=cwd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if ran.returncode != 0:
        raise SystemExit(f"{route} route failed ({ran.returncode}):\n{ran.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each route (default 7)")
    parser.add_argument("--baseline", type=Path, metavar="DIR", help="another copy of the source to time as well")
    args = parser.parse_args(argv)
    routes = ("python", "bw2io", "footprint") + (("baseline",) if args.baseline else ())
    times = {route: [] for route in routes}
    for run in range(args.runs):
        order = routes if run % 2 == 0 else tuple(reversed(routes))
        for route in order:
            times[route].append(run_once(route, args.baseline))
        print(f"run {run + 1}/{args.runs}: " + ", ".join(f"{route} {times[route][-1][0]:.2f} s" for route in routes),
              file=sys.stderr)
    print(f"{'route':<12}{'wall median [s]':>16}{'min':>8}{'max':>8}{'CPU median [s]':>16}")
    medians = {}
    for route in routes:
        walls = [wall for wall, _ in times[route]]
        cpus = [cpu for _, cpu in times[route]]
        medians[route] = (statistics.median(walls), statistics.median(cpus))
        print(f"{route:<12}{medians[route][0]:>16.2f}{min(walls):>8.2f}{max(walls):>8.2f}{medians[route][1]:>16.2f}")
    wall_ratio = medians["footprint"][0] / medians["bw2io"][0]
    cpu_ratio = medians["footprint"][1] / medians["bw2io"][1]
    print(f"footprint setup / bw2io route: {wall_ratio:.2f} (wall), {cpu_ratio:.2f} (CPU), {args.runs} runs each")
    if args.baseline:
        print(f"baseline setup / bw2io route: {medians['baseline'][0] / medians['bw2io'][0]:.2f} (wall), "
              f"{medians['baseline'][1] / medians['bw2io'][1]:.2f} (CPU)")


if __name__ == "__main__":
    main()

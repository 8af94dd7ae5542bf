"""Shared fixtures: a set-up data directory in a temp dir, never the user's own.

``footprint_home`` bootstraps once per test process (a few seconds); tests that need a
pristine or broken project make their own with ``fresh_home``.

The suite runs in parallel (pytest-xdist, ``-n`` in pyproject.toml): each worker is its own
process with its own ``footprint_home``, so what a test writes into the data directory
(product databases, the claims ledger, ``clean()``) is never seen by another worker. Set-up
twice on two cores costs the same wall time as once, and needs no lock between workers.
What several tests only read and is slow to make (a PDF report) is made once in the whole
run with :func:`once_per_run`, whichever worker asks first.

Command-line tests run in this process with :func:`invoke` (click's runner); :func:`run_cli`
starts ``python -m footprint`` for what only a separate process shows: exit codes and
stderr of a real process (warnings and logging printed at import), stdout free of anything
but the output, a process environment of its own.
"""

import atexit
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Before anything imports bw2data: it creates its directory where BRIGHTWAY2_DIR points at
# import (by default the user's own ~/.local/share/Brightway3). The library points it at
# FOOTPRINT_HOME itself; this is the safety net for anything that imports bw2data first.
_SCRATCH = Path(tempfile.mkdtemp(prefix="footprint-tests-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
(_SCRATCH / "brightway").mkdir()
os.environ["BRIGHTWAY2_DIR"] = str(_SCRATCH / "brightway")
os.environ.setdefault("FOOTPRINT_HOME", str(_SCRATCH / "footprint-home"))
# Every calculation of the suite is cross-checked against a full bw2calc LCA (footprint.compute's verify).
os.environ.setdefault("FOOTPRINT_VERIFY", "1")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PERC = EXAMPLES / "perc-glass-backsheet-jiangsu.yaml"


@pytest.fixture(scope="session")
def footprint_home(tmp_path_factory):
    """A data directory set up once for this test process; FOOTPRINT_HOME points at it."""
    home = tmp_path_factory.mktemp("footprint-home")
    previous = os.environ.get("FOOTPRINT_HOME")
    os.environ["FOOTPRINT_HOME"] = str(home)
    from footprint.brightway.install import setup

    setup()
    yield home
    if previous is None:
        os.environ.pop("FOOTPRINT_HOME", None)
    else:
        os.environ["FOOTPRINT_HOME"] = previous


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory):
    """A folder of this test run that every xdist worker sees (the workers' own temp folders are in it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_run(run_dir, name, make):
    """``make(folder)`` run once in the whole test run; the other workers wait for it and load its result.

    ``folder`` (``run_dir/shared/name``) is where ``make`` writes its files, for every worker
    to read; the result is pickled beside it. Tests must only read what they get.
    """
    import filelock

    folder = run_dir / "shared" / name
    folder.parent.mkdir(exist_ok=True)
    result = folder.parent / f"{name}.pickle"
    with filelock.FileLock(f"{result}.lock"):
        if result.exists():
            return pickle.loads(result.read_bytes())
        try:
            value = make(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # the next test that asks tries again, and fails with its own error
            raise
        result.write_bytes(pickle.dumps(value))
    return value


@pytest.fixture
def home_env(footprint_home, monkeypatch):
    """Make sure FOOTPRINT_HOME is the session's set-up directory for this test."""
    monkeypatch.setenv("FOOTPRINT_HOME", str(footprint_home))
    return footprint_home


def run_cli(*args, home, input=None):
    """Run ``python -m footprint ARGS`` in a subprocess; return the CompletedProcess."""
    env = {**os.environ, "FOOTPRINT_HOME": str(home)}
    env.pop("FOOTPRINT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "footprint", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=ROOT, input=input, timeout=300)


@dataclass
class Invoked:
    """What :func:`invoke` saw; the attributes of run_cli's CompletedProcess that the tests read."""

    args: list
    returncode: int
    stdout: str
    stderr: str


def invoke(*args, home, input=None):
    """Run ``footprint ARGS`` in this process with click's runner, as :func:`run_cli` would.

    FOOTPRINT_HOME is ``home`` for the call only (the library reads it at call time), without
    FOOTPRINT_DEBUG; the working directory is the checkout's, as run_cli's; stdout and stderr
    are kept apart. An exception that escapes the command is raised here, with its traceback.
    """
    from click.testing import CliRunner

    from footprint.cli import main

    runner = CliRunner(env={"FOOTPRINT_HOME": str(home), "FOOTPRINT_DEBUG": None})
    arguments = [str(arg) for arg in args]
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        result = runner.invoke(main, arguments, input=input, catch_exceptions=False, prog_name="footprint")
    finally:
        os.chdir(before)
    return Invoked(arguments, result.exit_code, result.stdout, result.stderr)


def split_warnings(stderr, path):
    """stderr's lines as (footprint's own warnings on ``path``, every other line).

    The plausibility checks warn on some examples' values (footprint.model.checks) with
    ``warning: PATH: ...`` before the result or the error; anything else is another line.
    """
    prefix = f"warning: {path}: "
    warnings = [line for line in stderr.splitlines() if line.startswith(prefix)]
    return warnings, [line for line in stderr.splitlines() if not line.startswith(prefix)]


def copy_example(tmp_path, name="perc-glass-backsheet-jiangsu.yaml"):
    target = tmp_path / name
    shutil.copy(EXAMPLES / name, target)
    return target

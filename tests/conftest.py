"""Shared fixtures: a set-up data directory in a temp dir, never the user's own.

``footprint_home`` bootstraps once per test session (a few seconds); tests that need a
pristine or broken project make their own with ``fresh_home``.
"""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
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
    """A data directory set up once for the whole session; FOOTPRINT_HOME points at it."""
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


def copy_example(tmp_path, name="perc-glass-backsheet-jiangsu.yaml"):
    target = tmp_path / name
    shutil.copy(EXAMPLES / name, target)
    return target

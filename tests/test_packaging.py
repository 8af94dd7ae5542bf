"""The wheel carries the data folders: inventories, methods and report templates are found
from an installed package, outside the checkout.

The wheel is built from a copy of the checkout's source files (tracked, or new and not
ignored), so that nothing left in the checkout's build/ can ship, and the checkout gets no
build/ or egg-info from the test.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

DATA_FOLDERS = ("inventories", "methods", "report_templates")


def source_files():
    """The checkout's source files, relative paths: what a clean clone would hold."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout: cannot tell source files from build output")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    return sorted({name for name in listed.split("\0") if name and (ROOT / name).is_file()})


def copy_sources(target):
    for name in source_files():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target


def test_wheel_install_finds_bundled_data(tmp_path):
    source = copy_sources(tmp_path / "source")
    assert not (source / "build").exists() and not list(source.glob("*.egg-info"))  # nothing stale to ship
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(wheels)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("footprint-*.whl")
    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    probe = ("import footprint, footprint.resources as r, footprint.bundle.read as i\n"
             "print(footprint.__file__)\n"
             f"for folder in {DATA_FOLDERS!r}: print(r.data_dir(folder))\n"
             "print(len(i.read_bundle().datasets))\n")
    env = {key: value for key, value in os.environ.items() if key not in ("FOOTPRINT_INVENTORIES", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert ran.returncode == 0, ran.stderr
    package, *folders, count = ran.stdout.split("\n")[:-1]
    assert Path(package).parent == site / "footprint"  # the installed copy, not the checkout's
    assert folders == [str(site / "footprint" / "_data" / folder) for folder in DATA_FOLDERS]
    assert int(count) > 0
    # every source file of each data folder ships, and nothing else does
    for folder in DATA_FOLDERS:
        expected = {Path(name).relative_to(folder).as_posix() for name in source_files() if name.startswith(f"{folder}/")}
        shipped = {path.relative_to(site / "footprint" / "_data" / folder).as_posix()
                   for path in (site / "footprint" / "_data" / folder).rglob("*")
                   if path.is_file() and "__pycache__" not in path.parts}
        assert expected and shipped == expected, folder

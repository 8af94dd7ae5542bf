"""The wheel carries the data folders: inventories are found from an installed package."""

import os
import subprocess
import sys

from conftest import ROOT


def test_wheel_install_finds_bundled_data(tmp_path):
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("footprint-*.whl")
    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    probe = ("import footprint.resources as r, footprint.inventories as i; "
             "print(r.data_dir('inventories')); print(len(i.read_bundle().datasets))")
    env = {**os.environ, "PYTHONPATH": str(site)}
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert ran.returncode == 0, ran.stderr
    folder, count = ran.stdout.split()
    assert folder == str(site / "footprint" / "_data" / "inventories")
    assert int(count) > 0

"""Processes at once on one data directory: nothing lost from Brightway's registry, no half-read database, same numbers."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
import yaml

from conftest import PERC, ROOT


@pytest.fixture(scope="session")
def own_home(tmp_path_factory):
    """A data directory of this module's own: the test writes many product databases into it."""
    home = tmp_path_factory.mktemp("concurrent-home")
    env = {**os.environ, "FOOTPRINT_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "footprint", "setup"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=600)
    return home


def products(folder, ids):
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    paths = []
    for index, product_id in enumerate(ids):
        data["product"]["id"] = product_id
        data["product"]["rated_power"] = f"{540 + ids.index(product_id)} W"  # distinct products differ in their numbers
        path = folder / f"p{index}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        paths.append(path)
    return paths


def registry_and_rows(home):
    """The databases bw2data's registry lists, and those its SQLite file holds rows of."""
    project = next(path for path in (home / "brightway").iterdir() if (path / "databases.json").is_file())
    registry = json.loads((project / "databases.json").read_text(encoding="utf-8"))
    with sqlite3.connect(project / "lci" / "databases.db") as connection:
        rows = {name for (name,) in connection.execute("SELECT DISTINCT database FROM activitydataset")}
    return set(registry), rows


def test_eight_processes_distinct_and_same_products(own_home, tmp_path, monkeypatch):
    ids = ["conc-a", "conc-b", "conc-c", "conc-d", "conc-same", "conc-same", "conc-same", "conc-same"]
    paths = products(tmp_path, ids)
    env = {**os.environ, "FOOTPRINT_HOME": str(own_home), "FOOTPRINT_VERIFY": "1"}
    running = [subprocess.Popen([sys.executable, "-m", "footprint", "calc", str(path), "--per", "kWp", "--format", "json"],
                                env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for path in paths]
    outputs = [process.communicate(timeout=600) for process in running]
    for (stdout, stderr), process in zip(outputs, running):
        assert process.returncode == 0, stderr
    totals = [json.loads(stdout)["total"]["value"] for stdout, _ in outputs]
    crosschecks = {json.loads(stdout)["provenance"]["cross_check"] for stdout, _ in outputs}
    assert crosschecks == {"bw2calc agrees to 1e-09 (location- and market-based)"}
    assert len(set(totals[4:])) == 1  # the same product four times: the same number
    assert len(set(totals[:5])) == 5  # distinct products: distinct numbers
    # each equals a calculation made alone, in this process
    from footprint.calc import compute

    monkeypatch.setenv("FOOTPRINT_HOME", str(own_home))
    for path, total in zip(paths[:5], totals[:5]):
        assert compute(path, per="kWp", verify=False).total.value == total
    registered, stored = registry_and_rows(own_home)
    assert registered == stored  # nothing registered without rows, nothing stored but lost from the registry
    products_written = {name for name in registered if name.startswith("footprint-product-conc-")}
    assert {name.rsplit("-", 1)[0] for name in products_written} == {f"footprint-product-{i}" for i in set(ids)}


def test_a_very_long_product_id_makes_a_database_with_its_rows(own_home, tmp_path):
    path = products(tmp_path, ["x" * 210])[0]
    env = {**os.environ, "FOOTPRINT_HOME": str(own_home)}
    completed = subprocess.run([sys.executable, "-m", "footprint", "calc", str(path), "--brightway"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    registered, stored = registry_and_rows(own_home)
    assert registered == stored
    assert any(name.startswith("footprint-product-" + "x" * 60 + "-") for name in registered)

"""A dossier stores the shared database entries it used: ``footprint verify`` recomputes it without the database.

The stored copy must hash to the sha256 the database took when the version was added
(``shared.show_entry``), the dossier must verify IDENTICAL with no registry at all and after
the entry is withdrawn (the database's state now is a note), a changed copy is refused naming
it, and an older dossier without stored entries still verifies through the database.
"""

import hashlib
import json
import shutil

from test_shared_data import AL_REF, GRID_REF, frame_product, grid_entry, material_entry
from test_shared_data import publish as publish_entry
from test_shareddb_use import REF, SUPPLIER, products, publish, registry  # noqa: F401 (the fixture)

import footprint.shareddb as shared
from footprint.report import write_report
from footprint.supplier import resolving

from conftest import invoke

STORED = "inputs/shared/POLY-XJ-2026@1.json"


def dossier(tmp_path, registry):  # noqa: F811
    _, as_entry = products(tmp_path)
    with resolving(shared.resolver(registry=registry)):
        write_report(as_entry, scheme="cn-cfp", out_dir=tmp_path / "dossier", pdf=False)
    return tmp_path / "dossier"


def verify(folder, home, monkeypatch, registry):  # noqa: F811
    monkeypatch.setenv("FOOTPRINT_REGISTRY", str(registry))
    done = invoke("verify", folder, home=home)
    as_json = invoke("verify", folder, "--format", "json", home=home)
    return done, json.loads(as_json.stdout)


def test_the_dossier_stores_the_entry_as_the_database_hashed_it(tmp_path, registry):  # noqa: F811
    publish(registry)
    folder = dossier(tmp_path, registry)
    raw = (folder / STORED).read_bytes()
    database = shared.show_entry("POLY-XJ-2026@1", registry=registry)
    assert hashlib.sha256(raw).hexdigest() == database["sha256"]
    assert json.loads(raw)["payload"] == database["payload"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"][STORED] == database["sha256"]  # listed: a signature of manifest.json covers it
    kept = manifest["shared_entries"][REF]
    assert (kept["file"], kept["sha256"], kept["provenance"]["state"]) == (STORED, database["sha256"], "published")
    [result] = folder.glob("*-result.json")
    [row] = json.loads(result.read_text(encoding="utf-8"))["provenance"]["shared_entries"]
    assert row["sha256"] == database["sha256"]


def test_it_verifies_identical_with_no_registry_at_all(tmp_path, registry, home_env, monkeypatch):  # noqa: F811
    publish(registry)
    folder = dossier(tmp_path, registry)
    nowhere = tmp_path / "none" / "registry.sqlite"
    done, data = verify(folder, home_env, monkeypatch, nowhere)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0].startswith(f"{folder}: IDENTICAL")
    assert "1 shared database entry read from the dossier" in done.stdout
    assert f"not asked (no registry at {nowhere})" in done.stdout
    assert data["verdict"] == "identical" and data["shared_entries"][0]["file"] == STORED
    assert not nowhere.exists()  # verifying made no database


def test_after_the_entry_is_withdrawn_it_still_verifies_with_a_note(tmp_path, registry, home_env, monkeypatch):  # noqa: F811
    publish(registry)
    folder = dossier(tmp_path, registry)
    shared.withdraw("POLY-XJ-2026@1", by=SUPPLIER, reason="new furnace line", registry=registry)
    done, data = verify(folder, home_env, monkeypatch, registry)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "IDENTICAL" in done.stdout.splitlines()[0]
    [note] = [line for line in done.stdout.splitlines() if "shared database: registry:POLY-XJ-2026@1" in line]
    assert "withdrawn" in note and "new furnace line" in note and "version 1 as published then" in note
    assert data["shared_entries"][0]["now"] == "withdrawn"
    # the same dossier without its stored entry (as older dossiers are) cannot be recomputed now: the database refuses it
    old = old_style(folder, tmp_path / "old")
    done, data = verify(old, home_env, monkeypatch, registry)
    assert done.returncode == 1 and data["verdict"] == "cannot reproduce"
    assert "registry:POLY-XJ-2026@1: withdrawn (new furnace line); expected a validated entry" in done.stdout


def test_a_changed_stored_entry_is_refused_naming_it(tmp_path, registry, home_env, monkeypatch):  # noqa: F811
    publish(registry)
    folder = dossier(tmp_path, registry)
    path = folder / STORED
    assert b'"pCfExcludingBiogenic":"30.5"' in path.read_bytes()
    path.write_bytes(path.read_bytes().replace(b'"pCfExcludingBiogenic":"30.5"', b'"pCfExcludingBiogenic":"3.05"'))
    nowhere = tmp_path / "none.sqlite"
    done, data = verify(folder, home_env, monkeypatch, nowhere)
    assert done.returncode == 1 and data["verdict"] == "altered"
    assert [line for line in done.stdout.splitlines() if STORED in line] == [
        f"  {STORED}: changed since the dossier was written (sha256 differs from manifest.json)"]
    # the manifest's list made to match (an unsigned dossier): the sha256 the calculation recorded still refuses it
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"][STORED] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    done, data = verify(folder, home_env, monkeypatch, nowhere)
    assert done.returncode == 1 and data["verdict"] == "altered"
    [line] = [line for line in done.stdout.splitlines() if STORED in line]
    assert "manifest.json's shared_entries records for registry:POLY-XJ-2026@1" in line


def old_style(folder, target):
    """The dossier as written before entries were stored: no inputs/shared/, no shared_entries in the manifest."""
    shutil.copytree(folder, target)
    shutil.rmtree(target / "inputs" / "shared")
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    del manifest["shared_entries"]
    manifest["files"] = {name: digest for name, digest in manifest["files"].items() if not name.startswith("inputs/shared/")}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return target


def test_an_older_dossier_still_verifies_through_the_database(tmp_path, registry, home_env, monkeypatch):  # noqa: F811
    publish(registry)
    old = old_style(dossier(tmp_path, registry), tmp_path / "old")
    done, data = verify(old, home_env, monkeypatch, registry)
    assert done.returncode == 0, done.stdout + done.stderr
    assert data["verdict"] == "identical" and data["shared_entries"][0]["file"] is None
    assert "read from the dossier" not in done.stdout
    done, data = verify(old, home_env, monkeypatch, tmp_path / "none.sqlite")
    assert done.returncode == 1 and data["verdict"] == "cannot reproduce"


def test_a_material_factor_and_a_grid_factor_are_stored_too(tmp_path, registry, home_env, monkeypatch):  # noqa: F811
    publish_entry(registry, material_entry())
    publish_entry(registry, grid_entry())
    path = frame_product(tmp_path, AL_REF, **{"stages.cell.electricity_factor": GRID_REF})
    with resolving(shared.resolver(registry=registry)):
        write_report(path, scheme="cn-cfp", out_dir=tmp_path / "dossier", pdf=False)
    folder = tmp_path / "dossier"
    for ref in ("AL-SMELTER-2026@1", "GRID-CN-JS-2025@1"):
        raw = (folder / "inputs" / "shared" / f"{ref}.json").read_bytes()
        assert hashlib.sha256(raw).hexdigest() == shared.show_entry(ref, registry=registry)["sha256"]
    done, data = verify(folder, home_env, monkeypatch, tmp_path / "none.sqlite")
    assert done.returncode == 0, done.stdout + done.stderr
    assert data["verdict"] == "identical" and "2 shared database entries read from the dossier" in done.stdout


def test_a_superseded_entry_is_named_with_its_successor(tmp_path, registry, home_env, monkeypatch):  # noqa: F811
    publish(registry)
    folder = dossier(tmp_path, registry)
    done, _ = verify(folder, home_env, monkeypatch, registry)
    [note] = [line for line in done.stdout.splitlines() if "shared database: registry:POLY-XJ-2026@1" in line]
    assert "published, as when the dossier was written" in note
    publish(registry)  # version 2, published: it supersedes version 1
    assert shared.show_entry("POLY-XJ-2026@1", registry=registry)["state"] == "superseded"
    done, data = verify(folder, home_env, monkeypatch, registry)
    assert done.returncode == 0 and data["verdict"] == "identical"
    [note] = [line for line in done.stdout.splitlines() if "shared database: registry:POLY-XJ-2026@1" in line]
    assert "superseded by version 2; the dossier used version 1 as published then" in note

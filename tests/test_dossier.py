"""The dossier: written whole or not at all, never over another folder, and verifiable from its own inputs."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import yaml

from footprint.errors import InputError, OutputExistsError
from footprint.report import write_report
from footprint.report.verify import verify_dossier

from conftest import EXAMPLES, PERC, ROOT


@pytest.fixture(scope="module")
def dossier(footprint_home, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dossiers") / "kr"
    write_report(PERC, scheme="kr-carbon", out_dir=folder, pdf=False)
    return folder


def copy_of(dossier, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(dossier, target)
    return target


def rehash(folder, name):
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_the_dossier_holds_its_inputs_and_a_manifest_of_every_file(dossier):
    manifest = json.loads((dossier / "manifest.json").read_text(encoding="utf-8"))
    listed = set(manifest["files"])
    on_disk = {p.relative_to(dossier).as_posix() for p in dossier.rglob("*") if p.is_file()} - {"manifest.json"}
    assert listed == on_disk
    assert "inputs/perc-glass-backsheet-jiangsu.yaml" in listed
    assert (dossier / "inputs" / "perc-glass-backsheet-jiangsu.yaml").read_bytes() == PERC.read_bytes()
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((dossier / name).read_bytes()).hexdigest() == digest
    assert manifest["options"]["scheme"] == "kr-carbon" and manifest["options"]["gwp"] == "ar6"
    result = json.loads((dossier / "perc-gb-550-jiangsu-kr-carbon-result.json").read_text(encoding="utf-8"))
    assert result["inputs_sha256"] == manifest["inputs_sha256"] == hashlib.sha256(PERC.read_bytes()).hexdigest()


def test_an_untouched_dossier_is_identical(dossier, tmp_path):
    check = verify_dossier(copy_of(dossier, tmp_path))  # a copy elsewhere: paths differ, identity does not
    assert check.verdict == "identical", check.reasons
    assert check.recomputed["result_sha256"] == check.declared["result_sha256"]


def test_a_changed_byte_a_missing_file_or_an_added_file_is_altered(dossier, tmp_path):
    folder = copy_of(dossier, tmp_path)
    html = folder / "perc-gb-550-jiangsu-kr-carbon.html"
    data = bytearray(html.read_bytes())
    data[len(data) // 2] ^= 1
    html.write_bytes(bytes(data))
    check = verify_dossier(folder)
    assert check.verdict == "altered" and any("kr-carbon.html: changed" in reason for reason in check.reasons)
    (folder / "perc-gb-550-jiangsu-kr-carbon-label.svg").unlink()
    (folder / "extra.txt").write_text("x", encoding="utf-8")
    reasons = " ".join(verify_dossier(folder).reasons)
    assert "label.svg: listed in manifest.json but missing" in reasons and "extra.txt: not listed" in reasons


def test_an_input_changed_and_rehashed_recomputes_different(dossier, tmp_path):
    folder = copy_of(dossier, tmp_path)
    product = folder / "inputs" / "perc-glass-backsheet-jiangsu.yaml"
    product.write_text(product.read_text(encoding="utf-8").replace("rated_power: 550 W", "rated_power: 540 W"), encoding="utf-8")
    rehash(folder, "inputs/perc-glass-backsheet-jiangsu.yaml")
    check = verify_dossier(folder)
    assert check.verdict == "different"
    total = next(d for d in check.differences if d["where"] == "total")
    assert total["recomputed"] / total["declared"] == pytest.approx(550 / 540, rel=1e-9)  # per kWp: same module, less power


def test_another_data_version_cannot_be_reproduced(dossier, tmp_path):
    folder = copy_of(dossier, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["data_version"] = "2020.1.1"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    check = verify_dossier(folder)
    assert check.verdict == "cannot reproduce" and "data version 2020.1.1" in check.reasons[0]


def test_not_a_dossier_is_one_line(tmp_path):
    with pytest.raises(InputError, match="no manifest.json; expected a dossier folder"):
        verify_dossier(tmp_path)


def test_an_existing_dossier_is_replaced_only_when_asked_and_never_a_folder_of_other_files(footprint_home, tmp_path):
    folder = tmp_path / "out"
    write_report(PERC, scheme="kr-carbon", out_dir=folder, pdf=False)
    with pytest.raises(OutputExistsError, match="exists and is not empty"):
        write_report(PERC, scheme="kr-carbon", out_dir=folder, pdf=False)
    write_report(PERC, scheme="kr-carbon", out_dir=folder, pdf=False, overwrite=True)
    others = tmp_path / "others"
    others.mkdir()
    (others / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="not a dossier written by footprint"):
        write_report(PERC, scheme="kr-carbon", out_dir=others, pdf=False, overwrite=True)
    assert (others / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_a_failure_while_writing_leaves_the_old_dossier_and_records_no_claim(footprint_home, tmp_path, monkeypatch):
    from footprint import report
    from footprint.claims import clear_claims, list_claims

    shutil.copy(ROOT / "tests" / "data" / "site-jiangsu-2024.yaml", tmp_path / "site.yaml")
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    data["product"]["id"] = "by-hand-module"  # the site file's output names it
    data["stages"]["cell"]["electricity_instruments"] = "site.yaml"
    data["product"]["electricity_basis"] = "official"  # the site file's certificate has no life-cycle factor of its own
    product = tmp_path / "p.yaml"
    product.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    folder = tmp_path / "out"
    clear_claims(product="by-hand-module")
    write_report(product, scheme="kr-carbon", out_dir=folder, pdf=False)  # records nothing by default
    assert [claim for claim in list_claims() if claim.product == "by-hand-module"] == []
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "_write_workbook", broken)
    with pytest.raises(OSError):
        write_report(product, scheme="kr-carbon", out_dir=folder, pdf=False, overwrite=True, record_claims=True)
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no temporary folder left
    assert [claim for claim in list_claims() if claim.product == "by-hand-module"] == []
    monkeypatch.undo()
    write_report(product, scheme="kr-carbon", out_dir=folder, pdf=False, overwrite=True, record_claims=True)
    assert len([claim for claim in list_claims() if claim.product == "by-hand-module"]) == 3  # GEC, PPA, on-site PV
    clear_claims(product="by-hand-module")


def test_kill_9_while_writing_leaves_the_old_dossier_or_the_new_one(footprint_home, tmp_path):
    folder = tmp_path / "out"
    write_report(PERC, scheme="kr-carbon", out_dir=folder, pdf=False)
    env = {**os.environ, "FOOTPRINT_HOME": str(footprint_home), "FOOTPRINT_VERIFY": "0"}
    outcomes = set()
    for delay in (0.8, 1.2, 1.6, 2.0, 2.6):
        process = subprocess.Popen([sys.executable, "-m", "footprint", "report", str(PERC), "--scheme", "kr-carbon", "-o",
                                    str(folder), "--no-pdf", "--force"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        check = verify_dossier(folder)
        assert check.verdict == "identical", (delay, check.reasons)
        outcomes.add(json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["created_at"])
    assert EXAMPLES.is_dir() and outcomes

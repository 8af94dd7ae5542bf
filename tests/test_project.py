"""footprint.brightway.project: offline bootstrap into a temp dir, idempotence, versions, locking."""

import contextlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from footprint.brightway import install as project
from footprint.errors import SetupError

from conftest import ROOT, run_cli


@pytest.fixture
def fresh_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    return home


def test_setup_twice_second_is_a_no_op(fresh_home):
    first = project.setup()
    assert [action for _, action, _ in first.actions] == ["installed", "installed", "installed"]
    bd = project.brightway()
    assert set(bd.databases) >= {"biosphere3", project.BACKGROUND}
    for method in project.METHODS.values():
        assert method in bd.methods
    # bw2data's directory is inside FOOTPRINT_HOME, never the user's own Brightway directory
    assert str(bd.projects.dir).startswith(str(fresh_home))
    second = project.setup()
    assert [action for _, action, _ in second.actions] == ["up to date"] * 3
    assert not second.changed


def test_new_data_version_reinstalls_only_what_changed(fresh_home, tmp_path, monkeypatch):
    project.setup()
    changed = tmp_path / "inventories"
    shutil.copytree(ROOT / "inventories", changed)
    manifest = changed / "manifest.yaml"
    manifest.write_text(manifest.read_text().replace('data_version: "', 'data_version: "99.'), encoding="utf-8")
    monkeypatch.setattr("footprint.bundle.read.data_dir", lambda folder: changed)
    report = project.setup()
    assert dict((part, action) for part, action, _ in report.actions) == {
        "biosphere3": "up to date", "methods": "up to date", "inventories": "re-installed"}
    assert json.loads((fresh_home / "installed.json").read_text())["data_version"].startswith("99.")


def test_compute_before_setup_says_what_to_do(fresh_home):
    from footprint.calc import compute

    with pytest.raises(SetupError, match="run 'footprint setup' first"):
        compute(ROOT / "examples" / "perc-glass-backsheet-jiangsu.yaml")


def test_two_processes_setting_up_at_once(tmp_path):
    home = tmp_path / "shared-home"
    env = {**os.environ, "FOOTPRINT_HOME": str(home)}
    command = [sys.executable, "-m", "footprint", "setup"]
    runs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    said = [out for out, _ in outputs]
    # the lock serialises them: one installs, the other finds everything in place
    assert sum(out.strip().splitlines()[-1] == "ready" for out in said) == 1
    assert sum("already up to date" in out for out in said) == 1
    check = run_cli("setup", home=home)
    assert check.returncode == 0 and "already up to date" in check.stdout


def test_setup_cli_output_and_version(fresh_home):
    result = run_cli("setup", home=fresh_home)
    assert result.returncode == 0
    assert "biosphere3" in result.stdout and "installed" in result.stdout
    version = run_cli("--version", home=fresh_home)
    assert version.returncode == 0 and "footprint, version" in version.stdout
    for command in ([], ["setup"], ["calc"]):
        helped = run_cli(*command, "--help", home=fresh_home)
        assert helped.returncode == 0 and "Usage:" in helped.stdout


def test_test_helpers_and_a_calc_write_nothing_in_the_users_home(footprint_home, tmp_path):
    # A fake HOME with no Brightway or XDG variables: bw2data, imported too early, would
    # create HOME/.local/share/Brightway3 (the user's own Brightway directory).
    fake_home = tmp_path / "fake-home"
    fake_home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("XDG_", "BRIGHTWAY")) and key not in ("HOME", "FOOTPRINT_HOME")}
    env.update(HOME=str(fake_home), FOOTPRINT_HOME=str(footprint_home))
    script = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "import handcalc\n"
        "assert 'bw2data' not in sys.modules, 'importing the hand computation imported bw2data'\n"
        "assert handcalc.gwp100_ar6()\n"
        "from footprint.calc import compute\n"
        "print(compute('examples/perc-glass-backsheet-jiangsu.yaml').total.value)\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert float(ran.stdout) > 0
    assert sorted(str(path.relative_to(fake_home)) for path in fake_home.rglob("*")) == []


@pytest.mark.parametrize("where, reason", [("a-file", "is a file"), ("a-file/sub", "cannot create")])
def test_footprint_home_that_is_no_directory_is_one_line(tmp_path, where, reason):
    (tmp_path / "a-file").write_text("not a directory")
    target = tmp_path / where
    for command in (["setup"], ["calc", ROOT / "examples" / "perc-glass-backsheet-jiangsu.yaml"]):
        result = run_cli(*command, home=target)
        assert result.returncode == 1
        # the example's plausibility warnings may come first (footprint.model.checks); the error is one line
        errors = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
        assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
        assert f"FOOTPRINT_HOME={target}: " in result.stderr
        assert reason in result.stderr and "expected a directory" in result.stderr


def test_footprint_home_not_writable(fresh_home, monkeypatch):
    fresh_home.mkdir()
    monkeypatch.setattr(project.os, "access", lambda path, mode: False)  # tests may run as root
    with pytest.raises(SetupError, match=rf"FOOTPRINT_HOME={fresh_home}: {fresh_home} is not writable; expected a directory"):
        project.setup()


def _full_decode(path, names):
    """What setup used to do: decode all of bw2io's LCIA JSON and keep the named records."""
    import zipfile

    found = {}
    with zipfile.ZipFile(path) as archive:
        for record in json.loads(archive.read("data.json")):
            if tuple(record["name"]) in names:
                found[tuple(record["name"])] = record
    return found


def test_lcia_methods_read_alone_equal_a_full_decode(monkeypatch):
    lcia_zip = project._lcia_zip()
    names = set(project.METHODS.values())
    with monkeypatch.context() as patched:  # bw2io's own file takes the fast path
        patched.setattr(project, "_read_all_lcia_methods", lambda *args: pytest.fail("decoded the whole file"))
        fast = project.read_lcia_methods(lcia_zip, names)
    assert set(fast) == names
    assert fast == _full_decode(lcia_zip, names)


def _write_lcia_zip(path, records, text=None):
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.json", text if text is not None else json.dumps(records))
    return path


@pytest.mark.parametrize("case", ["plain", "brace in a string", "name twice", "other spacing", "absent"])
def test_lcia_methods_read_alone_fall_back_to_a_full_decode(tmp_path, case):
    wanted = ("IPCC 2021", "climate change", "global warming potential (GWP100)")
    other = ("IPCC 2021", "climate change: fossil", "global warming potential (GWP100)")
    cfs = [{"name": "Carbon dioxide, fossil", "amount": 1.0, "input": ["biosphere3", "349b29d1"]}]
    records = [
        {"filename": "x", "unit": "kg CO2-Eq", "name": list(other), "description": "", "exchanges": cfs},
        {"filename": "a", "unit": "kg CO2-Eq", "name": list(wanted), "description": "", "exchanges": cfs},
    ]
    text = None
    if case == "brace in a string":
        records[1]["filename"] = 'a } {"name": ["x"], "exchanges": []} {'
        records[1]["unit"] = "{"
    elif case == "name twice":
        records.append({**records[1], "unit": "the last one counts", "exchanges": []})
    elif case == "other spacing":
        text = json.dumps(records, separators=(",", ":"))
    elif case == "absent":
        records = records[:1]
    path = _write_lcia_zip(tmp_path / "lcia.zip", records, text)
    read = project.read_lcia_methods(path, {wanted, other})
    assert read == _full_decode(path, {wanted, other})
    if case == "name twice":
        assert read[wanted]["unit"] == "the last one counts"


def test_setup_writes_no_search_index_and_the_methods_of_bw2io(home_env):
    # footprint never searches its databases: bw2data's full-text index was a quarter of setup
    bd = project.brightway()
    with contextlib.redirect_stdout(sys.stderr):
        bd.projects.set_current(project.PROJECT)
    for name in (project.BIOSPHERE, project.OWN_BIOSPHERE, project.BACKGROUND):
        assert not bd.databases[name].get("searchable"), name
    assert bd.databases[project.BIOSPHERE]["number"] == 4709
    # every factor is bw2io's (plus the library's own aggregated flow), on the same flow
    names = set(project.METHODS.values())
    extra = project.extra_characterisation()
    for name, record in _full_decode(project._lcia_zip(), names).items():
        expected = sorted((tuple(cf["input"]), cf["amount"]) for cf in record["exchanges"])
        expected = sorted(expected + [(tuple(key), amount) for key, amount in extra.get(name[1], [])])
        installed = sorted(((node["database"], node["code"]), amount) for node, amount in bd.Method(name))
        assert installed == expected, name


def test_biosphere_flows_read_without_bw2io_equal_its_importer(home_env):
    project.bw2io()
    from bw2io.importers import Ecospold2BiosphereImporter

    with contextlib.redirect_stdout(sys.stderr):
        importer = Ecospold2BiosphereImporter()
        importer.apply_strategies()
    flows = project.read_biosphere_flows(project._bw2io_data() / "lci" / "ecoinvent elementary flows 3.9.xml")
    assert flows == importer.data
    assert [list(flow) for flow in flows] == [list(flow) for flow in importer.data]  # the keys' order too
    from importlib.metadata import version

    assert version("bw2io") == project.BW2IO_READ_ALIKE, "checked against another bw2io: update BW2IO_READ_ALIKE"


def test_setup_does_not_import_bw2io(tmp_path):
    # importing bw2io took 0.4 s of a first setup; its data files are read without it
    env = {**os.environ, "FOOTPRINT_HOME": str(tmp_path / "home")}
    script = "import sys, footprint.brightway.install as i; i.setup(); print('bw2io' in sys.modules)"
    ran = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "False"

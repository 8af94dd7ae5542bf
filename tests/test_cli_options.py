"""Options shared by the commands that compute: --electricity-basis and --registry (footprint/cli/options.py)."""

import json

import pandas
import pytest
import yaml
from test_shareddb_use import products, publish, registry  # noqa: F401  (registry: the fixture)

from footprint.labels import evaluate_label
from footprint.uncertainty.montecarlo import monte_carlo

from calc_helpers import write_product
from conftest import PERC, invoke

SCHEME = "kr-carbon"


def official_file(tmp_path):
    """The example product, its file saying product.electricity_basis: official."""
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    data["product"]["electricity_basis"] = "official"
    return write_product(tmp_path, data, "official.yaml")


def test_label_electricity_basis_gives_what_the_file_saying_it_gives(tmp_path, home_env):
    in_file = evaluate_label(official_file(tmp_path), scheme=SCHEME).decision.value_unrounded
    default = evaluate_label(PERC, scheme=SCHEME).decision.value_unrounded
    by_keyword = evaluate_label(PERC, scheme=SCHEME, electricity_basis="Official")
    completed = invoke("label", PERC, "--scheme", SCHEME, "--electricity-basis", "official", "--format", "json",
                       home=home_env)
    assert completed.returncode == 0, completed.stderr
    by_option = json.loads(completed.stdout)["value_unrounded"]
    assert abs(in_file - default) > 1e-3 * abs(default)  # the option does change the basis
    assert by_keyword.decision.value_unrounded == pytest.approx(in_file, rel=1e-12)
    assert by_option == pytest.approx(in_file, rel=1e-12)
    assert {use["basis"] for use in by_keyword.result["electricity"]["uses"]} == {"official"}


def test_report_electricity_basis_gives_what_the_file_saying_it_gives(tmp_path, home_env):
    in_file = evaluate_label(official_file(tmp_path), scheme=SCHEME).decision.value_unrounded
    out = tmp_path / "dossier"
    completed = invoke("report", PERC, "--scheme", SCHEME, "--electricity-basis", "OFFICIAL", "-o", out, "--no-pdf",
                       home=home_env)
    assert completed.returncode == 0, completed.stderr
    [label_file] = out.glob("*-label.json")
    decision = json.loads(label_file.read_text(encoding="utf-8"))["decision"]
    assert decision["value_unrounded"] == pytest.approx(in_file, rel=1e-12)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["electricity_basis"] == "official"  # so that `footprint verify` recomputes the same
    checked = invoke("verify", out, "--format", "json", home=home_env)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("command", [
    ["label", PERC, "--scheme", SCHEME],
    ["report", PERC, "--scheme", SCHEME, "-o", "never-written"],
    ["batch", "variants.csv", "--base", PERC, "-o", "never.csv"],
    ["montecarlo", PERC],
    ["sensitivity", PERC],
])
def test_a_bad_electricity_basis_is_one_line_exit_1(command, home_env):
    completed = invoke(*command, "--electricity-basis", "co2-only", home=home_env)
    assert completed.returncode == 1
    assert completed.stderr.strip() == "error: --electricity-basis: got 'co2-only'; expected one of life-cycle, official"


def test_label_takes_a_supplier_entry_through_registry(tmp_path, registry, home_env, monkeypatch):  # noqa: F811
    publish(registry)
    as_file, as_entry = products(tmp_path)
    expected = evaluate_label(as_file, scheme=SCHEME).decision.value_unrounded
    monkeypatch.setenv("FOOTPRINT_REGISTRY", str(tmp_path / "elsewhere.sqlite"))  # --registry wins
    completed = invoke("label", as_entry, "--scheme", SCHEME, "--registry", registry, "--format", "json", home=home_env)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["value_unrounded"] == pytest.approx(expected, rel=1e-12)


def test_batch_electricity_basis_gives_what_the_base_file_saying_it_gives(tmp_path, home_env):
    (tmp_path / "variants.csv").write_text("variant,stages.wafer.thickness [um]\nthin,130\nthick,160\n", encoding="utf-8")
    outputs = {}
    for name, base, extra in [("file", official_file(tmp_path), []), ("option", PERC, ["--electricity-basis", "official"])]:
        outputs[name] = tmp_path / f"{name}.csv"
        completed = invoke("batch", tmp_path / "variants.csv", "--base", base, "-o", outputs[name], "--per", "kWp",
                           "--verify", "1", *extra, home=home_env)
        assert completed.returncode == 0, completed.stderr
    frames = {name: pandas.read_csv(path) for name, path in outputs.items()}
    column = "location_based [kg CO2-eq/kWp]"
    assert list(frames["option"][column]) == pytest.approx(list(frames["file"][column]), rel=1e-12)
    provenance = json.loads((tmp_path / "option.provenance.json").read_text(encoding="utf-8"))
    assert provenance["electricity_basis"] == "official"


def test_montecarlo_electricity_basis_gives_what_the_file_saying_it_gives(tmp_path, home_env):
    in_file = monte_carlo(official_file(tmp_path), iterations=10, seed=1, per="kWp")
    completed = invoke("montecarlo", PERC, "-n", "10", "--seed", "1", "--per", "kWp", "--electricity-basis", "official",
                       "--format", "json", home=home_env)
    assert completed.returncode == 0, completed.stderr
    by_option = json.loads(completed.stdout)
    assert by_option["total"]["static"] == pytest.approx(in_file.total.static, rel=1e-12)
    assert by_option["total"]["median"] == pytest.approx(in_file.total.median, rel=1e-9)

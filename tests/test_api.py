"""The public API: `import footprint` gives the real functions, typed and documented; results as DataFrames; no side effects."""

import inspect
import re
from pathlib import Path

import pytest
import yaml

import footprint

from conftest import PERC, ROOT

FUNCTIONS = ["setup", "clean", "read_product", "compute", "run_batch", "read_variants", "evaluate_label", "list_schemes",
             "write_report", "write_template", "read_workbook", "list_datasets", "datasets",
             "monte_carlo", "probability_of_meeting", "tornado", "sobol_indices", "monte_carlo_batch"]


def test_every_public_name_is_the_real_object():
    for name in footprint.__all__:
        value = getattr(footprint, name)
        assert value is not None, name
    for name in FUNCTIONS:
        function = getattr(footprint, name)
        assert inspect.isfunction(function), name
        assert function.__module__.startswith("footprint."), name
        assert footprint._API[name] == function.__module__ or function.__module__.startswith(footprint._API[name]), name
    assert set(FUNCTIONS) | {"FootprintResult", "MonteCarloResult"} == set(footprint._API)
    with pytest.raises(AttributeError):
        footprint.no_such_thing  # noqa: B018


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_functions_are_typed_keyword_only_and_documented(name):
    function = getattr(footprint, name)
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    main_inputs = {"read_workbook": 1, "run_batch": 2}  # *paths; base and variants
    assert len(positional) <= main_inputs.get(name, 1), f"{name}: only the main input may be positional"
    for parameter in parameters:
        assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name}) has no type"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name} has no return type"
    doc = inspect.getdoc(function) or ""
    for section in ("Parameters" if parameters else "Returns", "Returns", "Examples"):
        assert section in doc, f"{name}: no {section} section"


def test_the_package_is_typed():
    assert (Path(footprint.__file__).parent / "py.typed").is_file()


def test_every_module_is_on_the_architecture_map():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = Path(footprint.__file__).parent
    missing = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if path.name == "__init__.py" and relative.parent != Path("."):
            needle = f"{relative.parent.name}/"
        else:
            needle = path.name
        if needle not in text:
            missing.append(str(relative))
    assert not missing, f"modules missing from docs/architecture.md: {missing}"


def test_several_declared_units_in_one_call_equal_single_calls(home_env):
    results = footprint.compute(PERC, per=["kWp", "module", "m2"])
    assert list(results) == ["kWp", "module", "m2"]
    for per, result in results.items():
        single = footprint.compute(PERC, per=per)
        assert result.total.value == single.total.value
        assert result.total.unit == f"kg CO2-eq/{per}"


def test_any_case_and_a_dict_give_the_same_result(home_env):
    reference = footprint.compute(PERC, per="kWp", gwp="ar6")
    assert footprint.compute(PERC, per="kwp", gwp="AR6").total.value == reference.total.value
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    # relative paths in a dict have no file to start from: the example has none
    assert footprint.compute(data, per="kWp").total.value == reference.total.value
    assert footprint.read_product(data).id == reference.product


def test_library_errors_name_the_argument_not_a_flag(home_env):
    with pytest.raises(footprint.InputError) as info:
        footprint.compute(PERC, per="furlong")
    assert str(info.value).startswith("per: got 'furlong'") and "--" not in str(info.value)
    with pytest.raises(footprint.InputError, match=r"^as_of: got 'yesterday'; expected a date YYYY-MM-DD$"):
        footprint.compute(PERC, as_of="yesterday")


def test_the_cli_names_the_flag(home_env):
    from conftest import invoke

    completed = invoke("datasets", "--geography", "Atlantis", home=home_env)
    assert completed.returncode == 1
    assert completed.stderr.startswith("error: --geography: unknown geography 'Atlantis'")


def test_to_frame_adds_up_to_the_total(home_env):
    result = footprint.compute(PERC, per="kWp")
    for by in ("stage", "activity", "gas", "origin"):
        frame = result.to_frame(by)
        assert frame["value"].sum() == pytest.approx(result.total.value, rel=1e-12), by
        assert frame.attrs["unit"] == "kg CO2-eq/kWp"
    stages = result.to_frame("stage")
    assert list(stages.index) == list(result.by_stage)
    assert stages.loc["module", "value"] == result.by_stage["module"].value
    market = result.to_frame("electricity")
    assert market["value"].sum() == pytest.approx(result.electricity.market_based.value, rel=1e-12)
    with pytest.raises(footprint.InputError, match="^by: got 'colour'"):
        result.to_frame("colour")
    assert f"total={result.total.value:.6g} kg CO2-eq/kWp" in repr(result) and 350 < result.total.value < 450
    assert "<table>" in result._repr_html_()


def test_datasets_frame_matches_the_list(home_env):
    frame = footprint.datasets(geography="CN-JS")
    entries = footprint.list_datasets(geography="CN-JS")
    assert list(frame.index) == [entry.id for entry in entries]
    assert frame.attrs["data_version"]
    assert re.fullmatch(r"\d(,\d){4}", frame["quality"].iloc[0] if isinstance(frame["quality"].iloc[0], str)
                        else ",".join(map(str, frame["quality"].iloc[0])))


def test_compute_has_no_side_effects_unless_asked(home_env, tmp_path, monkeypatch):
    from footprint.brightway.project import require_setup
    from footprint.claims import ledger_path

    monkeypatch.setenv("FOOTPRINT_VERIFY", "0")
    bd = require_setup()
    before = set(bd.databases)
    ledger = ledger_path()
    ledger_before = ledger.read_bytes() if ledger.exists() else None
    product = tmp_path / "p.yaml"
    product.write_text(PERC.read_text(encoding="utf-8").replace("perc-gb-550-jiangsu", "no-side-effects"), encoding="utf-8")
    footprint.compute(product, per="kWp")
    assert set(bd.databases) == before
    assert (ledger.read_bytes() if ledger.exists() else None) == ledger_before
    footprint.compute(product, per="kWp", brightway=True)
    written = set(bd.databases) - before
    assert len(written) == 1 and next(iter(written)).startswith("footprint-product-no-side-effects-")
    assert written <= set(footprint.clean(keep=[], dry_run=True))  # among the databases clean() would remove
    removed = footprint.clean(keep=[name for name in ("perc-gb-550-jiangsu",)])
    assert next(iter(written)) in removed and next(iter(written)) not in bd.databases

"""Hostile and careless input: refused in one line naming its place, in bounded time, never silently wrong."""

import datetime as dt
import time

import pytest
import yaml

from footprint.errors import InputError, UnitError
from footprint.fileio import add_years, load_json, load_yaml
from footprint.model.spec import parse_product
from footprint.units import parse_quantity, read_quantity

from conftest import PERC

BASE = PERC.read_text(encoding="utf-8")


def test_a_key_given_twice_is_refused_with_both_lines():
    text = BASE.replace("  name:", "  id: twice\n  name:", 1)
    with pytest.raises(InputError, match=r"<string>: line \d+: the key 'id' is given twice in one mapping \(also line \d+\)"):
        parse_product(text)


def test_a_merge_key_may_still_be_overridden():
    data = load_yaml(b"base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  x: 3\n", "f.yaml", what="a test")
    assert data["d"] == {"x": 3, "y": 2}


def billion_laughs(levels=9):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def test_aliases_that_expand_beyond_the_limit_are_refused_at_once():
    started = time.perf_counter()
    with pytest.raises(InputError, match="expands to more than 100,000 values once its aliases"):
        load_yaml(billion_laughs(), "laughs.yaml", what="a product file")
    assert time.perf_counter() - started < 5
    # in a product file, in a field whose error message would show the value
    text = billion_laughs().decode() + BASE.replace("  name:", "  name: *a8\n  old_name:", 1)
    with pytest.raises(InputError, match="expands to more than"):
        parse_product(text)


@pytest.mark.parametrize("raw, what", [(b"[" * 50000 + b"]" * 50000, "yaml"), (b"[" * 50000 + b"]" * 50000, "json")])
def test_deep_nesting_is_one_line(raw, what):
    loader = load_yaml if what == "yaml" else load_json
    with pytest.raises(InputError, match="nested too deep"):
        loader(raw, f"deep.{what}", what="a file")


@pytest.mark.parametrize("text, part", [
    ("9**9**9 um", "**9**"), ("1 um**9**9**9", "**9**"), ("1 m**999", "999"), ("2 kWh/1000 pcs", "1000"), ("7 MWh 2", "2"),
])
def test_numbers_are_plain_decimals_and_units_hold_no_number(text, part):
    started = time.perf_counter()
    with pytest.raises(UnitError, match=rf"a number \({part.replace('*', r'[*]')}\) inside the unit"):
        read_quantity(text, where="f.yaml: x")
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("text, expected", [
    ("1.2 kg/(tonne*km)", ("kg/(tonne*km)", 1.2)), ("2.58 m^2", ("m**2", 2.58)), ("3 m**2", ("m**2", 3.0)),
    ("1300 kWh/kWp/year", ("kWh/kWp/year", 1300.0)), ("0.5 cm2", ("cm**2", 0.5)), ("5 g/m2", ("g/m**2", 5.0)),
    ("1 s^-1", ("1/s", 1.0)), ("4 ton", ("kg", 4000.0)),
])
def test_exponents_and_usual_units_still_read(text, expected):
    unit, value = expected
    assert read_quantity(text).to(unit).magnitude == pytest.approx(value, rel=1e-15)


def test_a_400_digit_integer_is_one_line():
    with pytest.raises(UnitError, match="a whole number of 401 digits"):
        parse_quantity(10**400, "piece", where="p.yaml: stages.module.cells")


def test_control_characters_in_a_name_are_refused():
    text = BASE.replace("name: ", "name: \"Evil\\a \" # ", 1)
    with pytest.raises(InputError, match=r"product.name: got 'Evil\\x07.*control character U\+0007"):
        parse_product(text)


def test_a_year_beyond_the_calendar_is_one_line():
    with pytest.raises(InputError, match="the year 10001 is outside 1 to 9999"):
        add_years(dt.date(9999, 12, 31), 2)
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)


def test_a_bom_and_utf8_still_read():
    data = load_yaml("\ufeffa: 1\n".encode("utf-8"), "bom.yaml", what="a test")
    assert data == {"a": 1}
    assert yaml.safe_load("a: 1") == {"a": 1}


PACT = PERC.parent.parent / "tests" / "data" / "pact-polysilicon.json"


@pytest.mark.parametrize("change, message", [
    (lambda fp: fp["pcf"].__setitem__("pCfExcludingBiogenic", True), r"pcf.pCfExcludingBiogenic: got True \(bool\); expected a decimal number"),
    (lambda fp: fp["pcf"].__setitem__("fossilGhgEmissions", [1]), r"pcf.fossilGhgEmissions: got \[1\] \(list\); expected a decimal number"),
    (lambda fp: fp.__setitem__("companyName", ["ACME"]), r"companyName: got \['ACME'\] \(list\); expected text"),
    (lambda fp: fp["pcf"].__setitem__("primaryDataShare", False), r"primaryDataShare: got False; expected a percentage"),
    (lambda fp: fp["pcf"].__setitem__("dqi", [1, 2]), r"pcf.dqi: got \[1, 2\]; expected an object"),
    (lambda fp: fp["pcf"].__setitem__("ipccCharacterizationFactorsSources", "AR6"), r"ipccCharacterizationFactorsSources: got 'AR6'; expected a list"),
    (lambda fp: fp["pcf"].__setitem__("referencePeriodEnd", "99999-12-31T00:00:00Z"), r"referencePeriodEnd: got '99999-12-31T00:00:00Z'; expected an ISO 8601"),
])
def test_pact_json_types_are_checked(tmp_path, change, message):
    import json

    from footprint.supplier import read_pact

    data = json.loads(PACT.read_text(encoding="utf-8"))
    footprint_ = data["data"][0] if isinstance(data, dict) and "data" in data else data
    change(footprint_)
    path = tmp_path / "pact.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_pact(path)


def test_pact_in_latin_1_is_one_line(tmp_path):
    from footprint.supplier import read_pact

    path = tmp_path / "pact.json"
    path.write_bytes(PACT.read_text(encoding="utf-8").replace("}", ', "note": "Müller"}', 1).encode("latin-1"))
    with pytest.raises(InputError, match=r"pact.json: not UTF-8 text; expected a PACT ProductFootprint saved as UTF-8"):
        read_pact(path)


# -- never lose a user's file -------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    lambda p, d: ("calc", p, "-o", p),
    lambda p, d: ("calc", p, "--format", "json", "-o", p),
    lambda p, d: ("batch", d / "v.csv", "--base", p, "-o", d / "v.csv"),
    lambda p, d: ("batch", d / "v.csv", "--base", p, "-o", p),
])
def test_an_output_may_never_be_an_input(tmp_path, home_env, command):
    from conftest import run_cli

    product = tmp_path / "p.yaml"
    product.write_text(BASE, encoding="utf-8")
    (tmp_path / "v.csv").write_text("variant,stages.wafer.thickness [um]\na,150\n", encoding="utf-8")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    completed = run_cli(*command(product, tmp_path), "--force", home=home_env)
    assert completed.returncode == 1
    assert "is also an input of this command" in completed.stderr and "Traceback" not in completed.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_an_existing_output_is_replaced_only_with_force(tmp_path, home_env):
    from conftest import run_cli

    out = tmp_path / "r.json"
    out.write_text("mine", encoding="utf-8")
    completed = run_cli("calc", PERC, "--format", "json", "-o", out, home=home_env)
    assert completed.returncode == 1 and "r.json: exists; choose another name or allow replacing it (--force replaces it)" \
        in completed.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    completed = run_cli("calc", PERC, "--format", "json", "-o", out, "--force", home=home_env)
    assert completed.returncode == 0, completed.stderr
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["product"] == "perc-gb-550-jiangsu"
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]  # no temporary file left


def test_batch_neutralises_formulas_and_refuses_an_empty_table(tmp_path, home_env):
    from conftest import run_cli

    variants = tmp_path / "v.csv"
    variants.write_text('variant,stages.wafer.thickness [um]\n"=HYPERLINK(""http://x"")",150\n@cmd,160\n-1,170\nok,180\n',
                        encoding="utf-8")
    completed = run_cli("batch", variants, "--base", PERC, "-o", tmp_path / "r.csv", home=home_env)
    assert completed.returncode == 0, completed.stderr
    import csv

    rows = list(csv.reader((tmp_path / "r.csv").open(encoding="utf-8", newline="")))
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'@cmd", "'-1", "ok"]
    empty = tmp_path / "e.csv"
    empty.write_text("variant,stages.wafer.thickness [um]\n", encoding="utf-8")
    completed = run_cli("batch", empty, "--base", PERC, "-o", tmp_path / "e-out.csv", home=home_env)
    assert completed.returncode == 1 and "e.csv: a header and no variants; expected one row per variant" in completed.stderr
    assert not (tmp_path / "e-out.csv").exists()


def test_a_missing_site_file_names_the_field_that_references_it(tmp_path):
    text = BASE.replace("  cell:\n", "  cell:\n    electricity_instruments: nowhere.yaml\n", 1)
    assert "nowhere.yaml" in text
    with pytest.raises(InputError, match=r"stages.cell.electricity_instruments: got 'nowhere.yaml', but there is no such file"):
        parse_product(text, source=str(tmp_path / "p.yaml"))


@pytest.mark.slow
def test_kill_9_while_calc_writes_leaves_the_old_output_or_the_new_one(tmp_path, home_env):
    import json
    import os
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    out = tmp_path / "r.json"
    old = '{"old": true}\n'
    env = {**os.environ, "FOOTPRINT_HOME": str(home_env), "FOOTPRINT_VERIFY": "0"}
    for delay in (0.3, 0.5, 0.7, 0.9, 1.2, 3.0):
        out.write_text(old, encoding="utf-8")
        process = subprocess.Popen([sys.executable, "-m", "footprint", "calc", str(PERC), "--format", "json", "-o", str(out),
                                    "--force"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        text = out.read_text(encoding="utf-8")
        data = json.loads(text)  # never a mix: the old file, or a whole new one
        if data != {"old": True}:
            assert data["product"] == "perc-gb-550-jiangsu"


@pytest.mark.parametrize("command", [("calc", "/dev/zero"), ("import", "/dev/zero", "-o", "out.yaml"),
                                     ("batch", "/dev/zero", "--base", str(PERC), "-o", "out.csv"),
                                     ("label", "/dev/zero", "--scheme", "kr-carbon")])
def test_a_device_is_refused_at_once_not_read_until_memory_runs_out(tmp_path, home_env, command):
    from conftest import invoke

    started = time.perf_counter()
    result = invoke(*[str(tmp_path / part) if part.startswith("out.") else part for part in command], home=home_env)
    assert result.returncode == 1 and "/dev/zero: is a device, not a file" in result.stderr
    assert time.perf_counter() - started < 10


def test_a_reader_that_stops_early_is_no_internal_error(home_env):
    """`footprint ... | head -1`: the reader closes the pipe before the command writes; no 'internal error' line."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    env = {**os.environ, "FOOTPRINT_HOME": str(home_env)}
    env.pop("FOOTPRINT_DEBUG", None)
    reader = subprocess.Popen([sys.executable, "-m", "footprint", "datasets", "--format", "json"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.close()  # the reader is gone before the command writes (it takes a moment to start)
    stderr = reader.stderr.read().decode()
    assert reader.wait(timeout=300) != 0
    assert "internal error" not in stderr and "Traceback" not in stderr and "Exception ignored" not in stderr, stderr

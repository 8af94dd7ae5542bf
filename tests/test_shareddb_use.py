"""A product file uses a shared database entry: ``stages.polysilicon.supplier: registry:ENTRY@N``.

The entry carries the PACT declaration of tests/data/pact-polysilicon.json as its payload;
the expected total is the same product computed with that JSON given as a file.
"""

import datetime as dt
import json

import pytest

import footprint.shareddb as shared
from footprint.calc import compute
from footprint.errors import InputError
from footprint.provenance import combined_sha256, result_identity, result_sha256
from footprint.supplier import resolving

from calc_helpers import DATA, product_data, write_product
from conftest import invoke

BODY, SUPPLIER = "CQC", "Example Polysilicon Co."
PACT = json.loads((DATA / "pact-polysilicon.json").read_text(encoding="utf-8"))
TODAY = dt.date.today()
LAST = TODAY + dt.timedelta(days=30)  # the entry's last valid day, before the PACT file's (2027-02-28)
REF = "registry:POLY-XJ-2026@1"


def poly_entry(**changes):
    entry = {"id": "POLY-XJ-2026", "kind": "supplier_declaration", "title": "Poly 9N, modified Siemens",
             "value": "30.5 kg CO2-eq/kg", "source": "supplier's PACT declaration, verified by Example Verifier GmbH",
             "valid_from": str(TODAY - dt.timedelta(days=10)), "valid_until": str(LAST), "payload": PACT}
    entry.update(changes)
    return entry


@pytest.fixture
def registry(tmp_path, home_env):
    path = str(tmp_path / "registry.sqlite")
    shared.set_role(BODY, "certification_body", registry=path)
    shared.set_role(SUPPLIER, "supplier", registry=path)
    return path


def publish(registry, state="published"):
    ref = shared.add_entry(poly_entry(), owner=SUPPLIER, registry=registry)["ref"]
    if state == "draft":
        return
    shared.submit(ref, by=SUPPLIER, registry=registry)
    shared.validate(ref, reviewer=BODY, by="Zhang Min", registry=registry)
    shared.publish(ref, by=SUPPLIER, registry=registry)
    if state == "withdrawn":
        shared.withdraw(ref, by=SUPPLIER, reason="new furnace line", registry=registry)


def products(tmp_path):
    """The same product twice: its polysilicon from the PACT file, and from the shared entry."""
    (tmp_path / "supplier.json").write_text(json.dumps(PACT), encoding="utf-8")
    as_file = product_data(**{"stages.polysilicon.supplier": "supplier.json"})
    as_entry = product_data(**{"stages.polysilicon.supplier": REF})
    return write_product(tmp_path, as_file, "file.yaml"), write_product(tmp_path, as_entry, "entry.yaml")


def test_an_entry_gives_what_the_same_pact_file_gives_and_is_in_the_provenance(tmp_path, registry):
    publish(registry)
    as_file, as_entry = products(tmp_path)
    expected = compute(as_file, per="kWp")
    with resolving(shared.resolver(registry=registry)):
        result = compute(as_entry, per="kWp")
    assert result.total.value == pytest.approx(expected.total.value, rel=1e-12)
    assert result.by_origin["aggregated"].value == pytest.approx(expected.by_origin["aggregated"].value, rel=1e-12)
    [use] = result.supplier
    assert (use.file, use.company, use.value) == (REF, SUPPLIER, 30.5)
    sha = shared.show_entry("POLY-XJ-2026@1", registry=registry)["sha256"]
    [entry] = result.provenance.shared_entries
    assert entry == {"stage": "polysilicon", "ref": REF, "id": "POLY-XJ-2026", "version": 1, "sha256": sha,
                     "state": "published", "owner": SUPPLIER}
    files = result.provenance.input_files
    assert files[REF] == sha and len(files) == 2
    assert result.inputs_sha256 == combined_sha256(files)
    assert result_sha256(result) != result_sha256(expected)
    assert result_identity(expected)["provenance"]["shared_entries"] == []


def test_without_a_resolver_the_reference_is_refused(tmp_path, home_env):
    _, as_entry = products(tmp_path)
    with pytest.raises(InputError, match=r"entry.yaml: stages.polysilicon.supplier: registry:POLY-XJ-2026@1 is a shared "
                                         r"database entry, but no shared database was given"):
        compute(as_entry)


def test_a_malformed_reference_is_refused_where_it_is_written(tmp_path, home_env):
    path = write_product(tmp_path, product_data(**{"stages.polysilicon.supplier": "registry:POLY-XJ-2026"}))
    with pytest.raises(InputError, match=r"stages.polysilicon.supplier: got 'registry:POLY-XJ-2026'; expected "
                                         r"registry:ENTRY@VERSION"):
        compute(path)


def test_an_entry_under_the_stage_s_name_says_where_it_goes(tmp_path, home_env):
    """`supplier: {polysilicon: registry:...}` (the stage named again): the line says to write the entry as the supplier."""
    path = write_product(tmp_path, product_data(**{"stages.polysilicon.supplier": {"polysilicon": "registry:POLY-XJ-2026@3"}}))
    with pytest.raises(InputError, match=r"stages.polysilicon.supplier.polysilicon: unknown field; a shared entry is the "
                                         r"supplier itself: write 'stages.polysilicon.supplier: registry:POLY-XJ-2026@3'$"):
        compute(path)


@pytest.mark.parametrize("state, reason", [
    ("withdrawn", r"withdrawn \(new furnace line\); expected a validated entry"),
    ("draft", "draft, not validated; expected a validated or published entry"),
    ("expired", f"expired on {LAST}; the calculation date is {LAST + dt.timedelta(days=1)}"),
])
def test_the_command_line_refuses_an_unusable_entry_in_one_line(tmp_path, registry, home_env, state, reason, monkeypatch):
    publish(registry, state="published" if state == "expired" else state)
    _, as_entry = products(tmp_path)
    monkeypatch.setenv("FOOTPRINT_REGISTRY", registry)
    extra = ["--as-of", str(LAST + dt.timedelta(days=1))] if state == "expired" else []
    completed = invoke("calc", as_entry, *extra, home=home_env)
    assert completed.returncode == 1, completed.stdout
    # the by-hand product's outlier warnings come first; the refusal is one line
    [line] = [text for text in completed.stderr.splitlines() if not text.startswith("warning: ")]
    assert line.startswith(f"error: {as_entry}: stages.polysilicon.supplier: {REF}: ")
    assert line.endswith(reason.replace("\\", "")), line


def test_the_command_line_uses_a_published_entry(tmp_path, registry, home_env, monkeypatch):
    publish(registry)
    as_file, as_entry = products(tmp_path)
    expected = compute(as_file)
    monkeypatch.setenv("FOOTPRINT_REGISTRY", str(tmp_path / "elsewhere.sqlite"))  # --registry wins
    completed = invoke("calc", as_entry, "--registry", registry, "--format", "json", home=home_env)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["total"]["value"] == pytest.approx(expected.total.value, rel=1e-12)
    [entry] = result["provenance"]["shared_entries"]
    assert (entry["id"], entry["version"], entry["state"]) == ("POLY-XJ-2026", 1, "published")
    assert result["provenance"]["input_files"][REF] == entry["sha256"]

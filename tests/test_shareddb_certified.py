"""A certified footprint in PACT: the dossier's PACT figures, Active, the certificate as its assurance; valid against PACT 2.3.3.

The dossier is the example PERC module of tests/test_registry.py, reported with a reporting
period (so that it holds its PACT export), certified through the registry's process.
"""

import datetime as dt
import json
from pathlib import Path

import pytest
from test_registry import APPLICANT, BODY, SCHEME, issue, material, run_process  # noqa: F401 (material: a fixture)

import footprint.registry as reg
import footprint.shareddb as shared
from footprint.shareddb.pact import get_footprint, list_footprints

SCHEMA = json.loads((Path(__file__).parent / "data" / "pact-2.3.3.schema.json").read_text(encoding="utf-8"))
PERIOD = "2025"  # the reporting period: referencePeriodEnd 2026-01-01T00:00:00Z (excluded)


@pytest.fixture
def cert_registry(tmp_path):
    """The registry of these tests: a SQLite file (tests/test_shared_data_postgres.py: a PostgreSQL database)."""
    return str(tmp_path / "registry.sqlite")


@pytest.fixture
def certified(tmp_path, material, cert_registry):  # noqa: F811
    from footprint.report import write_report

    registry = cert_registry
    files = write_report(material["product"], scheme=SCHEME, out_dir=tmp_path / "dossier", pdf=False, period=PERIOD)
    assert files.pact_json is not None
    app = run_process(registry, tmp_path / "dossier")
    number = issue(registry, app, material, offset=-5)["certificate"]
    shared.set_role(BODY, "certification_body", registry=registry)
    shared.set_role(APPLICANT, "manufacturer", registry=registry)
    dossier = json.loads(files.pact_json.read_text(encoding="utf-8"))
    return registry, number, dossier


def publish_certified(registry, number):
    ref = shared.add_certified(number, by=APPLICANT, registry=registry)["ref"]
    shared.submit(ref, by=APPLICANT, registry=registry)
    shared.validate(ref, reviewer=BODY, by="Zhang Min", registry=registry)
    return shared.publish(ref, by=APPLICANT, registry=registry)


def test_a_published_certified_footprint_is_an_active_pact_footprint(certified, tmp_path):
    import jsonschema

    registry, number, dossier = certified
    assert dossier["status"] == "Deprecated"  # the dossier's own export: a draft, made before the certificate
    entry = publish_certified(registry, number)
    record = reg.show(number, registry=registry)
    # the signed certificate's URL, which a PACT reader outside this server can open (not a bare /verify/ path)
    verification_url = json.loads(reg.export(number, out_dir=tmp_path / "cert", formats=("json",), registry=registry)[0].read_text(
        encoding="utf-8"))["verification_url"]
    assert verification_url.startswith("https://") and verification_url.endswith(f"/verify/{number}")
    found, more = list_footprints(viewer=APPLICANT, registry=registry)
    [doc] = found
    assert not more and doc == get_footprint(entry["pf_id"], viewer=BODY, registry=registry)
    assert list(jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
                .iter_errors(doc)) == []
    assert (doc["id"], doc["status"], doc["version"]) == (entry["pf_id"], "Active", 0) and "statusComment" not in doc
    assurance = doc["pcf"].pop("assurance")
    assert assurance == {"assurance": True, "providerName": BODY, "completedAt": f"{record['issued_on']}T00:00:00Z",
                         "standardName": SCHEME, "comments": f"certificate {number}; its status: {verification_url}"}
    assert doc["pcf"] == dossier["pcf"]  # the certified dossier's figures, unchanged
    assert (doc["companyName"], doc["productIds"]) == (APPLICANT, dossier["productIds"])
    assert number in doc["comment"] and "DRAFT" not in doc["comment"]
    # PACT's validity: from the issue date (on or after the reference period's end, 2026-01-01) to the last valid day
    # (excluded: the day after), at most three years after the reference period's end
    issued, last = dt.date.fromisoformat(record["issued_on"]), dt.date.fromisoformat(record["expires_on"])
    if issued >= dt.date(2026, 1, 1) and last + dt.timedelta(days=1) <= dt.date(2029, 1, 1):
        assert (doc["validityPeriodStart"], doc["validityPeriodEnd"]) == (f"{issued}T00:00:00Z",
                                                                          f"{last + dt.timedelta(days=1)}T00:00:00Z")
    else:
        assert "validityPeriodStart" not in doc and "validityPeriodEnd" not in doc


def test_a_certified_footprint_is_held_to_its_certificate_not_flagged_for_want_of_a_dataset(certified):
    """No bundled dataset is a certified product's: the review and the monitor do not warn of one (nothing to name)."""
    registry, number, _ = certified
    entry = publish_certified(registry, number)
    assert [f for f in entry["checks"] if f["severity"] in ("warning", "error")] == []
    assert {"severity": "info", "check": "default", "message": "compared with its certificate, not with bundled data"} in \
        entry["checks"]
    assert shared.monitor(within_days=1, registry=registry)["flagged"] == []


def test_a_suspended_certificate_s_footprint_is_deprecated(certified):
    registry, number, _ = certified
    entry = publish_certified(registry, number)
    reg.suspend(number, by="Chen Jie", reason="surveillance overdue", registry=registry)
    doc = get_footprint(entry["pf_id"], viewer=APPLICANT, registry=registry)
    assert (doc["status"], doc["statusComment"]) == ("Deprecated", f"certificate {number} is suspended")


@pytest.mark.parametrize("change, message", [
    (lambda fields: fields["payload"]["pcf"].update(pCfExcludingBiogenic="1"), "payload pcf.pCfExcludingBiogenic: not the figure"),
    (lambda fields: fields["payload"]["pcf"]["assurance"].update(comments="none"), "does not name certificate"),
    (lambda fields: fields.update(value="1.0 kg CO2-eq/kWp"), "expected the same"),
])
def test_a_certified_entry_that_is_not_the_certificate_s_is_not_submitted(certified, change, message):
    from footprint.shareddb.entries import certified_entry

    registry, number, _ = certified
    fields = certified_entry(number, registry=registry)
    fields.pop("_holder")
    fields["id"] = "CERT-COPY"
    change(fields)
    ref = shared.add_entry(fields, owner=APPLICANT, registry=registry)["ref"]
    with pytest.raises(shared.ReviewError, match="not submitted") as caught:
        shared.submit(ref, by=APPLICANT, registry=registry)
    assert message in str(caught.value)
    assert shared.show_entry(ref, registry=registry)["state"] == "draft"


def test_a_certified_footprint_of_another_organisation_s_certificate_is_not_submitted(certified):
    from footprint.shareddb.entries import certified_entry

    registry, number, _ = certified
    fields = certified_entry(number, registry=registry)
    fields.pop("_holder")
    shared.set_role("Copycat PV Co.", "manufacturer", registry=registry)
    ref = shared.add_entry(fields, owner="Copycat PV Co.", registry=registry)["ref"]
    with pytest.raises(shared.ReviewError, match=f"not submitted: certificate {number} is held by another organisation"):
        shared.submit(ref, by="Copycat PV Co.", registry=registry)

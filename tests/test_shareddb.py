"""The shared database: entries, units, plausibility against the bundled data, review states, visibility, resolve, CLI.

Expected values come from the CSV files by hand: the bundled Jiangsu grid is
electricity_co2_CN-JS_2023, 0.5827 kg CO2/kWh (inventories/electricity_china.csv), and
primary aluminium in China 15.947 kg CO2-eq/kg (inventories/materials.csv).
"""

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

import footprint.shareddb as shared
from footprint.errors import FootprintError
from footprint.shareddb import AccessError, EntryError, ReviewError
from footprint.shareddb.tokens import authenticate

from conftest import invoke

OPERATOR, BODY, SUPPLIER, MAKER, OTHER = "Platform Operator", "CQC", "GCL Poly", "Example PV Co.", "Rival Supplier"
JIANGSU_GRID = 0.5827  # kg CO2/kWh, electricity_co2_CN-JS_2023
ALUMINIUM_CN = 15.947  # kg CO2-eq/kg, aluminium_primary_CN
TODAY = dt.date.today()


def grid_entry(**changes):
    entry = {"id": "GRID-CN-JS-2024", "kind": "grid_factor", "title": "Jiangsu grid 2024", "value": "0.6 kg CO2-eq/kWh",
             "geography": "CN-JS", "source": "Provincial announcement 2025", "valid_from": str(TODAY - dt.timedelta(days=30)),
             "valid_until": str(TODAY + dt.timedelta(days=700)), "quality": "2,2,1,1,2"}
    entry.update(changes)
    return entry


def aluminium_entry(value, **changes):
    entry = {"id": "AL-FRAME-2026", "kind": "material_factor", "title": "Frame aluminium of one smelter", "value": value,
             "dataset": "aluminium_primary_CN", "source": "smelter's EPD", "valid_from": str(TODAY - dt.timedelta(days=10)),
             "valid_until": str(TODAY + dt.timedelta(days=365))}
    entry.update(changes)
    return entry


@pytest.fixture
def registry(tmp_path, footprint_home):
    """An empty registry with the roles set; the data directory set up (the bundled defaults solved)."""
    path = str(tmp_path / "registry.sqlite")
    for org, role in ((OPERATOR, "operator"), (BODY, "certification_body"), (SUPPLIER, "supplier"),
                      (MAKER, "manufacturer"), (OTHER, "supplier")):
        shared.set_role(org, role, registry=path)
    return path


def published(registry, data, owner=SUPPLIER):
    ref = shared.add_entry(data, owner=owner, registry=registry)["ref"]
    shared.submit(ref, by=owner, registry=registry)
    shared.validate(ref, reviewer=BODY, by="Zhang Min", registry=registry)
    return shared.publish(ref, by=owner, registry=registry)


def test_an_entry_from_draft_to_published_and_resolved_with_its_provenance(registry):
    draft = shared.add_entry(grid_entry(), owner=SUPPLIER, registry=registry)
    assert (draft["ref"], draft["state"], draft["version"]) == ("GRID-CN-JS-2024@1", "draft", 1)
    content = {"id": "GRID-CN-JS-2024", "kind": "grid_factor", "title": "Jiangsu grid 2024",
               "value": "0.6 kg_CO2_eq/kWh", "geography": "CN-JS", "source": "Provincial announcement 2025",
               "valid_from": grid_entry()["valid_from"], "valid_until": grid_entry()["valid_until"], "quality": "2,2,1,1,2"}
    expected_sha = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert draft["sha256"] == expected_sha
    submitted = shared.submit(draft["ref"], by=SUPPLIER, registry=registry)
    assert submitted["state"] == "submitted"
    [finding] = submitted["checks"]
    assert finding["severity"] == "info" and f"{0.6 / JIANGSU_GRID:.3g} times the bundled electricity_grid_CN-JS" in finding["message"]
    assert finding["check"] == "default"  # within 2 times: a comparison with the default, not an "outlier"
    validated = shared.validate(draft["ref"], reviewer=BODY, by="Zhang Min", registry=registry)
    assert (validated["state"], validated["reviewer"], validated["reviewed_by"]) == ("validated", BODY, "Zhang Min")
    assert shared.publish(draft["ref"], by=SUPPLIER, registry=registry)["state"] == "published"
    data, provenance = shared.resolve_entry("registry:GRID-CN-JS-2024@1", as_of=TODAY, registry=registry)
    assert data["quantity"].to("kg_CO2_eq/MWh").magnitude == pytest.approx(600.0, rel=1e-12)
    assert provenance == {"id": "GRID-CN-JS-2024", "version": 1, "sha256": expected_sha, "state": "published", "owner": SUPPLIER,
                          "source": "Provincial announcement 2025", "valid_until": grid_entry()["valid_until"],
                          "superseded_by": None}
    from footprint.registry import log

    checked = log(verify=True, registry=registry)
    actions = [event["action"] for event in checked["events"]]
    assert actions[-4:] == ["shared.add", "shared.submit", "shared.validate", "shared.publish"]
    assert checked["check"]["ok"]


def test_a_new_version_supersedes_the_old_one_which_stays_usable_and_says_so(registry):
    published(registry, grid_entry())
    with pytest.raises(AccessError, match="owned by another organisation"):
        shared.add_entry(grid_entry(), owner=OTHER, registry=registry)
    second = shared.add_entry(grid_entry(value="0.58 kg CO2e/kWh"), owner=SUPPLIER, registry=registry)
    assert second["ref"] == "GRID-CN-JS-2024@2"
    with pytest.raises(ReviewError, match="@2 is still draft"):
        shared.add_entry(grid_entry(), owner=SUPPLIER, registry=registry)
    shared.submit("GRID-CN-JS-2024@2", by=SUPPLIER, registry=registry)
    shared.validate("GRID-CN-JS-2024@2", reviewer=OPERATOR, by="Operator desk", registry=registry)
    shared.publish("GRID-CN-JS-2024@2", by=SUPPLIER, registry=registry)
    assert shared.show_entry("GRID-CN-JS-2024@1", registry=registry)["state"] == "superseded"
    _, provenance = shared.resolve_entry("GRID-CN-JS-2024@1", as_of=TODAY, registry=registry)
    assert (provenance["state"], provenance["superseded_by"]) == ("superseded", 2)
    data, _ = shared.resolve_entry("GRID-CN-JS-2024@2", as_of=TODAY, registry=registry)
    assert data["value"] == "0.58 kg_CO2_eq/kWh"
    assert shared.show_entry("GRID-CN-JS-2024", registry=registry)["version"] == 2


def test_review_rules_owner_may_not_review_and_only_reviewers_do(registry):
    ref = shared.add_entry(grid_entry(), owner=SUPPLIER, registry=registry)["ref"]
    with pytest.raises(ReviewError, match="only a submitted version is validated"):
        shared.validate(ref, reviewer=OPERATOR, by="Operator desk", registry=registry)
    for intruder in (BODY, OTHER):  # a draft is nobody else's business: not even its existence is told
        with pytest.raises(AccessError, match="'GRID-CN-JS-2024': not in the shared database"):
            shared.submit(ref, by=intruder, registry=registry)
        with pytest.raises(AccessError, match="not in the shared database"):
            shared.validate(ref, reviewer=intruder, by="Zhang Min", registry=registry)
    shared.submit(ref, by=SUPPLIER, registry=registry)
    with pytest.raises(AccessError, match="only a certification body or the operator reviews"):
        shared.validate(ref, reviewer=SUPPLIER, by="Self", registry=registry)
    shared.set_role(BODY, "certification_body", registry=registry)
    own = shared.add_entry(grid_entry(id="BODY-OWN"), owner=BODY, registry=registry)["ref"]
    shared.submit(own, by=BODY, registry=registry)
    with pytest.raises(ReviewError, match="its owner CQC may not review it"):
        shared.validate(own, reviewer=BODY, by="Zhang Min", registry=registry)
    with pytest.raises(FootprintError, match="reason: a rejection needs its reasons"):
        shared.reject(ref, reviewer=BODY, by="Zhang Min", reason="  ", registry=registry)
    rejected = shared.reject(ref, reviewer=BODY, by="Zhang Min", reason="source is a draft announcement", registry=registry)
    assert (rejected["state"], rejected["reason"]) == ("rejected", "source is a draft announcement")
    with pytest.raises(ReviewError, match="only a validated version is published"):
        shared.publish(ref, by=SUPPLIER, registry=registry)


@pytest.mark.parametrize("state", ["draft", "submitted", "rejected", "withdrawn"])
def test_resolve_refuses_unvalidated_and_withdrawn_entries_with_the_reason(registry, state):
    ref = shared.add_entry(grid_entry(), owner=SUPPLIER, registry=registry)["ref"]
    if state != "draft":
        shared.submit(ref, by=SUPPLIER, registry=registry)
    if state == "rejected":
        shared.reject(ref, reviewer=BODY, by="Zhang Min", reason="no source", registry=registry)
    if state == "withdrawn":
        shared.withdraw(ref, by=SUPPLIER, reason="meter replaced", registry=registry)
    expected = "withdrawn \\(meter replaced\\)" if state == "withdrawn" else f"{state}, not validated"
    with pytest.raises(ReviewError, match=f"registry:GRID-CN-JS-2024@1: {expected}"):
        shared.resolve_entry(ref, as_of=TODAY, registry=registry)


def test_resolve_refuses_an_expired_or_not_yet_valid_entry_and_a_ref_without_version(registry):
    published(registry, grid_entry())
    last = TODAY + dt.timedelta(days=700)
    with pytest.raises(ReviewError, match=f"expired on {last}; the calculation date is {last + dt.timedelta(days=1)}"):
        shared.resolve_entry("GRID-CN-JS-2024@1", as_of=last + dt.timedelta(days=1), registry=registry)
    assert shared.resolve_entry("GRID-CN-JS-2024@1", as_of=last, registry=registry)[1]["version"] == 1
    first = TODAY - dt.timedelta(days=30)
    with pytest.raises(ReviewError, match=f"valid only from {first}"):
        shared.resolve_entry("GRID-CN-JS-2024@1", as_of=first - dt.timedelta(days=1), registry=registry)
    with pytest.raises(FootprintError, match="expected ENTRY@VERSION"):
        shared.resolve_entry("registry:GRID-CN-JS-2024", as_of=TODAY, registry=registry)
    with pytest.raises(AccessError, match="not in the shared database"):
        shared.resolve_entry("GRID-CN-JS-2024@9", as_of=TODAY, registry=registry)


@pytest.mark.parametrize(("changes", "message"), [
    ({"value": "0.6 kg CO2-eq/kg"}, "a grid factor is in kg CO2-eq/kWh"),
    ({"value": "0.6 kWh"}, "a grid factor is in kg CO2-eq/kWh"),
    ({"value": "0,6 kg CO2-eq/kWh"}, "a comma in the number"),
    ({"value": "0.6 blorps"}, "unknown unit"),
    ({"value": 0.6}, "expected 'number unit'"),
    ({"valid_until": "2020-01-01", "valid_from": "2021-01-01"}, "valid_until: 2020-01-01 is before valid_from 2021-01-01"),
    ({"valid_from": "next year"}, "valid_from: got 'next year'; expected a date YYYY-MM-DD"),
    ({"quality": "1,2,3"}, "five pedigree scores"),
    ({"kind": "recipe"}, "kind: got 'recipe'; expected one of"),
    ({"id": "bad id; DROP TABLE shared_entries"}, "entry.id: got"),
    ({"title": "two\nlines"}, "control characters"),
    ({"geography": None}, "geography: missing"),
    ({"colour": "red"}, "unknown field 'colour'"),
])
def test_bad_entries_are_refused_in_one_line_and_nothing_is_written(registry, changes, message):
    with pytest.raises(EntryError, match=message) as caught:
        shared.add_entry(grid_entry(**changes), owner=SUPPLIER, registry=registry)
    assert "\n" not in str(caught.value)
    assert shared.list_entries(registry=registry) == []


def test_plausibility_against_the_bundled_default_warns_and_stops(registry):
    warned = shared.add_entry(aluminium_entry("40 kg CO2e/kg"), owner=SUPPLIER, registry=registry)
    [finding] = shared.submit(warned["ref"], by=SUPPLIER, registry=registry)["checks"]
    assert finding["severity"] == "warning" and f"{40 / ALUMINIUM_CN:.3g} times the bundled aluminium_primary_CN" in finding["message"]
    assert shared.validate(warned["ref"], reviewer=BODY, by="Zhang Min", registry=registry)["state"] == "validated"
    slip = shared.add_entry(aluminium_entry("2000 kg CO2e/kg", id="AL-SLIP"), owner=SUPPLIER, registry=registry)
    with pytest.raises(ReviewError, match=f"not submitted: value .* is {2000 / ALUMINIUM_CN:.3g} times .* a unit slip"):
        shared.submit(slip["ref"], by=SUPPLIER, registry=registry)
    assert shared.show_entry(slip["ref"], registry=registry)["state"] == "draft"
    per_m2 = shared.add_entry(aluminium_entry("16 kg CO2e/m2", id="AL-M2"), owner=SUPPLIER, registry=registry)
    with pytest.raises(ReviewError, match="per another unit than the bundled dataset aluminium_primary_CN"):
        shared.submit(per_m2["ref"], by=SUPPLIER, registry=registry)
    unknown = shared.add_entry(grid_entry(id="GRID-XX", geography="XX-YY"), owner=SUPPLIER, registry=registry)
    with pytest.raises(ReviewError, match="geography 'XX-YY' is not in the bundled geographies"):
        shared.submit(unknown["ref"], by=SUPPLIER, registry=registry)
    expired = shared.add_entry(grid_entry(id="GRID-OLD", valid_from="2020-01-01", valid_until="2020-12-31"), owner=SUPPLIER,
                               registry=registry)
    with pytest.raises(ReviewError, match="valid until 2020-12-31, .*already expired"):
        shared.submit(expired["ref"], by=SUPPLIER, registry=registry)


def test_monitor_lists_entries_expiring_soon_and_those_the_bundled_data_flags(registry, footprint_home):
    published(registry, grid_entry())
    published(registry, aluminium_entry("40 kg CO2e/kg"))
    shared.add_entry(aluminium_entry("41 kg CO2e/kg", id="AL-DRAFT"), owner=SUPPLIER, registry=registry)  # not usable: not watched
    found = shared.monitor(within_days=400, registry=registry)
    assert found["expiring"] == [{"ref": "AL-FRAME-2026@1", "owner": SUPPLIER, "valid_until": aluminium_entry("x")["valid_until"],
                                  "days_left": 365}]
    [flag] = found["flagged"]
    assert flag["ref"] == "AL-FRAME-2026@1" and flag["severity"] == "warning"
    assert f"{40 / ALUMINIUM_CN:.3g} times the bundled aluminium_primary_CN" in flag["message"]
    assert [row["ref"] for row in shared.monitor(within_days=800, registry=registry)["expiring"]] == \
        ["AL-FRAME-2026@1", "GRID-CN-JS-2024@1"]
    with pytest.raises(FootprintError, match="within_days: got -1"):
        shared.monitor(within_days=-1, registry=registry)
    shown = invoke("shared", "monitor", "--days", "400", "--registry", registry, home=footprint_home)
    assert shown.returncode == 0 and shown.stdout.splitlines()[0].split()[:3] == ["expiring", "AL-FRAME-2026@1",
                                                                               aluminium_entry("x")["valid_until"]]


def test_who_sees_what(registry):
    ref = shared.add_entry(grid_entry(), owner=SUPPLIER, registry=registry)["ref"]
    for viewer in (MAKER, OTHER, BODY):
        with pytest.raises(AccessError, match="not in the shared database"):
            shared.show_entry(ref, viewer=viewer, registry=registry)
    assert shared.show_entry(ref, viewer=OPERATOR, registry=registry)["state"] == "draft"
    shared.submit(ref, by=SUPPLIER, registry=registry)
    assert shared.show_entry(ref, viewer=BODY, registry=registry)["state"] == "submitted"
    with pytest.raises(AccessError):
        shared.show_entry(ref, viewer=MAKER, registry=registry)
    shared.validate(ref, reviewer=BODY, by="Zhang Min", registry=registry)
    with pytest.raises(AccessError):
        shared.resolve_entry(ref, as_of=TODAY, organisation=MAKER, registry=registry)
    with pytest.raises(AccessError, match="not in the shared database"):
        shared.share("GRID-CN-JS-2024", by=OTHER, with_organisation=OTHER, registry=registry)
    shared.share("GRID-CN-JS-2024", by=SUPPLIER, with_organisation=MAKER, registry=registry)
    assert shared.resolve_entry(ref, as_of=TODAY, organisation=MAKER, registry=registry)[1]["owner"] == SUPPLIER
    assert [row["ref"] for row in shared.list_entries(viewer=MAKER, registry=registry)] == [ref]
    assert shared.list_entries(viewer=OTHER, registry=registry) == []
    shared.publish(ref, by=SUPPLIER, registry=registry)
    assert [row["ref"] for row in shared.list_entries(viewer=OTHER, registry=registry)] == [ref]


def test_the_shared_tables_are_the_registry_s_migration_0002(registry):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext

    import footprint.registry as reg
    from footprint.registry import db
    from footprint.shareddb.models import TABLES, Base

    with db.engine(registry).connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_name": lambda name, kind, _: kind != "table" or name in TABLES,
            "include_object": lambda obj, name, kind, reflected, _: kind != "table" or name in TABLES})
        assert compare_metadata(context, Base.metadata) == []
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == db.head_revision() == "0002"
    # a registry made before the shared database (0001) is asked to upgrade, and the upgrade adds the shared tables
    older = str(Path(registry).with_name("older.sqlite"))
    made = db._make_engine(db.registry_url(older))
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    with made.execution_options(footprint_write=True).connect() as connection:
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
    with pytest.raises(FootprintError, match="older than this footprint's 0002; run 'footprint registry upgrade'"):
        shared.list_entries(registry=older)
    assert reg.upgrade(older) == ("0001", "0002")
    shared.set_role(SUPPLIER, "supplier", registry=older)
    assert shared.add_entry(grid_entry(), owner=SUPPLIER, registry=older)["ref"] == "GRID-CN-JS-2024@1"


def test_the_command_line(registry, tmp_path, footprint_home):
    entry = tmp_path / "entry.yaml"
    entry.write_text("\n".join(f"{key}: '{value}'" for key, value in grid_entry().items()), encoding="utf-8")
    added = invoke("shared", "add", entry, "--owner", SUPPLIER, "--registry", registry, "--format", "json", home=footprint_home)
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["ref"] == "GRID-CN-JS-2024@1"
    for args in (("submit", "GRID-CN-JS-2024@1", "--by", SUPPLIER),
                 ("validate", "GRID-CN-JS-2024@1", "--reviewer", BODY, "--by", "Zhang Min"),
                 ("publish", "GRID-CN-JS-2024@1", "--by", SUPPLIER)):
        done = invoke("shared", *args, "--registry", registry, home=footprint_home)
        assert done.returncode == 0, done.stderr
    resolved = invoke("shared", "resolve", "registry:GRID-CN-JS-2024@1", "--registry", registry, "--format", "json",
                      home=footprint_home)
    assert json.loads(resolved.stdout)["provenance"]["state"] == "published"
    listed = invoke("shared", "list", "--registry", registry, home=footprint_home)
    assert listed.stdout.split()[:2] == ["GRID-CN-JS-2024@1", "published"]
    # tables write the unit as people and the entry files do, not as the unit registry names it
    assert "0.6 kg CO2-eq/kWh" in listed.stdout and "CO2_eq" not in listed.stdout
    shown = invoke("shared", "show", "GRID-CN-JS-2024@1", "--registry", registry, home=footprint_home).stdout
    assert "published grid_factor, 0.6 kg CO2-eq/kWh (" in shown and "CO2_eq" not in shown, shown
    bad = invoke("shared", "withdraw", "GRID-CN-JS-2024@1", "--by", MAKER, "--reason", "x", "--registry", registry,
                 home=footprint_home)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "only its owner or the operator may withdraw" in bad.stderr


def test_a_token_life_out_of_range_is_named_as_given(registry, footprint_home):
    """`footprint shared token ORG --days 0`: the line shows 0 as typed (was 'got 0:00:00'), exit 1, no token."""
    shared.set_role(SUPPLIER, "supplier", registry=registry)
    done = invoke("shared", "token", SUPPLIER, "--days", "0", "--registry", registry, home=footprint_home)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "error: --days: got 0; expected a life of 1 s to 3650 days\n"


def test_role_token_and_resolve_print_text_in_table_mode_and_json_on_request(registry, footprint_home):
    """`shared role`, `token` and `resolve` printed a JSON object even without --format json."""
    role = invoke("shared", "role", MAKER, "manufacturer", "--registry", registry, home=footprint_home)
    assert (role.returncode, role.stdout) == (0, f"{MAKER}: role manufacturer\n"), role.stderr
    role = invoke("shared", "role", MAKER, "manufacturer", "--registry", registry, "--format", "json", home=footprint_home)
    assert json.loads(role.stdout) == {"organisation": MAKER, "role": "manufacturer"}
    issued = invoke("shared", "token", SUPPLIER, "--days", "30", "--label", "ci", "--registry", registry, home=footprint_home)
    assert issued.returncode == 0, issued.stderr
    token, note = issued.stdout.splitlines()
    assert not token.startswith("{") and " " not in token
    assert authenticate(token, registry=registry).organisation == SUPPLIER
    assert note.startswith(f"  API token of {SUPPLIER} (ci), expires ") and "only its SHA-256 is kept" in note
    issued = invoke("shared", "token", SUPPLIER, "--registry", registry, "--format", "json", home=footprint_home)
    assert set(json.loads(issued.stdout)) == {"organisation", "token", "expires_at", "label"}
    published(registry, grid_entry())
    shown = invoke("shared", "resolve", "registry:GRID-CN-JS-2024@1", "--registry", registry, home=footprint_home)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == f"registry:GRID-CN-JS-2024@1: published, usable on {TODAY}"
    assert "  value: 0.6 kg CO2-eq/kWh" in lines and "  geography: CN-JS" in lines and "{" not in shown.stdout
    assert lines[-1].startswith(f"  owner {SUPPLIER}; valid until {TODAY + dt.timedelta(days=700)}; sha256 ")

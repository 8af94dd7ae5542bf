"""The certification registry on SQLite: the process and its rules, the hash chain, bad input, concurrency, kill -9.

tests/test_registry_postgres.py runs the same tests against a PostgreSQL server: the tests
here take the ``registry`` (a fresh, empty registry) and ``granted`` (a registry holding
applications decided "grant", cloned from a template made once) fixtures, which that module
replaces, and reach the database from outside the library (as an intruder or an
administrator would) only through :func:`raw_execute` and :func:`clone_registry`, which
speak both.
"""

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

import footprint.registry as reg
from footprint.errors import FootprintError, InputError
from footprint.registry import store
from footprint.registry.db import RegistryError, head_revision
from footprint.registry.workflow import TransitionError
from footprint.signing import init_keys

from conftest import PERC, ROOT, invoke, once_per_run

TODAY = dt.date.today()
#: The scheme of the tests' dossier: its rules let the example pass once the module line's
#: electricity is metered (the example's own dossier is incomplete under every scheme: it takes
#: the module electricity from the bundled defaults, and cn-cfp also asks for uncertainty and
#: sensitivity analyses). Validity 3 years, to the day before the anniversary; no surveillance
#: interval stated (the certification body sets it at issue).
SCHEME, PREFIX = "kr-carbon", "KR-CARBON"
#: The example with the module line's electricity metered (site-specific data for the process the label holder runs).
METERED = "    cells_per_wafer: 2          # half-cut\n    electricity: 3.4 kWh/m2     # module line meters, 2024\n"
BODY, APPLICANT = "Example Certification Co.", "Example PV Co."
#: How many granted applications the template registry holds (the concurrency test issues 8).
GRANTED = 8


def is_postgres(registry):
    return str(registry).startswith(("postgresql://", "postgres://"))


def raw_execute(registry, *statements):
    """Run SQL statements on the registry's database outside the library, in one committed transaction."""
    if is_postgres(registry):
        import psycopg

        connection = psycopg.connect(registry)
    else:
        connection = sqlite3.connect(registry)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


#: What an intruder runs first to rewrite history: the append-only triggers of migration 0001 dropped.
DROP_TRIGGERS = {"sqlite": ("DROP TRIGGER events_no_update", "DROP TRIGGER events_no_delete"),
                 "postgresql": ("DROP TRIGGER events_append_only ON events",)}


def clone_registry(registry, folder):
    """A copy of the registry (a SQLite file in ``folder``, or a PostgreSQL database made from it as a template)."""
    if is_postgres(registry):
        from test_registry_postgres import clone_database

        return clone_database(registry)
    target = str(folder / f"copy-{time.monotonic_ns()}.sqlite")
    with sqlite3.connect(registry) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


def declared_text(material):
    """The value the dossier declares, as its label JSON states it (what the certificate must carry)."""
    [label] = material["dossier"].glob("*-label.json")
    decision = json.loads(label.read_text(encoding="utf-8"))["decision"]
    return decision["value_text"], decision["unit"]


def years_later(day, years):
    """The same day ``years`` later (29 February: the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def day(offset):
    """A date ``offset`` days from today (negative: in the past), as the command line takes it."""
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@pytest.fixture(scope="session")
def material(footprint_home, run_dir):
    """Made once per run: a signed dossier of the example PERC module with its module line metered (``SCHEME``: pass),
    the example's own cn-cfp dossier (incomplete), and the certification body's keys."""

    def make(folder):
        from footprint.report import write_report

        keys = init_keys(BODY, folder=folder / "keys")
        applicant = init_keys(APPLICANT, folder=folder / "keys")
        locked = init_keys("Locked Body", folder=folder / "keys", passphrase="right")
        text = PERC.read_text(encoding="utf-8")
        assert text.count(METERED.splitlines()[0]) == 1
        product = folder / "perc-metered.yaml"
        product.write_text(text.replace(METERED.splitlines()[0] + "\n", METERED), encoding="utf-8")
        write_report(product, scheme=SCHEME, out_dir=folder / "dossier", pdf=False, sign_with=applicant.private_key)
        write_report(PERC, scheme="cn-cfp", out_dir=folder / "incomplete", pdf=False)
        return {"dossier": folder / "dossier", "incomplete": folder / "incomplete", "product": product, "key": keys.private_key,
                "public": keys.public_key, "locked": locked.private_key, "folder": folder}

    return once_per_run(run_dir, "registry-material", make)


@pytest.fixture
def registry(tmp_path):
    """A new, empty registry (a SQLite file) for one test."""
    return str(tmp_path / "registry.sqlite")


def run_process(registry, dossier, *, until="granted", start=-400, models=("EX-550M-144",)):
    """Take one application through the process to ``until``; return its number."""
    app = reg.apply(dossier, applicant=APPLICANT, body=BODY, models=list(models), sites=["Yancheng module plant=CN-JS"],
                    on=day(start), registry=registry)["application"]
    steps = [
        ("accepted", lambda: reg.accept(app, by="Li Wei", on=day(start + 2), registry=registry)),
        ("planned", lambda: reg.plan(app, by="Li Wei", auditors=["Zhang Min"], starts=day(start + 9), ends=day(start + 10),
                                     scope="PERC module line, energy metering", on=day(start + 3), registry=registry)),
        ("reviewed", lambda: reg.audit(app, kind="document_review", by="Zhang Min", summary="dossier complete",
                                       on=day(start + 8), registry=registry)),
        ("inspected", lambda: reg.audit(app, kind="on_site", by="Zhang Min", site="Yancheng module plant",
                                        summary="metering and bill of materials seen", on=day(start + 10), registry=registry)),
        ("verified", lambda: reg.verify_cfp(app, by="Zhang Min", on=day(start + 11), registry=registry)),
        ("evaluated", lambda: reg.evaluate(app, by="Wang Fang", recommendation="grant", on=day(start + 12), registry=registry)),
        ("granted", lambda: reg.decide(app, by="Chen Jie", outcome="grant", reason="records complete", on=day(start + 13),
                                       registry=registry)),
    ]
    for state, step in steps:
        assert step()["state"] == state
        if state == until:
            break
    return app


def make_granted_template(registry, dossier):
    """``GRANTED`` granted applications (the CFP recomputed once, then reused for the same dossier)."""
    return [run_process(registry, dossier, start=-400 + i) for i in range(GRANTED)]


@pytest.fixture(scope="session")
def granted_template(material, tmp_path_factory):
    path = tmp_path_factory.mktemp("registry-template") / "granted.sqlite"
    return str(path), make_granted_template(str(path), material["dossier"])


@pytest.fixture
def granted(granted_template, tmp_path):
    """A registry holding ``GRANTED`` granted applications: a copy of the template (sqlite3's backup)."""
    source, numbers = granted_template
    return clone_registry(source, tmp_path), numbers


def issue(registry, app, material, offset=-370, **extra):
    return reg.issue(app, by="Chen Jie", key=material["key"], surveillance_months=12, on=day(offset), registry=registry, **extra)


def event_count(registry):
    return len(reg.log(registry=registry)["events"])


# -- the process --------------------------------------------------------------------------------


def test_from_application_to_the_first_surveillance(registry, material, tmp_path):
    app = run_process(registry, material["dossier"], until="granted")
    record = reg.show(app, registry=registry)
    assert record["state"] == "granted" and record["next"] == ["issue"]
    assert record["verifications"][0]["verdict"] == "identical" and record["rule_pack"].startswith(f"{SCHEME}@")
    cert = issue(registry, app, material, out_dir=tmp_path / "out")
    number = cert["certificate"]
    text, unit = declared_text(material)
    assert cert["status"] == "valid" and cert["models"] == ["EX-550M-144"]
    assert (cert["declared"]["text"], cert["declared"]["unit"]) == (text, unit)
    issued = dt.date.fromisoformat(cert["issued_on"])
    assert number == f"{PREFIX}-{issued.year}-000001"
    # kr-carbon: 3 years, to the day before the anniversary (KEA's certificate 2020-001: issued 2020-09-16, expires 2023-09-15)
    assert cert["expires_on"] == (years_later(issued, 3) - dt.timedelta(days=1)).isoformat()
    # every 12 months as the body set it; the third anniversary is after the last valid day
    assert [s["due_on"] for s in cert["surveillance"]] == [years_later(issued, 1).isoformat(), years_later(issued, 2).isoformat()]
    surveyed = reg.surveil(number, by="Zhang Min", outcome="conforming", notes="metering unchanged", on=day(-25), registry=registry)
    assert surveyed["surveillance"][0]["done_on"] == day(-25)
    log = reg.log(verify=True, registry=registry)
    assert log["check"]["ok"], log["check"]["problems"]
    actions = [event["action"] for event in log["events"]]
    assert actions[:8] == ["apply", "accept", "plan", "document_review", "on_site", "verify_cfp", "evaluate", "decide"]
    assert actions[-4:] == ["issue", "register_key", "certificate", "surveil"] or actions[-4:] == ["register_key", "issue", "certificate", "surveil"]
    # the certificate document: signed, verifiable, with its registry status
    from footprint.registry.verify import verify_path

    document = tmp_path / "out" / f"{number}.json"
    found = verify_path(document, registry=registry)
    assert found.valid and found.kind == "certificate" and found.registry["status"] == "valid" and found.registry["key_registered"]
    content = json.loads(document.read_text(encoding="utf-8"))
    assert content["signing_key"]["fingerprint"] == content["signature"]["signer"]["fingerprint"]
    assert content["verification_url"].endswith(f"/{number}") and content["registry_event"]["seq"] > 0


def test_the_certificate_document_html_carries_the_qr_payload_and_the_fingerprint(granted, material, tmp_path):
    registry, apps = granted
    number = issue(registry, apps[0], material, verify_url="https://verify.example.org/cfp")["certificate"]
    [html] = reg.export(number, out_dir=tmp_path, formats=["html"], lang="zh", registry=registry)
    text = html.read_text(encoding="utf-8")
    content = json.loads(reg.export(number, out_dir=tmp_path / "j", formats=["json"], registry=registry)[0].read_text(encoding="utf-8"))
    from footprint.registry.document import qr_payload

    assert f"https://verify.example.org/cfp/{number}?sha256=" in qr_payload(content)
    assert qr_payload(content) in text and content["signature"]["signer"]["fingerprint"] in text and "产品碳足迹认证证书" in text


@pytest.mark.slow
def test_the_certificate_pdf_is_one_page_with_the_number_value_and_qr_payload(granted, material, tmp_path):
    from footprint.report.pdf import pdf_unavailable_reason

    if pdf_unavailable_reason() is not None:
        pytest.skip(f"PDF renderer unavailable: {pdf_unavailable_reason()}")
    import pypdfium2

    registry, apps = granted
    number = issue(registry, apps[0], material, verify_url="https://verify.example.org/cfp")["certificate"]
    for lang, title in (("zh", "产品碳足迹认证证书"), ("en", "Product Carbon Footprint Certificate")):
        [path] = reg.export(number, out_dir=tmp_path / lang, formats=["pdf"], lang=lang, registry=registry)
        document = pypdfium2.PdfDocument(str(path))
        assert len(document) == 1, f"{lang}: {len(document)} pages"
        page = document[0].get_textpage().get_text_range()
        document.close()
        text, unit = declared_text(material)
        assert title in page and number in page and text in page and f"https://verify.example.org/cfp/{number}?" in page


def test_the_schema_is_the_migrations_and_a_newer_one_is_refused(registry, material):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from footprint.registry.db import engine
    from footprint.registry.models import Base

    made = engine(registry)
    with made.connect() as connection:
        # the registry's tables only: a later migration of another module (the shared database) may add its own
        ours = {"include_name": lambda name, kind, parent: kind != "table" or name in Base.metadata.tables}
        assert compare_metadata(MigrationContext.configure(connection, opts=ours), Base.metadata) == []
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
    raw_execute(registry, "UPDATE alembic_version SET version_num = '9999'")
    from footprint.registry import db

    db._ENGINES.clear()
    with pytest.raises(RegistryError, match="schema revision 9999 is newer than this footprint"):
        reg.list_records(registry=registry)
    with pytest.raises(RegistryError, match="newer"):
        reg.upgrade(registry)


def test_an_older_schema_asks_for_upgrade(registry, monkeypatch):
    from footprint.registry import db

    db.engine(registry)
    db._ENGINES.clear()
    newer = (*db.known_revisions(), "9998")
    monkeypatch.setattr(db, "known_revisions", lambda: newer)
    monkeypatch.setattr(db, "head_revision", lambda: "9998")
    with pytest.raises(RegistryError, match="older than this footprint's 9998; run 'footprint registry upgrade'"):
        reg.list_records(registry=registry)


def test_the_state_machine_is_read_from_the_scheme():
    from footprint.labels import load_scheme
    from footprint.registry.workflow import Process

    epd = Process.from_scheme(load_scheme("epd"))
    assert epd.validity_years == 5 and epd.surveillance_months == 12 and epd.reverification_increase == 0.10
    assert epd.needs_reevaluation(400.0, 439.0)[0] is False and epd.needs_reevaluation(400.0, 440.0)[0] is True
    epeat = Process.from_scheme(load_scheme("epeat-ulcs"))
    assert epeat.validity_years == 1 and epeat.needs_reevaluation(390.0, 401.0) == (True, "crosses the scheme's limit 400")
    kr = Process.from_scheme(load_scheme("kr-carbon"))
    assert kr.surveillance_months is None and "not stated" in kr.surveillance_basis
    cn = Process.from_scheme(load_scheme("cn-cfp"))
    assert cn.needs_reevaluation(435.0, 435.4)[0] is False and cn.needs_reevaluation(435.0, 436.0)[0] is True
    custom = Process.from_scheme(load_scheme("epd"), {"certification": {"steps": ["apply", "accept", "document_review", "verify_cfp",
                                                                                  "evaluate", "decide", "issue"]}})
    assert custom.state_before("verify_cfp") == "reviewed"
    with pytest.raises(InputError, match="missing"):
        Process.from_scheme(load_scheme("epd"), {"certification": {"steps": ["apply", "issue"]}})


# -- the rules ---------------------------------------------------------------------------------


def test_no_decision_with_an_open_major_finding_nor_by_an_auditor(registry, material):
    app = run_process(registry, material["dossier"], until="evaluated")
    finding = reg.finding(app, severity="major", text="calibration record missing", by="Zhang Min", due=day(30), on=day(-387),
                          registry=registry)
    with pytest.raises(TransitionError, match="'open-major-finding'") as refused:
        reg.decide(app, by="Chen Jie", outcome="grant", on=day(-386), registry=registry)
    assert refused.value.rule == "open-major-finding" and refused.value.words["en"] in str(refused.value)
    assert "严重不符合项" in refused.value.words["zh"]  # its text in Chinese too, from names.yaml
    reg.close_finding(finding["finding"], by="Zhang Min", note="certificate received", on=day(-386), registry=registry)
    with pytest.raises(TransitionError, match="'impartiality'.*Zhang Min audited"):
        reg.decide(app, by="Zhang Min", outcome="grant", on=day(-386), registry=registry)
    reg.finding(app, severity="minor", text="label proof pending", by="Zhang Min", due=day(30), on=day(-386), registry=registry)
    assert reg.decide(app, by="Chen Jie", outcome="grant", on=day(-385), registry=registry)["state"] == "granted"


def test_no_grant_unless_the_dossier_meets_the_scheme_s_requirements(registry, material):
    [label] = material["incomplete"].glob("*-label.json")
    decision = json.loads(label.read_text(encoding="utf-8"))["decision"]
    unmet = [item["item"] for item in decision["unmet"]]
    assert decision["outcome"] == "incomplete" and unmet  # the example's own cn-cfp dossier
    app = run_process(registry, material["incomplete"], until="verified")
    with pytest.raises(TransitionError, match=f"'requirements-met'.*outcome is incomplete; unmet: {', '.join(unmet)}"):
        reg.evaluate(app, by="Wang Fang", recommendation="grant", on=day(-388), registry=registry)
    # refusing is always possible, and then so is the decision to refuse; a grant is refused at the decision too
    assert reg.evaluate(app, by="Wang Fang", recommendation="refuse", on=day(-388), registry=registry)["state"] == "evaluated"
    with pytest.raises(TransitionError, match="'requirements-met'"):
        reg.decide(app, by="Chen Jie", outcome="grant", on=day(-387), registry=registry)
    assert reg.decide(app, by="Chen Jie", outcome="refuse", reason="requirements unmet", on=day(-387),
                      registry=registry)["state"] == "refused"


def test_no_certificate_without_a_positive_decision(registry, material):
    app = run_process(registry, material["dossier"], until="evaluated")
    with pytest.raises(TransitionError, match="'positive-decision'"):
        issue(registry, app, material)
    reg.decide(app, by="Chen Jie", outcome="refuse", reason="value not supported", on=day(-386), registry=registry)
    with pytest.raises(TransitionError, match="'positive-decision'.*refuse"):
        issue(registry, app, material)


def test_steps_run_in_order_and_dates_neither_in_the_future_nor_backwards(registry, material):
    app = run_process(registry, material["dossier"], until="accepted")
    with pytest.raises(TransitionError, match="'step-order'.*evaluate"):
        reg.evaluate(app, by="Wang Fang", recommendation="grant", on=day(-390), registry=registry)
    with pytest.raises(TransitionError, match="'no-future-date'"):
        reg.plan(app, by="Li Wei", auditors=["Zhang Min"], starts=day(5), ends=day(6), scope="x", on=day(1), registry=registry)
    with pytest.raises(TransitionError, match="'date-order'"):
        reg.plan(app, by="Li Wei", auditors=["Zhang Min"], starts=day(5), ends=day(6), scope="x", on=day(-500), registry=registry)
    # a plan for dates to come is fine: the plan itself is dated today
    assert reg.plan(app, by="Li Wei", auditors=["Zhang Min"], starts=day(5), ends=day(6), scope="x", registry=registry)["state"] == "planned"


def test_the_surveillance_and_label_rules(granted, material, monkeypatch):
    registry, apps = granted
    number = issue(registry, apps[0], material)["certificate"]
    licence = reg.label(number, by="Chen Jie", key=material["key"], registry=registry)
    assert licence["licence"] == f"{number}-L01"
    changed = reg.change(number, by="Zhang Min", description="glass supplier changed", value=470.0, on=day(-10), registry=registry)
    assert changed["change"]["reevaluation"] and changed["reevaluation_due"]
    with pytest.raises(TransitionError, match="'label-valid'.*re-evaluation is due"):
        reg.label(number, by="Chen Jie", key=material["key"], registry=registry)
    reg.suspend(number, by="Chen Jie", reason="re-evaluation pending", on=day(-9), registry=registry)
    with pytest.raises(TransitionError, match="'suspend-valid'"):
        reg.suspend(number, by="Chen Jie", reason="again", on=day(-9), registry=registry)
    with pytest.raises(TransitionError, match="'reason-required'"):
        reg.withdraw(number, by="Chen Jie", reason=" ", registry=registry)
    reg.withdraw(number, by="Chen Jie", reason="holder stopped the product", on=day(-8), registry=registry)
    with pytest.raises(TransitionError, match="'surveillance-active'.*withdrawn"):
        reg.surveil(number, by="Zhang Min", outcome="conforming", registry=registry)
    with pytest.raises(TransitionError, match="'reinstate-suspended'"):
        reg.reinstate(number, by="Chen Jie", reason="x", registry=registry)
    # another certificate: after its last valid day, no label and no surveillance, and the registry records the expiry
    second = issue(registry, apps[1], material)["certificate"]
    expires = dt.date.fromisoformat(reg.show(second, registry=registry)["expires_on"])
    monkeypatch.setattr(store, "today", lambda: expires + dt.timedelta(days=1))
    assert reg.show(second, registry=registry)["status"] == "expired"
    with pytest.raises(TransitionError, match="'label-valid'.*expired"):
        reg.label(second, by="Chen Jie", key=material["key"], registry=registry)
    with pytest.raises(TransitionError, match="'surveillance-active'"):
        reg.surveil(second, by="Zhang Min", outcome="conforming", registry=registry)
    assert reg.show(second, registry=registry)["status_recorded"] == "valid"  # a refused move writes nothing, not even the expiry
    issue(registry, apps[2], material)  # the next write records it, with its event
    assert reg.show(second, registry=registry)["status_recorded"] == "expired"
    assert [e["action"] for e in reg.log(subject=second, registry=registry)["events"]][-1] == "expire"


def test_suspension_reinstatement_and_renewal(granted, material):
    registry, apps = granted
    number = issue(registry, apps[0], material)["certificate"]
    finding = reg.finding(number, severity="major", text="surveillance: meter replaced without record", by="Zhang Min",
                          due=day(20), on=day(-30), registry=registry)
    reg.suspend(number, by="Chen Jie", reason="major finding open", on=day(-29), registry=registry)
    with pytest.raises(TransitionError, match="'reinstate-suspended'.*open major"):
        reg.reinstate(number, by="Chen Jie", reason="x", on=day(-20), registry=registry)
    reg.close_finding(finding["finding"], by="Zhang Min", note="record supplied", on=day(-21), registry=registry)
    assert reg.reinstate(number, by="Chen Jie", reason="finding closed", on=day(-20), registry=registry)["status"] == "valid"
    renewal = reg.renew(number, material["dossier"], reason="expiry approaching", on=day(-15), registry=registry)
    assert renewal["renews"] == number and renewal["models"] == ["EX-550M-144"]
    app = renewal["application"]
    reg.accept(app, by="Li Wei", on=day(-14), registry=registry)
    reg.plan(app, by="Li Wei", auditors=["Zhou Lei"], starts=day(-12), ends=day(-12), scope="renewal", on=day(-13), registry=registry)
    reg.audit(app, kind="document_review", by="Zhou Lei", summary="ok", on=day(-12), registry=registry)
    reg.audit(app, kind="on_site", by="Zhou Lei", summary="ok", site="Yancheng module plant", on=day(-12), registry=registry)
    reg.verify_cfp(app, by="Zhou Lei", on=day(-11), registry=registry)
    reg.evaluate(app, by="Wang Fang", recommendation="grant", on=day(-10), registry=registry)
    reg.decide(app, by="Chen Jie", outcome="grant", on=day(-9), registry=registry)
    new = issue(registry, app, material, offset=-8)
    assert new["renews"] == number and reg.show(number, registry=registry)["status"] == "renewed"
    assert reg.log(verify=True, registry=registry)["check"]["ok"]


def test_a_dossier_is_refused_when_a_file_changed_or_its_hash_is_not_the_application_s(registry, material, tmp_path):
    copy = tmp_path / "dossier"
    shutil.copytree(material["dossier"], copy)
    next(copy.glob("*.html")).write_text("changed", encoding="utf-8")
    with pytest.raises(InputError, match="changed since the dossier was written"):
        reg.apply(copy, applicant=APPLICANT, body=BODY, registry=registry)
    app = run_process(registry, material["dossier"], until="inspected")
    other = tmp_path / "other"
    from footprint.report import write_report

    write_report(material["product"], scheme=SCHEME, out_dir=other, pdf=False)  # the same product, another dossier (created later)
    before = event_count(registry)
    with pytest.raises(TransitionError, match="'dossier-hash'"):
        reg.verify_cfp(app, by="Zhang Min", dossier=other, registry=registry)
    assert event_count(registry) == before


# -- the hash chain ------------------------------------------------------------------------------


def test_events_are_append_only_and_the_chain_finds_a_changed_removed_or_moved_event(granted, material, tmp_path):
    registry, apps = granted
    issue(registry, apps[0], material)
    assert reg.log(verify=True, registry=registry)["check"]["ok"]
    for statement in ("UPDATE events SET actor = 'someone else' WHERE seq = 3", "DELETE FROM events WHERE seq = 3"):
        with pytest.raises(Exception, match="append-only"):
            raw_execute(registry, statement)
    dialect = "postgresql" if is_postgres(registry) else "sqlite"

    def tampered(*statements):
        copy = clone_registry(registry, tmp_path)
        raw_execute(copy, *DROP_TRIGGERS[dialect], *statements)
        done = invoke("cert", "log", "--verify", "--registry", copy, home=material["folder"])
        assert done.returncode == 1, done.stdout
        return done.stdout

    changed = tampered("UPDATE events SET data = replace(data, 'Zhang Min', 'Nobody') WHERE seq = 3")
    assert "event 3 (plan application:" in changed and "changed (its content no longer matches its hash)" in changed
    assert "event 5: missing" in tampered("DELETE FROM events WHERE seq = 5")
    moved = tampered("UPDATE events SET seq = 1000 WHERE seq = 4", "UPDATE events SET seq = 4 WHERE seq = 6",
                     "UPDATE events SET seq = 6 WHERE seq = 1000")
    assert "does not follow" in moved
    last = tampered("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)")
    assert "the chain head names event" in last


# -- bad input: exit 1, one line, nothing written -----------------------------------------------------


def one_line_error(done):
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("error: "), done.stderr
    return done.stderr


def test_bad_input_is_one_line_exit_1_and_writes_nothing(granted, material, tmp_path):
    registry, apps = granted
    home = material["folder"]
    before = event_count(registry)
    assert "--state: got 'bogus'" in one_line_error(invoke("cert", "list", "--state", "bogus", "--registry", registry, home=home))
    future = one_line_error(invoke("cert", "issue", apps[0], "--by", "Chen Jie", "--key", material["key"], "--on", day(3),
                                   "--registry", registry, home=home))
    assert "'no-future-date'" in future
    assert "expected a date" in one_line_error(invoke("cert", "issue", apps[0], "--by", "Chen Jie", "--key", material["key"],
                                                      "--on", "2025-13-45", "--registry", registry, home=home))
    broken = tmp_path / "dossier"
    shutil.copytree(material["dossier"], broken)
    (broken / "inputs" / material["product"].name).unlink()
    assert "no such file" in one_line_error(invoke("cert", "apply", broken, "--applicant", APPLICANT, "--body", BODY,
                                                   "--registry", registry, home=home))
    corrupt = tmp_path / "corrupt.key.pem"
    corrupt.write_bytes(material["key"].read_bytes()[:70])  # cut short
    os.chmod(corrupt, 0o600)
    assert "corrupt" in one_line_error(invoke("cert", "issue", apps[0], "--by", "Chen Jie", "--key", corrupt, "--registry", registry,
                                              home=home))
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("wrong\n", encoding="utf-8")
    assert "wrong passphrase" in one_line_error(invoke("cert", "issue", apps[0], "--by", "Chen Jie", "--key", material["locked"],
                                                       "--passphrase-file", wrong, "--registry", registry, home=home))
    assert "in the registry" in one_line_error(invoke("cert", "show", f"{PREFIX}-1999-000001", "--registry", registry, home=home))
    assert event_count(registry) == before
    assert reg.show(apps[0], registry=registry)["state"] == "granted"


def test_a_body_signs_only_with_its_registered_keys(granted, material, tmp_path):
    registry, apps = granted
    issue(registry, apps[0], material)  # the body's first key, registered as it signs
    other = init_keys(BODY, folder=tmp_path / "other")
    with pytest.raises(InputError, match="not a registered key of Example Certification Co."):
        reg.issue(apps[1], by="Chen Jie", key=other.private_key, surveillance_months=12, on=day(-370), registry=registry)
    reg.register_key(BODY, other.public_key, by="Chen Jie", registry=registry)
    assert reg.issue(apps[1], by="Chen Jie", key=other.private_key, surveillance_months=12, on=day(-385),
                     registry=registry)["key_fingerprint"] == other.fingerprint


def test_the_cli_runs_the_process_with_json_everywhere(granted, material, tmp_path):
    registry, apps = granted
    home = material["folder"]
    done = invoke("cert", "issue", apps[0], "--by", "Chen Jie", "--key", material["key"], "--surveillance-months", "12", "--on",
                  day(-370), "-o", tmp_path, "--registry", registry, "--format", "json", home=home)
    assert done.returncode == 0, done.stderr
    number = json.loads(done.stdout)["certificate"]
    for args in (("cert", "show", number), ("cert", "list"), ("cert", "list", "--applications", "--state", "granted"),
                 ("cert", "log", number, "--verify"), ("cert", "export", number, "-o", tmp_path / "export")):
        shown = invoke(*args, "--registry", registry, "--format", "json", home=home)
        assert shown.returncode == 0, shown.stderr
        json.loads(shown.stdout)
    verified = invoke("verify", tmp_path / f"{number}.json", "--registry", registry, home=home)
    assert verified.returncode == 0 and "is VALID" in verified.stdout, verified.stdout
    invoke("cert", "suspend", number, "--by", "Chen Jie", "--reason", "test", "--registry", registry, home=home)
    verified = invoke("verify", tmp_path / f"{number}.json", "--registry", registry, home=home)
    assert verified.returncode == 1 and "is SUSPENDED" in verified.stdout


# -- concurrency and kill -9 ------------------------------------------------------------------------


def env_for(home):
    env = {**os.environ, "FOOTPRINT_HOME": str(home), "FOOTPRINT_VERIFY": "0"}
    env.pop("FOOTPRINT_DEBUG", None)
    return env


ISSUER = """
import sys, footprint.registry as reg
registry, app, key, on = sys.argv[1:5]
number = reg.issue(app, by="Chen Jie", key=key, surveillance_months=12, on=on, registry=registry)["certificate"]
for _ in range(2):
    reg.label(number, by="Chen Jie", key=key, registry=registry)
print(number)
"""


#: Seconds a child process of the tests below may live: each also stops itself by then.
CHILD_DEADLINE = 120


def start_child(code, *args, home):
    """A Python process running ``code`` with ``args``, stdout a pipe of lines; killed by :func:`stop_children`."""
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=env_for(home), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stop_children(processes):
    """Kill whatever is still running (a failed assertion must not leave a writer behind)."""
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            stream.close()


def read_line(process, deadline):
    """The child's next line of stdout, or a test failure once ``deadline`` (time.monotonic) has passed."""
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
            pytest.fail(f"the child process said nothing for {CHILD_DEADLINE} s")
    return process.stdout.readline()


ISSUER = """
import sys, footprint.registry as reg
registry, app, key, on = sys.argv[1:5]
number = reg.issue(app, by="Chen Jie", key=key, surveillance_months=12, on=on, registry=registry)["certificate"]
for _ in range(2):
    reg.label(number, by="Chen Jie", key=key, registry=registry)
print(number)
"""


@pytest.mark.slow
def test_eight_processes_issuing_at_once_get_unique_numbers_and_lose_no_event(granted, material):
    registry, apps = granted
    before = event_count(registry)
    processes = [start_child(ISSUER, registry, app, material["key"], day(-370), home=material["folder"]) for app in apps[:8]]
    try:
        outputs = [process.communicate(timeout=CHILD_DEADLINE) for process in processes]
    finally:
        stop_children(processes)
    assert all(process.returncode == 0 for process in processes), [err for _, err in outputs]
    numbers = [out.strip() for out, _ in outputs]
    year = numbers[0].split("-")[2]
    assert sorted(numbers) == [f"{PREFIX}-{year}-{i:06d}" for i in range(1, 9)]  # unique and gapless
    log = reg.log(verify=True, registry=registry)
    assert log["check"]["ok"], log["check"]["problems"]
    actions = [event["action"] for event in log["events"][before:]]
    # each process: issue and certificate, twice label and label_licence; the first to sign registers the key
    assert actions.count("issue") == 8 and actions.count("certificate") == 8
    assert actions.count("label") == 16 and actions.count("label_licence") == 16
    assert actions.count("register_key") == 1 and len(actions) == 8 * 2 + 16 * 2 + 1
    assert [event["seq"] for event in log["events"]] == list(range(1, before + len(actions) + 1))
    assert sorted(row["certificate"] for row in reg.list_records(registry=registry)) == sorted(numbers)


#: A writer that labels a certificate up to 200 times (and for CHILD_DEADLINE seconds at most).
#: Just before each COMMIT (SQLAlchemy's "commit" event: every row of the write is in the
#: database's transaction, not yet committed) it says "in-transaction"; before the
#: ``pause_at``-th commit it then waits (up to the deadline), so that the test kills it there.
#: With ``pause_at`` 0 it writes as fast as it can and the kill falls anywhere.
KILLED_WRITER = """
import sys, time
from sqlalchemy import event
from sqlalchemy.engine import Engine
import footprint.registry as reg
registry, number, key, pause_at, deadline = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
stop = time.monotonic() + deadline
commits = 0

@event.listens_for(Engine, "commit")
def before_commit(connection):
    global commits
    commits += 1
    print("in-transaction", flush=True)
    if commits == pause_at:
        time.sleep(max(0.0, stop - time.monotonic()))

for _ in range(200):
    if time.monotonic() > stop:
        break
    reg.label(number, by="Chen Jie", key=key, registry=registry)
print("done", flush=True)
"""


@pytest.mark.slow
def test_kill_9_in_the_middle_of_a_write_leaves_the_registry_consistent(granted, material):
    registry, apps = granted
    number = issue(registry, apps[0], material)["certificate"]
    written = 0
    # (paused or not, kill at the n-th "in-transaction"): twice inside a transaction whose rows
    # are written (its first write, its third), once at some moment of a tight loop of writes
    for pause, kill_at in ((True, 1), (True, 3), (False, 6)):
        process = start_child(KILLED_WRITER, registry, number, material["key"], kill_at if pause else 0, CHILD_DEADLINE,
                              home=material["folder"])
        try:
            deadline = time.monotonic() + CHILD_DEADLINE
            seen = 0
            while seen < kill_at:
                line = read_line(process, deadline)
                assert line and line.strip() != "done", f"the writer ended before the kill: {process.stderr.read()}"
                seen += line.strip() == "in-transaction"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            stop_children([process])
        assert process.returncode == -signal.SIGKILL
        licences = check_consistent(registry, number)
        # a paused writer is killed before its commit: exactly the writes it finished are there
        if pause:
            assert len(licences) == written + kill_at - 1, (len(licences), written, kill_at)
        else:
            assert len(licences) >= written + kill_at - 1, (len(licences), written, kill_at)
        written = len(licences)
    reg.label(number, by="Chen Jie", key=material["key"], registry=registry)  # the registry takes writes again
    assert check_consistent(registry, number)[-1]["licence"] == f"{number}-L{written + 1:02d}"


def check_consistent(registry, number):
    """Every licence row has its event and its number, the chain holds, the database is sound; the licences."""
    log = reg.log(verify=True, registry=registry)
    assert log["check"]["ok"], log["check"]["problems"]
    licences = reg.show(number, registry=registry)["licences"]
    events = [e for e in log["events"] if e["action"] == "label_licence"]
    assert [lic["licence"] for lic in licences] == [e["data"]["licence"] for e in events]
    assert [lic["licence"] for lic in licences] == [f"{number}-L{i:02d}" for i in range(1, len(licences) + 1)]
    if not is_postgres(registry):
        with sqlite3.connect(registry) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        raw.close()
    return licences


def test_a_registry_that_cannot_be_reached_is_one_line(tmp_path, material):
    done = invoke("cert", "list", "--registry", "postgresql://nobody@127.0.0.1:1/none", home=material["folder"])
    assert "cannot use the registry" in one_line_error(done)
    assert isinstance(RegistryError("x"), FootprintError)


def test_the_registry_functions_are_typed_and_documented():
    import inspect

    for name in reg.__all__:
        function = getattr(reg, name)
        if not inspect.isfunction(function):
            continue
        signature = inspect.signature(function)
        for parameter in signature.parameters.values():
            assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name}) has no type"
        assert signature.return_annotation is not inspect.Signature.empty, f"{name} has no return type"
        assert (function.__doc__ or "").strip(), f"{name} has no docstring"
        positional = [p.name for p in signature.parameters.values() if p.kind == p.POSITIONAL_OR_KEYWORD]
        assert len(positional) <= (2 if name in ("renew", "register_key") else 1), f"{name}: {positional} positional"


def test_registry_upgrade_creates_the_schema_and_refuses_what_is_not_a_registry(tmp_path, material):
    home = material["folder"]
    registry = str(tmp_path / "new.sqlite")
    head = head_revision()
    done = invoke("registry", "upgrade", "--registry", registry, home=home)
    assert done.returncode == 0 and done.stdout.strip().endswith(f"schema none -> {head}"), (done.stdout, done.stderr)
    again = invoke("registry", "upgrade", "--registry", registry, home=home)
    assert again.returncode == 0 and again.stdout.strip().endswith(f"schema {head} -> {head}")
    again = invoke("registry", "upgrade", "--registry", registry, "--format", "json", home=home)
    assert json.loads(again.stdout) == {"registry": f"sqlite:///{tmp_path / 'new.sqlite'}", "before": head, "after": head}
    raw_execute(registry, "UPDATE alembic_version SET version_num = '9999'")
    assert "newer than this footprint knows" in one_line_error(invoke("registry", "upgrade", "--registry", registry, home=home))
    foreign = str(tmp_path / "foreign.sqlite")
    raw_execute(foreign, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    for args in (("registry", "upgrade"), ("cert", "list")):
        assert "no registry schema revision" in one_line_error(invoke(*args, "--registry", foreign, home=home))
    assert sqlite_tables(foreign) == ["invoices"]  # nothing written


def sqlite_tables(registry):
    with sqlite3.connect(registry) as raw:
        names = [row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    raw.close()
    return names


def test_cert_list_says_so_when_there_is_none(registry, footprint_home):
    """`cert list` on a registry without certificates printed nothing; --format json stays an empty array."""
    for args, said in ((("cert", "list"), "no certificate\n"),
                       (("cert", "list", "--state", "valid", "--scheme", "CN-PV"), "no certificate in state valid of scheme CN-PV\n"),
                       (("cert", "list", "--applications"), "no application\n")):
        done = invoke(*args, "--registry", registry, home=footprint_home)
        assert (done.returncode, done.stdout) == (0, said), done.stderr
    done = invoke("cert", "list", "--registry", registry, "--format", "json", home=footprint_home)
    assert (done.returncode, json.loads(done.stdout)) == (0, [])

"""Honest labels: a label without a certificate number is a self-assessment and says so; a
certificate has its dates, expires and cannot be issued in the future; a draft's PACT export is
not Active; a rule not read in the scheme's own text is "rule unconfirmed"; the dossier prints
no internal notes."""

import datetime as dt
import html
import json
import re
import uuid

import pytest
import yaml

from footprint.bundle.read import read_bundle
from footprint.errors import DataError, OptionError
from footprint.labels import evaluate, list_schemes, load_scheme, read_scheme
from footprint.model import build_chain, read_product
from footprint.report import write_report
from footprint.report.label_art import ID_NAMESPACE, label_id, qr_payload, render_label_svg
from footprint.report.pact import product_footprint
from footprint.report.pdf import pdf_unavailable_reason
from footprint.report.templates import environment

from conftest import PERC, ROOT, invoke

TODAY = dt.date(2026, 3, 1)
STAGES = ("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module")
NO_PDF = pdf_unavailable_reason()

#: What only this repository's notes say, never a dossier: paths of the repository, "not read", TODO.
INTERNAL = re.compile(r"pv-lca-facts|shared/reference|docs/|methods/label-|\bnot read\b|\bTODO\b", re.IGNORECASE)


def synthetic(total):
    """A complete result per kWp [kg CO2-eq/kWp] with every optional item: nothing unmet."""
    share = 1 / len(STAGES)
    return {
        "product": "test-module", "product_name": "Test module", "declared_unit": "1 kWp",
        "total": {"value": total, "unit": "kg CO2-eq/kWp"},
        "by_stage": {stage: {"value": total * share, "share": share} for stage in STAGES},
        "by_gas": {"CO2, fossil": {"value": total, "share": 1.0}},
        "by_origin": {"fossil": {"value": total, "share": 1.0}},
        "method": "IPCC 2021", "gwp": "IPCC AR6 GWP100 (IPCC 2021)",
        "electricity": [{"stage": "module", "site": "CN-JS", "dataset": "electricity_grid_CN-JS", "name": "grid",
                         "year": 2023, "scope": "co2_combustion", "amount": 10.0}],
        "primary_data_share": 0.6, "uncertainty": {"p5": total * 0.9}, "sensitivity": {"module electricity": 0.1},
        "computed_at": "2026-01-01T00:00:00+00:00",
    }


@pytest.fixture(scope="module")
def site_chain(tmp_path_factory):
    """The example module with its own module electricity: site-specific data, so nothing is unmet."""
    raw = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    raw["stages"]["module"]["electricity"] = "3.5 kWh/m2"
    path = tmp_path_factory.mktemp("products") / "site.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return build_chain(read_product(path), read_bundle())


def svg_of(decision, lang):
    scheme = load_scheme(decision.scheme)
    return render_label_svg(environment(), decision, lang=lang, scheme=scheme, product_name="Test module")


def test_epeat_report_without_a_certificate_is_a_watermarked_self_assessment(footprint_home, tmp_path):
    """The issue's case: `footprint report PRODUCT --scheme epeat-ulcs` drew the scheme's badge and a validity."""
    files = write_report(PERC, scheme="epeat-ulcs", out_dir=tmp_path, lang="en", pdf=False)
    decision = files.decision
    assert (decision.status, decision.certificate, decision.issued, decision.valid_until) == ("self-assessed", None, None, None)
    # the PERC example, 392.1 kg CO2-eq/kWp since the silicon chain of Götz et al. 2026, is below the 400 of ultra-low
    assert decision.grade == "ultra-low" and decision.grade_text == {"en": "would meet Ultra-low carbon solar", "zh": "可达到超低碳"}
    svg = files.label_svg.read_text(encoding="utf-8")
    assert "self-assessed, not certified</text>" in svg  # the watermark
    assert ">Self-assessed, not certified</text>" in svg and ">Evaluation following EPEAT Ultra Low Carbon Solar</text>" in svg
    # no scheme mark: not its title as the label's header, not its grade as a badge, not its green, no dates
    assert ">EPEAT Ultra Low Carbon Solar</text>" not in svg and ">Ultra-low carbon solar</text>" not in svg
    assert "#2e7d32" not in svg and "#e8f5e9" not in svg
    assert "Valid until" not in svg and not re.search(r">[^<]*\b20\d\d-\d\d-\d\d", svg)
    assert decision.value_text and f"Ultra-low carbon solar: {decision.value_text}" not in svg
    assert f">Self-assessed, not certified: {decision.value_text}" in svg
    payload = qr_payload(decision)
    assert ";status=self-assessed;rule=unconfirmed;certificate=-;valid_until=-;" in payload and payload in svg
    # the report says it on its first page (before the summary), in the decision section and on every page
    html = files.html.read_text(encoding="utf-8")
    first_page = html.split('id="summary"', 1)[0]
    assert 'class="watermark"' in first_page and "<span>self-assessed, not certified</span>" in first_page
    assert "No certificate number was given" in first_page and "Evaluation follows" in first_page
    decision_section = html.split('id="decision"', 1)[1].split("</section>", 1)[0]
    assert "Self-assessed, not certified" in decision_section and "a self-assessment has no issue date" in decision_section
    assert "none (self-assessment)" in decision_section
    assert "<th>Issued</th>" not in decision_section and "<th>Valid until</th>" not in decision_section
    record = json.loads(files.label_json.read_text(encoding="utf-8"))
    assert record["decision"]["status"] == "self-assessed" and record["decision"]["valid_until"] is None


@pytest.mark.parametrize("lang, words", [("zh", ["自我评估,未经认证"]), ("en", ["self-assessed, not certified"]),
                                         ("both", ["自我评估,未经认证", "self-assessed, not certified"])])
def test_the_watermark_is_in_the_labels_languages(site_chain, lang, words):
    decision = evaluate(synthetic(350.0), "epeat-ulcs", chain=site_chain, today=TODAY)
    svg = svg_of(decision, lang)
    watermark = svg.split('fill-opacity="0.28"', 1)[1].split("</g>", 1)[0]
    assert [w for w in words if f">{w}</text>" in watermark] == words
    certified = evaluate(synthetic(350.0), "epeat-ulcs", chain=site_chain, today=TODAY, certificate="EPEAT-1", issued=TODAY)
    assert 'fill-opacity="0.28"' not in svg_of(certified, lang)  # a valid certificate has no watermark


@pytest.mark.skipif(NO_PDF is not None, reason=f"PDF renderer unavailable: {NO_PDF}")
def test_every_page_of_a_self_assessed_pdf_says_it(footprint_home, tmp_path):
    from pypdf import PdfReader

    files = write_report(PERC, scheme="epeat-ulcs", out_dir=tmp_path, lang="both")
    pages = [" ".join((page.extract_text() or "").split()) for page in PdfReader(str(files.pdf)).pages]
    assert all("self-assessed, not certified" in page for page in pages)
    assert "No certificate number was given" in pages[0] and "未提供证书编号" in pages[0]
    assert not re.search(r"(Valid until|有效期至)\s*:?\s*\d{4}-\d\d-\d\d", " ".join(pages))


def test_a_certificate_expires_after_its_validity(footprint_home):
    """The issue's case: kr-carbon issued 2020-01-01, evaluated on 2026-12-20 printed PASS, valid 2020-2023."""
    args = (PERC, "--scheme", "kr-carbon", "--certificate", "KR-2020-0001", "--issued", "2020-01-01", "--as-of", "2026-12-20")
    done = invoke("label", *args, "--format", "json", home=footprint_home)
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert (decision["status"], decision["outcome"]) == ("expired", "expired")
    assert (decision["issued"], decision["valid_until"], decision["as_of"]) == ("2020-01-01", "2022-12-31", "2026-12-20")
    assert decision["unmet"][0]["reason"] == "certificate KR-2020-0001 expired on 2022-12-31 (evaluated on 2026-12-20)"
    table = invoke("label", *args, home=footprint_home).stdout
    assert "Outcome: EXPIRED" in table and "Status: EXPIRED: certificate KR-2020-0001" in table and "PASS" not in table


def test_the_expired_label_says_expired(site_chain):
    decision = evaluate(synthetic(500.0), "kr-carbon", chain=site_chain, today=dt.date(2026, 12, 20), certificate="KR-2020-0001",
                        issued=dt.date(2020, 1, 1))
    svg = html.unescape(svg_of(decision, "en"))
    assert ">EXPIRED</text>" in svg and "EXPIRED: the certificate's validity has ended" in svg and "2022-12-31 (expired)" in svg
    assert "已过期" in svg_of(decision, "zh")
    # on its last valid day the same certificate is still valid
    valid = evaluate(synthetic(500.0), "kr-carbon", chain=site_chain, today=dt.date(2022, 12, 31), certificate="KR-2020-0001",
                     issued=dt.date(2020, 1, 1))
    assert (valid.status, valid.outcome, valid.valid_until) == ("certified", "pass", "2022-12-31")


@pytest.mark.parametrize("kwargs, message", [
    ({"certificate": "KR-1", "issued": dt.date(2099, 1, 1)}, r"^issued: got 2099-01-01, a date in the future \(today is "),
    ({"certificate": "KR-1", "issued": dt.date(2026, 3, 2)}, r"^issued: got 2026-03-02, after the evaluation date 2026-03-01"),
    ({"certificate": "KR-1"}, r"^issued: missing; certificate KR-1 needs its issue date"),
    ({"issued": dt.date(2026, 1, 1)}, r"^issued: got 2026-01-01 without a certificate number; a self-assessment has no issue date"),
    ({"certificate": "pending", "issued": dt.date(2026, 1, 1)}, r"^certificate: got 'pending'; expected the number"),
    ({"certificate": "A;B", "issued": dt.date(2026, 1, 1)}, r"^certificate: got 'A;B'"),
])
def test_certificate_dates_that_cannot_be_are_refused(site_chain, kwargs, message):
    with pytest.raises(OptionError, match=message) as caught:
        evaluate(synthetic(500.0), "kr-carbon", chain=site_chain, today=TODAY, **kwargs)
    assert "\n" not in str(caught.value)


def test_an_issue_date_in_the_future_is_refused_on_the_command_line(footprint_home):
    done = invoke("label", PERC, "--scheme", "kr-carbon", "--certificate", "KR-1", "--issued", "2099-01-01", home=footprint_home)
    assert done.returncode == 1 and done.stdout == ""
    # refused before anything is computed: no warning about the product's data comes first
    assert re.fullmatch(r"error: --issued: got 2099-01-01, a date in the future \(today is \d{4}-\d\d-\d\d\)", done.stderr.strip())


def test_draft_pact_export_is_not_active(site_chain):
    period = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))

    def pact(**kwargs):
        decision = evaluate(synthetic(350.0), "epeat-ulcs", chain=site_chain, today=TODAY, **kwargs)
        return product_footprint(synthetic(350.0), decision, site_chain, company="Example PV Co.", period=period)

    draft = pact()
    # PACT has no draft status: a draft is Deprecated ("SHOULD NOT be used"), never Active, with no validity period
    assert draft["status"] == "Deprecated" and "validityPeriodStart" not in draft and "validityPeriodEnd" not in draft
    assert draft["statusComment"].startswith("draft, never active: self-assessed, not certified")
    assert draft["comment"].startswith("DRAFT, not for exchange")
    certified = pact(certificate="EPEAT-2026-1", issued=dt.date(2026, 1, 10))
    # the validity period's end is excluded in PACT: the day after the last valid day
    assert (certified["status"], certified["validityPeriodStart"], certified["validityPeriodEnd"]) == \
        ("Active", "2026-01-10T00:00:00Z", "2027-01-11T00:00:00Z")
    assert certified["id"] != draft["id"]  # deprecating the draft never deprecates the certificate
    expired = pact(certificate="EPEAT-2024-1", issued=dt.date(2024, 1, 10))
    assert expired["status"] == "Deprecated" and "expired on 2025-01-10" in expired["statusComment"]
    # a certificate does not make an incomplete evaluation active
    result = synthetic(350.0)
    del result["primary_data_share"], result["uncertainty"], result["sensitivity"]
    incomplete = evaluate(result, "cn-cfp", chain=site_chain, today=TODAY, certificate="CFP-1", issued=TODAY)
    assert incomplete.outcome == "incomplete"
    assert product_footprint(result, incomplete, site_chain, period=period)["status"] == "Deprecated"


def test_the_dossiers_pact_file_of_a_draft_is_not_active(footprint_home, tmp_path):
    files = write_report(PERC, scheme="kr-carbon", out_dir=tmp_path, pdf=False, period="2024")
    assert '"Active"' not in files.pact_json.read_text(encoding="utf-8")


def _scheme_copy(tmp_path, change):
    raw = yaml.safe_load((ROOT / "methods" / "label-kr-carbon.yaml").read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / f"label-kr-{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return read_scheme(path)


def test_rule_unconfirmed_is_shown_beside_the_grade(site_chain, tmp_path):
    def confirm_all_but_decision(raw):
        for key in ("declared_unit", "required_items"):
            raw[f"{key}_confirmed"] = True
        for key in ("boundary", "gwp", "data_quality", "rounding", "validity"):
            raw[key]["confirmed"] = True
        raw["decision"]["confirmed"] = False

    def confirm_all(raw):
        confirm_all_but_decision(raw)
        raw["decision"]["confirmed"] = True

    marked = _scheme_copy(tmp_path, confirm_all_but_decision)
    decision = evaluate(synthetic(500.0), marked, chain=site_chain, today=TODAY, certificate="KR-1", issued=TODAY)
    assert (decision.rule_confirmed, decision.unconfirmed_rules, decision.grade) == (False, ["decision"], "1")
    svg = svg_of(decision, "en")
    grade_chip = svg.split(">Grade 1</text>", 1)[1].split("<rect", 1)[0]
    assert ">rule unconfirmed</text>" in grade_chip and ";rule=unconfirmed;" in qr_payload(decision)
    assert decision.to_dict()["rule_confirmed"] is False
    confirmed = evaluate(synthetic(500.0), _scheme_copy(tmp_path, confirm_all), chain=site_chain, today=TODAY, certificate="KR-1",
                         issued=TODAY)
    assert confirmed.rule_confirmed and confirmed.unconfirmed_rules == []
    assert "rule unconfirmed" not in svg_of(confirmed, "en") and ";rule=confirmed;" in qr_payload(confirmed)
    # the bundled files say what is confirmed: Korea's three-year validity only
    assert load_scheme("kr-carbon").unconfirmed_rules() == ["declared_unit", "boundary", "gwp", "required_items", "data_quality",
                                                            "decision", "rounding"]


def test_rule_unconfirmed_in_the_report_and_the_command(footprint_home, tmp_path):
    files = write_report(PERC, scheme="cn-cfp", out_dir=tmp_path, lang="zh", pdf=False)
    outcome_row = files.html.read_text(encoding="utf-8").split('id="decision"', 1)[1].split("</tr>", 5)[4]
    assert 'class="rule-unconfirmed">规则未经确认</span>' in outcome_row
    done = invoke("label", PERC, "--scheme", "epeat-ulcs", home=footprint_home)
    assert "Outcome: INCOMPLETE, would meet Ultra-low carbon solar (rule unconfirmed)" in done.stdout


def test_every_rule_of_a_bundled_scheme_says_whether_it_was_confirmed():
    for path in sorted((ROOT / "methods").glob("label-*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("boundary", "gwp", "data_quality", "decision", "rounding", "validity"):
            assert isinstance(raw[key].get("confirmed"), bool), (path.name, key)
        for key in ("declared_unit", "required_items"):
            assert isinstance(raw.get(f"{key}_confirmed"), bool), (path.name, key)


def test_a_confirmation_that_is_not_true_or_false_is_rejected(tmp_path):
    def bad(raw):
        raw["rounding"]["confirmed"] = "yes"

    with pytest.raises(DataError, match=r"rounding.confirmed: got 'yes'; expected true"):
        _scheme_copy(tmp_path, bad)


def test_what_the_dossier_prints_of_a_scheme_is_public_wording():
    for scheme in list_schemes():
        printed = [scheme.basis("en"), scheme.basis("zh"), scheme.surveillance("en"), scheme.surveillance("zh"),
                   json.dumps(scheme.declared_unit_note, ensure_ascii=False), json.dumps(scheme.factor_table, ensure_ascii=False),
                   json.dumps(scheme.name, ensure_ascii=False), json.dumps(scheme.issuer, ensure_ascii=False)]
        printed += [str(entry.get(key, "")) for entry in scheme.sources for key in ("title", "issuer", "date", "url", "note")]
        for text in printed:
            assert not INTERNAL.search(text), (scheme.id, text)


def test_the_dossier_prints_no_internal_notes(footprint_home, tmp_path):
    files = write_report(PERC, scheme="epd", out_dir=tmp_path, lang="both", pdf=False, period="2024")
    for path in (files.html, files.label_svg, files.label_json, files.pact_json):
        found = INTERNAL.search(path.read_text(encoding="utf-8"))
        assert found is None, (path.name, found)


def test_label_ids_stay_where_the_inputs_did_not_change(site_chain):
    """A self-assessment's id is the one labels had before (result and scheme); a certificate is another label."""
    draft = evaluate(synthetic(500.0), "kr-carbon", chain=site_chain, today=TODAY)
    assert label_id(draft) == str(uuid.uuid5(ID_NAMESPACE, f"{draft.result_sha256}:kr-carbon"))
    issued = dt.date(2025, 6, 1)
    certified = evaluate(synthetic(500.0), "kr-carbon", chain=site_chain, today=TODAY, certificate="KR-1", issued=issued)
    later = evaluate(synthetic(500.0), "kr-carbon", chain=site_chain, today=dt.date(2030, 1, 1), certificate="KR-1", issued=issued)
    assert later.status == "expired" and label_id(later) == label_id(certified) != label_id(draft)
    other = evaluate(synthetic(500.0), "kr-carbon", chain=site_chain, today=TODAY, certificate="KR-2", issued=issued)
    assert label_id(other) != label_id(certified)

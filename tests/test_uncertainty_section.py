"""The uncertainty analysis in a label and a report: footprint/uncertainty/section.py, evaluate_label(montecarlo=)."""

import re

import numpy as np
import pytest
import yaml

from footprint.labels.evaluate import round_value
from footprint.labels.schemes import load_scheme
from footprint.labels.study import evaluate_label
from footprint.uncertainty import montecarlo
from footprint.uncertainty.section import SECTION_WORDS, analyse_study, report_section

from conftest import EXAMPLES, PERC

DRAWS = 2000


def _with_module_electricity(tmp_path):
    """The example with the module stage's electricity given (cn-cfp wants the holder's own process site-specific)."""
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    data["stages"]["module"]["electricity"] = "8 kWh/module"
    path = tmp_path / "product.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_cn_cfp_needs_an_uncertainty_analysis_and_is_met_by_one(home_env, tmp_path):
    product = _with_module_electricity(tmp_path)
    without = evaluate_label(product, scheme="cn-cfp")
    assert without.decision.outcome == "incomplete"
    assert sorted(unmet.item for unmet in without.decision.unmet) == ["sensitivity", "uncertainty"]
    assert "uncertainty" not in without.result and without.analysis is None and without.decision.probabilities == []

    study = evaluate_label(product, scheme="cn-cfp", montecarlo=DRAWS, seed=3)
    assert study.decision.unmet == [] and study.decision.outcome == "pass"
    # the footprint's identity (and the label id) does not change with the analysis
    assert study.decision.result_sha256 == without.decision.result_sha256
    entry = study.result["uncertainty"]
    assert entry["iterations"] == DRAWS and entry["seed"] == 3 and entry["static"] == pytest.approx(without.result["total"]["value"],
                                                                                                   rel=1e-12)
    # the statistics are the Monte Carlo's own, run again independently with the same seed
    again = montecarlo.monte_carlo(product, iterations=DRAWS, seed=3, per="kWp")
    draws = again.samples_of("total")
    assert entry["median"] == pytest.approx(float(np.median(draws)), rel=1e-12)
    assert entry["percentiles"]["97.5"] == pytest.approx(float(np.percentile(draws, 97.5)), rel=1e-12)
    assert entry["sd"] == pytest.approx(float(np.std(draws, ddof=1)), rel=1e-9)
    bars = study.result["sensitivity"]["bars"]
    assert bars and all(a["swing"] >= b["swing"] for a, b in zip(bars, bars[1:]))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_label_carries_the_probability_of_each_grade(home_env):
    scheme = load_scheme("epeat-ulcs")
    study = evaluate_label(PERC, scheme=scheme, montecarlo=DRAWS, seed=5)
    draws = montecarlo.monte_carlo(PERC, iterations=DRAWS, seed=5, per="kWp").samples_of("total")
    # by hand: each draw rounded as the scheme rounds a value it decides on, then compared
    decided = [round_value(value, scheme.rounding) if scheme.rounding["applies_to"] == "decision" else value for value in draws]
    strict = scheme.decision.get("comparison") == "<"
    found = study.decision.probabilities
    assert [level["id"] for level in found] == [str(level["id"]) for level in scheme.decision["grades"]]
    for level, grade in zip(found, scheme.decision["grades"]):
        expected = np.mean([(value < grade["max"]) if strict else (value <= grade["max"]) for value in decided])
        assert level["probability"] == pytest.approx(expected, abs=1e-12)
    assert study.decision.to_dict()["probabilities"] == found


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_scheme_with_its_own_indicator_gets_no_probability_and_says_why(home_env):
    analysis = analyse_study(PERC, scheme=load_scheme("fr-ecs"), iterations=200, seed=1, per="kWp")
    assert analysis.levels == []
    assert "fr-ecs" in analysis.notes[0]["en"] and "fr-ecs" in analysis.notes[0]["zh"]
    assert analysis.uncertainty()["probability_of_meeting"] == []


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("lang", ["en", "zh", "both"])
def test_the_report_section_renders_in_each_language(home_env, lang):
    from footprint.i18n import words
    from footprint.report.templates import environment

    analysis = analyse_study(PERC, scheme=load_scheme("kr-carbon"), iterations=500, seed=2, per="kWp")
    section = report_section(analysis, lang=lang)
    assert set(section["words"]) == set(SECTION_WORDS)
    template = environment().from_string('{% from "uncertainty.html.j2" import uncertainty_body, sensitivity_body %}'
                                         "{{ uncertainty_body(s) }}{{ sensitivity_body(s) }}")
    html = template.render(s=section)
    assert html.count("<svg") == 2
    for key in ("median", "range", "probability", "swing"):
        entry = words("uncertainty_section", key)
        if lang in ("zh", "both"):
            assert entry["zh"] in html
        if lang in ("en", "both"):
            assert entry["en"] in html
    # the numbers shown are the analysis's: the 95 % range of the total, every grade
    total = analysis.montecarlo.total
    assert f"{total.percentiles[2.5]:,.4g} – {total.percentiles[97.5]:,.4g}" in html
    assert len(re.findall(r"<td class=\"num\">≤ ", html)) == sum(level.maximum is not None for level in analysis.levels)
    assert section["dqr"] == pytest.approx(analysis.montecarlo.dqr.dqr)
    units = {bar["path"]: bar["unit_text"] for bar in section["bars"]}
    assert all(f"<td>{unit}</td>" in html for unit in units.values())
    assert units["stages.polysilicon.electricity"] == "kWh/kg"  # among the bars: polysilicon is a quarter of the total


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("example", ["bc-glass-backsheet-shaanxi.yaml", "perc-glass-backsheet-jiangsu.yaml"])
def test_another_example_has_a_report_section(home_env, example):
    analysis = analyse_study(EXAMPLES / example, iterations=50, seed=1, per="kWp")
    section = report_section(analysis)
    assert section["iterations"] == 50 and section["static"] == pytest.approx(analysis.montecarlo.total.static)
    assert [row["stage"] for row in section["stages"]] == list(analysis.montecarlo.by_stage)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_report_and_the_label_carry_the_analysis(home_env, tmp_path):
    import json

    from conftest import invoke

    product = _with_module_electricity(tmp_path)
    out = tmp_path / "dossier"
    completed = invoke("report", product, "--scheme", "cn-cfp", "-o", out, "--montecarlo", "300", "--seed", "4", "--no-pdf",
                       "--lang", "zh", "--period", "2024", home=home_env)
    assert completed.returncode == 0, completed.stderr
    assert "pass" in completed.stdout and "0 unmet" in completed.stdout
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    section = html[html.index('<section id="uncertainty">'):html.index('<section id="limitations">')]
    assert section.count("<svg") == 2 and "蒙特卡洛" in section and "uncertainty_missing" not in section
    result = json.loads(next(out.glob("*-result.json")).read_text(encoding="utf-8"))
    assert result["uncertainty"]["iterations"] == 300 and result["uncertainty"]["seed"] == 4
    pact = json.loads(next(out.glob("*-pact.json")).read_text(encoding="utf-8"))
    described = pact["pcf"]["uncertaintyAssessmentDescription"]
    assert described.startswith("Monte Carlo, 300 draws (seed 4): static result ") and len(described) < 600
    assert f"median {result['uncertainty']['median']:,.4g}" in described
    verified = invoke("verify", out, home=home_env)  # the footprint is recomputed; the analysis is not part of its identity
    assert verified.returncode == 0 and "IDENTICAL" in verified.stdout
    without = invoke("report", product, "--scheme", "cn-cfp", "-o", tmp_path / "plain", "--no-pdf", home=home_env)
    assert "incomplete" in without.stdout and "2 unmet" in without.stdout
    plain = next((tmp_path / "plain").glob("*.html")).read_text(encoding="utf-8")
    assert "<svg" not in plain[plain.index('<section id="uncertainty">'):plain.index('<section id="limitations">')]
    label = invoke("label", PERC, "--scheme", "epeat-ulcs", "--montecarlo", "300", "--seed", "4", home=home_env)
    assert label.returncode == 0 and "probability of meeting ultra-low:" in label.stdout
    refused = invoke("label", PERC, "--scheme", "cn-cfp", "--montecarlo", "0", home=home_env)
    assert refused.returncode == 1 and refused.stderr.strip().splitlines()[-1].startswith("error: --iterations: got 0")

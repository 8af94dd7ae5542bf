"""A study's uncertainty and sensitivity analysis, for the label and the report.

:func:`analyse_study` runs the Monte Carlo (:func:`footprint.uncertainty.montecarlo.monte_carlo`),
the probability of meeting each threshold or grade of a scheme
(:func:`~footprint.uncertainty.montecarlo.probability_of_meeting`) and the one-at-a-time
sensitivity (:func:`footprint.uncertainty.sensitivity.tornado`) of one product, per the
scheme's declared unit. :meth:`StudyAnalysis.result_entries` gives the ``uncertainty`` and
``sensitivity`` entries a result carries once the analysis was run (the report items the
cn-cfp and EPD schemes require; without an analysis a result has neither, and the label
says they are missing). :func:`report_section` gives the numbers, words and SVG charts of the
report's uncertainty and sensitivity section (``report_templates/uncertainty.html.j2``).
"""

from __future__ import annotations

import datetime
import math
import os
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from footprint.errors import OptionError
from footprint.i18n import text, words
from footprint.uncertainty.montecarlo import MonteCarloResult, check_iterations, check_seed, prepare, probability_of_meeting, run_model
from footprint.uncertainty.sensitivity import Tornado, tornado_of_model

if TYPE_CHECKING:
    from footprint.model.spec import ProductSpec

#: Bars of the tornado kept in the result and drawn in the report.
TOP = 10
#: Draws of the analysis by default.
ITERATIONS = 10_000


@dataclass
class StudyAnalysis:
    """The uncertainty and sensitivity analysis of one product under one scheme (or none)."""

    montecarlo: MonteCarloResult
    tornado: Tornado
    levels: list  # footprint.uncertainty.montecarlo.LevelProbability, strictest first
    scheme: str | None  # the scheme's id
    notes: list = field(default_factory=list)  # {"en": ..., "zh": ...}

    def uncertainty(self) -> dict:
        """The result's ``uncertainty`` entry: the Monte Carlo's statistics, how it was run, the DQR, the probabilities."""
        mc = self.montecarlo
        return {
            "method": "monte_carlo",
            "iterations": mc.iterations,
            "seed": mc.seed,
            "unit": mc.unit,
            "static": mc.total.static,
            "mean": mc.total.mean,
            "median": mc.total.median,
            "sd": mc.total.sd,
            "percentiles": mc.total.to_dict()["percentiles"],
            "minimum": mc.total.minimum,
            "maximum": mc.total.maximum,
            "market_based": mc.market_based.to_dict(),
            "by_stage": {stage: summary.to_dict() for stage, summary in mc.by_stage.items()},
            "percentiles_exact": mc.percentiles_exact,
            "explanation": mc.explanation,
            "data_quality_rating": mc.dqr.to_dict(),
            "probability_of_meeting": [asdict(level) for level in self.levels],
            "scheme": self.scheme,
            "figures": mc.figures,
            "distributions": "docs/uncertainty.md",
            "notes": [note["en"] for note in self.notes] + list(mc.notes),
        }

    def sensitivity(self) -> dict:
        """The result's ``sensitivity`` entry: the tornado's largest swings."""
        data = self.tornado.to_dict()
        data["method"] = "one_at_a_time"
        data["range"] = "2.5 and 97.5 percentiles of each figure's distribution, every other figure at its value"
        return data

    def result_entries(self) -> dict:
        """``{"uncertainty": ..., "sensitivity": ...}``, to add to a result's ``to_dict()``."""
        return {"uncertainty": self.uncertainty(), "sensitivity": self.sensitivity()}


def analyse_study(
    product: str | os.PathLike | dict | ProductSpec,
    *,
    scheme: Any = None,
    iterations: int = ITERATIONS,
    seed: int | None = None,
    per: str = "module",
    gwp: str = "ar6",
    boundary: str = "cradle-to-gate",
    as_of: datetime.date | str | None = None,
    uncertainty: dict | str | os.PathLike | None = None,
    top: int = TOP,
) -> StudyAnalysis:
    """The uncertainty and sensitivity analysis of a product: Monte Carlo, a scheme's probabilities, a tornado.

    Parameters
    ----------
    product : str or os.PathLike or dict or ProductSpec
        A product file, its content, or a product already read.
    scheme : footprint.labels.schemes.Scheme, optional
        Its thresholds or grades get the probability of meeting them; ``per`` should be its
        declared unit. A scheme that decides on its own indicator (fr-ecs) gets none, and a note.
    iterations : int
        Monte Carlo draws.
    seed : int, optional
        The Monte Carlo's seed (drawn and recorded when not given).
    per, gwp, boundary, as_of
        As :func:`footprint.compute`.
    uncertainty : dict or str or os.PathLike, optional
        An ``uncertainty:`` block to use instead of the product file's own.
    top : int
        Bars of the tornado kept.

    Returns
    -------
    StudyAnalysis

    Raises
    ------
    footprint.errors.FootprintError
        A bad option or ``uncertainty:`` entry, or the data directory not set up.

    Examples
    --------
    >>> from footprint.labels.schemes import load_scheme
    >>> analysis = analyse_study("examples/perc-glass-backsheet-jiangsu.yaml", scheme=load_scheme("epeat-ulcs"),
    ...                          iterations=10000, seed=1, per="kWp")  # doctest: +SKIP
    >>> [(level.id, level.probability) for level in analysis.levels]  # doctest: +SKIP
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise OptionError("top", f"got {top!r}; expected a whole number above zero")
    iterations, seed, started = check_iterations(iterations), check_seed(seed), time.perf_counter()
    # one model for both analyses: the product read, the background loaded and the system built once
    model, options = prepare(product, per=per, gwp=gwp, boundary=boundary, as_of=as_of, uncertainty=uncertainty)
    result = run_model(model, options, iterations=iterations, seed=seed, started=started)
    bars = tornado_of_model(model, options, top=top)
    levels, notes = [], []
    if scheme is not None:
        indicator = getattr(scheme, "indicator", "total")
        if indicator not in (None, "total"):
            notes.append(text("uncertainty_section", "own_indicator", scheme=scheme.id, indicator=indicator))
        else:
            levels = probability_of_meeting(result, scheme=scheme)
    return StudyAnalysis(result, bars, levels, getattr(scheme, "id", None), notes)


def describe_uncertainty(entry: dict) -> str:
    """A result's ``uncertainty`` entry in one sentence (a PACT ``uncertaintyAssessmentDescription``).

    Parameters
    ----------
    entry : dict
        As :meth:`StudyAnalysis.uncertainty` gives it.

    Returns
    -------
    str

    Examples
    --------
    >>> describe_uncertainty({"iterations": 10000, "seed": 1, "unit": "kg CO2-eq/kWp", "static": 423.9, "median": 425.1,
    ...                       "percentiles": {"2.5": 394.7, "97.5": 458.4}, "data_quality_rating": {"dqr": 2.39}})[:40]
    'Monte Carlo, 10,000 draws (seed 1): stat'
    """
    percentiles = entry.get("percentiles") or {}
    dqr = (entry.get("data_quality_rating") or {}).get("dqr")
    text = (f"Monte Carlo, {entry['iterations']:,} draws (seed {entry['seed']}): static result {entry['static']:,.4g}, median "
            f"{entry['median']:,.4g}, 95 % range {percentiles.get('2.5', math.nan):,.4g} to "
            f"{percentiles.get('97.5', math.nan):,.4g} {entry['unit']}; every figure drawn from a lognormal of its pedigree "
            "scores (ecoinvent v3 factors) or its own distribution; one-at-a-time sensitivity (tornado)")
    if dqr is not None:
        text += f"; data quality rating (PEF-style, contribution-weighted) {dqr:.2f}"
    return text + " (footprint, docs/uncertainty.md)."


def report_section(analysis: StudyAnalysis, *, lang: str = "en", names: Any = None) -> dict:
    """The numbers, words and SVG charts of a report's uncertainty and sensitivity section.

    Parameters
    ----------
    analysis : StudyAnalysis
        As :func:`analyse_study` returns it.
    lang : str
        ``en``, ``zh`` or ``both`` (Chinese, then English).
    names : callable, optional
        Stage id -> its name in ``lang``; by default the stage ids.

    Returns
    -------
    dict
        ``words`` (the section's texts), ``unit``, ``iterations``, ``seed``, ``static``,
        ``mean``, ``median``, ``sd``, ``low`` and ``high`` (2.5 and 97.5 percentiles),
        ``stages`` (rows), ``levels`` (probabilities of a scheme's thresholds or grades),
        ``dqr`` and ``criteria``, ``bars`` (the tornado), ``histogram_svg`` and
        ``tornado_svg`` (SVG text to inline), ``explanation`` and ``notes``.

    Examples
    --------
    >>> section = report_section(analysis, lang="zh")  # doctest: +SKIP
    >>> section["words"]["title"], section["histogram_svg"][:4]  # doctest: +SKIP
    """
    from footprint.uncertainty.plots import histogram_svg, tornado_svg

    def pick(entry):
        if lang == "both":
            return f"{entry['zh']} {entry['en']}" if entry["zh"] != entry["en"] else entry["en"]
        return entry.get(lang) or entry["en"]

    def stage_name(stage):
        return names(stage) if names is not None else stage

    mc = analysis.montecarlo
    total = mc.total
    low, high = total.percentiles[2.5], total.percentiles[97.5]
    thresholds = [(level.id, level.maximum) for level in analysis.levels if level.maximum is not None]
    shift = (total.mean - total.static) / total.static if total.static else math.nan
    explanation = text("uncertainty_section", "explanation", mean=total.mean, static=total.static, shift=shift,
                       median=total.median, unit=mc.unit)
    section = {
        "words": {key: pick(words("uncertainty_section", key)) for key in SECTION_WORDS},
        "unit": mc.unit, "iterations": mc.iterations, "seed": mc.seed, "static": total.static, "mean": total.mean,
        "median": total.median, "sd": total.sd, "low": low, "high": high,
        "relative_low": low / total.static - 1 if total.static else math.nan,
        "relative_high": high / total.static - 1 if total.static else math.nan,
        "stages": [{"stage": stage_name(stage), "static": s.static, "median": s.median, "low": s.percentiles[2.5],
                    "high": s.percentiles[97.5]} for stage, s in mc.by_stage.items()],
        "levels": [{"id": level.id, "label": pick(level.label) if isinstance(level.label, dict) else (level.label or level.id),
                    "maximum": level.maximum, "probability": level.probability,
                    "probability_of_grade": level.probability_of_grade, "standard_error": level.standard_error}
                   for level in analysis.levels],
        "dqr": mc.dqr.dqr, "criteria": dict(mc.dqr.criteria), "dqr_formula": mc.dqr.formula,
        "bars": [{**asdict(bar), "unit_text": _unit_shown(bar.unit)} for bar in analysis.tornado.bars],
        "figures": len(mc.figures),
        "histogram_svg": histogram_svg(mc, thresholds=thresholds, title=f"{mc.iterations:,} draws, seed {mc.seed}"),
        "tornado_svg": tornado_svg(analysis.tornado, top=len(analysis.tornado.bars)),
        "explanation": pick(explanation),
        "notes": [pick(note) for note in analysis.notes] + list(mc.notes),
    }
    return section


def _unit_shown(unit):
    """A figure's unit as the report shows it (``kWh/kg``); a ratio without unit as ``-``."""
    from footprint.units import unit_text, ureg

    try:
        return unit_text(ureg.Unit(unit)) or "-"
    except Exception:  # a unit pint cannot read back: shown as stored
        return str(unit)


#: The texts of the report section (names.yaml, kind ``uncertainty_section``).
SECTION_WORDS = ("title", "method", "draws", "seed", "static", "mean", "median", "sd", "range", "stage", "probability",
                 "probability_of_grade", "threshold", "above", "dqr", "dqr_note", "sensitivity_title", "sensitivity_method",
                 "figure", "low", "high", "unit", "total_at_low", "total_at_high", "swing")

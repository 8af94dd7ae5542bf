"""Compute a product the way a scheme asks (declared unit, GWP set, dates), then evaluate it."""

from __future__ import annotations

import datetime
import datetime as _dt
import os
from dataclasses import dataclass

from footprint import supplier as _supplier
from footprint.bundle.read import read_bundle
from footprint.calc import compute
from footprint.calc.compute import apply_electricity_basis, read_product
from footprint.errors import OptionError
from footprint.fileio import parse_date
from footprint.i18n import text
from footprint.labels.ecs import evaluate_ecs, read_factor_table, read_shares
from footprint.labels.evaluate import LabelDecision, certificate_status, evaluate, stage_words
from footprint.labels.schemes import Scheme, load_scheme
from footprint.model import build_chain
from footprint.model.spec import ProductSpec
from footprint.shared_data import resolve_shared
from footprint.supplier import read_pact
from footprint.vocab import ELECTRICITY_BASES, GWP_SETS, choose


@dataclass
class Study:
    """Everything a label or report needs about one product under one scheme."""

    scheme: Scheme
    result: dict  # FootprintResult.to_dict(), per the scheme's declared unit
    chain: object  # footprint.model.chain.Chain
    decision: LabelDecision
    ecs: object = None  # footprint.labels.ecs.EcsResult
    bundle: object = None  # footprint.bundle.read.Bundle
    spec: object = None  # footprint.model.spec.ProductSpec
    analysis: object = None  # footprint.uncertainty.section.StudyAnalysis, when an uncertainty analysis was run


def evaluate_label(
    product: str | os.PathLike | dict | ProductSpec,
    *,
    scheme: str | Scheme,
    gwp: str | None = None,
    factors: str | os.PathLike | None = None,
    shares: str | os.PathLike | None = None,
    certificate: str | None = None,
    previous: float | None = None,
    issued: datetime.date | str | None = None,
    as_of: datetime.date | str | None = None,
    brightway: bool = False,
    record_claims: bool = False,
    montecarlo: int | None = None,
    seed: int | None = None,
    electricity_basis: str | None = None,
) -> Study:
    """Compute a product's footprint the way a scheme asks, and evaluate it against the scheme.

    Parameters
    ----------
    product : str or os.PathLike or dict or ProductSpec
        Product file (YAML), data workbook (.xlsx), the product file's content, or a product
        read by :func:`footprint.read_product`.
    scheme : str or Scheme
        Scheme id (:func:`footprint.list_schemes`; ``cn-cfp``, ``epd``, ``epeat-ulcs``,
        ``fr-ecs``, ``kr-carbon``), a scheme YAML file, or a scheme.
    gwp : str, optional
        ``ar6`` or ``ar5`` (any case); default the scheme's. Must be one the scheme accepts.
    factors, shares : str or os.PathLike, optional
        For schemes with a factor table (fr-ecs): the tender's factor table and the supply shares.
    certificate : str, optional
        Certificate or registration number, as the certification body issued it (footprint
        does not check it); without one the label is a self-assessment: no issue date, no
        validity, a "self-assessed, not certified" watermark.
    previous : float, optional
        Previously declared value [the scheme's unit], for re-verification rules.
    issued : datetime.date or str, optional
        Issue date of the certificate (YYYY-MM-DD), required with ``certificate`` and only
        with it; not after ``as_of`` nor in the future. The validity runs from it; a
        certificate whose last valid day is before ``as_of`` is ``expired``.
    as_of : datetime.date or str, optional
        The date the evaluation is for (default: today). Supplier declarations must be valid
        on it. One that is not is an unmet requirement, not an error: the footprint is then
        computed with the declarations as they stood on the nearest day all were valid (the
        calculator itself refuses them on any other day), and the decision says so.
    brightway, record_claims : bool
        See :func:`footprint.compute` (both off by default: no side effect).
    montecarlo : int, optional
        Also run the uncertainty and sensitivity analysis with this many Monte Carlo draws
        (:func:`footprint.uncertainty.section.analyse_study`): the result gains its
        ``uncertainty`` and ``sensitivity`` entries (report items cn-cfp and epd require) and
        the decision the probability of meeting each threshold or grade. Without it the result
        has neither, and a scheme requiring them lists them as unmet.
    seed : int, optional
        The Monte Carlo's seed (drawn and recorded in the result when not given).
    electricity_basis : str, optional
        ``life-cycle`` or ``official`` (any case), in place of the product file's
        ``product.electricity_basis``, for the footprint, the uncertainty analysis and the
        chain alike (see :func:`footprint.compute`). Default: the product file's.

    Returns
    -------
    Study
        ``decision`` (:class:`~footprint.labels.evaluate.LabelDecision`: outcome, grade, value
        as labelled, unmet requirements), ``result`` (the footprint per the scheme's declared
        unit, as a dict), the chain, and the scheme.

    Raises
    ------
    footprint.errors.FootprintError
        Bad input, an unknown scheme, a GWP set the scheme does not accept, a certificate
        without its issue date (or the reverse), an issue date after ``as_of`` or in the future.

    Examples
    --------
    >>> import footprint
    >>> st = footprint.evaluate_label("examples/perc-glass-backsheet-jiangsu.yaml", scheme="kr-carbon")  # doctest: +SKIP
    >>> st.decision.outcome, st.decision.grade  # doctest: +SKIP
    """
    if isinstance(scheme, str):
        scheme = load_scheme(scheme)
    gwp = gwp or scheme.gwp["default"]
    if gwp not in scheme.gwp["accepted"]:
        raise OptionError("gwp", f"got {gwp!r}; scheme {scheme.id} accepts {', '.join(scheme.gwp['accepted'])}")
    if factors is None and shares is not None:
        raise OptionError("shares", "given without factors; the shares weight the factor table's rows")
    if factors is not None and scheme.indicator != "ecs":
        raise OptionError("factors", f"scheme {scheme.id} does not use a factor table (only schemes with indicator 'ecs' do)")
    if montecarlo is not None:  # refused before anything is computed
        from footprint.uncertainty.montecarlo import check_iterations, check_seed

        check_iterations(montecarlo)
        check_seed(seed)
    today = parse_date(as_of, where="as_of", today=_dt.date.today())
    issued = parse_date(issued, where="issued")
    certificate_status(scheme, certificate=certificate, issued=issued, today=today)  # refused before anything is computed
    if gwp is not None:
        gwp = choose(gwp, GWP_SETS, what="gwp")
    if electricity_basis is not None:  # refused before the product is read
        electricity_basis = choose(electricity_basis, ELECTRICITY_BASES, what="electricity_basis")
    spec = apply_electricity_basis(read_product(product), electricity_basis)
    bundle = read_bundle()
    as_of, date_notes = _calculation_date(spec, today)
    result = compute(spec, per=scheme.declared_unit, gwp=gwp, as_of=as_of, brightway=brightway,
                     record_claims=record_claims, electricity_basis=electricity_basis).to_dict()
    analysis = None
    if montecarlo is not None:
        from footprint.uncertainty.section import analyse_study

        analysis = analyse_study(spec, scheme=scheme, iterations=montecarlo, seed=seed, per=scheme.declared_unit, gwp=gwp,
                                 as_of=as_of)
        result.update(analysis.result_entries())
    # the shared database's factors as compute() fetched them (the resolver in effect answers the same)
    built, _ = resolve_shared(spec, bundle=bundle, as_of=as_of)
    # the chain as calculated: stages a supplier declares replace the modelled ones and their upstream
    # (which the product file may leave out: a module file taking a polysilicon declaration has no mg_silicon)
    replaced = [name for name, stage in spec.stages.items() if stage.supplier is not None]
    if replaced:
        chain, _ = _supplier.apply(build_chain(built, bundle, replaced=replaced), spec, bundle=bundle, as_of=as_of, gwp=gwp)
    else:
        chain = build_chain(built, bundle)
    ecs = None
    if factors is not None:
        # the formula counts quantities of every stage, whoever makes it: the full chain
        ecs = evaluate_ecs(build_chain(built, bundle) if replaced else chain, bundle, read_factor_table(factors), shares=read_shares(shares) if shares else None,
                           table=factors, shares_table=shares)
    decision = evaluate(result, scheme, chain=chain, today=today, issued=issued, certificate=certificate, previous=previous,
                        ecs=ecs, spec=spec)
    decision.notes[:0] = [note["en"] for note in date_notes]
    decision.notes_zh[:0] = [note["zh"] for note in date_notes]
    return Study(scheme, result, chain, decision, ecs, bundle, spec, analysis)


def _calculation_date(spec, today):
    """The date to compute on: ``today``, or the nearest day all supplier declarations are valid.

    Returns
    -------
    (datetime.date, list of dict)
        The date and, when it is not ``today``, a note ({"en": ..., "zh": ...}) saying why.
    """
    declarations = []
    for name, stage in spec.stages.items():
        if stage.supplier is not None:
            path, footprint_id = stage.supplier
            if isinstance(path, str):  # registry:ENTRY@N: checked on the calculation date when it is resolved
                continue
            declarations.append((name, read_pact(path, footprint_id=footprint_id)))
    if not declarations:
        return today, []
    first = max(footprint.validity[0] for _, footprint in declarations)
    last = min(footprint.validity[1] for _, footprint in declarations)
    if first > last or first <= today <= last:
        return today, []  # valid today, or never all at once: the calculator decides (and says why)
    stages = [stage_words(name) for name, _ in declarations]
    if today > last:
        return last, [text("note", "computed_on_last_valid_day", stages=stages, today=today.isoformat(), day=last.isoformat())]
    return first, [text("note", "computed_on_first_valid_day", stages=stages, today=today.isoformat(), day=first.isoformat())]

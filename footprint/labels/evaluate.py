"""A scheme's rules applied to a result: outcome, grade, value as labelled, unmet requirements.

:func:`evaluate` turns a :class:`footprint.calc.FootprintResult` (or its ``to_dict()``) into a
:class:`LabelDecision`: pass / fail / incomplete, the grade, the value in the scheme's unit
and rounding, and every unmet requirement with its reason.

The result is read through ``to_dict()`` and every optional key is looked up tolerantly,
so fields the calculator adds later (primary data share, market-based electricity,
supplier data, uncertainty) are used as soon as they exist, and reported as missing until then.

The decision also says what the label is worth: ``status`` is ``certified`` only when a
certificate number is given (with its issue date), ``expired`` once the evaluation date is
after its last valid day, and ``self-assessed`` otherwise: then there is no issue date, no
validity, and the grade reads "would meet ...". ``rule_confirmed`` is False when a rule of the
scheme file was not read in the issuer's own text (``confirmed: false``).
"""

import datetime as _dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from footprint.errors import OptionError
from footprint.fileio import add_years
from footprint.i18n import names, text
from footprint.labels.schemes import GWP_IDS, REPORT_ITEMS, ROUNDING_MODES, load_scheme
from footprint.provenance import result_sha256
from footprint.vocab import STAGES

#: Keys a result may carry for each optional item, first match wins. Lets the label and the
#: report pick up fields the calculator adds later without a change here.
OPTIONAL_KEYS = {
    "primary_data_share": ("primary_data_share", "primaryDataShare"),
    "electricity_market": ("electricity.market_based", "market_based", "electricity_market"),
    "uncertainty": ("uncertainty",),
    "sensitivity": ("sensitivity",),
    "suppliers": ("supplier", "suppliers", "supplier_data"),
}


#: Result entries that hold an analysis of the footprint (footprint.uncertainty.section), not the
#: footprint: the result's identity (its sha256, hence the label id) leaves them out, so a
#: dossier's result is reproduced by recomputing the footprint.
ANALYSIS_ITEMS = ("uncertainty", "sensitivity")

STAGE_NAMES = names("stage")


#: What a label's ``{grade}`` reads when the value is above every threshold.
OUTSIDE_THRESHOLDS = names("phrase")["outside_thresholds"]

#: What a decision is worth: a self-assessment, a certificate (its number as the user gave it),
#: or a certificate whose validity ended before the evaluation date.
STATUSES = ("self-assessed", "certified", "expired")


@dataclass
class Unmet:
    """One requirement the study does not meet; ``reason`` in English, ``reason_zh`` in Chinese."""

    kind: str  # missing_data | data_quality | expired | boundary | gwp | declared_unit | factor_table | reverification
    # (expired: supplier data, or the certificate itself, whose validity ended before the evaluation date)
    item: str
    reason: str
    reason_zh: str = ""


@dataclass
class LabelDecision:
    """What a scheme says about one result; plain data, JSON-ready via :meth:`to_dict`.

    ``status`` (:data:`STATUSES`) is ``certified`` only with a certificate number, which is
    what the user asserts (footprint does not check it with the certification body), and an
    issue date; ``issued`` and ``valid_until`` are None for a self-assessment. ``grade_text``
    is the grade as the label shows it ({en, zh}: "would meet ..." when self-assessed).
    ``rule_confirmed`` is False when one of ``unconfirmed_rules`` (ids of
    :data:`footprint.labels.schemes.RULES`) was not read in the issuer's own text.
    """

    scheme: str
    scheme_name: dict
    product: str
    product_name: str
    declared_unit: str
    unit: str
    value: float | None  # [unit], in the scheme's rounding
    value_unrounded: float | None  # [unit]
    value_text: str  # the value as printed on the label
    outcome: str  # pass | fail | incomplete | expired (a certificate whose validity ended)
    grade: str | None
    grade_label: dict | None
    decided_on: str  # "rounded" or "unrounded" value
    thresholds: list
    unmet: list  # Unmet
    notes: list
    issued: str | None  # ISO date of the certificate; None when self-assessed
    valid_until: str | None  # ISO date, the last valid day; None when self-assessed or without a validity
    surveillance: str
    certificate: str | None  # as given by the user; None when self-assessed
    label_text: dict  # lang -> wording
    result_sha256: str
    cfp_value: float | None  # [kg CO2-eq per declared unit], the LCA result (differs from value for fr-ecs)
    ecs: dict | None = None
    notes_zh: list = field(default_factory=list)  # the notes in Chinese, in the same order
    status: str = "self-assessed"  # self-assessed | certified | expired
    rule_confirmed: bool = False  # every rule of the scheme read in the issuer's own text
    unconfirmed_rules: list = field(default_factory=list)  # rule ids, see footprint.labels.schemes.RULES
    as_of: str | None = None  # ISO date the evaluation is for
    grade_text: dict | None = None  # {en, zh} the grade as shown; "would meet ..." when self-assessed
    probabilities: list = field(default_factory=list)  # of meeting each threshold or grade, from the result's uncertainty analysis

    def to_dict(self):
        return asdict(self)


def round_value(value, rounding):
    """Round ``value`` to a multiple of ``rounding['step']`` in ``rounding['mode']``.

    Decimal arithmetic, so 630.5 rounds half up to 631 and 0.125 to 0.13, as a person would.
    """
    step = Decimal(str(rounding["step"]))
    units = (Decimal(repr(float(value))) / step).quantize(Decimal(1), rounding=ROUNDING_MODES[rounding["mode"]])
    return float(units * step)


def format_value(value, rounding):
    """The value as printed on a label: as many decimals as the rounding step has."""
    if value is None:
        return "—"
    step = Decimal(str(rounding["step"]))
    decimals = max(0, -step.normalize().as_tuple().exponent)
    return f"{value:,.{decimals}f}"


def optional(result, item):
    """The value of an optional result field (see :data:`OPTIONAL_KEYS`), or None if absent."""
    data = _as_dict(result)
    for key in OPTIONAL_KEYS.get(item, (item,)):
        value = data
        for part in key.split("."):  # "electricity.market_based": a field inside a field
            value = value.get(part) if isinstance(value, dict) else None
        if value not in (None, "", [], {}):
            return value
    return None


def gwp_id(result):
    """``ar6`` / ``ar5`` from a result's ``gwp`` text (or None if it names neither)."""
    text = str(_as_dict(result).get("gwp", "")).upper()
    for gid in GWP_IDS:
        if gid.upper() in text:
            return gid
    return None


def evaluate(result, scheme, *, chain=None, today=None, issued=None, certificate=None, previous=None, ecs=None, spec=None):
    """Evaluate a footprint result against a label scheme.

    Parameters
    ----------
    result : footprint.calc.FootprintResult or dict
        Computed per the scheme's declared unit (``compute(..., per=scheme.declared_unit)``).
    scheme : Scheme or str
        A scheme or its id.
    chain : footprint.model.chain.Chain, optional
        The product's foreground chain; gives provenance (site-specific data) and the
        boundary's inputs. Without it those checks are reported as missing data.
    today : datetime.date, optional
        Date of the evaluation (default: today); supplier data and the certificate must be
        valid on it.
    issued : datetime.date, optional
        Issue date of the certificate, required with ``certificate`` (never assumed); validity
        runs from it. Not on or before ``today`` and the real today: refused.
    certificate : str, optional
        Certificate or registration number, as the certification body issued it. Without it
        the decision is a self-assessment: no issue date, no validity.
    previous : float, optional
        Previously declared value [scheme unit]: a rise of the scheme's
        ``reverification_increase`` or more asks for re-verification.
    ecs : footprint.labels.ecs.EcsResult, optional
        The simplified carbon evaluation, for schemes whose indicator is ``ecs``.
    spec : footprint.model.spec.ProductSpec, optional
        The product file as read: tells an input declared absent (a frameless module's frame
        material set to 0) from one the inventory lacks.

    Returns
    -------
    LabelDecision

    Raises
    ------
    footprint.errors.OptionError
        ``issued`` without a certificate, a certificate without ``issued``, or an issue date
        after the evaluation date or in the future.
    """
    if isinstance(scheme, str):
        scheme = load_scheme(scheme)
    data = _as_dict(result)
    today = today or _dt.date.today()
    status, certificate, issued, valid_until = certificate_status(scheme, certificate=certificate, issued=issued, today=today)
    unmet = []
    notes = []  # {"en": ..., "zh": ...}

    declared = str(data.get("declared_unit", ""))
    if declared.split()[-1:] != [scheme.declared_unit]:
        unmet.append(_unmet("declared_unit", "declared_unit", text("reason", "declared_unit", declared=declared or "?", scheme=scheme.id,
                                                                   unit=scheme.declared_unit)))
    used_gwp = gwp_id(data)
    if used_gwp not in scheme.gwp["accepted"]:
        used = data.get("gwp") or text("phrase", "unknown_gwp_set")
        unmet.append(_unmet("gwp", "gwp_set", text("reason", "gwp_set", used=used, scheme=scheme.id, accepted=scheme.gwp["accepted"])))
    unmet += _check_boundary(data, scheme, chain, spec, notes)
    unmet += _check_items(data, scheme, chain)
    unmet += _check_data_quality(data, scheme, chain, today)

    cfp = _number(data.get("total"))
    if scheme.indicator == "ecs":
        if ecs is None:
            required = text("reason", "factor_table_required")
            unmet.append(Unmet("factor_table", "ecs_factors", " ".join(scheme.factor_table.get("message", required["en"]).split()),
                               " ".join(str(scheme.factor_table.get("message_zh", required["zh"])).split())))
            raw = None
        else:
            unmet += [Unmet(*entry) for entry in ecs.unmet]
            raw = ecs.value if not ecs.unmet else None
            notes.append(text("note", "factor_table", table=ecs.table, sha256=ecs.table_sha256[:12]))
    else:
        raw = cfp
    value = round_value(raw, scheme.rounding) if raw is not None else None
    decided_on = "rounded" if scheme.rounding["applies_to"] == "decision" else "unrounded"
    compared = value if decided_on == "rounded" else raw

    grade, grade_label, passed, thresholds = _decide(scheme, compared)
    if previous is not None and raw is not None and scheme.decision.get("reverification_increase") is not None:
        rise = (raw - previous) / previous if previous else float("inf")
        limit = scheme.decision["reverification_increase"]
        if rise >= limit:
            unmet.append(_unmet("reverification", "decision", text("reason", "reverification", rise=rise, previous=previous, limit=limit)))
        else:
            notes.append(text("note", "previous_declaration", previous=previous, rise=rise, limit=limit))

    if status == "expired":  # first: it decides the outcome
        unmet.insert(0, _unmet("expired", "certificate", text("reason", "certificate_expired", certificate=certificate,
                                                           end=valid_until.isoformat(), today=today.isoformat())))
    if passed is False:
        outcome = "fail"
    elif status == "expired":
        outcome = "expired"
    elif unmet or value is None:
        outcome = "incomplete"
    else:
        outcome = "pass"
    value_text = format_value(value, scheme.rounding)
    grade_text, wording = _wording(scheme, status, value_text, grade, grade_label, passed)
    unconfirmed = scheme.unconfirmed_rules()
    return LabelDecision(
        scheme=scheme.id,
        scheme_name=scheme.name,
        product=str(data.get("product", "")),
        product_name=str(data.get("product_name", "")),
        declared_unit=f"1 {scheme.declared_unit}",
        unit=scheme.unit,
        value=value,
        value_unrounded=raw,
        value_text=value_text,
        outcome=outcome,
        grade=grade,
        grade_label=grade_label,
        decided_on=decided_on,
        thresholds=thresholds,
        unmet=unmet,
        notes=[note["en"] for note in notes],
        issued=issued.isoformat() if issued else None,
        valid_until=valid_until.isoformat() if valid_until else None,
        surveillance=scheme.surveillance("en"),
        certificate=certificate,
        label_text=wording,
        result_sha256=result_sha256({key: value for key, value in data.items() if key not in ANALYSIS_ITEMS}),
        cfp_value=cfp,
        ecs=ecs.to_dict() if ecs is not None else None,
        notes_zh=[note["zh"] for note in notes],
        status=status,
        rule_confirmed=not unconfirmed,
        unconfirmed_rules=unconfirmed,
        as_of=today.isoformat(),
        grade_text=grade_text,
        probabilities=_probabilities(optional(data, "uncertainty")),
    )


def _probabilities(uncertainty):
    """The probability of meeting each threshold or grade, as the result's uncertainty analysis gives it."""
    return list(uncertainty.get("probability_of_meeting") or []) if isinstance(uncertainty, dict) else []


def certificate_status(scheme, *, certificate, issued, today):
    """What a decision is worth: (status, certificate, issued, last valid day).

    A certificate number makes the decision ``certified``; it needs its issue date, which may
    not be after the evaluation date ``today`` nor in the future. Its validity runs
    ``validity.years`` from the issue date (to the anniversary, or the day before it); after
    that the status is ``expired``. Without a number the decision is ``self-assessed`` and has
    no dates.

    Raises
    ------
    footprint.errors.OptionError
        ``issued`` without ``certificate`` or the reverse, a date after ``today`` or in the
        future, a number with ``;`` (the QR payload's separator) or one that reads "pending".
    """
    certificate = str(certificate).strip() if certificate is not None else ""
    if not certificate:
        if issued is not None:
            raise OptionError("issued", f"got {issued.isoformat()} without a certificate number; a self-assessment has no issue date "
                                        "(give the certificate number with it)")
        return "self-assessed", None, None, None
    if certificate.lower() == "pending" or any(ch in certificate for ch in ";\r\n"):
        raise OptionError("certificate", f"got {certificate!r}; expected the number the certification body issued, without ';' "
                                         "or line breaks (leave it out for a self-assessment)")
    if issued is None:
        raise OptionError("issued", f"missing; certificate {certificate} needs its issue date YYYY-MM-DD (footprint does not assume one)")
    real_today = _dt.date.today()
    if issued > real_today:
        raise OptionError("issued", f"got {issued.isoformat()}, a date in the future (today is {real_today.isoformat()})")
    if issued > today:
        raise OptionError("issued", f"got {issued.isoformat()}, after the evaluation date {today.isoformat()} (as_of)")
    years = scheme.validity.get("years")
    if not years:
        return "certified", certificate, issued, None
    last = add_years(issued, years)
    if scheme.validity.get("last_day") == "day_before":
        last -= _dt.timedelta(days=1)
    return ("expired" if today > last else "certified"), certificate, issued, last


def _wording(scheme, status, value_text, grade, grade_label, passed):
    """(grade as shown, label wording), each {en, zh}.

    A certificate shows the scheme's own wording and grade; a self-assessment never does: its
    grade reads "would meet ...", its wording says "self-assessed, not certified".
    """
    label = {lang: (grade_label or {}).get(lang, grade or "") for lang in ("en", "zh")} if grade else None
    if status != "self-assessed":
        wording = {}
        for lang in ("en", "zh"):
            shown = label[lang] if label else OUTSIDE_THRESHOLDS[lang] if passed is False else ""
            wording[lang] = scheme.label_wording[lang].format(value=value_text, unit=scheme.unit, grade=shown)
        return label, wording
    if label:
        grade_text = text("phrase", "would_meet", grade=label)
        return grade_text, text("phrase", "self_assessed_grade", value=value_text, unit=scheme.unit, grade=grade_text)
    if passed is False:
        return None, text("phrase", "self_assessed_grade", value=value_text, unit=scheme.unit, grade=OUTSIDE_THRESHOLDS)
    return None, text("phrase", "self_assessed_value", value=value_text, unit=scheme.unit)


def _decide(scheme, value):
    """(grade id, grade label, passed, thresholds) for a value compared in the scheme's way."""
    decision = scheme.decision
    kind = decision["kind"]
    levels = decision.get("grades") or decision.get("thresholds") or []
    thresholds = [_level(level) for level in levels]
    above = decision.get("above", "fail")
    if isinstance(above, dict):  # a last grade that takes every higher value (Korea's grade 3)
        thresholds.append({"id": str(above["id"]), "max": None, "above": levels[-1]["max"], "label": above.get("label")})
    if kind == "declared_value" or value is None:
        return None, None, None, thresholds
    within = (lambda limit: value <= limit) if decision["comparison"] == "<=" else (lambda limit: value < limit)
    for level in levels:
        if within(level["max"]):
            return str(level["id"]), level.get("label"), True, thresholds
    if isinstance(above, dict):
        return str(above["id"]), above.get("label"), True, thresholds
    return None, None, False, thresholds


def _level(level):
    return {"id": str(level["id"]), "max": level["max"], "label": level.get("label")}


#: The stages of the silicon chain, upstream first: a supplier's cradle-to-gate declaration for
#: one of them covers every stage before it.


def covered_by_suppliers(data):
    """Stages inside a supplier's declared (cradle-to-gate) footprint: stage -> the supplier entry.

    A declaration for the polysilicon stage covers metallurgical silicon, one for wafers
    covers polysilicon and ingot as well, and so on up the chain.
    """
    covered = {}
    for supplier in optional(data, "suppliers") or []:
        if not isinstance(supplier, dict) or supplier.get("stage") not in STAGES:
            continue
        for stage in STAGES[:STAGES.index(supplier["stage"])]:
            covered.setdefault(stage, supplier)
    return covered


def _check_boundary(data, scheme, chain, spec, notes):
    unmet = []
    by_stage = data.get("by_stage") or {}
    if scheme.indicator != "ecs":
        covered = covered_by_suppliers(data)
        for stage in scheme.boundary.get("stages", []):
            if stage in by_stage:
                continue
            if stage in covered:
                supplier = covered[stage]
                who = supplier.get("company") or supplier.get("id") or "supplier"
                notes.append(text("note", "supplier_covers_stage", stage=stage_words(stage), supplier_stage=stage_words(supplier["stage"]),
                                  who=who))
                continue
            unmet.append(_unmet("boundary", "system_boundary", text("reason", "stage_missing", stage=stage_words(stage), scheme=scheme.id,
                                                                    stages=[stage_words(name) for name in scheme.boundary["stages"]])))
    for rule in scheme.boundary.get("must_include", []):
        item = {"en": rule["item"], "zh": rule.get("item_zh", rule["item"])}
        if chain is None:
            unmet.append(_unmet("missing_data", "system_boundary", text("reason", "boundary_unchecked", item=item)))
            continue
        words = [w.lower() for w in rule["match"]]
        found, complete = _found_in_chain(chain, words, [w.lower() for w in rule.get("complete_with", [])])
        if found and complete:
            continue
        declared_absent = _declared_absent(spec, words) if rule.get("absent_when_zero") else []
        if declared_absent:
            note = {"en": " ".join(str(rule.get("absent_note", "")).split()), "zh": " ".join(str(rule.get("absent_note_zh", "")).split())}
            words = text("note", "declared_absent", item=item, entries=declared_absent, note=note)
            notes.append({"en": words["en"].rstrip("; "), "zh": words["zh"].rstrip(";")})  # without a note, no dangling ";"
            continue
        if found:  # the item is there, the step that makes it what the rule counts is not
            reason = {"en": rule["incomplete_reason"], "zh": rule.get("incomplete_reason_zh", rule["incomplete_reason"])}
        else:
            reason = {"en": rule["reason"], "zh": rule.get("reason_zh", rule["reason"])}
        unmet.append(_unmet("boundary", "system_boundary", text("reason", "boundary_rule", item=item, reason=reason)))
    return unmet


def _found_in_chain(chain, words, complete_with):
    """Whether the chain has an input matching ``words``, and whether that input is complete.

    An input is a background dataset (its id or label matches) or a supplier's own factor
    (its label names the material): the factor covers the material as delivered, so it is
    complete. A dataset input is complete when another input matches ``complete_with`` (the
    frame's extrusion beside its aluminium), or when the rule asks for nothing more.
    """
    def matches(flow, terms):
        return any(term in f"{flow.target} {flow.label}".lower() for term in terms)

    flows = [flow for process in chain.processes.values() for flow in process.flows]
    datasets = [flow for flow in flows if flow.kind == "dataset"]
    supplied = [flow for flow in flows if flow.kind == "gas" and "supplier-specific factor" in flow.label.lower()]
    in_datasets = any(matches(flow, words) for flow in datasets)
    in_supplied = any(matches(flow, words) for flow in supplied)
    completed = not complete_with or any(matches(flow, complete_with) for flow in datasets)
    return in_datasets or in_supplied, in_supplied or (in_datasets and completed)


def _declared_absent(spec, words):
    """Material entries of the product file that match ``words`` and are set to 0."""
    if spec is None:
        return []
    zeroed = []
    for name, stage in spec.stages.items():
        for key, quantity in (getattr(stage, "materials", None) or {}).items():
            magnitude = getattr(quantity, "magnitude", quantity)
            if any(word in key.lower() for word in words) and float(magnitude) == 0.0:
                zeroed.append(f"stages.{name}.materials.{key}")
    return zeroed


#: What each report item needs from the result (key of to_dict()), or from the chain.
ITEM_DATA = {
    "declared_unit": ("result", "declared_unit"),
    "reference_flow": ("chain", None),
    "system_boundary": ("result", "by_stage"),
    "flow_diagram": ("chain", None),
    "data_sources": ("chain", None),
    "data_quality": ("chain", None),
    "primary_data_share": ("optional", "primary_data_share"),
    "electricity_location": ("result", "electricity"),
    "electricity_market": ("optional", "electricity_market"),
    "gwp_set": ("result", "gwp"),
    "by_stage": ("result", "by_stage"),
    "by_gas": ("result", "by_gas"),
    "fossil_biogenic": ("result", "by_origin"),
    "uncertainty": ("optional", "uncertainty"),
    "sensitivity": ("optional", "sensitivity"),
}


def item_available(item, data, chain):
    """True if the data behind a report item is present (items of pure text always are)."""
    where, key = ITEM_DATA.get(item, (None, None))
    if where == "result":
        return data.get(key) not in (None, "", [], {})
    if where == "chain":
        return chain is not None
    if where == "optional":
        return optional(data, key) is not None
    return True


def _check_items(data, scheme, chain):
    unmet = []
    for item in scheme.required_items:
        if not item_available(item, data, chain):
            where, key = ITEM_DATA[item]
            why = text("phrase", "no_inventory") if where == "chain" else text("phrase", "result_has_no", key=key)
            unmet.append(_unmet("missing_data", item, text("reason", "item_not_available", item=REPORT_ITEMS[item], why=why)))
    return unmet


def _check_data_quality(data, scheme, chain, today):
    rules = scheme.data_quality
    unmet = []
    minimum = rules.get("primary_data_share_min")
    if minimum is not None:
        share = _fraction(optional(data, "primary_data_share"))
        if share is None:
            unmet.append(_unmet("missing_data", "primary_data_share", text("reason", "primary_share_missing", scheme=scheme.id, minimum=minimum)))
        elif share < minimum:
            unmet.append(_unmet("data_quality", "primary_data_share", text("reason", "primary_share_low", share=share, minimum=minimum)))
    for stage in rules.get("site_specific_stages", []):
        if chain is None:
            unmet.append(_unmet("missing_data", "data_quality", text("reason", "site_data_unchecked", stage=stage_words(stage))))
            continue
        process = chain.processes.get(stage)
        if process is None:
            continue
        defaults = [name for name, (_, provenance) in process.parameters.items() if not provenance.primary]
        if "electricity" in defaults:
            unmet.append(_unmet("data_quality", "data_quality", text("reason", "electricity_default", stage=stage_words(stage), stage_id=stage)))
    if rules.get("supplier_data_must_be_valid"):
        for supplier in optional(data, "suppliers") or []:
            if not isinstance(supplier, dict):
                continue
            validity = supplier.get("validity") or [None]
            until = supplier.get("valid_until") or supplier.get("validity_end") or validity[-1]
            since = supplier.get("valid_from") or (validity[0] if len(validity) > 1 else None)
            name = supplier.get("company") or supplier.get("name") or supplier.get("id") or supplier.get("stage") or "supplier"
            if supplier.get("stage") and name != supplier["stage"]:
                name = f"{name} ({supplier['stage']})"
            try:
                end = _dt.date.fromisoformat(str(until)[:10]) if until else None
                start = _dt.date.fromisoformat(str(since)[:10]) if since else None
            except ValueError:
                unmet.append(_unmet("data_quality", "data_sources", text("reason", "supplier_dates_invalid", name=name, since=since, until=until)))
                continue
            if end is not None and end < today:
                unmet.append(_unmet("expired", "data_sources", text("reason", "supplier_expired", name=name, end=end.isoformat(),
                                                                    today=today.isoformat())))
            elif start is not None and start > today:
                unmet.append(_unmet("data_quality", "data_sources", text("reason", "supplier_not_yet_valid", name=name, start=start.isoformat(),
                                                                         today=today.isoformat())))
    return unmet


def _unmet(kind, item, words):
    """An :class:`Unmet` whose reason is a text of ``names.yaml`` ({"en": ..., "zh": ...})."""
    return Unmet(kind, item, words["en"], words["zh"])


def stage_zh(stage):
    """A stage's Chinese name (the id itself if it is not a stage)."""
    return STAGE_NAMES.get(stage, {}).get("zh", stage)


def stage_words(stage):
    """A stage as a value of a text (:func:`footprint.i18n.text`): its id in English, its name in Chinese."""
    return {"en": stage, "zh": stage_zh(stage)}


def _as_dict(result):
    return result.to_dict() if hasattr(result, "to_dict") else dict(result)


def _number(amount):
    if isinstance(amount, dict):
        amount = amount.get("value")
    return float(amount) if isinstance(amount, (int, float)) else None


def _fraction(value):
    """A share given as 0..1, as percent (0..100], or as {value: ...}; None if absent."""
    if isinstance(value, dict):
        value = value.get("value", value.get("share"))
    if not isinstance(value, (int, float)):
        return None
    return value / 100.0 if value > 1.0 else float(value)





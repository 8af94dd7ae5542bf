"""Report items of ISO 14067:2018 clause 7.3 / GB/T 24067 beyond the result itself.

Who commissioned and who made the study, its number, version, date and reporting period
(:class:`ReportMeta`); the hotspots by activity; the data-quality assessment (the PEF-style
data quality rating of :mod:`footprint.uncertainty.pedigree`); the basis on which the result
may be compared; and the provenance of every figure of the product file: the file and the
workbook cell or YAML path (and line) it was read from, with its source and note.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from footprint.errors import FootprintError, OptionError
from footprint.labels import STAGE_NAMES, gwp_id

#: Hotspots listed: every activity of at least this share of the total, and at least
#: :data:`HOTSPOT_MIN_ROWS` rows, at most :data:`HOTSPOT_MAX_ROWS`.
HOTSPOT_MIN_SHARE = 0.01
HOTSPOT_MIN_ROWS = 5
HOTSPOT_MAX_ROWS = 15

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_WORKBOOK_PERIOD = re.compile(r"\bperiod ([^;]+)")


@dataclass(frozen=True)
class ReportMeta:
    """Who and what the report is: the items of the report's cover that the user gives.

    ``period`` is (first day, last day) or None when not given.
    """

    company: str | None = None
    practitioner: str | None = None
    report_number: str | None = None
    report_version: str = "1"
    period: tuple | None = None
    period_source: str = ""  # "option", "workbook" or ""


def parse_period(text, *, where="period"):
    """A reporting period: ``2024``, ``2024-03`` or ``2024-01-01/2024-12-31`` -> (first day, last day).

    Raises
    ------
    OptionError
        Anything else, or an end before the start.
    """
    value = str(text).strip()
    match = _PERIOD.match(value)
    if match:
        year, month = int(match.group(1)), match.group(2)
        if month is None:
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        month = int(month)
        if not 1 <= month <= 12:
            raise OptionError(where, f"got {value!r}; expected a month 01 to 12")
        after = datetime.date(year + (month == 12), month % 12 + 1, 1)
        return datetime.date(year, month, 1), after - datetime.timedelta(days=1)
    if "/" in value:
        try:
            start, end = (datetime.date.fromisoformat(part.strip()) for part in value.split("/", 1))
        except ValueError:
            start = end = None
        if start is not None:
            if end < start:
                raise OptionError(where, f"got {value!r}; the end is before the start")
            return start, end
    raise OptionError(where, f"got {value!r}; expected a year (2024), a month (2024-03) or two dates (2024-01-01/2024-12-31)")


def report_meta(spec, *, company=None, practitioner=None, report_number=None, report_version=None, period=None):
    """The report's identity: the options given, the period from the workbook when not given."""
    for where, value in (("company", company), ("practitioner", practitioner), ("report_number", report_number),
                         ("report_version", report_version)):
        if value is not None and not str(value).strip():
            raise OptionError(where, "got an empty text; leave the option out instead")
    found, source = None, ""
    if period is not None:
        found, source = parse_period(period), "option"
    else:
        periods = workbook_periods(spec)
        if len(periods) == 1:
            found, source = parse_period(periods[0], where="workbook period"), "workbook"
    return ReportMeta(company=company, practitioner=practitioner, report_number=report_number,
                      report_version=str(report_version) if report_version is not None else "1",
                      period=found, period_source=source)


def workbook_periods(spec):
    """The distinct periods the workbook's rows name (``period 2024`` in their sources), sorted."""
    sources = getattr(spec, "sources", None) or {}
    found = set()
    for text in sources.values():
        for match in _WORKBOOK_PERIOD.finditer(str(text)):
            found.add(match.group(1).strip())
    return sorted(found)


def supplier_stages(result):
    """Stages a supplier's declaration replaces -> the primary data share it states (0..1, None when not stated).

    A declaration is supplier-specific data, whatever share of primary data it states: both tables
    of the report (data sources and hotspots) say so, with that share.
    """
    return {entry["stage"]: entry.get("primary_data_share") for entry in result.get("supplier") or []
            if isinstance(entry, dict) and entry.get("stage")}


def hotspots(result, bundle, names, pick):
    """The activities that make the footprint, largest first, with their cumulative share.

    Every activity of at least :data:`HOTSPOT_MIN_SHARE` of the total is listed (at least
    :data:`HOTSPOT_MIN_ROWS`, at most :data:`HOTSPOT_MAX_ROWS`); the rest are summed in one row.
    """
    rows = sorted((result.get("by_activity") or {}).values(), key=lambda part: -abs(part["value"]))
    supplied = supplier_stages(result)
    listed, cumulative = [], 0.0
    for part in rows:
        if len(listed) >= HOTSPOT_MAX_ROWS or (len(listed) >= HOTSPOT_MIN_ROWS and abs(part["share"]) < HOTSPOT_MIN_SHARE):
            break
        cumulative += part["share"]
        stage = part.get("stage", "")
        listed.append({"stage": pick(STAGE_NAMES.get(stage, {"en": stage, "zh": stage})), "item": activity_name(part, bundle, names, pick),
                       "value": part["value"], "share": part["share"], "cumulative": cumulative,
                       "primary": float(part.get("primary") or 0.0), "supplier": stage in supplied,
                       "declared_share": supplied.get(stage)})
    rest = rows[len(listed):]
    other = {"count": len(rest), "value": sum(p["value"] for p in rest), "share": sum(p["share"] for p in rest)} if rest else None
    return listed, other


def activity_name(part, bundle, names, pick):
    """The name of an activity's input (an entry of ``result["by_activity"]``) in the report's language."""
    target = part.get("target", "")
    if part.get("kind") == "dataset" and bundle is not None and target in bundle.datasets:
        return pick(names.dataset(bundle.datasets[target]))
    if part.get("kind") == "gas" and bundle is not None and target in bundle.gases:
        return pick(names.gas(bundle.gases[target].label))
    return part.get("input", target)


def rated_inputs(rating, result, bundle, names, pick, *, count=5):
    """The largest inputs of a data quality rating, named in the report's language:
    (stage, input, share, scores, dqr)."""
    activities = result.get("by_activity") or {}
    rows = []
    for label, share, scores, value in rating.inputs[:count]:
        part = activities.get(label)
        stage, _, item = label.partition(": ")
        if part is not None:
            stage, item = part.get("stage", stage), activity_name(part, bundle, names, pick)
        rows.append((pick(STAGE_NAMES.get(stage, {"en": stage, "zh": stage})), item, share, scores, value))
    return rows


def data_quality(st):
    """The data quality rating (PEF style) of the result's inputs, or (None, why) when it cannot be made.

    The contribution-weighted mean of the pedigree scores (technological, geographical,
    temporal representativeness and precision) of every foreground flow: the worst, score by
    score, of the figure that gives the flow's amount and of the background dataset it uses.
    """
    from footprint.uncertainty.montecarlo import prepare
    from footprint.uncertainty.pedigree import data_quality_rating

    result = st.result
    try:
        model, _ = prepare(st.spec, per=st.scheme.declared_unit, gwp=gwp_id(result) or "ar6",
                           boundary=_boundary(result), as_of=None)
        return data_quality_rating(model.contributions()), None
    except FootprintError as exc:
        return None, str(exc)


def _boundary(result):
    boundary = result.get("boundary") or "cradle-to-gate"
    return boundary.get("name", "cradle-to-gate") if isinstance(boundary, dict) else str(boundary)


def provenance_rows(spec):
    """Every figure of the product file, where it was read and what its author said of it.

    Returns
    -------
    list of dict
        ``path`` (YAML path, ``stages.wafer.thickness``), ``value`` (as typed), ``file``,
        ``where`` (``Wafer!C9`` for a workbook), ``line`` (of a YAML file) and ``said``
        (the workbook's derivation, period, source and note, or the YAML comment).
    """
    if spec is None:
        return []
    source = str(getattr(spec, "source", "") or "")
    sources = getattr(spec, "sources", None)
    data = getattr(spec, "data", None) or {}
    lines = {} if sources is not None else _yaml_lines(source)
    rows = []
    for path, value in _leaves(data):
        if path == "format":
            continue
        if sources is not None:
            parts = [part.strip() for part in str(sources.get(path, "")).split(";") if part.strip()]
            where, said = (parts[0], "; ".join(parts[1:])) if parts else ("", "")
        else:
            line, comment = lines.get(path, (None, ""))
            where, said = "", comment
        rows.append({"path": path, "value": _shown(value), "file": Path(source).name if source else "", "where": where,
                     "line": None if sources is not None else lines.get(path, (None, ""))[0], "said": said,
                     "parts": said_parts(said) if sources is not None else [(None, said)] if said else []})
    return rows


#: The labelled parts of a workbook figure's comment (collect.importer): "source: ...", "note: ...",
#: "period 2024", "site CN-JS", "typed '...'"; the report names each label in its own language.
_SAID = (("source", re.compile(r"^source: (.*)$", re.S)), ("note", re.compile(r"^note: (.*)$", re.S)),
         ("period", re.compile(r"^period (.*)$", re.S)), ("site", re.compile(r"^site (.*)$", re.S)),
         ("typed", re.compile(r"^typed (.*)$", re.S)))


def said_parts(said):
    """A workbook figure's comment as (label key or None, text) parts."""
    parts = []
    for part in (piece.strip() for piece in str(said).split("; ")):
        if not part:
            continue
        for key, pattern in _SAID:
            match = pattern.match(part)
            if match:
                parts.append((key, match.group(1)))
                break
        else:
            parts.append((None, part))
    return parts


def _shown(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _leaves(data, prefix=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, f"{prefix}[{index}]")
    else:
        yield prefix, data


def _yaml_lines(path):
    """YAML path -> (line number, the comment on or just above that line) of a product file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        node = yaml.compose(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    source_lines = text.splitlines()
    found = {}

    def comment(line):
        own = source_lines[line].split(" #", 1)[1].strip() if " #" in source_lines[line] else ""
        above = []
        index = line - 1
        while index >= 0 and source_lines[index].strip().startswith("#"):
            above.insert(0, source_lines[index].strip().lstrip("#").strip())
            index -= 1
        return "; ".join(part for part in (" ".join(above), own) if part)

    def visit(current, prefix):
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                path = f"{prefix}.{key.value}" if prefix else str(key.value)
                if isinstance(value, yaml.ScalarNode):
                    found[path] = (key.start_mark.line + 1, comment(key.start_mark.line))
                visit(value, path)
        elif isinstance(current, yaml.SequenceNode):
            for index, value in enumerate(current.value):
                path = f"{prefix}[{index}]"
                if isinstance(value, yaml.ScalarNode):
                    found[path] = (value.start_mark.line + 1, comment(value.start_mark.line))
                visit(value, path)

    if node is not None:
        visit(node, "")
    return found


def comparison_basis(result):
    """What the result may be compared with: {"per": declared unit, "use": [(parameter, value, unit, source)]}."""
    use = [(path, part.get("value"), part.get("unit", ""), part.get("source", ""))
           for path, part in (result.get("parameters") or {}).items() if path.startswith(("use.", "energy_yield", "yield."))]
    return {"per": result["declared_unit"], "use": use, "boundary": _boundary(result)}


#: Dimensionless parameters read as percentages, and those that are a mass of the previous
#: stage's product per kg of this stage's (kg/kg), or cells per wafer.
PERCENT_PARAMETERS = ("efficiency", "yield", "ingot_utilisation", "ctm", "utilisation", "share")
MASS_RATIO_PARAMETERS = tuple(STAGE_NAMES)
#: Mass units stepped down for small amounts, so that no table reads 0.00008500 kg/pc.
MASS_STEPS = (("kg", "g"), ("g", "mg"), ("mg", "µg"))


def readable(amount, unit, *, parameter=None):
    """An amount in a unit a reader takes in at a glance: (amount, unit).

    Mass amounts below 0.1 of their unit step down (0.000085 kg/pc -> 85 mg/pc); efficiencies,
    yields and utilisations become percent (0.93 -> 93 %); a dimensionless input of the
    previous stage's product gets kg/kg, cells per wafer their unit.
    """
    if unit in ("", "dimensionless") and parameter is not None:
        if any(word in parameter for word in PERCENT_PARAMETERS) and abs(amount) <= 1.0:
            return amount * 100.0, "%"
        if parameter in MASS_RATIO_PARAMETERS:
            return amount, "kg/kg"
        if parameter == "cells_per_wafer":
            return amount, "cells/wafer"
        return amount, unit
    head, slash, tail = unit.partition("/")
    for big, small in MASS_STEPS:
        if head == big and amount != 0 and abs(amount) < 0.1:
            amount, head = amount * 1000.0, small
    return amount, head + slash + tail

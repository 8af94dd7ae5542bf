"""The report template's context: every item of the study report, as plain data and pre-escaped SVG."""

import base64
import re

from markupsafe import Markup

from footprint._version import __version__
from footprint.errors import InputError
from footprint.i18n import names, text, words
from footprint.labels import REPORT_ITEMS, STAGE_NAMES, gwp_id, item_available, optional
from footprint.report.charts import bar_chart, flow_diagram
from footprint.report.items import (
    ReportMeta,
    comparison_basis,
    data_quality,
    hotspots,
    provenance_rows,
    rated_inputs,
    readable,
    supplier_stages,
)
from footprint.report.label_art import label_id, qr_payload
from footprint.report.templates import bilingual, read_strings

ORIGIN_NAMES = names("origin")


PARAMETER_NAMES = names("parameter")


UNMET_KINDS = names("unmet")


LIST_SEPARATOR = names("phrase")["list_separator"]


SCOPES = names("scope")


#: Inputs a reader expects in a PV module inventory: (keywords, key of ``expected_input`` in
#: ``names.yaml``). The report lists those the inventory lacks as "not modelled", so the
#: cut-off statement follows the data.
EXPECTED_INPUTS = (
    (("transport", "freight", "lorry", "ship"), "transport"),
    (("junction", "cable", "connector"), "junction_box"),
    (("packaging", "pallet", "carton"), "packaging"),
    (("water",), "water"),
    (("hf", "hno3", "naoh", "koh", "chemical", "argon", "nitrogen", "fluoride", "sulfuric", "silane", "oxygen",
      "sodium_hydroxide", "nitrogen_trifluoride"), "chemicals"),
    (("graphite", "crucible", "quartz"), "crucibles"),
    (("diamond wire", "diamond_wire", "slurry"), "sawing"),
    (("capital", "equipment", "building", "infrastructure"), "capital_goods"),
    (("waste", "treatment"), "waste"),
)


#: Bundled defaults that leave out an input of their source (the row's locator says "NOT INCLUDED" or its
#: note names it): (stage, technology, parameter) -> key of ``expected_input`` in ``names.yaml``. When the
#: product uses that default, the report lists the input as not modelled.
DEFAULT_EXCLUSIONS = {
    ("polysilicon", "siemens", "heat"): "siemens_steam",
    ("polysilicon", "fbr", "electricity"): "fbr_sicl4",
    ("ingot", None, "electricity"): "recycling_chemicals",
}


def _matches(word, text):
    """A keyword in the inputs' text: short ones (hf, koh) as whole words, so HFC-134a is not hydrogen fluoride."""
    if len(word) > 4:
        return word in text
    return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) is not None


def report_context(st, *, lang, env, label_svg="", meta=None):
    """Everything the report template uses, as plain data (and pre-escaped SVG charts).

    ``meta`` (:class:`footprint.report.items.ReportMeta`): the organisation, practitioner,
    report number and version and reporting period the user gave.
    """
    meta = meta or ReportMeta()
    strings = read_strings(env)
    result, chain, scheme, decision = st.result, st.chain, st.scheme, st.decision

    def tr(key):
        """The {en, zh} mapping of a string, to pass as a value into another one."""
        entry = strings.get(key)
        if entry is None:
            raise InputError(f"strings.yaml: no text for {key!r}")
        return entry

    def t(key, **values):
        """A string in the report's language(s); a value given as {en, zh} is picked per language."""
        entry = tr(key)
        text = {}
        for code in ("en", "zh"):
            picked = {name: (value.get(code, value.get("en", "")) if isinstance(value, dict) else value) for name, value in values.items()}
            text[code] = str(entry[code]).format(**picked) if values else str(entry[code])
        return bilingual(text, lang)

    def name(mapping):
        return bilingual(mapping, lang)

    def pick(mapping):
        """Plain text of an {en, zh} mapping, for SVG charts ("zh / en" when bilingual)."""
        if lang == "both":
            return f"{mapping.get('zh', '')} / {mapping.get('en', '')}"
        return mapping.get(lang) or mapping.get("en", "")

    def stage_names(stage):
        return STAGE_NAMES.get(stage, {"en": stage, "zh": stage})

    names = Names(strings, st.bundle)
    unit = result["total"]["unit"]
    stages = []
    for stage, part in result["by_stage"].items():
        process = chain.processes.get(stage)
        site = process.site if process else ""
        place = st.bundle.geographies.get(site) if st.bundle else None
        stages.append({"id": stage, "name": name(stage_names(stage)), "short": pick(stage_names(stage)),
                       "site": site, "site_name": (place.name_zh if lang != "en" and place and place.name_zh else place.name if place else site),
                       "value": part["value"], "share": part["share"]})
    gases = [{"label": name(names.gas(label)), "short": pick(names.gas(label)), "value": part["value"], "share": part["share"]}
             for label, part in result["by_gas"].items()]
    origins = [{"id": key, "name": name(ORIGIN_NAMES.get(key, {"en": key, "zh": key})), "short": pick(ORIGIN_NAMES.get(key, {"en": key, "zh": key})),
                "value": part["value"], "share": part["share"]} for key, part in result.get("by_origin", {}).items()]
    for key in ("fossil", "biogenic", "land_use"):  # ISO 14067 asks for each, even when zero
        if key not in {o["id"] for o in origins}:
            origins.append({"id": key, "name": name(ORIGIN_NAMES[key]), "short": pick(ORIGIN_NAMES[key]), "value": 0.0, "share": 0.0})

    factors = dataset_factors(st)
    inventory, datasets = _inventory(st, lang, names, factors, {**(tr("product_file") if "product_file" in strings else {"en": "product file"}),
                                                                "_cells_per_wafer": strings.get("unit_cells_per_wafer"),
                                                                "_line_n": strings.get("line_n")})
    electricity = []
    report = result.get("electricity")
    uses = report.get("uses", []) if isinstance(report, dict) else (report or [])
    for use in uses:
        dataset = st.bundle.datasets.get(use["dataset"]) if st.bundle else None
        factor = factors.get(use["dataset"])
        electricity.append({**use, "stage_name": pick(stage_names(use["stage"])), "stage_label": name(stage_names(use["stage"])),
                            "name": name(names.dataset(dataset)) if dataset else use.get("name", use["dataset"]),
                            "factor_note": name(SCOPES.get(use["scope"], {"en": use["scope"], "zh": use["scope"]})),
                            "sources": dataset.sources if dataset else [], "kg_per_kwh": factor,
                            "emissions": use["amount"] * factor if factor is not None else None})
    market = _market(report, result, st, strings, name, pick, t)
    flow_stages = []
    supplied_stages = {entry.get("stage"): entry for entry in result.get("supplier") or [] if isinstance(entry, dict)}
    for stage, process in chain.processes.items():
        supplied = stage in supplied_stages
        kwh = next((f.amount for f in process.flows if f.kind == "dataset" and f.target == process.electricity_dataset), 0.0)
        if process.electricity_dataset.startswith("registry:") and "electricity" in process.parameters:
            kwh = float(process.parameters["electricity"][0].magnitude)  # a shared database entry's grid factor: no dataset flow
        inputs = [pick(names.short_dataset(st.bundle.datasets[f.target])) if st.bundle and f.target in st.bundle.datasets else f.label
                  for f in process.flows if f.kind == "dataset" and f.target != process.electricity_dataset]
        if supplied:
            entry = supplied_stages[stage]
            inputs = [pick(tr("supplier_declared"))] + [str(entry.get("company") or entry.get("id") or "")][:1 if entry.get("company") or entry.get("id") else 0]
        flow_stages.append({"name": [stage_names(stage)["zh"], stage_names(stage)["en"]] if lang == "both" else pick(stage_names(stage)),
                            "site": process.site,
                            "electricity": f"{kwh:,.3g} kWh/{_unit_text(process.unit)}" if kwh else "",
                            "inputs": inputs})
    kwp = float(chain.rated_power.to("kW").magnitude)
    not_modelled = _not_modelled(chain, lang)
    defaults_used = sum(1 for row in inventory if not row["primary"])
    items = [{"id": item, "name": name(REPORT_ITEMS[item]), "required": item in scheme.required_items,
              "available": item_available(item, result, chain)} for item in REPORT_ITEMS]
    notes_zh = decision.notes_zh if len(decision.notes_zh) == len(decision.notes) else decision.notes
    output_label = text("flow_diagram", "output", kwp=kwp)
    hotspot_rows, hotspot_rest = hotspots(result, st.bundle, names, pick)
    rating, rating_missing = data_quality(st)
    return {
        "meta": meta,
        "hotspots": hotspot_rows,
        "hotspot_rest": hotspot_rest,
        "dqr": rating,
        "dqr_inputs": rated_inputs(rating, result, st.bundle, names, pick) if rating is not None else [],
        "dqr_missing": rating_missing,
        "comparison": comparison_basis(result),
        "provenance": provenance_rows(st.spec),
        "input_files": sorted(((st.result.get("provenance") or {}).get("input_files") or {}).items()),
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "t": t,
        "tr": tr,
        "name": name,
        "version": __version__,
        "result": result,
        "decision": decision,
        "scheme": scheme,
        "scheme_sources": [{key: str(entry.get(key) or "") for key in ("id", "title", "issuer", "date", "url", "note")}
                           for entry in scheme.sources],
        "unit": unit,
        "kwp": kwp,
        "modules_per_kwp": 1.0 / kwp,
        "area": float(chain.area.to("m**2").magnitude),
        "power_w": float(chain.rated_power.to("W").magnitude),
        "technology": chain.technology,
        "stages": stages,
        "gases": gases,
        "origins": origins,
        "inventory": inventory,
        "datasets": datasets,
        "electricity": electricity,
        "market": market,
        "primary_share": optional(result, "primary_data_share"),
        "uncertainty": optional(result, "uncertainty"),
        "sensitivity": optional(result, "sensitivity"),
        "uncertainty_section": _uncertainty_section(st, lang, lambda stage: pick(stage_names(stage))),
        "not_modelled": not_modelled,
        "co2_only_grid": any(e["scope"].startswith("co2_") for e in electricity),
        "proxies": [d["name"] for d in datasets if d["proxy"]],
        "defaults_used": defaults_used,
        "items": items,
        "unmet": [{"kind": name(UNMET_KINDS.get(u.kind, {"en": u.kind, "zh": u.kind})),
                   "item": name(REPORT_ITEMS[u.item]) if u.item in REPORT_ITEMS else u.item,
                   "reason": name({"en": u.reason, "zh": u.reason_zh or u.reason})} for u in decision.unmet],
        "notes": [name({"en": en, "zh": zh}) for en, zh in zip(decision.notes, notes_zh)],
        "surveillance": name({"en": scheme.surveillance("en"), "zh": scheme.surveillance("zh")}),
        "status": _status(decision, scheme, t),
        "unconfirmed_rules": _rule_names(decision.unconfirmed_rules, strings),
        "electricity_total": sum(e["amount"] for e in electricity),
        "electricity_scopes": [SCOPES.get(scope, {"en": scope, "zh": scope}) for scope in dict.fromkeys(e["scope"] for e in electricity)],
        "electricity_emissions": sum(e["emissions"] for e in electricity if e["emissions"] is not None),
        "declared_unit_note": name(scheme.declared_unit_note) if isinstance(scheme.declared_unit_note, dict) else scheme.declared_unit_note,
        "ecs": decision.ecs,
        "ecs_terms": [{**term, "stage_name": name(STAGE_NAMES[term["stage"]]) if term["stage"] in STAGE_NAMES
                       else name(names.dataset(st.bundle.datasets[term["stage"]])) if st.bundle and term["stage"] in st.bundle.datasets
                       else term["stage"]} for term in (decision.ecs or {}).get("terms") or []],
        # as an image, not inline: WeasyPrint lays out an <img> SVG about a second faster
        "label_svg": Markup(f'<img class="label" alt="label" src="data:image/svg+xml;base64,{base64.b64encode(label_svg.encode()).decode()}">') if label_svg else Markup(""),
        "label_id": label_id(decision),
        "qr_payload": qr_payload(decision),
        "charts": {
            "stages": bar_chart([(s["short"], s["value"], s["share"]) for s in stages], unit=unit),
            "gases": bar_chart([(g["short"], g["value"], g["share"]) for g in gases], unit=unit),
            "origins": bar_chart([(o["short"], o["value"], o["share"]) for o in origins], unit=unit),
            "flow": flow_diagram(flow_stages, left_title=pick(words("flow_diagram", "grid_electricity")),
                                 right_title=pick(words("flow_diagram", "materials_and_energy")),
                                 boundary_label=pick(words("flow_diagram", "boundary")),
                                 output_label=[output_label["zh"], output_label["en"]] if lang == "both" else [pick(output_label)]),
        },
    }


def _uncertainty_section(st, lang, stage_name):
    """The uncertainty and sensitivity section's numbers, words and charts, when the study ran an analysis."""
    analysis = getattr(st, "analysis", None)
    if analysis is None:
        return None
    from footprint.uncertainty.section import report_section

    return report_section(analysis, lang=lang, names=stage_name)


def _status(decision, scheme, t):
    """What the report is worth, as the decision says: {"headline": ..., "text": ...} in the report's language(s)."""
    if decision.status == "self-assessed":
        return {"headline": t("status_self_assessed"), "text": t("status_self_assessed_text", scheme=scheme.name)}
    dates = {"certificate": decision.certificate, "issued": decision.issued, "until": decision.valid_until or "—"}
    if decision.status == "expired":
        return {"headline": t("status_expired"), "text": t("status_expired_text", as_of=decision.as_of, **dates)}
    return {"headline": t("status_certified"), "text": t("status_certified_text", **dates)}


def _rule_names(rules, strings):
    """The scheme's unconfirmed rules named for the reader, {en, zh}, joined as a list."""
    table = strings.get("rule_names") or {}
    named = [table.get(rule, {"en": rule, "zh": rule}) for rule in rules]
    return {lang: LIST_SEPARATOR[lang].join(entry.get(lang) or entry["en"] for entry in named) for lang in ("en", "zh")}


class Names:
    """Names of gases and background datasets in each language.

    The inventory files carry English names; ``strings.yaml`` (``gas_names``,
    ``dataset_names``) gives Chinese ones. Grid electricity is named from its geography's
    Chinese name (``inventories/geographies.csv``). Anything else keeps its English name.
    """

    def __init__(self, strings, bundle):
        self.gases = strings.get("gas_names") or {}
        self.datasets = strings.get("dataset_names") or {}
        self.short = strings.get("dataset_short_names") or {}
        self.bundle = bundle

    def gas(self, label):
        return {"en": label, "zh": self.gases.get(label, label)}

    def dataset(self, dataset):
        """{en, zh} full name of a background dataset."""
        zh = self.datasets.get(dataset.id)
        if zh is None and dataset.category == "electricity":
            zh = self._electricity_zh(dataset)
        return {"en": dataset.name, "zh": zh or dataset.name}

    def short_dataset(self, dataset):
        """{en, zh} short name for the flow diagram: ``dataset_short_names``, else the name
        without its remark in brackets."""
        short = self.short.get(dataset.id)
        if isinstance(short, dict) and short.get("en"):
            return {"en": short["en"], "zh": short.get("zh") or short["en"]}
        full = self.dataset(dataset)
        return {lang: _without_remark(text) for lang, text in full.items()}

    def _electricity_zh(self, dataset):
        place = self.bundle.geographies.get(dataset.geography) if self.bundle else None
        if place is None or not place.name_zh or not dataset.name.startswith("electricity, grid"):
            return None
        if "CO2 only" in dataset.name:
            zh = text("grid_dataset", "co2_only", place=place.name_zh)["zh"]
        elif "life cycle" in dataset.name or "lifecycle" in dataset.id:
            zh = text("grid_dataset", "life_cycle", place=place.name_zh)["zh"]
        else:
            zh = text("grid_dataset", "plain", place=place.name_zh)["zh"]
        year = dataset.name.rsplit(", ", 1)[-1]
        return text("grid_dataset", "with_year", name=zh, year=year)["zh"] if year.isdigit() else zh


def _without_remark(text):
    """``"low-density polyethylene (stand-in for EVA)"`` -> ``"low-density polyethylene"``."""
    for opening in (" (", "("):
        if opening in text and not text.startswith(opening):
            return text.split(opening, 1)[0].rstrip(" ,")
    return text


def _unit_text(unit):
    return {"piece": "pc"}.get(str(unit), str(unit))


def dataset_factors(st):
    """Characterised footprint of one unit of every background dataset [kg CO2-eq per unit].

    Under the result's GWP set, upstream included: a grid dataset that only points to the
    year's official factor gets that factor, not the pointer's amount of 1.
    """
    if st.bundle is None:
        return {}
    from footprint.brightway.background import load_background

    background = load_background(st.bundle, gwp_id(st.result) or "ar6")
    cumulative = background.cumulative("total")
    return {dataset: float(cumulative[row]) for dataset, row in background.index.items()}


def _market(report, result, st, strings, name, pick, t):
    """The market-based part of the electricity section, or None if the result has none."""
    if not isinstance(report, dict) or not isinstance(report.get("market_based"), dict):
        value = optional(result, "electricity_market")
        return None if value is None else {"value": value.get("value") if isinstance(value, dict) else value,
                                           "unit": value.get("unit", "") if isinstance(value, dict) else "",
                                           "location": None, "by_stage": [], "instruments": [], "notes": [], "residual_bundled": True}
    location = report.get("location_based") or result["total"]
    by_stage = []
    for stage, part in (report.get("market_based_by_stage") or {}).items():
        loc = result["by_stage"].get(stage, {}).get("value")
        by_stage.append({"name": name(STAGE_NAMES.get(stage, {"en": stage, "zh": stage})), "location": loc,
                         "market": part["value"], "share": part["share"]})
    instruments = []
    for claim in report.get("instruments") or []:
        kind = claim.get("type", "")
        instruments.append({"id": claim.get("id", ""), "type": t(f"instrument_{kind}") if f"instrument_{kind}" in strings else kind,
                            "stages": ", ".join(pick(STAGE_NAMES.get(s, {"en": s, "zh": s})) for s in claim.get("stages", [])),
                            "claimed_mwh": claim.get("claimed_mwh"), "kwh": claim.get("kwh"),
                            "factor": claim.get("emission_factor"), "source": claim.get("emission_factor_source", "")})
    residual = any(d.startswith("electricity_residual_") for d in st.bundle.datasets) if st.bundle else False
    return {"value": report["market_based"]["value"], "unit": report["market_based"].get("unit", ""),
            "location": location.get("value"), "by_stage": by_stage, "instruments": instruments,
            "notes": list(report.get("notes") or []), "residual_bundled": residual}


def _inventory(st, lang, names, factors, product_file):
    """Foreground activity data with provenance, and the background datasets with sources, quality and factor."""
    rows, used = [], {}
    pick = (lambda mapping: mapping.get("zh") or mapping.get("en")) if lang != "en" else (lambda mapping: mapping.get("en"))
    product_source = st.spec.source if st.spec is not None else None
    supplied = supplier_stages(st.result or {})
    cells_per_wafer = product_file.get("_cells_per_wafer") or {"en": "pc/wafer", "zh": "pc/wafer"}

    def ratio_unit(unit, process_unit):
        """A dimensionless ratio's unit as the reader says it: kg/kg, cells per wafer."""
        if unit == "kg/kg":
            return unit
        if unit == "cells/wafer":
            return bilingual(cells_per_wafer, lang) if lang != "both" else f"{cells_per_wafer['zh']} / {cells_per_wafer['en']}"
        return unit

    places = {row["path"]: row for row in provenance_rows(st.spec)}
    line_n = product_file.get("_line_n") or {"en": "line {n}", "zh": "line {n}"}

    def place(path):
        """The workbook cell or YAML line of a product-file figure, as the provenance table names it."""
        row = places.get(path)
        if row is None:
            return ""
        if row["where"]:
            return row["where"]
        if row["line"]:
            return (f"{line_n['zh'].format(n=row['line'])} / {line_n['en'].format(n=row['line'])}" if lang == "both"
                    else pick(line_n).format(n=row["line"]))
        return ""

    def source_text(provenance, path=None):
        """Where a number comes from; "primary"/"default" is said by the tag beside it."""
        if provenance.primary and provenance.source == product_source:
            said = f"{product_file.get('zh')} / {product_file.get('en')}" if lang == "both" else pick(product_file)
            where = place(path) if path else ""
            return f"{said} ({provenance.source}{', ' + where if where else ''})"
        parts = [provenance.source] + ([str(provenance.year)] if provenance.year and not provenance.primary else [])
        return ", ".join(parts + ([provenance.locator] if provenance.locator else []))

    for stage, process in st.chain.processes.items():
        stage_name = pick(STAGE_NAMES.get(stage, {"en": stage, "zh": stage}))
        for parameter, (quantity, provenance) in process.parameters.items():
            label = pick(PARAMETER_NAMES.get(parameter, {"en": parameter, "zh": parameter}))
            amount, unit = readable(float(quantity.magnitude), f"{quantity.units:~P}".replace("pcs", "pc"), parameter=parameter)
            rows.append({"stage": stage_name, "item": label, "amount": amount, "unit": ratio_unit(unit, process.unit),
                         "primary": provenance.primary, "source": source_text(provenance, f"stages.{stage}.{parameter}"),
                         "year": provenance.year, "supplier": False, "declared_share": None})
        for flow in process.flows:
            if flow.kind == "dataset":
                used.setdefault(flow.target, set()).add(stage)
            if flow.kind not in ("dataset", "gas"):
                continue
            if flow.kind == "dataset" and flow.target == process.electricity_dataset:
                continue  # shown as the electricity parameter
            if flow.kind == "dataset" and flow.target == "heat_natural_gas" and "heat" in process.parameters:
                continue
            dataset = st.bundle.datasets.get(flow.target) if flow.kind == "dataset" and st.bundle else None
            label = pick(names.dataset(dataset)) if dataset else pick(names.gas(st.bundle.gases[flow.target].label)) \
                if st.bundle and flow.target in st.bundle.gases else flow.label
            unit = dataset.unit if dataset else "kg"
            amount, unit = readable(float(flow.amount), f"{unit}/{_unit_text(process.unit)}")
            rows.append({"stage": stage_name, "item": label, "amount": amount, "unit": unit,
                         "primary": flow.provenance.primary, "source": source_text(flow.provenance), "year": flow.provenance.year,
                         "supplier": stage in supplied, "declared_share": supplied.get(stage)})
    datasets = []
    if st.bundle:
        for dataset_id in used:
            dataset = st.bundle.datasets[dataset_id]
            qualities = sorted({x.quality for x in dataset.exchanges if x.quality})
            datasets.append({"id": dataset.id, "name": bilingual(names.dataset(dataset), lang), "unit": dataset.unit,
                             "geography": dataset.geography, "year": dataset.year, "sources": dataset.sources,
                             "quality": "; ".join(qualities), "scope": dataset.scope, "proxy": "stand-in" in dataset.name,
                             "factor": factors.get(dataset.id),
                             "locators": sorted({x.locator for x in dataset.exchanges if x.locator})})
    return rows, datasets


def _not_modelled(chain, lang):
    """Expected PV inputs that the inventory does not contain."""
    inputs = " ".join(f"{flow.target} {flow.label}".lower() for process in chain.processes.values() for flow in process.flows)
    missing = []
    for keywords, key in EXPECTED_INPUTS:
        if not any(_matches(word, inputs) for word in keywords):
            missing.append(bilingual(words("expected_input", key), lang))
    for process in chain.processes.values():
        for (stage, technology, parameter), key in DEFAULT_EXCLUSIONS.items():
            used = process.parameters.get(parameter)
            if process.stage != stage or used is None or used[1].primary:
                continue
            if technology is None or getattr(process, "technology", None) == technology:
                missing.append(bilingual(words("expected_input", key), lang))
    return missing

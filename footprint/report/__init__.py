"""Certification-ready reports: HTML and PDF, label artwork, PACT JSON and the results workbook.

:func:`write_report` computes a product's footprint the way a label scheme asks
(:func:`footprint.labels.study`), then renders ``report_templates/`` with jinja2
(autoescaped) into one study report holding every item of an ISO 14067 / GB/T 24067 CFP
study report, the label as SVG and PNG with its QR code, a PACT-shaped JSON product
footprint and the results workbook (:mod:`footprint.report.workbook`).

A user's own templates (``--template DIR``) override the bundled ones file by file.
"""

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup, escape

from footprint._version import __version__
from footprint.report.charts import bar_chart, flow_diagram
from footprint.errors import InputError
from footprint.i18n import names, parse_strings
from footprint.vocab import LANGS
from footprint.report.label_art import label_id, qr_payload, render_label_svg, svg_to_png
from footprint.labels import REPORT_ITEMS, STAGE_NAMES, gwp_id, item_available, optional, study
from footprint.report.pact import product_footprint
from footprint.resources import data_dir

ORIGIN_NAMES = names("origin")
PARAMETER_NAMES = names("parameter")
UNMET_KINDS = names("unmet")
SCOPES = names("scope")
#: Inputs a reader expects in a PV module inventory: (keywords, en, zh). The report lists
#: those the inventory lacks as "not modelled", so the cut-off statement follows the data.
EXPECTED_INPUTS = (
    (("transport", "freight", "lorry", "ship"), "transport between sites", "厂间运输"),
    (("junction", "cable", "connector"), "junction box, cables and connectors", "接线盒、电缆和连接器"),
    (("packaging", "pallet", "carton"), "packaging", "包装"),
    (("water",), "process water", "工艺用水"),
    (("hf", "hno3", "naoh", "koh", "chemical", "argon", "nitrogen"), "process chemicals and gases", "工艺化学品和气体"),
    (("graphite", "crucible", "quartz"), "crucibles and graphite parts", "坩埚和石墨件"),
    (("diamond wire", "diamond_wire", "slurry"), "sawing wire and slurry", "切割线和浆料"),
    (("capital", "equipment", "building", "infrastructure"), "capital goods (equipment, buildings)", "资本货物(设备、厂房)"),
    (("waste", "treatment"), "waste treatment", "废弃物处理"),
)


@dataclass
class ReportFiles:
    """The files :func:`write_report` wrote, and what it could not write and why."""

    html: Path
    pdf: Path | None
    label_svg: Path
    label_png: Path | None
    pact_json: Path
    label_json: Path
    workbook: Path | None
    decision: object  # footprint.labels.LabelDecision
    notes: list = field(default_factory=list)

    def paths(self):
        return [p for p in (self.html, self.pdf, self.label_svg, self.label_png, self.pact_json, self.label_json, self.workbook) if p]


def environment(template_dir=None):
    """The jinja2 environment: autoescaping, the user's templates first, then the bundled ones."""
    loaders = []
    if template_dir is not None:
        directory = Path(template_dir)
        if not directory.is_dir():
            raise InputError(f"--template: {directory}: not a directory; expected a folder of templates (report.html.j2, label.svg.j2, ...)")
        loaders.append(jinja2.FileSystemLoader(str(directory)))
    loaders.append(jinja2.FileSystemLoader(str(data_dir("report_templates"))))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _num
    env.filters["pct"] = lambda value: "—" if value is None else f"{value:.1%}"
    return env


def read_strings(env):
    """The report's text in each language, from ``strings.yaml`` (the user's copy wins)."""
    source, filename, _ = env.loader.get_source(env, "strings.yaml")
    return parse_strings(source, filename)


def write_report(product, *, scheme, out_dir, lang="en", template_dir=None, gwp=None, factors=None, shares=None,
                 certificate=None, previous=None, issued=None, today=None, company=None, pdf=True):
    """Compute, evaluate and write the whole dossier of one product under one scheme.

    Parameters
    ----------
    product : str or Path
        Product file (YAML).
    scheme : str
        Scheme id.
    out_dir : str or Path
        Created if missing.
    lang : str
        ``en``, ``zh`` or ``both`` (one bilingual report).
    template_dir : str or Path, optional
        A folder of templates overriding the bundled ones, file by file.
    pdf : bool
        Also write the PDF and the PNG label (needs WeasyPrint's system libraries).
    gwp, factors, shares, certificate, previous, issued, today
        See :func:`footprint.labels.study`.
    company : str, optional
        Company declaring the footprint (PACT ``companyName``).

    Returns
    -------
    ReportFiles
    """
    if lang not in LANGS:
        raise InputError(f"--lang: got {lang!r}; expected one of {', '.join(LANGS)}")
    env = environment(template_dir)
    st = study(product, scheme=scheme, gwp=gwp, factors=factors, shares=shares, certificate=certificate,
               previous=previous, issued=issued, today=today)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{_safe(st.result['product'])}-{st.scheme.id}"
    notes = []

    label_svg = render_template(env, lambda: render_label_svg(env, st.decision, lang=lang, scheme=st.scheme,
                                                              product_name=st.result["product_name"]))
    html = render_template(env, lambda: env.get_template("report.html.j2").render(**context(st, lang=lang, env=env, label_svg=label_svg)))
    paths = {"html": out / f"{stem}.html", "label_svg": out / f"{stem}-label.svg", "pact_json": out / f"{stem}-pact.json",
             "label_json": out / f"{stem}-label.json"}
    paths["html"].write_text(html, encoding="utf-8")
    paths["label_svg"].write_text(label_svg, encoding="utf-8")
    pact = product_footprint(st.result, st.decision, st.chain, company=company)
    paths["pact_json"].write_text(json.dumps(pact, ensure_ascii=False, indent=2), encoding="utf-8")
    record = {"decision": st.decision.to_dict(), "label_id": label_id(st.decision), "qr_payload": qr_payload(st.decision)}
    paths["label_json"].write_text(json.dumps(record, ensure_ascii=False, indent=2, default=str), encoding="utf-8")

    pdf_path = png_path = None
    if pdf:
        from footprint.report.pdf import html_to_pdf

        pdf_path = out / f"{stem}.pdf"
        # relative URLs in a user's template (logos, fonts) resolve in the user's folder
        html_to_pdf(html, base_url=str(template_dir or data_dir("report_templates")), target=pdf_path)
        png_path = out / f"{stem}-label.png"
        png_path.write_bytes(svg_to_png(label_svg))
    else:
        notes.append("PDF and PNG not written (pdf=False)")
    workbook = _write_workbook(st, out / f"{stem}.xlsx")
    return ReportFiles(paths["html"], pdf_path, paths["label_svg"], png_path, paths["pact_json"], paths["label_json"],
                       workbook, st.decision, notes)


def render_template(env, render):
    """Run a render call; a template error becomes one InputError line naming file and line."""
    try:
        return render()
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"template {exc.filename or exc.name}: line {exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise InputError(f"template {exc.name}: not found in the template folder or the bundled report_templates/") from exc
    except jinja2.UndefinedError as exc:
        raise InputError(f"template: {exc.message}; the report context has no such field (see docs/labels-and-reports.md)") from exc


def context(st, *, lang, env, label_svg=""):
    """Everything the report template uses, as plain data (and pre-escaped SVG charts)."""
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
        return _bilingual(text, lang)

    def name(mapping):
        return _bilingual(mapping, lang)

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
    inventory, datasets = _inventory(st, lang, names, factors, tr("product_file") if "product_file" in strings else {"en": "product file"})
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
    output_label = {"en": f"1 module = {kwp:g} kWp → declared unit 1 kWp", "zh": f"1 块组件 = {kwp:g} kWp → 声明单位 1 kWp"}
    return {
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
            "flow": flow_diagram(flow_stages, left_title=pick({"en": "grid electricity", "zh": "电网电力"}),
                                 right_title=pick({"en": "materials and energy", "zh": "材料和能源"}),
                                 boundary_label=pick({"en": "system boundary: cradle to gate", "zh": "系统边界:摇篮到大门"}),
                                 output_label=[output_label["zh"], output_label["en"]] if lang == "both" else [pick(output_label)]),
        },
    }


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
        text = f"电网电力,{place.name_zh}"
        if "CO2 only" in dataset.name:
            text += ",仅 CO2"
        elif "life cycle" in dataset.name or "lifecycle" in dataset.id:
            text += ",生命周期"
        year = dataset.name.rsplit(", ", 1)[-1]
        return f"{text},{year}" if year.isdigit() else text


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
    from footprint.engine import load_background

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

    def source_text(provenance):
        """Where a number comes from; "primary"/"default" is said by the tag beside it."""
        if provenance.primary and provenance.source == product_source:
            words = f"{product_file.get('zh')} / {product_file.get('en')}" if lang == "both" else pick(product_file)
            return f"{words} ({provenance.source})"
        parts = [provenance.source] + ([str(provenance.year)] if provenance.year and not provenance.primary else [])
        return ", ".join(parts + ([provenance.locator] if provenance.locator else []))

    for stage, process in st.chain.processes.items():
        stage_name = pick(STAGE_NAMES.get(stage, {"en": stage, "zh": stage}))
        for parameter, (quantity, provenance) in process.parameters.items():
            label = pick(PARAMETER_NAMES.get(parameter, {"en": parameter, "zh": parameter}))
            rows.append({"stage": stage_name, "item": label, "amount": float(quantity.magnitude), "unit": f"{quantity.units:~P}".replace("pcs", "pc"),
                         "primary": provenance.primary, "source": source_text(provenance), "year": provenance.year})
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
            rows.append({"stage": stage_name, "item": label, "amount": flow.amount, "unit": f"{unit}/{_unit_text(process.unit)}",
                         "primary": flow.provenance.primary, "source": source_text(flow.provenance), "year": flow.provenance.year})
    datasets = []
    if st.bundle:
        for dataset_id in used:
            dataset = st.bundle.datasets[dataset_id]
            qualities = sorted({x.quality for x in dataset.exchanges if x.quality})
            datasets.append({"id": dataset.id, "name": _bilingual(names.dataset(dataset), lang), "unit": dataset.unit,
                             "geography": dataset.geography, "year": dataset.year, "sources": dataset.sources,
                             "quality": "; ".join(qualities), "scope": dataset.scope, "proxy": "stand-in" in dataset.name,
                             "factor": factors.get(dataset.id),
                             "locators": sorted({x.locator for x in dataset.exchanges if x.locator})})
    return rows, datasets


def _not_modelled(chain, lang):
    """Expected PV inputs that the inventory does not contain."""
    text = " ".join(f"{flow.target} {flow.label}".lower() for process in chain.processes.values() for flow in process.flows)
    missing = []
    for keywords, en, zh in EXPECTED_INPUTS:
        if not any(word in text for word in keywords):
            missing.append(_bilingual({"en": en, "zh": zh}, lang))
    return missing


def _write_workbook(st, path):
    """The results workbook (summary, breakdowns, inputs with their sources, provenance)."""
    from footprint.report.workbook import write_results_workbook

    return write_results_workbook(st.result, path, product=st.spec)


def _bilingual(mapping, lang):
    if lang == "both":
        return Markup(f'<span lang="zh-CN">{escape(mapping.get("zh", ""))}</span><span class="alt" lang="en">{escape(mapping.get("en", ""))}</span>')
    return mapping.get(lang) or mapping.get("en", "")


def _num(value, digits=3):
    """A number for people: significant digits, thousands separators, "—" when missing."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if value == 0:
        return "0"
    magnitude = abs(value)
    decimals = max(0, digits - len(str(int(magnitude)))) if magnitude >= 1 else digits + max(0, -int(f"{magnitude:e}".split("e")[1]) - 1)
    return f"{value:,.{min(decimals, 8)}f}"


def _safe(text):
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(text)) or "product"

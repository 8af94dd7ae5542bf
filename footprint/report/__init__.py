"""Certification-ready reports: HTML and PDF, label artwork, PACT JSON and the results workbook.

:func:`write_report` computes a product's footprint the way a label scheme asks
(:func:`footprint.labels.study`), then renders ``report_templates/`` with jinja2
(autoescaped) into one study report holding every item of an ISO 14067 / GB/T 24067 CFP
study report, the label as SVG and PNG with its QR code, a PACT-shaped JSON product
footprint and the results workbook (:mod:`footprint.report.workbook`).

A user's own templates (``--template DIR``) override the bundled ones file by file.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from footprint.errors import OptionError
from footprint.fileio import atomic_folder, parse_date
from footprint.labels import Scheme, evaluate_label, gwp_id
from footprint.model.spec import ProductSpec
from footprint.report.context import report_context
from footprint.report.items import parse_period, report_meta
from footprint.report.label_art import label_id, qr_payload, render_label_svg, svg_to_png
from footprint.report.pact import product_footprint
from footprint.report.templates import environment, render_template
from footprint.resources import data_dir
from footprint.vocab import LANGS, choose


@dataclass
class ReportFiles:
    """The files :func:`write_report` wrote, and what it could not write and why."""

    html: Path
    pdf: Path | None
    label_svg: Path
    label_png: Path | None
    pact_json: Path | None  # None when the reporting period is not known (PACT requires it)
    label_json: Path
    workbook: Path | None
    decision: object  # footprint.labels.LabelDecision
    notes: list = field(default_factory=list)
    result_json: Path | None = None  # the full result, as `footprint calc --format json` prints it
    inputs: list = field(default_factory=list)  # copies of the input files, in inputs/
    manifest: Path | None = None  # manifest.json: every file with its sha256

    def paths(self):
        """Every file written, the inputs' copies and the manifest last."""
        main = (self.html, self.pdf, self.label_svg, self.label_png, self.pact_json, self.label_json, self.result_json,
                self.workbook)
        return [p for p in (*main, *self.inputs, self.manifest) if p]


def write_report(
    product: str | os.PathLike | dict | ProductSpec,
    *,
    scheme: str | Scheme,
    out_dir: str | os.PathLike,
    lang: str = "en",
    template_dir: str | os.PathLike | None = None,
    gwp: str | None = None,
    factors: str | os.PathLike | None = None,
    shares: str | os.PathLike | None = None,
    certificate: str | None = None,
    previous: float | None = None,
    issued: datetime.date | str | None = None,
    as_of: datetime.date | str | None = None,
    company: str | None = None,
    practitioner: str | None = None,
    report_number: str | None = None,
    report_version: str | None = None,
    period: str | None = None,
    pdf: bool = True,
    overwrite: bool = False,
    record_claims: bool = False,
    sign_with: str | os.PathLike | None = None,
    montecarlo: int | None = None,
    seed: int | None = None,
    electricity_basis: str | None = None,
) -> ReportFiles:
    """Compute, evaluate and write the whole dossier of one product under one scheme.

    The dossier: the study report (HTML, and PDF with ``pdf``), the label (SVG, and PNG with
    ``pdf``), the label decision (JSON), a PACT product footprint (JSON), the results
    workbook (XLSX), a copy of every input file (``inputs/``) and ``manifest.json`` (every
    file with its sha256). The product's foreground is also written into the Brightway project.

    Parameters
    ----------
    product : str or os.PathLike or dict or ProductSpec
        Product file (YAML), data workbook (.xlsx), or a product (:func:`footprint.read_product`).
    scheme : str or Scheme
        Scheme id (:func:`footprint.list_schemes`) or a scheme YAML file.
    out_dir : str or os.PathLike
        The dossier folder; created if missing.
    lang : str
        ``en``, ``zh`` or ``both`` (one bilingual report).
    template_dir : str or os.PathLike, optional
        A folder of templates overriding the bundled ones, file by file.
    gwp, factors, shares, certificate, previous, issued, as_of, electricity_basis
        See :func:`footprint.evaluate_label`.
    company : str, optional
        The organisation that commissions the study and declares the footprint (the report's
        cover, PACT ``companyName``).
    practitioner : str, optional
        Who made the study (a person or a firm), on the report's cover.
    report_number, report_version : str, optional
        The report's own number and version (version 1 when not given).
    period : str, optional
        The reporting period of the figures: ``2024``, ``2024-03`` or ``2024-01-01/2024-12-31``
        (report and PACT reference period). Without it, the period the workbook's rows name,
        if they name one.
    pdf : bool
        Also write the PDF and the PNG label (needs WeasyPrint's system libraries).
    overwrite : bool
        Replace an existing, non-empty ``out_dir`` (otherwise :class:`~footprint.errors.OutputExistsError`).
        The dossier is written aside and moved into place whole: a failure leaves the old
        folder or the new one, never a mix.
    record_claims : bool
        See :func:`footprint.compute`; recorded once every file is written.
    sign_with : str or os.PathLike or footprint.signing.Signer, optional
        A private key (file, or organisation in the data directory's keys/): ``manifest.json``
        is signed, covering every file of the dossier (:func:`footprint.signing.sign_folder`).
        The key is loaded first: a bad key or passphrase writes nothing.
    montecarlo, seed : int, optional
        Run the uncertainty and sensitivity analysis with this many draws (and seed): the
        report's uncertainty and sensitivity section (histogram, tornado, probabilities, DQR).
        See :func:`footprint.evaluate_label`.

    Returns
    -------
    ReportFiles
        The paths written, the decision, and notes on what was not written.

    Examples
    --------
    >>> import footprint
    >>> files = footprint.write_report("examples/perc-glass-backsheet-jiangsu.yaml", scheme="cn-cfp",
    ...                                out_dir="dossier", lang="both")  # doctest: +SKIP
    >>> [path.name for path in files.paths()]  # doctest: +SKIP
    """
    lang = choose(lang, LANGS, what="lang")
    if period is not None:
        parse_period(period)  # a bad period is refused before any work
    signer = _signer(sign_with)
    env = environment(template_dir)
    # the dossier's inventory is recorded in the Brightway project as well (brightway=True); the
    # claims are recorded only once every file of the dossier is written (below)
    as_of = parse_date(as_of, where="as_of", today=datetime.date.today())
    read_entries = {}  # the shared database entries the calculation read, stored in the dossier (inputs/shared/)
    with _recording(read_entries):
        st = evaluate_label(product, scheme=scheme, gwp=gwp, factors=factors, shares=shares, certificate=certificate,
                            previous=previous, issued=issued, as_of=as_of, brightway=True, montecarlo=montecarlo, seed=seed,
                            electricity_basis=electricity_basis)
    meta = report_meta(st.spec, company=company, practitioner=practitioner, report_number=report_number,
                       report_version=report_version, period=period)
    stem = f"{_safe(st.result['product'])}-{_safe(st.scheme.id)}"
    notes = []
    label_svg = render_template(env, lambda: render_label_svg(env, st.decision, lang=lang, scheme=st.scheme,
                                                              product_name=st.result["product_name"]))
    html = render_template(env, lambda: env.get_template("report.html.j2").render(
        **report_context(st, lang=lang, env=env, label_svg=label_svg, meta=meta)))
    out = Path(out_dir)
    names = {"html": f"{stem}.html", "label_svg": f"{stem}-label.svg", "pact_json": f"{stem}-pact.json",
             "label_json": f"{stem}-label.json", "result_json": f"{stem}-result.json", "workbook": f"{stem}.xlsx"}
    if pdf:
        names.update(pdf=f"{stem}.pdf", label_png=f"{stem}-label.png")
    else:
        notes.append("PDF and PNG not written (pdf=False)")
    with atomic_folder(out, overwrite=overwrite, marker=MANIFEST) as folder:
        (folder / names["html"]).write_text(html, encoding="utf-8")
        (folder / names["label_svg"]).write_text(label_svg, encoding="utf-8")
        try:
            pact = product_footprint(st.result, st.decision, st.chain, company=company, period=meta.period)
        except OptionError as exc:  # no period, or an Active footprint without its company: the rest is written
            pact = None
            notes.append(f"PACT footprint not written: {exc.detail}")
        if pact is not None:
            (folder / names["pact_json"]).write_text(json.dumps(pact, ensure_ascii=False, indent=2), encoding="utf-8")
        record = {"decision": st.decision.to_dict(), "label_id": label_id(st.decision), "qr_payload": qr_payload(st.decision)}
        (folder / names["label_json"]).write_text(json.dumps(record, ensure_ascii=False, indent=2, default=str),
                                                  encoding="utf-8")
        (folder / names["result_json"]).write_text(json.dumps(st.result, ensure_ascii=False, indent=2, default=str),
                                                   encoding="utf-8")
        if pdf:
            from footprint.report.pdf import html_to_pdf

            # relative URLs in a user's template (logos, fonts) resolve in the user's folder
            html_to_pdf(html, base_url=str(template_dir or data_dir("report_templates")), target=folder / names["pdf"])
            (folder / names["label_png"]).write_bytes(svg_to_png(label_svg))
        _write_workbook(st, folder / names["workbook"])
        inputs = _copy_inputs(st.result, folder / "inputs", extra=[path for path in (factors, shares) if path])
        by_source = {str(Path(original).resolve()): f"inputs/{name}" for name, original in inputs.items()}
        options = {"scheme": st.scheme.id, "gwp": gwp_id(st.result), "as_of": as_of.isoformat(),
                   "issued": st.decision.issued, "certificate": certificate, "previous": previous,
                   "factors": by_source.get(str(Path(factors).resolve())) if factors else None,
                   "shares": by_source.get(str(Path(shares).resolve())) if shares else None}
        if electricity_basis is not None:  # the caller's, in place of the product file's: `footprint verify` uses it too
            options["electricity_basis"] = st.spec.electricity_basis
        shared = _store_shared_entries(st.result, read_entries, folder / "inputs", notes)
        _write_manifest(folder, st, inputs, options, shared)
        if signer is not None:
            from footprint.signing import sign_folder

            sign_folder(folder, signer)
        if record_claims:
            from footprint.claims import claims_of_result
            from footprint.claims import record_claims as record

            record(claims_of_result(st.result), product_id=st.result["product"])
    return ReportFiles(out / names["html"], out / names["pdf"] if pdf else None, out / names["label_svg"],
                       out / names["label_png"] if pdf else None, out / names["pact_json"] if pact is not None else None, out / names["label_json"],
                       out / names["workbook"], st.decision, notes, result_json=out / names["result_json"], inputs=[out / "inputs" / name for name in sorted(inputs)]
                       + [out / kept["file"] for kept in shared.values()],
                       manifest=out / MANIFEST)


#: The dossier's list of files with their sha256 (``footprint verify`` reads it).
MANIFEST = "manifest.json"
MANIFEST_FORMAT = "footprint-dossier/1"


def _copy_inputs(result, folder, extra=()):
    """Copy every input file into the dossier's ``inputs/``, keeping their places relative to the product file.

    The product file (or workbook) and every site, supplier and factor file it uses; files in
    the product file's folder or below keep their relative path, so that the copy computes
    as the original does (``footprint verify``). A file elsewhere is copied under ``outside/``.

    Returns
    -------
    dict
        path inside ``inputs/`` (POSIX) -> the path it was copied from.
    """
    import shutil

    folder.mkdir()
    product = Path(result["input_file"]).resolve()
    sources = [*((result.get("provenance") or {}).get("input_files") or {}), *extra]
    copied = {}
    for path in sorted(set(map(str, sources))):
        source = Path(path)
        if not source.is_file():
            continue
        try:
            relative = source.resolve().relative_to(product.parent).as_posix()
        except ValueError:
            relative = f"outside/{source.name}"
            while relative in copied:
                relative = f"outside/{len(copied)}-{source.name}"
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied[relative] = str(source)
    return copied


def _recording(read):
    """The resolver in effect (``supplier: registry:ENTRY@N``, a material's or a stage's electricity factor), wrapped
    so that what it answers is kept in ``read`` (``ID@N`` -> (data, provenance)); nothing when none is in effect."""
    import contextlib

    from footprint.supplier import RESOLVER, resolving

    inner = RESOLVER.get()
    if inner is None:
        return contextlib.nullcontext()

    def resolve(ref, *, as_of):
        data, provenance = inner(ref, as_of=as_of)
        read[f"{provenance['id']}@{provenance['version']}"] = (dict(data), dict(provenance))
        return data, provenance

    return resolving(resolve)


def _store_shared_entries(result, read, inputs, notes):
    """Write each shared database entry the result used into ``inputs/shared/ID@N.json``: the entry's content exactly
    as the database hashed it (canonical JSON), so that its sha256 is the one ``provenance.shared_entries`` records,
    and ``footprint verify`` recomputes the dossier without the database.

    Returns
    -------
    dict
        ``registry:ID@N`` -> ``{"file", "sha256", "provenance"}`` (what the resolver answered besides the content:
        the state, owner, source, ... at the calculation), for the manifest.
    """
    import hashlib

    from footprint.signing import canonical_json

    used = {row["ref"]: row for row in (result.get("provenance") or {}).get("shared_entries") or [] if row.get("ref")}
    if not used:
        return {}
    name = "shared"
    while (inputs / name).exists():  # a product's own folder named shared/ was copied there
        name = f"_{name}"
    stored = {}
    for ref, row in sorted(used.items()):
        key = f"{row['id']}@{row['version']}"
        if key not in read:
            notes.append(f"{ref}: not stored in the dossier (the calculation did not read it here); "
                         "footprint verify needs the shared database for it")
            continue
        data, provenance = read[key]
        raw = canonical_json({k: v for k, v in data.items() if k != "quantity"})
        digest = hashlib.sha256(raw).hexdigest()
        if digest != row["sha256"]:
            notes.append(f"{ref}: not stored in the dossier (its content does not hash to the recorded sha256 "
                         f"{row['sha256'][:16]}...); footprint verify needs the shared database for it")
            continue
        path = inputs / name / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        stored[ref] = {"file": path.relative_to(inputs.parent).as_posix(), "sha256": digest,
                       "provenance": json.loads(json.dumps(provenance, default=str))}
    return stored


def _write_manifest(folder, st, inputs, options, shared=None):
    import datetime as _dt
    import hashlib

    from footprint._version import __version__

    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        files[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {
        "format": MANIFEST_FORMAT,
        "product": st.result["product"],
        "scheme": st.scheme.id,
        "declared_unit": st.result["declared_unit"],
        "gwp": st.result["gwp"],
        "data_version": st.result["data_version"],
        "library_version": __version__,
        "inputs_sha256": st.result["inputs_sha256"],
        "result_sha256": st.decision.result_sha256,
        "created_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "product_file": f"inputs/{Path(st.result['input_file']).resolve().name}",
        "options": options,
        "inputs": {f"inputs/{name}": original for name, original in inputs.items()},
        "files": files,
    }
    if shared:  # each shared database entry the result used, stored in the dossier: footprint verify reads it there
        manifest = {**{k: v for k, v in manifest.items() if k != "files"}, "shared_entries": shared, "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_workbook(st, path):
    """The results workbook (summary, breakdowns, inputs with their sources, provenance)."""
    from footprint.report.workbook import write_results_workbook

    return write_results_workbook(st.result, path, product=st.spec)


def _signer(key):
    """The loaded private key, or None; loaded before any work so a bad key or passphrase writes nothing."""
    if key is None:
        return None
    from footprint.signing import Signer, load_signer

    return key if isinstance(key, Signer) else load_signer(key)


def _safe(text):
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(text)) or "product"

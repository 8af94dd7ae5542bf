"""The ``footprint`` command line: thin, it only calls the library.

Exit codes: 0 success; 1 a FootprintError (one line on stderr naming the file, field and
what was expected) or an internal error; 2 a usage error (click).
"""

import contextlib
import json
import os
import sys
import traceback

import click

from footprint._version import __version__
from footprint.errors import FootprintError


class _Group(click.Group):
    """Turns library errors into one line on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except FootprintError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so in one line, traceback only on request
            if os.environ.get("FOOTPRINT_DEBUG"):
                traceback.print_exc()
            click.echo(f"internal error: {type(exc).__name__}: {exc} (set FOOTPRINT_DEBUG=1 for details)", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="footprint")
def main():
    """Carbon footprint of PV products (polysilicon, ingot, wafer, cell, module).

    \b
    Start with:
      footprint setup
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per kWp

    The data directory is $FOOTPRINT_HOME, else the platform's user data directory.
    """


@main.command()
def setup():
    """Create or update the data directory (works offline, safe to repeat).

    Installs the Brightway project: biosphere3, the IPCC 2021 and IPCC 2013 GWP100 methods
    and the bundled inventories. A newer bundled data version re-installs what changed.

    \b
    Example:
      FOOTPRINT_HOME=/data/footprint footprint setup
    """
    from footprint.brightway.install import setup as run_setup

    with contextlib.redirect_stdout(sys.stderr):
        report = run_setup(progress=lambda message: click.echo(f"... {message}", err=True))
    click.echo(f"data directory: {report.home}")
    for part, action, detail in report.actions:
        click.echo(f"  {part:<12} {action}{' (' + detail + ')' if detail else ''}")
    click.echo("ready" if report.changed else "already up to date; nothing to do")


@main.command()
@click.argument("product", type=click.Path(dir_okay=False, path_type=str))
@click.option("--per", "per", default="module", show_default=True,
              type=click.Choice(["module", "m2", "W", "Wp", "kWp", "kWh", "cell", "wafer", "kg-polysilicon", "kg-ingot"]),
              help="Declared unit of the result (kWh: over the module's life, needs the use: block).")
@click.option("--gwp", default="ar6", show_default=True, type=click.Choice(["ar6", "ar5"]),
              help="GWP100 set: IPCC AR6 (2021) or AR5 (2013).")
@click.option("--boundary", default="cradle-to-gate", show_default=True, type=click.Choice(["cradle-to-gate", "cradle-to-grave"]),
              help="cradle-to-grave adds transport, installation, use and end of life (the downstream: block).")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Date supplier declarations must be valid on (default: today).")
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json", "xlsx"]),
              help="table for people; json prints one JSON object and nothing else on stdout; xlsx writes a results workbook (needs -o).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the result to this file instead of stdout.")
def calc(product, per, gwp, boundary, as_of, fmt, output):
    """Compute the footprint of a PRODUCT file (YAML) or data workbook (.xlsx), location- and market-based.

    \b
    Examples:
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per kWp --format json
      footprint calc data.xlsx --format xlsx -o results.xlsx
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per kWh --boundary cradle-to-grave
    """
    spec = _read_product_input(product, fmt=fmt, output=output)
    _prepare_output(output)
    from footprint.calc import compute

    with contextlib.redirect_stdout(sys.stderr):
        result = compute(spec, per=per, gwp=gwp, boundary=boundary, as_of=as_of)
    if output:
        return _write_result(result, spec, fmt, output)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(_table(result))


def _table(result):
    unit = result.total.unit
    lines = [
        f"{result.product_name} ({result.product})",
        f"Carbon footprint, {result.boundary.name}: {result.total.value:,.4g} {unit} (location-based electricity)",
        f"                  market-based electricity: {result.electricity.market_based.value:,.4g} {unit}",
        f"Declared unit: {result.boundary.declared_unit}; primary data share {result.primary_data_share:.1%}",
        f"Method: {result.gwp}; data version {result.data_version}",
        "",
        "By stage:",
    ]
    for stage, part in result.by_stage.items():
        lines.append(f"  {stage:<14}{part.value:>12,.4g}  {part.share:>6.1%}")
    lines.append("Largest contributions:")
    for label, part in list(result.by_activity.items())[:8]:
        lines.append(f"  {part.share:>6.1%}  {label}")
    lines.append("By gas:")
    width = max([14, *(len(gas) + 2 for gas in result.by_gas)])
    for gas, part in result.by_gas.items():
        lines.append(f"  {gas:<{width}}{part.value:>12,.4g}  {part.share:>6.1%}")
    lines.append("By origin:")
    for origin, part in result.by_origin.items():
        lines.append(f"  {origin:<14}{part.value:>12,.4g}  {part.share:>6.1%}")
    lines.append("Electricity, location-based grid:")
    for use in result.electricity.uses:
        lines.append(f"  {use.stage:<14}{use.site:<8}{use.amount:>10,.4g} kWh  {use.name} ({use.year})")
    for claim in result.electricity.instruments:
        lines.append(f"  {'+'.join(claim.stages):<14}{claim.type:<8}{claim.kwh:>10,.4g} kWh  {claim.id} "
                     f"({claim.site_mwh:,.0f} MWh = {claim.coverage:.1%} of the site's {claim.site_consumed_mwh:,.0f} MWh; "
                     f"by output {claim.product_output:,.6g} of {claim.site_output:,.6g} {claim.output_unit} = {claim.output_share:.1%}: "
                     f"{claim.claimed_mwh:,.0f} MWh claimed)")
    for note in result.notes + result.electricity.notes:
        lines.append(f"Note: {note}")
    lines.append(f"Inputs sha256: {result.inputs_sha256}")
    return "\n".join(lines)


# --- claims: the electricity-instrument claims ledger (footprint/claims.py) ---------------------------------


@main.command("claims")
@click.option("--product", metavar="ID", help="Only this product's claims (its product.id).")
@click.option("--clear", is_flag=True, help="Remove the claims of --product (or, without --product, every claim) from the ledger.")
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]),
              help="table for people; json prints one JSON array on stdout.")
def claims(product, clear, fmt):
    """List or clear the electricity-instrument claims recorded in the data directory.

    Every `footprint calc` of a product records the MWh it claims from each green
    certificate, PPA and on-site PV of its sites, replacing its earlier claims; a claim
    that would bring an instrument above its MWh, all products together, is refused.

    \b
    Examples:
      footprint claims
      footprint claims --product perc-gb-550-jiangsu --format json
      footprint claims --clear --product old-module
    """
    from dataclasses import asdict

    from footprint.claims import clear_claims, ledger_path, list_claims

    if clear:
        removed = clear_claims(product=product)
        click.echo(f"removed {removed} claim(s){' of ' + product if product else ''} from {ledger_path()}", err=True)
        return
    found = list_claims(product=product)
    if fmt == "json":
        click.echo(json.dumps([asdict(claim) for claim in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"no claims recorded in {ledger_path()}")
        return
    for claim in found:
        click.echo(f"{claim.site} ({claim.geography}, {claim.period})  {claim.instrument:<20}{claim.type:<10}"
                   f"{claim.claimed_mwh:>12,.0f} of {claim.instrument_mwh:,.0f} MWh  {claim.product}  "
                   f"(share {claim.output_share:.1%}, {claim.recorded_at})")


# --- datasets: the bundled inventories, listed (footprint/datasets.py) ---------------------------------------


@main.command("datasets")
@click.option("--stage", type=click.Choice(["mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module"]),
              help="Only this stage's default parameters and the materials they use.")
@click.option("--geography", metavar="ID", help="Only datasets of this place or within it (CN, CN-JS, CN-ECG, VN, GLO ...).")
@click.option("--search", metavar="WORDS", help="Only datasets whose id, name, source or note contain every word.")
@click.option("--kind", type=click.Choice(["background", "default"]), help="Only background datasets, or only stage defaults.")
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]),
              help="table for people; json prints one JSON object and nothing else on stdout.")
def datasets(stage, geography, search, kind, fmt):
    """List the bundled datasets: name, unit, geography, year, scope, quality and source.

    \b
    Examples:
      footprint datasets --geography CN-JS
      footprint datasets --stage module
      footprint datasets --search "silver" --format json
    """
    from footprint.bundle.catalogue import format_table, list_datasets
    from footprint.bundle.read import read_bundle

    bundle = read_bundle()
    entries = list_datasets(stage=stage, geography=geography, search=search, kind=kind, bundle=bundle)
    if fmt == "json":
        payload = {"data_version": bundle.data_version, "count": len(entries), "datasets": [e.to_dict() for e in entries]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(format_table(entries))


# -- Excel data collection (footprint.collect) and results workbook ---------------------------
@main.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .xlsx workbook to write.")
@click.option("--stage", default="all", show_default=True,
              type=click.Choice(["all", "mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module"]),
              help="The whole module chain, or one supplier's stage.")
@click.option("--lang", default="both", show_default=True, type=click.Choice(["zh", "en", "both"]),
              help="Language of headers and descriptions.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def template(output, stage, lang, force):
    """Write a data-collection workbook for manufacturers and suppliers to fill in.

    \b
    Examples:
      footprint template -o data.xlsx
      footprint template --stage wafer --lang zh -o wafer.xlsx
    """
    from footprint.collect import write_template

    path = write_template(output, stage=stage, lang=lang, overwrite=force)
    click.echo(f"wrote {path}", err=True)


@main.command("import")
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="The product YAML file to write ('-' for stdout).")
@click.option("--check", is_flag=True, help="Only check the workbooks' own sheets (one supplier's stage); write nothing.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def import_(workbooks, output, check, force):
    """Check filled WORKBOOKS and convert them into one product YAML file.

    Give one full-chain workbook, or several (one per supplier stage) that together hold
    the product sheet and every stage. Every problem is listed at once; nothing is
    written while any error remains.

    \b
    Examples:
      footprint import data.xlsx -o product.yaml
      footprint import module.xlsx cell.xlsx wafer.xlsx poly.xlsx -o product.yaml
      footprint import wafer.xlsx --check
    """
    from pathlib import Path

    from footprint.collect import check_workbook, read_workbook, write_product_yaml
    from footprint.errors import InputError

    if check:
        for problem in check_workbook(*workbooks):
            click.echo(f"warning: {problem}", err=True)
        click.echo(f"no errors in {', '.join(workbooks)}", err=True)
        return
    if not output:
        raise click.UsageError("give the product file to write with -o FILE (or --check to only check)")
    if output != "-" and Path(output).exists() and not force:
        raise InputError(f"{output}: exists; choose another name or pass --force to replace it")
    _prepare_output(output)
    product = read_workbook(*workbooks)
    for problem in product.warnings:
        click.echo(f"warning: {problem}", err=True)
    if output == "-":
        click.echo(write_product_yaml(product), nl=False)
    else:
        write_product_yaml(product, output)
        click.echo(f"wrote {output}", err=True)


def _prepare_output(output):
    """Create the folders of an output file before any work, or say in one line why not."""
    from pathlib import Path

    if not output or output == "-":
        return
    folder = Path(output).parent
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            raise FootprintError(f"{output}: {part} is a file; expected a folder to write into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FootprintError(f"{output}: cannot create its folder {folder} ({exc.strerror or exc}); "
                             "expected a path in a folder that exists or can be created") from None
    if not os.access(folder, os.W_OK):
        raise FootprintError(f"{output}: the folder {folder} is not writable; expected a path footprint can write to")


def _read_product_input(product, *, fmt, output):
    """A product YAML file or a data workbook, its warnings printed on stderr."""
    from footprint.collect import read_any

    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx writes a workbook: give its name with -o FILE")
    return read_any(product, warn=lambda message: click.echo(f"warning: {message}", err=True))


def _write_result(result, spec, fmt, output):
    if fmt == "xlsx":
        from footprint.report.workbook import write_results_workbook

        write_results_workbook(result, output, product=spec)
    else:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if fmt == "json" else _table(result)
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    click.echo(f"wrote {output}", err=True)


# --- label schemes and reports (footprint/labels.py, footprint/report.py) ---------------------


@main.command()
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]),
              help="table for people; json prints one JSON array on stdout.")
def schemes(fmt):
    """List the label schemes (files methods/label-*.yaml).

    \b
    Example:
      footprint schemes
    """
    from footprint.labels import list_schemes

    found = list_schemes()
    if fmt == "json":
        rows = [{"id": s.id, "name": s.name, "issuer": s.issuer, "basis_standard": s.basis_standard,
                 "declared_unit": s.declared_unit, "unit": s.unit, "decision": s.decision["kind"],
                 "validity_years": s.validity.get("years"), "file": s.path} for s in found]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for s in found:
        years = s.validity.get("years")
        click.echo(f"{s.id:<12}{s.name['en']}")
        click.echo(f"{'':<12}{s.basis('en')}; per 1 {s.declared_unit}; {s.decision['kind'].replace('_', ' ')}"
                   f"{'; valid ' + str(years) + ' y' if years else ''}")


def _label_options(command):
    options = [
        click.option("--scheme", "scheme_id", required=True, help="Scheme id (see `footprint schemes`) or a scheme YAML file."),
        click.option("--gwp", type=click.Choice(["ar6", "ar5"]), default=None, help="GWP100 set; default: the scheme's."),
        click.option("--factors", type=click.Path(dir_okay=False, exists=True), default=None,
                     help="fr-ecs: the tender's stage-by-country factor table (CSV)."),
        click.option("--shares", type=click.Path(dir_okay=False, exists=True), default=None,
                     help="fr-ecs: supply shares by stage and country (CSV)."),
        click.option("--certificate", default=None, help="Certificate or registration number (default: pending)."),
        click.option("--previous", type=float, default=None, help="Previously declared value, for re-verification rules."),
        click.option("--issued", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Issue date (default: today)."),
        click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
                     help="Date the evaluation is for (default: today); supplier declarations not valid on it are unmet requirements."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@click.argument("product", type=click.Path(dir_okay=False, path_type=str))
@_label_options
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]),
              help="table for people; json prints one JSON object and nothing else on stdout.")
def label(product, scheme_id, gwp, factors, shares, certificate, previous, issued, as_of, fmt):
    """Evaluate PRODUCT against a label scheme: pass / fail / grade and every unmet requirement.

    Exit code 0 whatever the outcome; the outcome is in the output.

    \b
    Examples:
      footprint label examples/perc-glass-backsheet-jiangsu.yaml --scheme kr-carbon
      footprint label examples/perc-glass-backsheet-jiangsu.yaml --scheme fr-ecs --factors ecs.csv --format json
      footprint label PRODUCT --scheme cn-cfp --as-of 2027-03-01
    """
    from footprint.labels import study

    with contextlib.redirect_stdout(sys.stderr):
        st = study(product, scheme=scheme_id, gwp=gwp, factors=factors, shares=shares, certificate=certificate,
                   previous=previous, issued=issued.date() if issued else None, today=as_of.date() if as_of else None)
    decision = st.decision
    if fmt == "json":
        click.echo(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    grade = f", grade {decision.grade}" if decision.grade else ""
    click.echo(f"{decision.product_name} ({decision.product})")
    click.echo(f"Scheme: {st.scheme.name['en']} ({st.scheme.id})")
    click.echo(f"Value: {decision.value_text} {decision.unit} (unrounded {decision.value_unrounded if decision.value_unrounded is not None else '-'})")
    click.echo(f"Outcome: {decision.outcome.upper()}{grade}")
    for level in decision.thresholds:
        limit = f"{st.scheme.decision.get('comparison', '<=')} {level['max']:g}" if level["max"] is not None else f"> {level['above']:g}"
        click.echo(f"  {level['id']:<14}{limit}")
    click.echo(f"Valid: {decision.issued} to {decision.valid_until or '-'}; certificate {decision.certificate}")
    if decision.unmet:
        click.echo("Unmet requirements:")
        for unmet in decision.unmet:
            click.echo(f"  [{unmet.kind}] {unmet.item}: {unmet.reason}")
    for note in decision.notes:
        click.echo(f"Note: {note}")


@main.command()
@click.argument("product", type=click.Path(dir_okay=False, path_type=str))
@_label_options
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder (created).")
@click.option("--lang", default="en", show_default=True, type=click.Choice(["en", "zh", "both"]), help="Report language.")
@click.option("--template", "template_dir", default=None, type=click.Path(file_okay=False, exists=True),
              help="Folder of your own templates; they override the bundled report_templates/ file by file.")
@click.option("--company", default=None, help="Company declaring the footprint (PACT companyName).")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF and PNG (no system libraries needed).")
def report(product, scheme_id, gwp, factors, shares, certificate, previous, issued, as_of, out_dir, lang, template_dir, company, no_pdf):
    """Write the certification dossier of PRODUCT under a scheme: report (HTML, PDF), label (SVG, PNG), PACT JSON.

    \b
    Examples:
      footprint report examples/perc-glass-backsheet-jiangsu.yaml --scheme cn-cfp -o out --lang both
      footprint report examples/perc-glass-backsheet-jiangsu.yaml --scheme epeat-ulcs -o out --template my_templates
    """
    from footprint.report import write_report

    with contextlib.redirect_stdout(sys.stderr):
        files = write_report(product, scheme=scheme_id, out_dir=out_dir, lang=lang, template_dir=template_dir, gwp=gwp,
                             factors=factors, shares=shares, certificate=certificate, previous=previous,
                             issued=issued.date() if issued else None, today=as_of.date() if as_of else None,
                             company=company, pdf=not no_pdf)
    decision = files.decision
    click.echo(f"{decision.scheme}: {decision.outcome}{', grade ' + decision.grade if decision.grade else ''}; "
               f"{decision.value_text} {decision.unit}; {len(decision.unmet)} unmet requirement(s)")
    for path in files.paths():
        click.echo(f"  {path}")
    for note in files.notes:
        click.echo(f"note: {note}", err=True)


# --- batch: many variants of one product (footprint.calc.batch) ---------------------------------


@main.command()
@click.argument("variants", type=click.Path(dir_okay=False, path_type=str))
@click.option("--base", required=True, type=click.Path(dir_okay=False, path_type=str), help="The base product file (YAML).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str), help="Results CSV to write.")
@click.option("--per", "per", default="module", show_default=True,
              type=click.Choice(["module", "m2", "W", "Wp", "kWp", "kWh", "cell", "wafer", "kg-polysilicon", "kg-ingot"]),
              help="Declared unit of the results.")
@click.option("--gwp", default="ar6", show_default=True, type=click.Choice(["ar6", "ar5"]), help="GWP100 set.")
@click.option("--boundary", default="cradle-to-gate", show_default=True, type=click.Choice(["cradle-to-gate", "cradle-to-grave"]))
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="Date supplier declarations must be valid on.")
@click.option("--verify", "verify_sample", default=0, show_default=True, type=click.IntRange(min=0),
              help="Recompute this many sampled variants with separate bw2calc LCAs (location- and market-based) and compare.")
def batch(variants, base, output, per, gwp, boundary, as_of, verify_sample):
    """Compute every row of VARIANTS (CSV) as a variant of the --base product.

    Each column names a product-file field by its path (stages.wafer.thickness,
    stages.cell.site, product.rated_power, stages.module.materials.solar_glass ...); each row
    overrides those fields; an empty cell keeps the base value. A unit in brackets in the
    header ("stages.wafer.thickness [um]") lets cells hold bare numbers. The provenance
    (inputs and their sha256, data version, method, library version, date) is written
    beside the results: RESULTS.provenance.json.

    \b
    Example:
      footprint batch variants.csv --base examples/perc-glass-backsheet-jiangsu.yaml -o results.csv --verify 5
    """
    from footprint.calc.batch import read_variants, run_batch, verify, write_provenance, write_results

    _prepare_output(output)
    table = read_variants(variants)
    bar = click.progressbar(length=len(table.ids), label="variants", file=sys.stderr) if sys.stderr.isatty() else None
    with contextlib.redirect_stdout(sys.stderr), (bar or contextlib.nullcontext()):
        done = [0]

        def progress(count):
            if bar is not None:
                bar.update(count - done[0])
            done[0] = count

        result = run_batch(base, table, per=per, gwp=gwp, boundary=boundary, as_of=as_of, progress=progress)
    sidecar = write_results(result, output)
    click.echo(f"{len(table.ids)} variants in {result.seconds:.2f} s ({result.groups} groups); results in {output}, "
               f"provenance in {sidecar}", err=True)
    if verify_sample:
        with contextlib.redirect_stdout(sys.stderr):
            checked = verify(result, base, sample=verify_sample)
        write_provenance(result, output)  # with the verification
        for basis in ("location", "market"):
            items = [item for item in checked if item.basis == basis]
            worst = max(item.relative_difference for item in items)
            click.echo(f"verified {len(items)} sampled variants, {basis}-based, against a separate bw2calc LCA each: "
                       f"largest relative difference {worst:.1e}", err=True)
        worst = max(item.relative_difference for item in checked)
        if worst > 1e-9:
            raise FootprintError(f"{output}: batch and bw2calc differ by {worst:.1e} (relative); expected at most 1e-9")


if __name__ == "__main__":
    main()

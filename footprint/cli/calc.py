"""Commands of the calculator: setup, calc, batch, datasets, claims."""

import contextlib
import json
import sys
from pathlib import Path

import click

from footprint.bundle.catalogue import KINDS
from footprint.cli import options
from footprint.cli.render import result_table
from footprint.fileio import atomic_path, check_not_an_input, prepare_output


@click.command()
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


@click.command()
@click.argument("product", type=click.Path(dir_okay=False, path_type=str))
@options.per()
@options.gwp()
@options.boundary()
@options.electricity_basis()
@options.as_of()
@options.output_format("table", "json", "xlsx", "pact", help="table for people; json prints one JSON object and nothing else "
                       "on stdout; xlsx writes a results workbook (needs -o); pact: a supplier's own stage (product.stage) as its "
                       "PACT declaration, which a module maker's file takes with supplier: (needs --company and --period).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the result to this file instead of stdout.")
@click.option("--company", metavar="NAME", help="With --format pact: the declaring company (companyName).")
@click.option("--period", metavar="START/END", help="With --format pact: the period the figures describe, "
              "YYYY-MM-DD/YYYY-MM-DD (first and last day).")
@click.option("--cpc", metavar="CODE", help="With --format pact: the product's UN CPC code (cells: 47150 by default; none is "
              "assumed for polysilicon, ingots or wafers).")
@click.option("--verify", is_flag=True, help="Also solve the product with bw2calc in the Brightway project and require the "
              "same total to 1e-9 (writes the product's foreground there). FOOTPRINT_VERIFY=1 turns it on for every run.")
@click.option("--brightway", "write_brightway", is_flag=True,
              help="Write the product's foreground into the Brightway project (for Activity Browser or plain bw2calc).")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@options.registry()
def calc(product, per, gwp, boundary, electricity_basis, as_of, fmt, output, company, period, cpc, verify, write_brightway,
         force, registry):
    """Compute the footprint of a PRODUCT file (YAML) or data workbook (.xlsx), location- and market-based.

    \b
    Examples:
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per kWp --format json
      footprint calc data.xlsx --format xlsx -o results.xlsx
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per kWh --boundary cradle-to-grave
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml --electricity-basis official
      footprint calc poly.yaml --format pact --company "Example Silicon Co." --period 2025-01-01/2025-12-31 --cpc CODE -o poly.pact.json
      footprint calc module.yaml --registry registry.sqlite    # supplier: registry:POLY-XJ-2026@3
    """
    if fmt != "pact" and (company or period or cpc):
        raise click.UsageError("--company, --period and --cpc describe a declaration: give them with --format pact")
    declared = _declaration_options(company, period) if fmt == "pact" else None
    prepare_output(output, inputs=[product], overwrite=force)
    spec = _read_product_input(product, fmt=fmt, output=output)
    from footprint.calc import compute
    from footprint.claims import claims_of_result, record_claims

    with contextlib.redirect_stdout(sys.stderr), options.shared_entries(registry):
        # claims are checked here, and recorded only once the output is written (below)
        result = compute(spec, per=per, gwp=gwp, boundary=boundary, as_of=as_of, verify=verify or None,
                         brightway=write_brightway, electricity_basis=electricity_basis)
    payload = None
    if fmt == "pact":  # refused here, before anything is written, when the product is not a supplier's own stage
        from footprint.supplier import declaration

        payload = declaration(result.to_dict(), company=declared[0], period=declared[1], cpc=cpc)
    if output:
        check_not_an_input(output, result.provenance.input_files)  # site and supplier files too
        with atomic_path(output) as temporary:
            _write_result(result, spec, fmt, temporary, payload=payload)
            record_claims(claims_of_result(result), product_id=result.product)
        click.echo(f"wrote {output}", err=True)
        return
    record_claims(claims_of_result(result), product_id=result.product)
    if fmt in ("json", "pact"):
        click.echo(json.dumps(payload if fmt == "pact" else result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(result_table(result))


def _declaration_options(company, period):
    """--company and --period of ``calc --format pact``: the company, and (first day, last day)."""
    from footprint.errors import OptionError
    from footprint.fileio import parse_date

    if not company:
        raise OptionError("company", "missing; --format pact declares a footprint in a company's name")
    if not period:
        raise OptionError("period", "missing; --format pact needs the period the figures describe, YYYY-MM-DD/YYYY-MM-DD")
    parts = period.split("/")
    if len(parts) != 2:
        raise OptionError("period", f"got {period!r}; expected the first and last day, YYYY-MM-DD/YYYY-MM-DD")
    start, end = (parse_date(part.strip(), where="period") for part in parts)
    if end < start:
        raise OptionError("period", f"got {period!r}; the last day is before the first")
    return company, (start, end)


@click.command("claims")
@click.option("--product", metavar="ID", help="Only this product's claims (its product.id).")
@click.option("--clear", is_flag=True, help="Remove the claims of --product (or, without --product, every claim) from the ledger.")
@options.output_format("table", "json", help="table for people; json prints one JSON array on stdout.")
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


@click.command("datasets")
@options.stage(help="Only this stage's default parameters and the materials they use.")
@click.option("--geography", metavar="ID", help="Only datasets of this place or within it (CN, CN-JS, CN-ECG, VN, GLO ...).")
@click.option("--search", metavar="WORDS", help="Only datasets whose id, name, source or note contain every word.")
@click.option("--kind", type=options.choice(KINDS), help="Only background datasets, or only stage defaults.")
@options.output_format("table", "json", help="table for people; json prints one JSON object and nothing else on stdout.")
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
    from footprint.engine import dataset_factors

    bundle = read_bundle()
    factors = dataset_factors(bundle, "ar6")  # from the background setup solved; None before setup
    entries = list_datasets(stage=stage, geography=geography, search=search, kind=kind, bundle=bundle, factors=factors)
    if factors is None:
        click.echo("note: no factor column before 'footprint setup' (it solves the background)", err=True)
    if fmt == "json":
        payload = {"data_version": bundle.data_version, "count": len(entries), "datasets": [e.to_dict() for e in entries]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(format_table(entries))


def _read_product_input(product, *, fmt, output):
    """A product YAML file or a data workbook, its warnings printed on stderr."""
    from footprint.collect import read_any

    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx writes a workbook: give its name with -o FILE")
    return read_any(product, warn=lambda message: click.echo(f"warning: {message}", err=True))


def _write_result(result, spec, fmt, path, *, payload=None):
    if fmt == "pact":
        Path(path).write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    elif fmt == "xlsx":
        from footprint.report.workbook import write_results_workbook

        write_results_workbook(result, path, product=spec)
    else:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if fmt == "json" else result_table(result)
        Path(path).write_text(text + "\n", encoding="utf-8")


@click.command()
@click.argument("variants", type=click.Path(dir_okay=False, path_type=str))
@click.option("--base", required=True, type=click.Path(dir_okay=False, path_type=str), help="The base product file (YAML).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str), help="Results CSV to write.")
@options.per(help="Declared unit of the results.")
@options.gwp()
@options.boundary()
@options.electricity_basis()
@options.as_of()
@click.option("--verify", "verify_sample", default=0, show_default=True, type=click.IntRange(min=0),
              help="Recompute this many sampled variants with separate bw2calc LCAs (location- and market-based) and compare.")
@click.option("--force", is_flag=True, help="Replace an existing results file (and its provenance).")
@options.registry()
def batch(variants, base, output, per, gwp, boundary, electricity_basis, as_of, verify_sample, force, registry):
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
    from footprint.calc.batch import run_batch, write_provenance, write_results
    from footprint.calc.variants import read_variants
    from footprint.calc.verify import check_agreement, largest_differences, verify
    from footprint.collect import read_any

    prepare_output(output, inputs=[variants, base], overwrite=force)
    table = read_variants(variants)
    base_product = read_any(base, warn=lambda message: click.echo(f"warning: {message}", err=True))
    bar = click.progressbar(length=len(table), label="variants", file=sys.stderr) if sys.stderr.isatty() else None
    with contextlib.redirect_stdout(sys.stderr), (bar or contextlib.nullcontext()), options.shared_entries(registry):
        done = [0]

        def progress(count):
            if bar is not None:
                bar.update(count - done[0])
            done[0] = count

        result = run_batch(base_product, table, per=per, gwp=gwp, boundary=boundary, as_of=as_of, progress=progress,
                           electricity_basis=electricity_basis)
    sidecar = write_results(result, output)
    click.echo(f"{len(table)} variants in {result.seconds:.2f} s ({result.groups} groups); results in {output}, "
               f"provenance in {sidecar}", err=True)
    if verify_sample:
        with contextlib.redirect_stdout(sys.stderr), options.shared_entries(registry):
            checked = verify(result, base_product, sample=verify_sample)
        write_provenance(result, output)  # with the verification
        for basis, (count, worst) in largest_differences(checked).items():
            click.echo(f"verified {count} sampled variants, {basis}-based, against a separate bw2calc LCA each: "
                       f"largest relative difference {worst:.1e}", err=True)
        check_agreement(checked, where=output)

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

from footprint import __version__
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
    from footprint.project import setup as run_setup

    with contextlib.redirect_stdout(sys.stderr):
        report = run_setup(progress=lambda message: click.echo(f"... {message}", err=True))
    click.echo(f"data directory: {report.home}")
    for part, action, detail in report.actions:
        click.echo(f"  {part:<12} {action}{' (' + detail + ')' if detail else ''}")
    click.echo("ready" if report.changed else "already up to date; nothing to do")


@main.command()
@click.argument("product", type=click.Path(dir_okay=False, path_type=str))
@click.option("--per", "per", default="module", show_default=True,
              type=click.Choice(["module", "kWp", "Wp", "m2"]), help="Declared unit of the result.")
@click.option("--gwp", default="ar6", show_default=True, type=click.Choice(["ar6", "ar5"]),
              help="GWP100 set: IPCC AR6 (2021) or AR5 (2013).")
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json", "xlsx"]),
              help="table for people; json prints one JSON object and nothing else on stdout; xlsx writes a results workbook (needs -o).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the result to this file instead of stdout.")
def calc(product, per, gwp, fmt, output):
    """Compute the cradle-to-gate footprint of a PRODUCT file (YAML) or data workbook (.xlsx).

    \b
    Examples:
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per kWp --format json
      footprint calc data.xlsx --format xlsx -o results.xlsx
    """
    spec = _read_product_input(product, fmt=fmt, output=output)
    from footprint.calc import compute

    with contextlib.redirect_stdout(sys.stderr):
        result = compute(spec, per=per, gwp=gwp)
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
        f"Carbon footprint, cradle to gate: {result.total.value:,.2f} {unit}",
        f"Method: {result.gwp}; data version {result.data_version}",
        "",
        "By stage:",
    ]
    for stage, part in result.by_stage.items():
        lines.append(f"  {stage:<14}{part.value:>12,.2f}  {part.share:>6.1%}")
    lines.append("By gas:")
    width = max([14, *(len(gas) + 2 for gas in result.by_gas)])
    for gas, part in result.by_gas.items():
        lines.append(f"  {gas:<{width}}{part.value:>12,.2f}  {part.share:>6.1%}")
    lines.append("Electricity (location-based grid factors):")
    for use in result.electricity:
        lines.append(f"  {use.stage:<14}{use.site:<8}{use.amount:>10,.2f} kWh  {use.name} ({use.year})")
    lines.append(f"Inputs sha256: {result.inputs_sha256}")
    return "\n".join(lines)


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
    from footprint.datasets import format_table, list_datasets
    from footprint.inventories import read_bundle

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
    product = read_workbook(*workbooks)
    for problem in product.warnings:
        click.echo(f"warning: {problem}", err=True)
    if output == "-":
        click.echo(write_product_yaml(product), nl=False)
    else:
        write_product_yaml(product, output)
        click.echo(f"wrote {output}", err=True)


def _read_product_input(product, *, fmt, output):
    """A product YAML file or a data workbook, its warnings printed on stderr."""
    from footprint.collect import read_any

    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx writes a workbook: give its name with -o FILE")
    return read_any(product, warn=lambda message: click.echo(f"warning: {message}", err=True))


def _write_result(result, spec, fmt, output):
    if fmt == "xlsx":
        from footprint.report_xlsx import write_results_workbook

        write_results_workbook(result, output, product=spec)
    else:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if fmt == "json" else _table(result)
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    click.echo(f"wrote {output}", err=True)


if __name__ == "__main__":
    main()

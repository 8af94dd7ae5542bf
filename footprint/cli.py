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
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]),
              help="table for people; json prints one JSON object and nothing else on stdout.")
def calc(product, per, gwp, fmt):
    """Compute the cradle-to-gate footprint of a PRODUCT file (YAML).

    \b
    Examples:
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml
      footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per kWp --format json
    """
    from footprint.calc import compute

    with contextlib.redirect_stdout(sys.stderr):
        result = compute(product, per=per, gwp=gwp)
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


if __name__ == "__main__":
    main()

"""Commands of Excel data collection: template, import."""

import click

from footprint.cli import options
from footprint.fileio import prepare_output


# -- Excel data collection (footprint.collect) and results workbook ---------------------------
@click.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .xlsx workbook to write.")
@options.stage(allow_all=True, help="The whole module chain, or one supplier's stage.")
@options.lang("both", help="Language of headers and descriptions.")
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


@click.command("import")
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

    from footprint.collect import check_workbook, read_workbook, write_product_yaml

    if check:
        for problem in check_workbook(*workbooks):
            click.echo(f"warning: {problem}", err=True)
        click.echo(f"no errors in {', '.join(workbooks)}", err=True)
        return
    if not output:
        raise click.UsageError("give the product file to write with -o FILE (or --check to only check)")
    prepare_output(output, inputs=workbooks, overwrite=force)
    product = read_workbook(*workbooks)
    for problem in product.warnings:
        click.echo(f"warning: {problem}", err=True)
    if output == "-":
        click.echo(write_product_yaml(product), nl=False)
    else:
        write_product_yaml(product, output)
        click.echo(f"wrote {output}", err=True)

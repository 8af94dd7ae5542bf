"""Commands of the uncertainty: montecarlo and sensitivity."""

import contextlib
import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from footprint.cli import options
from footprint.fileio import atomic_path, prepare_output


def _percentiles(ctx, param, value):
    """``2.5,97.5`` -> (2.5, 97.5); the library checks the range."""
    try:
        return tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"got {value!r}; expected numbers separated by commas, such as 2.5,97.5") from None


def _progress(total, label):
    """A progress bar on a terminal's stderr (nothing when stderr is not a terminal), and its callback."""
    bar = click.progressbar(length=total, label=label, file=sys.stderr) if sys.stderr.isatty() else None
    done = [0]

    def progress(count):
        if bar is not None:
            bar.update(count - done[0])
        done[0] = count

    return (bar or contextlib.nullcontext()), progress


def _read(product):
    """The product file or workbook, its warnings printed once on stderr."""
    from footprint.collect import read_any

    return read_any(product, warn=lambda message: click.echo(f"warning: {message}", err=True))


def _check_outputs(product, paths, force, inputs=()):
    from footprint.uncertainty.plots import check_plot_path

    for path, plot in paths:
        if path:
            if plot:
                check_plot_path(path)
            prepare_output(path, inputs=[product, *inputs], overwrite=force)


@click.command()
@click.argument("product", type=click.Path(dir_okay=False, path_type=str))
@click.option("-n", "--iterations", default=10_000, show_default=True, type=int,
              help="Draws (1 to 1,000,000,000); statistics are streamed, so memory stays bounded.")
@click.option("--seed", type=int, default=None, help="Seed: the same draws, the same result on any machine (default: drawn, "
              "and printed).")
@options.per()
@options.gwp()
@options.boundary()
@options.electricity_basis()
@options.as_of()
@click.option("--percentiles", default="2.5,97.5", show_default=True, callback=_percentiles,
              help="More percentiles to report [%], separated by commas (2.5, 97.5 and the median are always reported).")
@click.option("--uncertainty", "uncertainty_file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="A YAML file with an uncertainty: block, instead of the product file's own (a workbook has none).")
@click.option("--scheme", "scheme_id", default=None,
              help="A label scheme (id or YAML file): the probability of meeting each of its thresholds or grades.")
@click.option("--histogram", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the histogram of the total (with the scheme's thresholds) to this .svg or .png file.")
@click.option("--variants", "variants_file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="A variants CSV (as footprint batch's, PRODUCT the base): the Monte Carlo of each variant, one row each.")
@options.output_format("table", "json", "csv", help="table for people; json prints one JSON object and nothing else on stdout; "
                       "csv (with --variants) one row per variant.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), help="Write the result to this file instead of stdout.")
@click.option("--force", is_flag=True, help="Replace existing output files.")
@options.registry()
def montecarlo(product, iterations, seed, per, gwp, boundary, electricity_basis, as_of, percentiles, uncertainty_file, scheme_id,
               histogram, variants_file, fmt, output, force, registry):
    """Monte Carlo of a PRODUCT's footprint: mean, median, sd and percentiles of the total and of each stage.

    Every figure of the product file and every bundled number it uses is drawn from its
    distribution: a lognormal from its pedigree quality scores, or the distribution the
    product's uncertainty: block gives (docs/uncertainty.md). The static result is printed
    beside, with why the mean differs from it.

    \b
    Examples:
      footprint montecarlo examples/perc-glass-backsheet-jiangsu.yaml -n 10000 --seed 1 --per kWp
      footprint montecarlo product.yaml --per kWp --scheme epeat-ulcs --histogram histogram.svg
      footprint montecarlo product.yaml --format json --percentiles 5,50,95
      footprint montecarlo product.yaml --variants variants.csv -n 1000 --seed 1 --per kWp --format csv -o mc.csv
    """
    from footprint.uncertainty.montecarlo import check_iterations, check_percentiles, check_seed, monte_carlo

    check_iterations(iterations)
    check_seed(seed)
    check_percentiles(percentiles)
    if variants_file and histogram:
        raise click.UsageError("--histogram draws one product's draws; leave it out with --variants")
    if fmt == "csv" and not variants_file:
        raise click.UsageError("--format csv is the table of --variants; use table or json for one product")
    if variants_file:
        _check_outputs(product, [(output, False)], force, inputs=[variants_file])
    scheme = None
    if scheme_id:
        from footprint.labels.schemes import load_scheme
        from footprint.uncertainty.montecarlo import check_scheme

        scheme = load_scheme(scheme_id)
        per_given = click.get_current_context().get_parameter_source("per") != click.core.ParameterSource.DEFAULT
        per = check_scheme(scheme, per=per if per_given else None)  # before anything is computed
    if variants_file:
        with options.shared_entries(registry):
            _montecarlo_variants(product, variants_file, iterations=iterations, seed=seed, per=per, gwp=gwp, boundary=boundary,
                                 as_of=as_of, uncertainty_file=uncertainty_file, scheme=scheme, fmt=fmt, output=output,
                                 electricity_basis=electricity_basis)
        return
    _check_outputs(product, [(output, False), (histogram, True)], force)
    spec = _read(product)
    bar, progress = _progress(iterations, "draws")
    with contextlib.redirect_stdout(sys.stderr), bar, options.shared_entries(registry):
        result = monte_carlo(spec, iterations=iterations, seed=seed, per=per, gwp=gwp, boundary=boundary, as_of=as_of,
                             percentiles=percentiles, uncertainty=uncertainty_file, progress=progress,
                             electricity_basis=electricity_basis)
    levels = []
    if scheme is not None:
        from footprint.uncertainty.montecarlo import probability_of_meeting

        levels = probability_of_meeting(result, scheme=scheme)
    if histogram:
        from footprint.uncertainty.plots import histogram_chart, write_plot

        thresholds = [(level.id, level.maximum) for level in levels if level.maximum is not None]
        write_plot(histogram_chart(result.samples_of("total"), unit=result.unit, static=result.total.static,
                                   thresholds=thresholds, title=f"{result.product_name}: {result.iterations:,} draws"), histogram)
        click.echo(f"wrote {histogram}", err=True)
    if fmt == "json":
        data = result.to_dict()
        if scheme is not None:
            data["scheme"] = {"id": scheme.id, "levels": [asdict(level) for level in levels]}
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        text = montecarlo_table(result, scheme, levels)
    _emit(text, output)


def _montecarlo_variants(product, variants_file, *, iterations, seed, per, gwp, boundary, as_of, uncertainty_file, scheme, fmt,
                         output, electricity_basis=None):
    """``montecarlo --variants``: each variant's Monte Carlo, one row each."""
    from footprint.calc.variants import read_variants
    from footprint.uncertainty.batch import monte_carlo_batch

    spec = _read(product)
    table = read_variants(variants_file)
    bar, progress = _progress(len(table), "variants")
    with contextlib.redirect_stdout(sys.stderr), bar:
        found = monte_carlo_batch(spec, variants=variants_file, iterations=iterations, seed=seed, per=per, gwp=gwp,
                                  boundary=boundary, as_of=as_of, scheme=scheme, uncertainty=uncertainty_file, progress=progress,
                                  electricity_basis=electricity_basis)
    if fmt == "json":
        text = json.dumps(found.to_dict(), ensure_ascii=False, indent=2)
    elif fmt == "csv":
        text = found.to_csv().rstrip("\r\n")
    else:
        levels = list(found.variants[0].probabilities) if found.variants else []
        lines = [f"Monte Carlo of {len(found.variants):,} variants of {found.product}: {found.iterations:,} draws each, seed "
                 f"{found.seed} (the same for every variant) ({found.seconds:.2f} s); {found.unit}", "",
                 f"{'variant':<24}{'static':>11}{'mean':>11}{'median':>11}{'sd':>10}{'2.5%':>11}{'97.5%':>11}"
                 + "".join(f"{'P(' + level + ')':>14}" for level in levels)]
        for summary in found.variants:
            lines.append(f"{summary.variant[:23]:<24}{summary.static:>11,.4g}{summary.mean:>11,.4g}{summary.median:>11,.4g}"
                         f"{summary.sd:>10,.3g}{summary.p2_5:>11,.4g}{summary.p97_5:>11,.4g}"
                         + "".join(f"{summary.probabilities[level]:>14.1%}" for level in levels))
        text = "\n".join(lines)
    _emit(text, output)


def montecarlo_table(result, scheme=None, levels=()):
    """The result of ``montecarlo`` as text."""
    percent = list(result.total.percentiles)
    head = f"{'':<16}{'static':>11}{'mean':>11}{'median':>11}{'sd':>10}" + "".join(f"{p:>10g}%" for p in percent)
    lines = [
        f"{result.product_name} ({result.product})",
        f"Monte Carlo: {result.iterations:,} draws, seed {result.seed} ({result.seconds:.2f} s); {result.unit}, "
        f"{result.boundary}, {result.gwp}",
        "",
        head,
    ]

    def row(name, summary):
        return (f"{name:<16}{summary.static:>11,.4g}{summary.mean:>11,.4g}{summary.median:>11,.4g}{summary.sd:>10,.3g}"
                + "".join(f"{summary.percentiles[p]:>11,.4g}" for p in percent))

    lines.append(row("total", result.total))
    if result.market_based.static != result.total.static or result.market_based.mean != result.total.mean:
        lines.append(row("market-based", result.market_based))
    for stage, summary in result.by_stage.items():
        lines.append(row(f"  {stage}", summary))
    lines.append("")
    lines.append(result.explanation)
    dqr = result.dqr
    criteria = ", ".join(f"{name} {value:.2f}" for name, value in dqr.criteria.items())
    lines.append(f"Data quality rating (PEF-style, weighted by contribution): {dqr.dqr:.2f} ({criteria})")
    if scheme is not None:
        if not levels:
            lines.append(f"Scheme {scheme.id}: declares a value, no threshold or grade to meet.")
        comparison = "<" if (scheme.decision or {}).get("comparison") == "<" else "<="
        previous = None
        for level in levels:
            if level.maximum is not None:
                limit = f"{comparison} {level.maximum:,.4g} {scheme.unit}"
                meeting = f"probability of meeting it {level.probability:.1%} (± {level.standard_error:.1%})"
            else:
                limit = f"above {previous:,.4g} {scheme.unit}" if previous is not None else "any value"
                meeting = "every value meets it"
            grade = f"; of this grade exactly {level.probability_of_grade:.1%}" if len(levels) > 1 else ""
            lines.append(f"Scheme {scheme.id}: {level.id} ({limit}): {meeting}{grade}")
            previous = level.maximum
    lines.append("Percentiles exact (every draw kept)." if result.percentiles_exact else
                 f"Percentiles estimated from {result.draws_kept:,} draws kept at random of {result.iterations:,}.")
    lines.extend(f"Note: {note}" for note in result.notes)
    return "\n".join(lines)


@click.command()
@click.argument("product", type=click.Path(dir_okay=False, path_type=str))
@options.per()
@options.gwp()
@options.boundary()
@options.electricity_basis()
@options.as_of()
@click.option("--ranges", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="CSV of parameter,low,high: a user's own range of figures (others take their 2.5 and 97.5 percentiles).")
@click.option("--top", default=10, show_default=True, type=int, help="Figures shown in the tornado.")
@click.option("--no-background", is_flag=True, help="Vary only the product's figures, not the background datasets' factors.")
@click.option("--sobol", is_flag=True, help="Also Sobol indices (first order and total) with SALib: pip install 'footprint[sensitivity]'.")
@click.option("-n", "--base-samples", default=1024, show_default=True, type=int,
              help="Sobol: N, a power of 2; the run evaluates N x (figures + 2) draws.")
@click.option("--seed", type=int, default=None, help="Sobol: seed of the Sobol sequence and its bootstrap.")
@click.option("--uncertainty", "uncertainty_file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="A YAML file with an uncertainty: block, instead of the product file's own.")
@click.option("--tornado", "tornado_file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the tornado chart to this .svg or .png file.")
@options.output_format("table", "json", help="table for people; json prints one JSON object and nothing else on stdout.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), help="Write the result to this file instead of stdout.")
@click.option("--force", is_flag=True, help="Replace existing output files.")
@options.registry()
def sensitivity(product, per, gwp, boundary, electricity_basis, as_of, ranges, top, no_background, sobol, base_samples, seed,
                uncertainty_file, tornado_file, fmt, output, force, registry):
    """Which figures of a PRODUCT matter: a tornado (one at a time), and Sobol indices on request.

    \b
    Examples:
      footprint sensitivity examples/perc-glass-backsheet-jiangsu.yaml --per kWp --tornado tornado.svg
      footprint sensitivity product.yaml --ranges ranges.csv --top 15
      footprint sensitivity product.yaml --per kWp --sobol -n 1024 --seed 1 --format json
    """
    from footprint.uncertainty.montecarlo import check_seed
    from footprint.uncertainty.sensitivity import require_salib, sobol_indices, tornado

    check_seed(seed)
    if sobol:
        require_salib()  # before anything is computed or written
    _check_outputs(product, [(output, False), (tornado_file, True)], force)
    spec = _read(product)
    with contextlib.redirect_stdout(sys.stderr), options.shared_entries(registry):
        found = tornado(spec, per=per, gwp=gwp, boundary=boundary, as_of=as_of, ranges=ranges, top=top,
                        include_background=not no_background, uncertainty=uncertainty_file,
                        electricity_basis=electricity_basis)
    indices = None
    if sobol:
        with contextlib.redirect_stdout(sys.stderr), options.shared_entries(registry):
            indices = sobol_indices(spec, base_samples=base_samples, seed=seed, per=per, gwp=gwp, boundary=boundary,
                                    as_of=as_of, uncertainty=uncertainty_file, electricity_basis=electricity_basis)
    if tornado_file:
        from footprint.uncertainty.plots import tornado_chart, write_plot

        write_plot(tornado_chart(found, top=top, title=f"{found.product}: what moves the total ({found.unit})"), tornado_file)
        click.echo(f"wrote {tornado_file}", err=True)
    if fmt == "json":
        data = {"tornado": found.to_dict()}
        if indices is not None:
            data["sobol"] = indices.to_dict()
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        text = sensitivity_table(found, indices)
    _emit(text, output)


def sensitivity_table(found, indices=None):
    """The result of ``sensitivity`` as text."""
    from footprint.units import unit_text, ureg

    lines = [f"{found.product}: static total {found.static:,.4g} {found.unit}; {found.figures} uncertain figures, "
             f"the {len(found.bars)} that move it most:", "",
             f"{'figure':<44}{'low':>11}{'high':>11}  {'unit':<14}{'total at low':>13}{'at high':>11}{'swing':>9}"]
    for bar in found.bars:
        unit = (unit_text(ureg.Unit(bar.unit)) or "-")[:14]
        lines.append(f"{bar.label[:43]:<44}{bar.low:>11,.4g}{bar.high:>11,.4g}  {unit:<14}{bar.total_low:>13,.4g}"
                     f"{bar.total_high:>11,.4g}{bar.swing:>9,.3g}")
    if indices is not None:
        lines += ["", f"Sobol indices (SALib; N = {indices.base_samples}, {indices.evaluations:,} evaluations, seed {indices.seed}):",
                  f"{'figure':<44}{'first order':>14}{'total':>16}"]
        for index in indices.indices[:max(len(found.bars), 10)]:
            lines.append(f"{index.label[:43]:<44}{index.first:>8.3f} ± {index.first_conf:<5.3f}{index.total:>8.3f} ± "
                         f"{index.total_conf:.3f}")
        lines.extend(f"Note: {note}" for note in indices.notes)
    return "\n".join(lines)


def _emit(text, output):
    if output:
        with atomic_path(output) as temporary:
            Path(temporary).write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text)


def register(group):
    """Add the uncertainty commands to the main group."""
    group.add_command(montecarlo)
    group.add_command(sensitivity)

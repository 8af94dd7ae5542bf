"""Commands of labels and reports: schemes, label, report."""

import contextlib
import json
import sys

import click

from footprint.cli import options


@click.command()
@options.output_format("table", "json", help="table for people; json prints one JSON array on stdout.")
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
                 "validity_years": s.validity.get("years"), "version": s.version or None,
                 "version_date": s.version_date or None, "file": s.path} for s in found]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for s in found:
        years = s.validity.get("years")
        width = max(14, max(len(x.id) for x in found) + 2)
        click.echo(f"{s.id:<{width}}{s.name['en']}")
        click.echo(f"{'':<{width}}{s.basis('en')}; per 1 {s.declared_unit}; {s.decision['kind'].replace('_', ' ')}"
                   f"{'; valid ' + str(years) + ' y' if years else ''}")
        if s.version:
            also = f" (also --scheme {s.id}@{s.version})" if "@" not in s.id else ""
            click.echo(f"{'':<{width}}rules: {s.version_name['en']}, from {s.version_date}{also}")


def _label_options(command):
    stack = [
        click.option("--scheme", "scheme_id", required=True, help="Scheme id (see `footprint schemes`) or a scheme YAML file."),
        options.gwp(default=None, help="GWP100 set; default: the scheme's."),
        click.option("--factors", type=click.Path(dir_okay=False, exists=True), default=None,
                     help="fr-ecs: the tender's stage-by-country factor table (CSV)."),
        click.option("--shares", type=click.Path(dir_okay=False, exists=True), default=None,
                     help="fr-ecs: supply shares by stage and country (CSV)."),
        click.option("--certificate", default=None,
                     help="Certificate number issued by the certification body, with --issued; without it the label is a "
                          "self-assessment (no dates, a 'self-assessed, not certified' watermark)."),
        click.option("--previous", type=float, default=None, help="Previously declared value, for re-verification rules."),
        options.date("--issued", help="Issue date of the certificate: required with --certificate, not after --as-of."),
        options.date("--as-of", help="Date the evaluation is for (default: today); supplier declarations not valid on it are unmet "
                     "requirements."),
        click.option("--montecarlo", type=int, default=None, metavar="N",
                     help="Also the uncertainty and sensitivity analysis, N Monte Carlo draws (the sections cn-cfp and epd "
                          "require; the probability of each grade)."),
        click.option("--seed", type=int, default=None, help="Seed of the --montecarlo analysis (default: drawn and recorded)."),
        options.electricity_basis(),
        options.registry(),
    ]
    for option in reversed(stack):
        command = option(command)
    return command


@click.command()
@click.argument("product", type=click.Path(dir_okay=False, path_type=str))
@_label_options
@options.output_format("table", "json", help="table for people; json prints one JSON object and nothing else on stdout.")
def label(product, scheme_id, gwp, factors, shares, certificate, previous, issued, as_of, montecarlo, seed, electricity_basis,
          registry, fmt):
    """Evaluate PRODUCT against a label scheme: pass / fail / grade and every unmet requirement.

    Exit code 0 whatever the outcome; the outcome is in the output.

    \b
    Examples:
      footprint label examples/perc-glass-backsheet-jiangsu.yaml --scheme kr-carbon
      footprint label examples/perc-glass-backsheet-jiangsu.yaml --scheme fr-ecs --factors ecs.csv --format json
      footprint label PRODUCT --scheme cn-cfp --as-of 2027-03-01
      footprint label PRODUCT --scheme cn-cfp --montecarlo 10000 --seed 1
      footprint label PRODUCT --scheme cn-cfp --electricity-basis official --registry registry.sqlite
    """
    from footprint.labels import evaluate_label

    with contextlib.redirect_stdout(sys.stderr), options.shared_entries(registry):
        st = evaluate_label(product, scheme=scheme_id, gwp=gwp, factors=factors, shares=shares, certificate=certificate,
                   previous=previous, issued=issued.date() if issued else None, as_of=as_of.date() if as_of else None, record_claims=True,
                   montecarlo=montecarlo, seed=seed, electricity_basis=electricity_basis)
    decision = st.decision
    if fmt == "json":
        click.echo(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"{decision.product_name} ({decision.product})")
    click.echo(f"Scheme followed: {st.scheme.name['en']} ({st.scheme.id})"
               + (f"; rules: {st.scheme.version_name['en']}" if st.scheme.version else ""))
    click.echo(f"Status: {_status_line(decision)}")
    click.echo(f"Value: {decision.value_text} {decision.unit} (unrounded {decision.value_unrounded if decision.value_unrounded is not None else '-'})")
    click.echo(f"Outcome: {decision.outcome.upper()}{_grade_words(decision)}")
    for level in decision.thresholds:
        limit = f"{st.scheme.decision.get('comparison', '<=')} {level['max']:g}" if level["max"] is not None else f"> {level['above']:g}"
        click.echo(f"  {level['id']:<14}{limit}")
    if not decision.rule_confirmed:
        click.echo(f"Rules unconfirmed (not checked against the scheme's own text): {', '.join(decision.unconfirmed_rules)}")
    if decision.unmet:
        click.echo("Unmet requirements:")
        for unmet in decision.unmet:
            click.echo(f"  [{unmet.kind}] {unmet.item}: {unmet.reason}")
    if st.analysis is not None:
        uncertainty = st.result["uncertainty"]
        click.echo(f"Uncertainty (Monte Carlo, {uncertainty['iterations']:,} draws, seed {uncertainty['seed']}): median "
                   f"{uncertainty['median']:,.4g}, 95 % range {uncertainty['percentiles']['2.5']:,.4g} to "
                   f"{uncertainty['percentiles']['97.5']:,.4g} {uncertainty['unit']}")
        for level in decision.probabilities:
            if level["maximum"] is not None:
                click.echo(f"  probability of meeting {level['id']}: {level['probability']:.1%} (± {level['standard_error']:.1%})")
        for note in uncertainty["notes"]:
            click.echo(f"  note: {note}")
    for note in decision.notes:
        click.echo(f"Note: {note}")


def _status_line(decision):
    """What the label is worth, in one line: a self-assessment, or a certificate as the user gave it."""
    if decision.status == "self-assessed":
        return "SELF-ASSESSED, not certified (no certificate number given; no issue date, no validity)"
    valid = f"issued {decision.issued}, valid until {decision.valid_until or '-'}"
    if decision.status == "expired":
        return f"EXPIRED: certificate {decision.certificate} ({valid}; evaluated on {decision.as_of})"
    return f"CERTIFIED: certificate {decision.certificate} as given by the user, not verified by footprint ({valid})"


def _grade_words(decision):
    """", would meet grade 1 (rule unconfirmed)": the grade as the label shows it, and whether its rules were read."""
    words = f", {decision.grade_text['en']}" if decision.grade_text else ""
    return words + ("" if decision.rule_confirmed else " (rule unconfirmed)")


@click.command()
@click.argument("product", type=click.Path(dir_okay=False, path_type=str))
@_label_options
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder (created).")
@options.lang("en", help="Report language.")
@click.option("--template", "template_dir", default=None, type=click.Path(file_okay=False, exists=True),
              help="Folder of your own templates; they override the bundled report_templates/ file by file.")
@click.option("--company", default=None, help="Organisation that commissions the study (report cover, PACT companyName).")
@click.option("--practitioner", default=None, help="Who made the study (report cover).")
@click.option("--report-number", default=None, help="The report's own number (report cover).")
@click.option("--report-version", default=None, help="The report's version (report cover; 1 when not given).")
@click.option("--period", default=None, metavar="PERIOD",
              help="Reporting period of the figures: 2024, 2024-03 or 2024-01-01/2024-12-31 (report, PACT reference period).")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF and PNG (no system libraries needed).")
@click.option("--force", is_flag=True, help="Replace an existing, non-empty output folder (the new dossier replaces it whole).")
@click.option("--sign", "sign_with", default=None, metavar="KEY",
              help="Sign manifest.json (and so every file) with this private key: a file, or an organisation of `footprint keys "
                   "init`; passphrase from $FOOTPRINT_KEY_PASSPHRASE.")
def report(product, scheme_id, gwp, factors, shares, certificate, previous, issued, as_of, montecarlo, seed, electricity_basis,
           registry, out_dir, lang,
           template_dir, company, practitioner, report_number, report_version, period, no_pdf, force, sign_with):
    """Write the certification dossier of PRODUCT under a scheme into the folder -o.

    The dossier: the study report (HTML, PDF), the label (SVG, PNG) and its decision (JSON),
    a PACT product footprint (JSON), the results workbook, a copy of every input file
    (inputs/) and manifest.json (every file with its sha256). It is written aside and moved
    into place whole; an existing, non-empty folder is replaced only with --force.

    \b
    Examples:
      footprint report examples/perc-glass-backsheet-jiangsu.yaml --scheme cn-cfp -o out --lang both
      footprint report examples/perc-glass-backsheet-jiangsu.yaml --scheme epeat-ulcs -o out --template my_templates
      footprint report PRODUCT --scheme cn-cfp -o out --montecarlo 10000 --seed 1
    """
    from footprint.report import write_report

    with contextlib.redirect_stdout(sys.stderr), options.shared_entries(registry):
        files = write_report(product, scheme=scheme_id, out_dir=out_dir, lang=lang, template_dir=template_dir, gwp=gwp,
                             factors=factors, shares=shares, certificate=certificate, previous=previous,
                             issued=issued.date() if issued else None, as_of=as_of.date() if as_of else None,
                             company=company, practitioner=practitioner, report_number=report_number,
                             report_version=report_version, period=period, pdf=not no_pdf, overwrite=force, record_claims=True, sign_with=sign_with,
                             montecarlo=montecarlo, seed=seed, electricity_basis=electricity_basis)
    decision = files.decision
    click.echo(f"{decision.scheme}: {decision.status}; {decision.outcome}{_grade_words(decision)}; "
               f"{decision.value_text} {decision.unit}; {len(decision.unmet)} unmet requirement(s)")
    for path in files.paths():
        click.echo(f"  {path}")
    for note in files.notes:
        click.echo(f"note: {note}", err=True)

"""Commands of certification: footprint verify, and (registry) footprint cert ... and footprint registry ...."""

import contextlib
import json
import sys

import click

from footprint.cli import options
from footprint.cli.keys import passphrase_options, read_passphrase


@click.command()
@click.argument("target", type=click.Path(path_type=str))
@click.option("--key", default=None, help="Public key file (or organisation) that must have signed it.")
@click.option("--no-recompute", is_flag=True, help="Dossier: check files and signature only, do not recompute the result.")
@options.server_registry(help="Registry for a certificate's status (default $FOOTPRINT_REGISTRY, else the data directory's "
                              "SQLite file), or the https:// address of a footprint server (its public status; no token needed).")
@options.output_format("table", "json", help="table for people; json prints one JSON object on stdout.")
def verify(target, key, no_recompute, registry, fmt):
    """Check a dossier folder, a signed file or a certificate: valid (exit 0) or invalid and why (exit 1).

    A dossier: its signature if signed (which file, which key, which byte range changed),
    its files against manifest.json, then its result recomputed from its own inputs:
    identical, or different (where and by how much), altered, cannot reproduce. A file:
    its detached signature FILE.sig, or the signature a JSON document carries. A
    certificate: its signature, and its status in the registry (valid, suspended,
    withdrawn, expired) when the registry can be reached.

    \b
    Examples:
      footprint report examples/perc-glass-backsheet-jiangsu.yaml --scheme cn-cfp -o dossier --sign "Example PV Co."
      footprint verify dossier
      footprint verify CN-CFP-2026-000001.json
    """
    from footprint.registry.verify import verify_path

    remote, status, entry = options.server(registry), None, None
    if remote is not None:
        from functools import partial

        from footprint.shareddb.client import certificate_status, show_entry

        status, entry, registry = partial(certificate_status, registry=remote), partial(show_entry, registry=remote), None
    with contextlib.redirect_stdout(sys.stderr):
        found = verify_path(target, key=key, recompute=not no_recompute, registry=registry, status=status, entry=entry)
    if fmt == "json":
        data = found.to_dict()
        if found.dossier is not None:  # the dossier check's own fields stay at the top, as before signatures
            data = {**found.dossier, **{k: v for k, v in data.items() if k != "dossier"}}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _render_verification(found)
    if not found.valid:
        sys.exit(1)


def _render_verification(found):
    if found.kind == "dossier":
        check = found.dossier
        if check is not None:
            click.echo(f"{found.target}: {check['verdict'].upper()} ({check['files_checked']} files checked against manifest.json)")
            for reason in check["reasons"]:
                click.echo(f"  {reason}")
            for difference in check["differences"]:
                click.echo(f"  {difference['where']}: declared {difference['declared']:.6g}, recomputed "
                           f"{difference['recomputed']:.6g} ({difference['relative']:.2e} relative)")
        else:
            click.echo(f"{found.target}: {'VALID' if found.valid else 'INVALID'} (not recomputed)")
        for reason in found.reasons:
            click.echo(f"  {reason}")
        return
    verdict = (found.signature or {}).get("verdict", "invalid")
    signer = (found.signature or {}).get("signer") or {}
    shown = "VALID" if found.valid else ("NOT SIGNED" if verdict == "not signed" else "INVALID")
    click.echo(f"{found.target}: {shown} ({found.kind}" + (f"; key {signer.get('fingerprint')}, {signer.get('org')})" if signer else ")"))
    for reason in found.reasons:
        click.echo(f"  {reason}")


# -- footprint cert ... ------------------------------------------------------------------------

registry_option = options.database_registry()  # the certification body's own records: on its database only
server_option = options.server_registry()  # reading: on the database, or through a footprint server with a token
by_option = click.option("--by", required=True, help="Who does it: a person of the certification body (the applicant for apply).")
on_option = click.option("--on", default=None, metavar="YYYY-MM-DD", help="Date of the record (default today; never after today).")
format_option = options.output_format("table", "json", help="json prints one JSON object on stdout.")


def _emit(record, fmt):
    """Print what a command returns: JSON, or a few lines for people."""
    if fmt == "json":
        click.echo(json.dumps(record, ensure_ascii=False, indent=2, default=str))
        return
    if "certificate" in record and "status" in record:
        _show_certificate(record)
    elif "application" in record and "state" in record:
        _show_application(record)
    elif "finding" in record:
        closed = f"; closed {record['closed_on']}" if record.get("closed_on") else f"; due {record['due_on']}"
        click.echo(f"{record['finding']}: {record['severity']} - {record['text']}{closed}")
    else:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2, default=str))


def _show_application(record):
    nxt = ", ".join(step.replace("_", "-") for step in record.get("next") or []) or "-"
    click.echo(f"{record['application']}: {record['state']} ({record['scheme']}, {record['rule_pack']}); next: {nxt}")
    click.echo(f"  {record['product']['name']} ({record['product']['id']}), declared {record['declared']['text']} "
               f"{record['declared']['unit']}; applicant {record['applicant']}; body {record['body']}")
    for finding in record.get("findings") or []:
        state = f"closed {finding['closed_on']}" if finding["closed_on"] else f"OPEN, due {finding['due_on']}"
        click.echo(f"  finding {finding['finding']} ({finding['severity']}): {finding['text']} [{state}]")
    if record.get("verification"):
        click.echo(f"  CFP verification: {record['verification']['verdict']}")
        for reason in record["verification"]["reasons"]:
            click.echo(f"    {reason}")
    if record.get("certificate"):
        click.echo(f"  certificate {record['certificate']}")


def _show_certificate(record):
    click.echo(f"{record['certificate']}: {record['status'].upper()} ({record['scheme']}, {record['rule_pack']}); "
               f"{record['declared']['text']} {record['declared']['unit']}")
    click.echo(f"  holder {record['holder']}; {record['product']['name']}; models {', '.join(record['models'])}")
    click.echo(f"  issued {record['issued_on']}, last valid day {record['expires_on'] or '-'}; key {record['key_fingerprint']}")
    for due in record.get("surveillance") or []:
        done = f"done {due['done_on']} ({due['outcome']})" if due["done_on"] else "to do"
        click.echo(f"  surveillance due {due['due_on']}: {done}")
    for action in record.get("actions") or []:
        click.echo(f"  {action['action']} on {action['on']}: {action['reason']}")
    for licence in record.get("licences") or []:
        click.echo(f"  label licence {licence['licence']} granted {licence['granted_on']}, until {licence['valid_until'] or '-'}")
    if record.get("reevaluation_due"):
        click.echo("  re-evaluation due (a change raised the footprint beyond the scheme's rule)")
    if record.get("change"):
        click.echo(f"  change: re-evaluation {'REQUIRED' if record['change']['reevaluation'] else 'not required'}: "
                   f"{record['change']['rule']}")
    for path in record.get("files") or []:
        click.echo(f"  {path}")


def _run(call, fmt):
    with contextlib.redirect_stdout(sys.stderr):
        record = call()
    _emit(record, fmt)


@click.group()
def cert():
    """The certification body's registry: application to certificate, surveillance, suspension, withdrawal.

    \b
    The process (CNCA-CFP-00:2025's steps; a scheme file may state others):
      apply -> accept -> plan -> audit (document-review, on-site) -> verify-cfp -> evaluate -> decide -> issue
    then surveil, change, suspend, reinstate, withdraw, renew, label; show, list, export, log.
    Every command appends an event to a hash chain: footprint cert log --verify.
    """


@cert.command("apply")
@click.argument("dossier", type=click.Path(path_type=str))
@click.option("--applicant", required=True, help="The applying organisation.")
@click.option("--body", required=True, help="The certification body.")
@click.option("--manufacturer", default=None, help="The manufacturer (default: the applicant).")
@click.option("--model", "models", multiple=True, help="A model the certificate is to cover (repeat; default the product's name).")
@click.option("--site", "sites", multiple=True, help="A production site, NAME or NAME=REGION (ISO 3166-2, CN-JS); repeat.")
@on_option
@registry_option
@format_option
def apply_(dossier, applicant, body, manufacturer, models, sites, on, registry, fmt):
    """Apply for certification with DOSSIER (a folder written by footprint report, checked and stored by its sha256)."""
    from footprint.registry import apply

    _run(lambda: apply(dossier, applicant=applicant, body=body, manufacturer=manufacturer, models=list(models), sites=list(sites),
                       on=on, registry=registry), fmt)


@cert.command("accept")
@click.argument("application")
@by_option
@click.option("--reject", is_flag=True, help="Reject the application instead (give --reason).")
@click.option("--reason", default="", help="Why (required with --reject).")
@on_option
@registry_option
@format_option
def accept_(application, by, reject, reason, on, registry, fmt):
    """Accept (or --reject) APPLICATION."""
    from footprint.registry import accept

    _run(lambda: accept(application, by=by, reject=reject, reason=reason, on=on, registry=registry), fmt)


@cert.command("plan")
@click.argument("application")
@by_option
@click.option("--auditor", "auditors", multiple=True, required=True, help="An auditor (repeat).")
@click.option("--starts", required=True, metavar="YYYY-MM-DD", help="First day of the audit.")
@click.option("--ends", required=True, metavar="YYYY-MM-DD", help="Last day of the audit.")
@click.option("--scope", required=True, help="What the audit covers.")
@click.option("--site", "sites", multiple=True, help="A site of the application to visit (repeat; default all).")
@on_option
@registry_option
@format_option
def plan_(application, by, auditors, starts, ends, scope, sites, on, registry, fmt):
    """Plan the audit of APPLICATION: auditors, dates, sites, scope."""
    from footprint.registry import plan

    _run(lambda: plan(application, by=by, auditors=list(auditors), starts=starts, ends=ends, scope=scope, sites=list(sites),
                      on=on, registry=registry), fmt)


@cert.command("audit")
@click.argument("application")
@click.option("--kind", required=True, type=options.choice(("document-review", "on-site")), help="Which audit.")
@by_option
@click.option("--summary", required=True, help="What was found, in a sentence or two.")
@click.option("--site", default=None, help="The site inspected (on-site).")
@click.option("--evidence", multiple=True, type=click.Path(dir_okay=False), help="An evidence file, kept by its sha256 (repeat).")
@on_option
@registry_option
@format_option
def audit_(application, kind, by, summary, site, evidence, on, registry, fmt):
    """Record a document review or an on-site inspection of APPLICATION, with its evidence files."""
    from footprint.registry import audit

    _run(lambda: audit(application, kind=kind.lower(), by=by, summary=summary, site=site, evidence=list(evidence), on=on,
                       registry=registry), fmt)


@cert.command("finding")
@click.argument("subject")
@click.option("--severity", required=True, type=options.choice(("major", "minor")), help="major blocks the decision until closed.")
@click.option("--text", required=True, help="The nonconformity.")
@by_option
@click.option("--due", required=True, metavar="YYYY-MM-DD", help="When it must be closed.")
@on_option
@registry_option
@format_option
def finding_(subject, severity, text, by, due, on, registry, fmt):
    """Raise a finding on SUBJECT (an application, or a certificate under surveillance)."""
    from footprint.registry import finding

    _run(lambda: finding(subject, severity=severity.lower(), text=text, by=by, due=due, on=on, registry=registry), fmt)


@cert.command("close-finding")
@click.argument("finding")
@by_option
@click.option("--note", required=True, help="How it was closed.")
@click.option("--evidence", type=click.Path(dir_okay=False), default=None, help="The closure evidence, kept by its sha256.")
@on_option
@registry_option
@format_option
def close_finding_(finding, by, note, evidence, on, registry, fmt):
    """Close FINDING with its evidence."""
    from footprint.registry import close_finding

    _run(lambda: close_finding(finding, by=by, note=note, evidence=evidence, on=on, registry=registry), fmt)


@cert.command("verify-cfp")
@click.argument("application")
@by_option
@click.option("--dossier", type=click.Path(path_type=str), default=None,
              help="Verify this copy of the dossier (its sha256 must be the application's); default the stored one.")
@click.option("--fresh", is_flag=True, help="Recompute even if the same dossier was found identical before.")
@on_option
@registry_option
@format_option
def verify_cfp_(application, by, dossier, fresh, on, registry, fmt):
    """Verify APPLICATION's CFP: recompute the result from the dossier's inputs; it must equal the declared one."""
    from footprint.registry import verify_cfp

    _run(lambda: verify_cfp(application, by=by, dossier=dossier, fresh=fresh, on=on, registry=registry), fmt)


@cert.command("evaluate")
@click.argument("application")
@by_option
@click.option("--recommend", "recommendation", required=True, type=options.choice(("grant", "refuse")), help="The recommendation.")
@click.option("--notes", default="", help="The evaluation's notes.")
@on_option
@registry_option
@format_option
def evaluate_(application, by, recommendation, notes, on, registry, fmt):
    """Evaluate APPLICATION's records and recommend a decision."""
    from footprint.registry import evaluate

    _run(lambda: evaluate(application, by=by, recommendation=recommendation.lower(), notes=notes, on=on, registry=registry), fmt)


@cert.command("decide")
@click.argument("application")
@by_option
@click.option("--outcome", required=True, type=options.choice(("grant", "refuse")), help="The decision.")
@click.option("--reason", default="", help="Why.")
@on_option
@registry_option
@format_option
def decide_(application, by, outcome, reason, on, registry, fmt):
    """Decide on APPLICATION (by a person who did not audit or verify it)."""
    from footprint.registry import decide

    _run(lambda: decide(application, by=by, outcome=outcome.lower(), reason=reason, on=on, registry=registry), fmt)


@cert.command("issue")
@click.argument("application")
@by_option
@click.option("--key", required=True, help="The certification body's private key (file, or organisation of `footprint keys init`).")
@click.option("--surveillance-months", type=int, default=None,
              help="Surveillance interval; default the scheme's (needed when the scheme states none; never longer than it).")
@click.option("--verify-url", default=None, help="Base of the verification URL in the QR code (default $FOOTPRINT_VERIFY_URL).")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None, help="Also write the signed certificate JSON here.")
@passphrase_options
@on_option
@registry_option
@format_option
def issue_(application, by, key, surveillance_months, verify_url, out_dir, passphrase_file, ask_passphrase, on, registry, fmt):
    """Issue the certificate of a granted APPLICATION: its number, dates, signed; surveillance scheduled."""
    from footprint.registry import issue

    passphrase = read_passphrase(passphrase_file, ask_passphrase)
    _run(lambda: issue(application, by=by, key=key, passphrase=passphrase, surveillance_months=surveillance_months,
                       verify_url=verify_url, out_dir=out_dir, on=on, registry=registry), fmt)


@cert.command("surveil")
@click.argument("certificate")
@by_option
@click.option("--outcome", required=True, type=options.choice(("conforming", "nonconforming")), help="The surveillance's result.")
@click.option("--notes", default="", help="What was checked and found.")
@click.option("--site", default=None, help="The site visited.")
@click.option("--evidence", multiple=True, type=click.Path(dir_okay=False), help="An evidence file (repeat).")
@on_option
@registry_option
@format_option
def surveil_(certificate, by, outcome, notes, site, evidence, on, registry, fmt):
    """Record a surveillance of CERTIFICATE (the next one due, or an unscheduled one)."""
    from footprint.registry import surveil

    _run(lambda: surveil(certificate, by=by, outcome=outcome.lower(), notes=notes, site=site, evidence=list(evidence), on=on,
                         registry=registry), fmt)


@cert.command("change")
@click.argument("certificate")
@by_option
@click.option("--description", required=True, help="What changed in the product or its supply.")
@click.option("--value", required=True, help="The new footprint, in the certificate's unit.")
@on_option
@registry_option
@format_option
def change_(certificate, by, description, value, on, registry, fmt):
    """Record a change to CERTIFICATE's product; says whether the scheme's rule asks for re-evaluation."""
    from footprint.registry import change

    _run(lambda: change(certificate, by=by, description=description, value=value, on=on, registry=registry), fmt)


def _status_command(name, doc):
    @click.argument("certificate")
    @by_option
    @click.option("--reason", required=True, help="Why (recorded with the event).")
    @on_option
    @registry_option
    @format_option
    def command(certificate, by, reason, on, registry, fmt):
        import footprint.registry as registry_module

        _run(lambda: getattr(registry_module, name)(certificate, by=by, reason=reason, on=on, registry=registry), fmt)

    command.__doc__ = doc
    return cert.command(name)(command)


_status_command("suspend", "Suspend CERTIFICATE (its label may not be used meanwhile).")
_status_command("reinstate", "Reinstate a suspended CERTIFICATE (no open major finding, before expiry).")
_status_command("withdraw", "Withdraw CERTIFICATE for good.")


@cert.command("renew")
@click.argument("certificate")
@click.argument("dossier", type=click.Path(path_type=str))
@click.option("--reason", required=True, help="Why (expiry approaching, a product change ...).")
@click.option("--model", "models", multiple=True, help="Models to cover (default the certificate's).")
@click.option("--site", "sites", multiple=True, help="Sites (default the certificate's).")
@on_option
@registry_option
@format_option
def renew_(certificate, dossier, reason, models, sites, on, registry, fmt):
    """Apply to renew CERTIFICATE with a new DOSSIER; the process runs again and its certificate replaces this one."""
    from footprint.registry import renew

    _run(lambda: renew(certificate, dossier, reason=reason, models=list(models), sites=list(sites), on=on, registry=registry), fmt)


@cert.command("label")
@click.argument("certificate")
@by_option
@click.option("--key", required=True, help="The certification body's private key.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None, help="Write the signed label licence JSON here.")
@passphrase_options
@on_option
@registry_option
@format_option
def label_(certificate, by, key, out, passphrase_file, ask_passphrase, on, registry, fmt):
    """Grant a label licence on a valid CERTIFICATE (never after expiry, nor while suspended or due for re-evaluation)."""
    from footprint.registry import label

    passphrase = read_passphrase(passphrase_file, ask_passphrase)
    _run(lambda: label(certificate, by=by, key=key, passphrase=passphrase, out=out, on=on, registry=registry), fmt)


@cert.command("register-key")
@click.argument("public_key")
@click.option("--org", required=True, help="The certification body the key signs for.")
@by_option
@on_option
@registry_option
@format_option
def register_key_(public_key, org, by, on, registry, fmt):
    """Register PUBLIC_KEY (a .pub.pem of `footprint keys init`, or its organisation) as a signing key of --org."""
    from footprint.registry import register_key

    _run(lambda: register_key(org, public_key, by=by, on=on, registry=registry), fmt)


def _records(registry):
    """footprint.registry's reading functions on a database, footprint.shareddb.client through a server, and the registry
    they take."""
    import footprint.registry as local

    return options.functions(registry, local)


@cert.command("show")
@click.argument("number")
@server_option
@format_option
def show_(number, registry, fmt):
    """Show a certificate or an application by its NUMBER."""
    api, where = _records(registry)
    _run(lambda: api.show(number, registry=where), fmt)


@cert.command("list")
@click.option("--applications", is_flag=True, help="List applications instead of certificates.")
@click.option("--state", default=None, help="Only this state (valid, suspended, withdrawn, expired, renewed; or an application's).")
@click.option("--scheme", default=None, help="Only this scheme.")
@server_option
@options.output_format("table", "json", help="json prints one JSON array on stdout.")
def list_(applications, state, scheme, registry, fmt):
    """List certificates (or --applications) with their state (through a server: those of the token's organisation)."""
    api, where = _records(registry)
    with contextlib.redirect_stdout(sys.stderr):
        rows = api.list_records(applications=applications, state=state, scheme=scheme, registry=where)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        if applications:
            click.echo(f"{row['application']:<18}{row['state']:<11}{row['scheme']:<11}{row['product']:<28}{row['declared']}")
        else:
            click.echo(f"{row['certificate']:<22}{row['status']:<11}{row['holder'][:28]:<30}{row['declared']:<22}"
                       f"{row['issued_on']} to {row['expires_on'] or '-'}")
    if not rows:
        what = "application" if applications else "certificate"
        asked = "".join(f" {name} {value}" for name, value in (("in state", state), ("of scheme", scheme)) if value)
        click.echo(f"no {what}{asked}")


@cert.command("export")
@click.argument("certificate")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--files", "formats", default="json,html", show_default=True, help="Comma-separated: json, html, pdf.")
@options.lang("both", help="Language of the HTML and PDF.")
@registry_option
@options.output_format("table", "json", help="json prints one JSON object on stdout.")
def export_(certificate, out_dir, formats, lang, registry, fmt):
    """Write CERTIFICATE's signed JSON (as issued) and its HTML / PDF rendered from it."""
    from footprint.registry import export

    with contextlib.redirect_stdout(sys.stderr):
        written = export(certificate, out_dir=out_dir, formats=[f.strip().lower() for f in formats.split(",") if f.strip()],
                         lang=lang, registry=registry)
    if fmt == "json":
        click.echo(json.dumps({"certificate": certificate, "files": [str(path) for path in written]}, ensure_ascii=False, indent=2))
        return
    for path in written:
        click.echo(str(path))


@cert.command("log")
@click.argument("subject", required=False)
@click.option("--verify", "check", is_flag=True, help="Recompute the hash chain: exit 1 if an event was changed, removed or moved.")
@server_option
@options.output_format("table", "json", help="json prints one JSON object on stdout.")
def log_(subject, check, registry, fmt):
    """The registry's events (or SUBJECT's: an application, certificate or finding number); --verify checks the chain.

    Through a server: the events of one of the token's organisation's records; the whole log and --verify, the operator's.
    """
    api, where = _records(registry)
    with contextlib.redirect_stdout(sys.stderr):
        found = api.log(subject=subject, verify=check, registry=where)
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        for event in found["events"]:
            click.echo(f"#{event['seq']:<5}{event['at'][:19]}  {event['action']:<16}{event['subject']:<36} {event['actor']}")
        if found["check"] is not None:
            verdict = "INTACT" if found["check"]["ok"] else "BROKEN"
            head = found["check"]["head"]
            click.echo(f"chain: {verdict} ({found['check']['events']} events; head #{head.get('seq', '-')} "
                       f"{str(head.get('hash', ''))[:16]})")
            for problem in found["check"]["problems"]:
                click.echo(f"  {problem}")
    if found["check"] is not None and not found["check"]["ok"]:
        sys.exit(1)


@click.group("registry")
def registry_group():
    """The registry's database: where it is, its schema."""


@registry_group.command("upgrade")
@registry_option
@options.output_format("table", "json", help="json prints one JSON object on stdout.")
def upgrade_(registry, fmt):
    """Bring the registry's schema to this footprint's revision (Alembic migrations shipped in the package)."""
    from footprint.registry import upgrade
    from footprint.registry.db import describe, registry_url

    before, after = upgrade(registry)
    where = describe(registry_url(registry))
    if fmt == "json":
        click.echo(json.dumps({"registry": where, "before": before, "after": after}))
    else:
        click.echo(f"{where}: schema {before or 'none'} -> {after}")


@registry_group.command("where")
@registry_option
@options.output_format("table", "json", help="json prints one JSON object on stdout.")
def where_(registry, fmt):
    """Print the registry's URL (password hidden)."""
    from footprint.registry.db import describe, registry_url

    where = describe(registry_url(registry))
    click.echo(json.dumps({"registry": where}) if fmt == "json" else where)

"""footprint shared ...: the shared database's entries, their review and their use (footprint.shareddb)."""

import datetime
import json
import re

import click

from footprint.cli import options

registry_option = options.server_registry()
database_option = options.database_registry()
on_option = click.option("--on", default=None, metavar="YYYY-MM-DD", help="Date of the record (default today; never after today).")
format_option = options.output_format("table", "json", help="json prints one JSON object on stdout.")


def _api(registry):
    """footprint.shareddb on a database, footprint.shareddb.client through a server, and the registry they take."""
    import footprint.shareddb as local

    return options.functions(registry, local)


#: The unit registry's names of CO2-eq (footprint/units.txt), as people and entry files write them.
_CO2_EQ_NAMES = re.compile(r"\b(kg|g|t)_CO2_eq\b")


def _people(text):
    """``8.6 kg_CO2_eq/kg`` -> ``8.6 kg CO2-eq/kg``: a table shows units as the entry file wrote them."""
    return _CO2_EQ_NAMES.sub(r"\1 CO2-eq", str(text))


def _emit(record, fmt):
    if fmt == "json":
        click.echo(json.dumps(record, ensure_ascii=False, indent=2, default=str))
    elif isinstance(record, list):
        for row in record:
            click.echo(f"{row['ref']:<28} {row['state']:<10} {row['kind']:<21} {_people(row['value']):<28} {row['owner']}: "
                       f"{row['title']}")
    elif "ref" in record:
        click.echo(f"{record['ref']}: {record['state']} {record['kind']}, {_people(record['quantity'])} ({record['owner']})")
        click.echo(f"  {record['title']}; valid {record['valid_from']} to {record['valid_until']}; sha256 {record['sha256']}")
        for finding in record.get("checks") or []:
            click.echo(f"  {finding['severity']}: {finding['check']}: {_people(finding['message'])}")
        if record.get("reason"):
            click.echo(f"  reason: {record['reason']}")
    else:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2, default=str))


@click.group()
def shared():
    """The shared database: certified footprints, supplier declarations and base data, reviewed and versioned.

    \b
    Examples:
      footprint shared add entry.yaml --owner "GCL Poly"
      footprint shared submit POLY-XJ-2026@1 --by "GCL Poly"
      footprint shared validate POLY-XJ-2026@1 --reviewer "CQC" --by "Zhang Min"
      footprint shared publish POLY-XJ-2026@1 --by "GCL Poly"
      footprint shared resolve registry:POLY-XJ-2026@1 --as-of 2026-06-30 --format json

    \b
    Through a footprint server, with an organisation's token (docs/server.md):
      FOOTPRINT_TOKEN_FILE=~/.footprint-token footprint shared list --registry https://footprint.example.org
      footprint shared submit POLY-XJ-2026@1 --by "GCL Poly" --registry https://footprint.example.org --token-file ~/.gcl-token
    """


@shared.command("add")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--owner", required=True, help="The organisation that owns the entry (on a server: the token's).")
@registry_option
@on_option
@format_option
def add(file, owner, registry, on, fmt):
    """Add a draft from a YAML or JSON file of the entry's fields (a new entry, or the next version of yours)."""
    from footprint.fileio import load_yaml, read_bytes

    api, where = _api(registry)
    data = load_yaml(read_bytes(file, what="a shared database entry"), file, what="a shared database entry")
    _emit(api.add_entry(data, owner=owner, on=on, registry=where), fmt)


@shared.command("add-certified")
@click.argument("certificate")
@click.option("--by", required=True, help="The certificate's holder (or the operator).")
@registry_option
@on_option
@format_option
def add_certified(certificate, by, registry, on, fmt):
    """Add a draft of a valid certificate's footprint (CERT-<number>): value, unit and validity from the registry."""
    api, where = _api(registry)
    _emit(api.add_certified(certificate, by=by, on=on, registry=where), fmt)


@shared.command("submit")
@click.argument("entry")
@click.option("--by", required=True, help="The owner organisation.")
@registry_option
@on_option
@format_option
def submit(entry, by, registry, on, fmt):
    """Submit a draft for review (its checks run first; an error stops it)."""
    api, where = _api(registry)
    _emit(api.submit(entry, by=by, on=on, registry=where), fmt)


@shared.command("validate")
@click.argument("entry")
@click.option("--reviewer", required=True, help="The reviewing organisation (a certification body of another organisation, or the operator).")
@click.option("--by", required=True, help="The person who reviewed it.")
@registry_option
@on_option
@format_option
def validate(entry, reviewer, by, registry, on, fmt):
    """Accept a submitted version after its checks pass."""
    api, where = _api(registry)
    _emit(api.validate(entry, reviewer=reviewer, by=by, on=on, registry=where), fmt)


@shared.command("reject")
@click.argument("entry")
@click.option("--reviewer", required=True, help="The reviewing organisation.")
@click.option("--by", required=True, help="The person who reviewed it.")
@click.option("--reason", required=True, help="Why.")
@registry_option
@on_option
@format_option
def reject(entry, reviewer, by, reason, registry, on, fmt):
    """Reject a submitted version, with the reasons."""
    api, where = _api(registry)
    _emit(api.reject(entry, reviewer=reviewer, by=by, reason=reason, on=on, registry=where), fmt)


@shared.command("publish")
@click.argument("entry")
@click.option("--by", required=True, help="The owner organisation, or the operator.")
@registry_option
@on_option
@format_option
def publish(entry, by, registry, on, fmt):
    """Publish a validated version; the older versions become superseded."""
    api, where = _api(registry)
    _emit(api.publish(entry, by=by, on=on, registry=where), fmt)


@shared.command("withdraw")
@click.argument("entry")
@click.option("--by", required=True, help="The owner organisation, or the operator.")
@click.option("--reason", required=True, help="Why.")
@registry_option
@on_option
@format_option
def withdraw(entry, by, reason, registry, on, fmt):
    """Withdraw a version: calculations refuse it from then on."""
    api, where = _api(registry)
    _emit(api.withdraw(entry, by=by, reason=reason, on=on, registry=where), fmt)


@shared.command("share")
@click.argument("entry")
@click.option("--by", required=True, help="The owner organisation.")
@click.option("--with", "with_organisation", required=True, help="The organisation to share it with.")
@registry_option
@on_option
@format_option
def share(entry, by, with_organisation, registry, on, fmt):
    """Share an entry (all its versions) with another organisation."""
    api, where = _api(registry)
    _emit(api.share(entry, by=by, with_organisation=with_organisation, on=on, registry=where), fmt)


@shared.command("role")
@click.argument("organisation")
@click.argument("role", type=options.choice(("operator", "certification_body", "manufacturer", "supplier")))
@database_option
@format_option
def role(organisation, role, registry, fmt):
    """Give an organisation its role: operator, certification_body, manufacturer or supplier."""
    from footprint.shareddb import set_role

    done = set_role(organisation, role.lower(), registry=registry)
    if fmt == "json":
        _emit(done, fmt)
        return
    click.echo(f"{done['organisation']}: role {done['role']}")


@shared.command("token")
@click.argument("organisation")
@click.option("--days", default=365, show_default=True, type=click.FloatRange(min=0), help="Life of the token.")
@click.option("--label", default="api", show_default=True, help="What the token is for (kept with its hash).")
@database_option
@format_option
def token(organisation, days, label, registry, fmt):
    """Issue an API token for an organisation with a role: printed once, only its SHA-256 is kept."""
    from footprint.shareddb.tokens import issue_token

    issued = issue_token(organisation, days=days, label=label, registry=registry)
    if fmt == "json":
        _emit(issued, fmt)
        return
    # the token alone on its first line, so that `| head -1 > token-file` keeps just it
    click.echo(issued["token"])
    click.echo(f"  API token of {issued['organisation']} ({issued['label']}), expires {issued['expires_at']}; "
               "shown only now: only its SHA-256 is kept")


@shared.command("show")
@click.argument("entry")
@registry_option
@format_option
def show(entry, registry, fmt):
    """A version (ID@N) or the latest version (ID), with its checks and review."""
    api, where = _api(registry)
    _emit(api.show_entry(entry, registry=where), fmt)


@shared.command("list")
@click.option("--state", default=None, help="Only versions in this state.")
@click.option("--kind", default=None, help="Only entries of this kind.")
@registry_option
@format_option
def list_(state, kind, registry, fmt):
    """Every version, newest first."""
    api, where = _api(registry)
    _emit(api.list_entries(state=state, kind=kind, registry=where), fmt)


@shared.command("monitor")
@click.option("--days", default=90, show_default=True, type=click.IntRange(min=0), help="Expiring within this many days.")
@database_option
@format_option
def monitor(days, registry, fmt):
    """Usable entries expiring soon, and those the bundled data of this installation now flags (outliers)."""
    from footprint.shareddb import monitor as run

    found = run(within_days=days, registry=registry)
    if fmt == "json":
        _emit(found, fmt)
        return
    for row in found["expiring"]:
        click.echo(f"expiring  {row['ref']:<28} {row['valid_until']} ({row['days_left']} days)  {row['owner']}")
    for row in found["flagged"]:
        click.echo(f"{row['severity']:<9} {row['ref']:<28} {row['message']}  {row['owner']}")
    if not found["expiring"] and not found["flagged"]:
        click.echo(f"nothing expiring within {days} days, nothing flagged")


@shared.command("resolve")
@click.argument("entry")
@options.as_of(help="Date the entry must be valid on (default: today).")
@registry_option
@format_option
def resolve(entry, as_of, registry, fmt):
    """What a calculation gets for registry:ID@N: the data and its provenance, or the reason it is refused."""
    from footprint.fileio import parse_date

    api, where = _api(registry)
    day = parse_date(as_of, where="as_of", today=datetime.date.today())
    data, provenance = api.resolve_entry(entry, as_of=day, registry=where)
    data.pop("quantity")
    if fmt == "json":
        _emit({"data": data, "provenance": provenance}, fmt)
        return
    superseded = f", superseded by version {provenance['superseded_by']}" if provenance.get("superseded_by") else ""
    click.echo(f"registry:{provenance['id']}@{provenance['version']}: {provenance['state']}{superseded}, usable on {day}")
    for key, value in data.items():
        shown = json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (dict, list)) else value
        click.echo(f"  {key}: {_people(shown)}")
    click.echo(f"  owner {provenance['owner']}; valid until {provenance['valid_until']}; sha256 {provenance['sha256']}")


@shared.command("impact")
@click.argument("entry")
@click.option("--to", "to", default=None, metavar="ENTRY@M", help="The version to put in its place (default: its successor).")
@click.option("--product", "products", multiple=True, type=click.Path(path_type=str),
              help="A product file not under certification, recomputed too (repeatable).")
@click.option("--per", default="module", show_default=True, help="Declared unit of the --product files.")
@registry_option
@format_option
def impact(entry, to, products, per, registry, fmt):
    """Certificates and products using ENTRY@N, recomputed with the newer version: old, new, change, outcome.

    Through a footprint server (--registry https://...), only the --product files are recomputed (the certificates
    are the database's).
    """
    api, where = _api(registry)
    found = api.impact(entry, to=to, products=products, per=per, registry=where)
    if fmt == "json":
        _emit(found, fmt)
        return
    click.echo(f"{found['from']} -> {found['to']}")
    for row in found["rows"]:
        percent = "" if row["change_percent"] is None else f" ({row['change_percent']:+.2f} %)"
        crosses = f"; {row['outcome']} -> {row['new_outcome']}" if row["crosses"] else ""
        name = row["certificate"] or row["file"]
        click.echo(f"{name}  {row['product']}: {row['old']:.6g} -> {row['new']:.6g} {row['unit']}, "
                   f"{row['change']:+.6g}{percent}{crosses}")
    if not found["rows"]:
        click.echo(f"no certificate or product uses registry:{found['from']}")


@shared.command("data-impact")
@click.option("--all", "every", is_flag=True, help="Also the certificates certified on the data installed (change 0).")
@registry_option
@format_option
def data_impact(every, registry, fmt):
    """Certificates certified on other bundled data than this installation's, recomputed on it: old, new, change."""
    from footprint.shareddb import data_impact as run

    found = run(every=every, registry=registry)
    if fmt == "json":
        _emit(found, fmt)
        return
    click.echo(f"bundled data {found['data_version']} ({found['data_sha256'][:12]})")
    for row in found["rows"]:
        percent = "" if row["change_percent"] is None else f" ({row['change_percent']:+.2f} %)"
        crosses = f"; {row['outcome']} -> {row['new_outcome']}" if row["crosses"] else ""
        click.echo(f"{row['certificate']}  {row['product']} (data {row['old_data_version']}): {row['old']:.6g} -> "
                   f"{row['new']:.6g} {row['unit']}, {row['change']:+.6g}{percent}{crosses}")
    if not found["rows"]:
        click.echo("no certificate was certified on other bundled data")

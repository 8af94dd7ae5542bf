"""Commands of certification: footprint verify, and (registry) footprint cert ... and footprint registry ...."""

import contextlib
import json
import sys

import click

from footprint.cli import options


@click.command()
@click.argument("target", type=click.Path(path_type=str))
@click.option("--key", default=None, help="Public key file (or organisation) that must have signed it.")
@click.option("--no-recompute", is_flag=True, help="Dossier: check files and signature only, do not recompute the result.")
@click.option("--registry", default=None, metavar="URL",
              help="Registry for a certificate's status (default $FOOTPRINT_REGISTRY, else the data directory's SQLite file).")
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

    with contextlib.redirect_stdout(sys.stderr):
        found = verify_path(target, key=key, recompute=not no_recompute, registry=registry)
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

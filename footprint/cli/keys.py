"""Commands of signing keys: footprint keys init | sign | verify | list."""

import json
import sys

import click

from footprint.cli import options


def passphrase_options(command):
    """--passphrase-file and --ask-passphrase (the library also reads FOOTPRINT_KEY_PASSPHRASE)."""
    command = click.option("--ask-passphrase", is_flag=True, help="Ask for the key's passphrase (not echoed).")(command)
    return click.option("--passphrase-file", type=click.Path(dir_okay=False, exists=True), default=None,
                        help="File whose first line is the key's passphrase (else $FOOTPRINT_KEY_PASSPHRASE).")(command)


def read_passphrase(passphrase_file, ask, *, confirm=False):
    """The passphrase from a file's first line or a prompt; None leaves it to the library (the environment)."""
    if passphrase_file:
        from footprint.fileio import read_bytes

        text = read_bytes(passphrase_file, what="a passphrase file", limit=4096).decode("utf-8", "replace")
        return text.splitlines()[0] if text.splitlines() else ""
    if ask:
        return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm, err=True)
    return None


@click.group()
def keys():
    """Signing keys (Ed25519): make one, sign a file, check a signature.

    \b
    Examples:
      footprint keys init --org "Example Certification Co."
      footprint keys sign dossier/perc-cn-cfp-pact.json --key "Example Certification Co."
      footprint keys verify dossier/perc-cn-cfp-pact.json
    """


@keys.command("init")
@click.option("--org", required=True, help="The organisation the key signs for.")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None,
              help="Where to write the key files (default: keys/ in the data directory).")
@passphrase_options
@options.output_format("table", "json", help="json prints one JSON object on stdout.")
def init(org, folder, passphrase_file, ask_passphrase, fmt):
    """Make an Ed25519 key pair for ORG; the private key is written owner-only and never printed.

    A key is never replaced. With a passphrase (--passphrase-file, --ask-passphrase or
    $FOOTPRINT_KEY_PASSPHRASE) the private key is stored encrypted.
    """
    import os

    from footprint.signing import PASSPHRASE_VARIABLE, init_keys

    passphrase = read_passphrase(passphrase_file, ask_passphrase, confirm=True)
    if passphrase is None:
        passphrase = os.environ.get(PASSPHRASE_VARIABLE) or None
    files = init_keys(org, folder=folder, passphrase=passphrase)
    if fmt == "json":
        click.echo(json.dumps({"org": files.org, "fingerprint": files.fingerprint, "private_key": str(files.private_key),
                               "public_key": str(files.public_key), "encrypted": bool(passphrase)}, ensure_ascii=False, indent=2))
        return
    click.echo(f"key of {files.org}: {files.fingerprint}")
    click.echo(f"  private (owner-only{', encrypted' if passphrase else ''}): {files.private_key}")
    click.echo(f"  public: {files.public_key}")


@keys.command("sign")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--key", required=True, help="Private key file, or the organisation whose key is in the data directory.")
@click.option("--embed", is_flag=True, help="JSON document: put the signature inside it (its last member) instead of FILE.sig.")
@passphrase_options
def sign(file, key, embed, passphrase_file, ask_passphrase):
    """Sign FILE: write its detached signature FILE.sig (or, with --embed, sign a JSON document in place)."""
    from footprint.signing import sign_file, sign_json_file

    passphrase = read_passphrase(passphrase_file, ask_passphrase)
    if embed:
        header = sign_json_file(file, key, passphrase=passphrase)
        click.echo(f"{file}: signed in place by {header['signer']['fingerprint']} ({header['signer']['org']})")
    else:
        target = sign_file(file, key, passphrase=passphrase)
        click.echo(f"{target}")


@keys.command("verify")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--signature", "signature", type=click.Path(dir_okay=False, exists=True), default=None,
              help="The detached signature (default FILE.sig).")
@click.option("--key", default=None, help="Public key file (or organisation) that must have signed it.")
@options.output_format("table", "json", help="json prints one JSON object on stdout.")
def verify(file, signature, key, fmt):
    """Check FILE's signature (detached FILE.sig, or inside a JSON document); exit 1 unless valid.

    A folder is checked as a signed dossier (its manifest.json and every file it lists).
    """
    from pathlib import Path

    from footprint.signing import verify_file, verify_folder, verify_json_file

    path = Path(file)
    if path.is_dir():
        check = verify_folder(path, key=key)
    elif signature or path.with_name(path.name + ".sig").is_file() or path.suffix != ".json":
        check = verify_file(path, signature=signature, key=key)
    else:
        check, _ = verify_json_file(path, key=key)
    render_signature(check, fmt)
    if not check.valid:
        sys.exit(1)


def render_signature(check, fmt):
    if fmt == "json":
        click.echo(json.dumps(check.to_dict(), ensure_ascii=False, indent=2))
        return
    signer = f" (key {check.signer.get('fingerprint')}, {check.signer.get('org')})" if check.signer else ""
    click.echo(f"{check.target}: {check.verdict.upper()}{signer}")
    for reason in check.reasons:
        click.echo(f"  {reason}")


@keys.command("list")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None, help="Key folder (default: keys/ in the data directory).")
@options.output_format("table", "json", help="json prints one JSON array on stdout.")
def list_(folder, fmt):
    """The keys in the key folder: organisation, fingerprint, whether the private key is there."""
    from footprint.signing import list_keys

    found = list_keys(folder)
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for entry in found:
        private = "private+public" if entry["private_key"] else "public only"
        click.echo(f"{entry['fingerprint']}  {entry['org']}  ({private})")

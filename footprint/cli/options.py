"""Options shared by several commands, their choices generated from :mod:`footprint.vocab`."""

import contextlib
import os

import click

from footprint.errors import OptionError
from footprint.vocab import BOUNDARIES, DECLARED_UNITS, ELECTRICITY_BASES, GWP_SETS, LANGS, STAGES, choose


def choice(values):
    """A click choice of the library's ids; any case is accepted (``kwp``, ``AR6``)."""
    return click.Choice(list(values), case_sensitive=False)


def per(help="Declared unit of the result (kWh: over the module's life, needs the use: block)."):
    return click.option("--per", "per", default="module", show_default=True, type=choice(DECLARED_UNITS), help=help)


def gwp(default="ar6", help="GWP100 set: IPCC AR6 (2021) or AR5 (2013)."):
    return click.option("--gwp", default=default, show_default=default is not None, type=choice(GWP_SETS), help=help)


def boundary():
    return click.option("--boundary", default=BOUNDARIES[0], show_default=True, type=choice(BOUNDARIES),
                        help="cradle-to-grave adds transport, installation, use and end of life (the downstream: block).")


def electricity_basis():
    """--electricity-basis life-cycle|official, checked as it is parsed: a bad value is one line and exit 1, before the
    product is read (so before its warnings)."""
    def check(ctx, param, value):
        return None if value is None else choose(value, ELECTRICITY_BASES, what="electricity_basis")

    return click.option("--electricity-basis", "electricity_basis", default=None, callback=check,
                        metavar="[" + "|".join(ELECTRICITY_BASES) + "]",
                        help="Basis of the grid-electricity factors, in place of the product file's product.electricity_basis "
                             "(life-cycle: CO2-eq footprint factors; official: each country's official, in China CO2-only, factors).")


REGISTRY_ENV = "FOOTPRINT_REGISTRY"
_TOKEN_KEYS = ("footprint.token", "footprint.token_file")


def _keep(ctx, param, value):
    """--token and --token-file are kept in the context (never in a command's arguments, never echoed)."""
    if value is not None:
        ctx.meta[f"footprint.{param.name}"] = value
    return value


def token_options(command):
    """--token and --token-file: the API token a server (--registry https://...) is asked with."""
    command = click.option("--token-file", "token_file", default=None, metavar="FILE", expose_value=False, callback=_keep,
                           help="A file holding the server's API token, readable by its owner only (chmod 600); "
                                "default $FOOTPRINT_TOKEN, else $FOOTPRINT_TOKEN_FILE.")(command)
    return click.option("--token", "token", default=None, metavar="TOKEN", expose_value=False, callback=_keep,
                        help="The server's API token (other users of this machine may see a command's arguments: prefer "
                             "--token-file or $FOOTPRINT_TOKEN).")(command)


def server_registry(help="postgresql://..., a SQLite file (default $FOOTPRINT_REGISTRY, else registry.sqlite in the data "
                         "directory), or the https:// address of a footprint server (with its token)."):
    """--registry that may name a footprint server, with --token and --token-file."""
    def decorate(command):
        return click.option("--registry", default=None, metavar="URL", help=help)(token_options(command))

    return decorate


def _local_only(ctx, param, value):
    from footprint.shareddb.client import is_server

    url = value or os.environ.get(REGISTRY_ENV)
    if is_server(url):
        named = url if value else f"${REGISTRY_ENV} ({url})"
        raise OptionError("registry", f"{named} is a footprint server; 'footprint {command_name(ctx)}' works on the "
                                      "registry's database only (postgresql://... or a SQLite file; docs/server.md)")
    return value


def command_name(ctx) -> str:
    """``cert apply`` for the context of ``footprint cert apply``."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(reversed(names))


def database_registry(help="postgresql://... or a SQLite file (default $FOOTPRINT_REGISTRY, else registry.sqlite in the "
                           "data directory)."):
    """--registry of a command that works on the database only: a server's address is refused in one line."""
    return click.option("--registry", default=None, metavar="URL", callback=_local_only, help=help)


def server(registry):
    """The footprint server that --registry (else $FOOTPRINT_REGISTRY) names, with the token of --token, --token-file,
    $FOOTPRINT_TOKEN or $FOOTPRINT_TOKEN_FILE; None when it names a database (then a token given is refused)."""
    from footprint.shareddb.client import connect, is_server

    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    url = registry or os.environ.get(REGISTRY_ENV)
    if not is_server(url):
        given = [key.split(".")[1] for key in _TOKEN_KEYS if meta.get(key) is not None]
        if given:
            raise OptionError(given[0], "a token is for a footprint server (--registry https://...); this registry is a database")
        return None
    return connect(url, token=meta.get("footprint.token"), token_file=meta.get("footprint.token_file"))


def functions(registry, local):
    """The library's functions and the registry they take: the module ``local`` (``footprint.shareddb``,
    ``footprint.registry``) on a database, or :mod:`footprint.shareddb.client` (same names, same answers) and its
    :class:`~footprint.shareddb.client.Server` when --registry (else $FOOTPRINT_REGISTRY) names a footprint server."""
    remote = server(registry)
    if remote is not None:
        from footprint.shareddb import client

        return client, remote
    return local, registry


def registry():
    """--registry of the commands that compute: where a product's supplier: registry:ENTRY@N entries are fetched."""
    return server_registry(help="The shared database of the product's supplier: registry:ENTRY@N entries: postgresql://..., "
                                "a SQLite file (default $FOOTPRINT_REGISTRY, else registry.sqlite in the data directory), "
                                "or the https:// address of a footprint server (with its token).")


def shared_entries(registry):
    """The context in which ``supplier: registry:ENTRY@N`` entries are fetched from --registry (a database or a server);
    without it, the main group's ($FOOTPRINT_REGISTRY)."""
    remote = server(registry)
    if not registry and remote is None:
        return contextlib.nullcontext()
    from footprint.supplier import resolving

    if remote is not None:
        from footprint.shareddb.client import resolver as remote_resolver

        return resolving(remote_resolver(remote))
    from footprint.shareddb import resolver

    return resolving(resolver(registry=registry))


def as_of(help="Date supplier declarations must be valid on (default: today)."):
    return click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help=help)


def stage(*, allow_all=False, help="Only this stage."):
    values = ("all", *STAGES) if allow_all else STAGES
    return click.option("--stage", default="all" if allow_all else None, show_default=allow_all, type=choice(values), help=help)


def lang(default, help):
    return click.option("--lang", default=default, show_default=True, type=choice(LANGS), help=help)


def output_format(*formats, help):
    return click.option("--format", "fmt", default=formats[0], show_default=True, type=choice(formats), help=help)


def date(name, help, metavar="YYYY-MM-DD"):
    return click.option(name, type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar=metavar, help=help)

"""Options shared by several commands, their choices generated from :mod:`footprint.vocab`."""

import contextlib

import click

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


def registry():
    return click.option("--registry", default=None, metavar="URL",
                        help="The shared database of the product's supplier: registry:ENTRY@N entries: postgresql://... or a "
                             "SQLite file (default $FOOTPRINT_REGISTRY, else registry.sqlite in the data directory).")


def shared_entries(registry):
    """The context in which ``supplier: registry:ENTRY@N`` entries are fetched from --registry; without it, the main
    group's (FOOTPRINT_REGISTRY)."""
    if not registry:
        return contextlib.nullcontext()
    from footprint.shareddb import resolver
    from footprint.supplier import resolving

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

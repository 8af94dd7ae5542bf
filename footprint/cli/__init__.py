"""The ``footprint`` command line: thin, it only calls the library.

Exit codes: 0 success; 1 a FootprintError (one line on stderr naming the file, field and
what was expected) or an internal error; 2 a usage error (click).
"""

import contextlib
import os
import sys
import traceback
import warnings

# Before numpy is imported: the library's solves are small (a 282-dataset background, a few
# foreground processes), and OpenBLAS threads cost more than they give, far more on a busy
# machine. A user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click

from footprint._version import __version__
from footprint.errors import (
    FootprintError,
    OptionError,
    OutputExistsError,
    ProductWarning,
    WorkbookError,
    WorkbookWarning,
    one_line,
)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """The library's warnings as one line on stderr, like the command line's own (no source line)."""
    if issubclass(category, (ProductWarning, WorkbookWarning)):
        click.echo(f"warning: {message}", err=True)
    else:
        click.echo(f"warning: {category.__name__}: {message}", err=True)


@contextlib.contextmanager
def _shared_entries():
    """Every command that computes fetches ``supplier: registry:ENTRY@N`` from the registry of FOOTPRINT_REGISTRY
    (else registry.sqlite in FOOTPRINT_HOME), or from the footprint server it names (https://..., with FOOTPRINT_TOKEN
    or FOOTPRINT_TOKEN_FILE); the shared database is opened only when a product names an entry."""
    from footprint.supplier import resolving

    made = []  # one resolver for the command, made at the first reference: it reads each entry once

    def resolve(ref, *, as_of):
        if not made:
            from footprint.cli.options import server

            remote = server(None)
            if remote is not None:
                from footprint.shareddb.client import resolver as remote_resolver

                made.append(remote_resolver(remote))
            else:
                from footprint.shareddb import resolver

                made.append(resolver(registry=None))
        return made[0](ref, as_of=as_of)

    with resolving(resolve):
        yield


class _Group(click.Group):
    """Turns library errors into one line on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx):
        try:
            with warnings.catch_warnings(), _shared_entries():
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except OutputExistsError as exc:
            click.echo(f"error: {one_line(str(exc))} (--force replaces it)", err=True)
            ctx.exit(1)
        except OptionError as exc:
            click.echo(f"error: --{exc.option.replace('_', '-')}: {one_line(exc.detail)}", err=True)
            ctx.exit(1)
        except WorkbookError as exc:  # every problem of the workbooks, one per line
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)
        except FootprintError as exc:
            click.echo(f"error: {one_line(str(exc))}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # the reader stopped early (| head): as a shell's command would, end quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so that Python's own flush at exit finds no closed pipe
            ctx.exit(141)  # 128 + SIGPIPE
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




def _register():
    from footprint.cli import calc, cert, collect, keys, labels, serve, shared

    for command in (calc.setup, calc.calc, calc.claims, calc.datasets, collect.template, collect.import_, labels.schemes,
                    labels.label, labels.report, cert.verify, calc.batch, keys.keys, cert.cert, cert.registry_group,
                    shared.shared, serve.serve):
        main.add_command(command)
    from footprint.cli.uncertainty import register as register_uncertainty
    register_uncertainty(main)


_register()

if __name__ == "__main__":
    main()

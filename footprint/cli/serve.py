"""footprint serve: the registry and the shared database over HTTP (footprint.server)."""

import click

from footprint.cli.shared import database_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes (uvicorn workers); several need PostgreSQL or a SQLite file on a local disk.")
@database_option
def serve(host, port, workers, registry):
    """Serve the registry and the shared database: PACT endpoints, the members' API, /verify/{certificate}.

    \b
    Examples:
      footprint shared role "Example Certification Co." certification_body
      footprint shared token "Example Certification Co." --days 90
      footprint serve --registry postgresql://footprint@db/footprint --host 0.0.0.0 --port 8080 --workers 4
    """
    import os

    import uvicorn

    from footprint.registry.db import describe, registry_url
    from footprint.shareddb.db import ensure_schema

    ensure_schema(registry)  # a bad URL or schema is one line here, not a traceback per worker
    if registry:
        os.environ["FOOTPRINT_REGISTRY"] = str(registry)
    # uvicorn is told to say only warnings: one line says where the server listens, on what (password hidden)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"footprint serve: http://{shown}:{port} on {describe(registry_url(registry))}, {workers} worker(s); "
               "health check GET /healthz; Ctrl-C stops it", err=True)
    uvicorn.run("footprint.server.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, server_header=False,
                timeout_keep_alive=75)  # longer than a load balancer's usual 60 s idle timeout

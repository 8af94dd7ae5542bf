"""The server's ASGI app: the routes of :mod:`footprint.server.api`, :mod:`~footprint.server.pact` and
:mod:`~footprint.server.verify`, behind the body limit, every error one line (:mod:`footprint.server.http`).

The app is stateless: everything it knows is in the registry's database (SQLite for one
machine, PostgreSQL behind several processes), so any number of processes can serve the same
database behind a load balancer (docs/deployment.md).
"""

from __future__ import annotations

import os

from footprint.errors import FootprintError
from footprint.server.http import LimitBody, ServerError, classify, error_response, log


def create_app(registry: str | os.PathLike | None = None):
    """The server's ASGI app over the registry (a URL or SQLite file; default FOOTPRINT_REGISTRY, else the data directory's).

    Examples
    --------
    >>> app = create_app("/tmp/registry.sqlite")  # doctest: +SKIP
    >>> import uvicorn; uvicorn.run(app, port=8080)  # doctest: +SKIP
    """
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    from footprint.server import api, pact, verify

    if registry is not None:  # the schema checked (and created in an empty database) before the first request
        from footprint.shareddb.db import ensure_schema

        ensure_schema(registry)

    app = FastAPI(title="footprint", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.registry = str(registry) if registry is not None else None

    @app.exception_handler(Exception)
    async def _any(request, exc):  # noqa: ARG001
        error = classify(exc)
        if error.status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
        return error_response(error)

    @app.exception_handler(FootprintError)
    async def _library(request, exc):  # noqa: ARG001
        return error_response(classify(exc))

    @app.exception_handler(HTTPException)
    async def _http(request, exc):  # noqa: ARG001
        code = {404: "NoSuchFootprint", 405: "BadRequest"}.get(exc.status_code, "BadRequest")
        return error_response(ServerError(exc.status_code, code, exc.detail if isinstance(exc.detail, str) else "bad request"))

    @app.exception_handler(RequestValidationError)
    async def _validation(request, exc):  # noqa: ARG001
        first = (exc.errors() or [{}])[0]
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "query")
        return error_response(ServerError(400, "BadRequest", f"{where}: {first.get('msg', 'invalid')}"))

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    app.include_router(pact.router)
    app.include_router(api.router)
    app.include_router(verify.router)
    return LimitBody(app)

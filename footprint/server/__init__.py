"""The server: the registry and the shared database over HTTP (FastAPI on uvicorn); docs/server.md.

:func:`create_app` makes the ASGI app; ``footprint serve`` runs it.
"""

from footprint.server.app import create_app
from footprint.server.http import MAX_BODY

__all__ = ["MAX_BODY", "create_app"]

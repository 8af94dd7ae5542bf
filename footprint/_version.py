"""The library's version, from the installed package's metadata (one source: pyproject.toml)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("footprint")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"

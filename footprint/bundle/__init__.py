"""The bundled data (``inventories/``): read with per-row provenance, checked, listed; never written to Brightway here.

- :mod:`footprint.bundle.types`: the data types (:class:`Bundle`, datasets, defaults, gases, geographies);
- :mod:`footprint.bundle.read`: the CSV readers (:func:`read_bundle`);
- :mod:`footprint.bundle.checks`: checks across files;
- :mod:`footprint.bundle.catalogue`: list and filter datasets (``footprint datasets``).
"""

from footprint.bundle.read import read_bundle
from footprint.bundle.types import Bundle

__all__ = ["Bundle", "read_bundle"]

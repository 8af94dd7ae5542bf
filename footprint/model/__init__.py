"""The product model: a product file (YAML) -> validated spec -> foreground activities.

- :mod:`footprint.model.spec` reads and checks a product file (``read_product``);
- :mod:`footprint.model.chain` turns a spec and the bundled defaults into the foreground
  process chain (pure data, no Brightway);
- :mod:`footprint.brightway.foreground` writes that chain into Brightway.
"""

from footprint.model.chain import Chain, build_chain
from footprint.model.spec import ProductSpec, parse_product, read_product

__all__ = ["Chain", "ProductSpec", "build_chain", "parse_product", "read_product"]

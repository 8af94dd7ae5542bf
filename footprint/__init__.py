"""footprint: carbon footprint of photovoltaic products, certification-ready.

>>> import footprint
>>> footprint.setup()                                              # doctest: +SKIP
>>> result = footprint.compute("examples/perc-glass-backsheet-jiangsu.yaml", per="kWp")  # doctest: +SKIP
>>> result.total.value, result.total.unit                          # doctest: +SKIP
"""

from footprint._version import __version__  # noqa: E402
from footprint.errors import DataError, FootprintError, InputError, SetupError, UnitError  # noqa: E402


def setup(**kwargs):
    """Create or update the data directory; see :func:`footprint.brightway.install.setup`."""
    from footprint.brightway.install import setup as _setup

    return _setup(**kwargs)


def compute(product, **kwargs):
    """Compute a product's footprint; see :func:`footprint.calc.compute`."""
    from footprint.calc import compute as _compute

    return _compute(product, **kwargs)


def run_batch(base, variants, **kwargs):
    """Compute every variant of a base product; see :func:`footprint.calc.batch.run_batch`."""
    from footprint.calc.batch import run_batch as _run_batch

    return _run_batch(base, variants, **kwargs)


__all__ = ["DataError", "FootprintError", "InputError", "SetupError", "UnitError", "compute", "run_batch", "setup", "__version__"]

"""footprint: carbon footprint of photovoltaic products, certification-ready.

>>> import footprint
>>> footprint.setup()                                              # doctest: +SKIP
>>> result = footprint.compute("examples/perc-glass-backsheet-jiangsu.yaml", per="kWp")  # doctest: +SKIP
>>> result.total.value, result.total.unit                          # doctest: +SKIP
"""

__version__ = "0.1.0"

from footprint.errors import DataError, FootprintError, InputError, SetupError, UnitError  # noqa: E402


def setup(**kwargs):
    """Create or update the data directory; see :func:`footprint.project.setup`."""
    from footprint.project import setup as _setup

    return _setup(**kwargs)


def compute(product, **kwargs):
    """Compute a product's footprint; see :func:`footprint.calc.compute`."""
    from footprint.calc import compute as _compute

    return _compute(product, **kwargs)


__all__ = ["DataError", "FootprintError", "InputError", "SetupError", "UnitError", "compute", "setup", "__version__"]

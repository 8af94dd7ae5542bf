"""footprint: carbon footprint of photovoltaic products, certification-ready.

The public API, one import away::

    >>> import footprint
    >>> footprint.setup()                                                  # doctest: +SKIP
    >>> result = footprint.compute("examples/perc-glass-backsheet-jiangsu.yaml", per="kWp")  # doctest: +SKIP
    >>> result.total                                                       # doctest: +SKIP
    Amount(value=423.90..., unit='kg CO2-eq/kWp')
    >>> result.to_frame("stage")                                           # doctest: +SKIP

Every name below is the real function or class (``help(footprint.compute)`` shows its
signature and documentation); each is imported on first use, so ``import footprint`` stays
fast. docs/api.md has an example per function; docs/architecture.md maps the package.
"""

from typing import TYPE_CHECKING

from footprint._version import __version__
from footprint.errors import (
    DataError,
    FootprintError,
    InputError,
    OutputExistsError,
    SetupError,
    UnitError,
    UnitMismatch,
    WorkbookError,
    WorkbookWarning,
)

#: Public name -> the module that defines it.
_API = {
    "setup": "footprint.brightway.install",
    "clean": "footprint.brightway.foreground",
    "read_product": "footprint.calc.compute",
    "compute": "footprint.calc.compute",
    "FootprintResult": "footprint.calc.result",
    "run_batch": "footprint.calc.batch",
    "read_variants": "footprint.calc.variants",
    "evaluate_label": "footprint.labels.study",
    "list_schemes": "footprint.labels.schemes",
    "write_report": "footprint.report",
    "write_template": "footprint.collect",
    "read_workbook": "footprint.collect",
    "list_datasets": "footprint.bundle.catalogue",
    "datasets": "footprint.calc.compute",
    "monte_carlo": "footprint.uncertainty.montecarlo",
    "MonteCarloResult": "footprint.uncertainty.montecarlo",
    "probability_of_meeting": "footprint.uncertainty.montecarlo",
    "tornado": "footprint.uncertainty.sensitivity",
    "sobol_indices": "footprint.uncertainty.sensitivity",
    "monte_carlo_batch": "footprint.uncertainty.batch",
}

__all__ = [
    "DataError", "FootprintError", "FootprintResult", "InputError", "OutputExistsError", "SetupError", "UnitError", "UnitMismatch",
    "WorkbookError", "WorkbookWarning", "__version__", "clean", "compute", "datasets", "evaluate_label", "list_datasets",
    "list_schemes", "read_product", "read_variants", "read_workbook", "run_batch", "setup", "write_report", "write_template",
    "MonteCarloResult", "monte_carlo", "monte_carlo_batch", "probability_of_meeting", "sobol_indices", "tornado",
]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time each name is imported on first use
    from footprint.brightway.foreground import clean
    from footprint.brightway.install import setup
    from footprint.bundle.catalogue import list_datasets
    from footprint.calc.batch import run_batch
    from footprint.calc.compute import compute, datasets, read_product
    from footprint.calc.result import FootprintResult
    from footprint.calc.variants import read_variants
    from footprint.collect import read_workbook, write_template
    from footprint.labels.schemes import list_schemes
    from footprint.labels.study import evaluate_label
    from footprint.report import write_report
    from footprint.uncertainty.batch import monte_carlo_batch
    from footprint.uncertainty.montecarlo import MonteCarloResult, monte_carlo, probability_of_meeting
    from footprint.uncertainty.sensitivity import sobol_indices, tornado


def __getattr__(name):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'footprint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_API))

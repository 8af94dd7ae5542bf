"""The calculator: a product's carbon footprint per declared unit, with its breakdowns.

- :mod:`footprint.calc.compute`: one product (:func:`compute`);
- :mod:`footprint.calc.system`: a product file made ready for the engine;
- :mod:`footprint.calc.result`: the result dataclasses (:class:`FootprintResult`);
- :mod:`footprint.calc.batch`: many variants of one product in one pass (:func:`run_batch`).
"""

from footprint.calc.compute import check_finite, check_options, compute
from footprint.calc.result import FootprintResult

__all__ = ["FootprintResult", "check_finite", "check_options", "compute"]

"""Uncertainty and sensitivity of a product's footprint (docs/uncertainty.md).

- :func:`monte_carlo`: every uncertain figure drawn, the footprint evaluated on the solved
  background in numpy, streamed in chunks; mean, median, sd and percentiles of the total and
  of each stage, the static result beside them.
- :func:`probability_of_meeting`: the probability that the product meets each threshold or
  grade of a label scheme.
- :func:`tornado` (one at a time) and :func:`sobol_indices` (SALib, optional).
- :func:`monte_carlo_batch`: the Monte Carlo of each variant of a variants table.
- :func:`analyse_study` and :func:`report_section`: the analysis a label and a report carry.
- :mod:`footprint.uncertainty.plots`: histogram and tornado as SVG or PNG.
"""

from footprint.uncertainty.batch import monte_carlo_batch
from footprint.uncertainty.montecarlo import MonteCarloResult, monte_carlo, probability_of_meeting
from footprint.uncertainty.section import analyse_study, report_section
from footprint.uncertainty.sensitivity import sobol_indices, tornado

__all__ = ["MonteCarloResult", "analyse_study", "monte_carlo", "monte_carlo_batch", "probability_of_meeting", "report_section",
           "sobol_indices", "tornado"]

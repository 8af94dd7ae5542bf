"""Label schemes: rule files (``methods/label-*.yaml``) evaluated against a footprint result.

- :mod:`footprint.labels.schemes`: read and check scheme files;
- :mod:`footprint.labels.evaluate`: a result against a scheme (:func:`evaluate`, :class:`LabelDecision`);
- :mod:`footprint.labels.ecs`: France's simplified carbon evaluation (factor table x quantities);
- :mod:`footprint.labels.study`: compute the way a scheme asks, then evaluate (:func:`evaluate_label`).
"""

from footprint.labels.evaluate import (
    REPORT_ITEMS,
    STAGE_NAMES,
    LabelDecision,
    Unmet,
    evaluate,
    format_value,
    gwp_id,
    item_available,
    optional,
    round_value,
)
from footprint.labels.schemes import Scheme, list_schemes, load_scheme, read_scheme
from footprint.labels.study import Study, evaluate_label
from footprint.provenance import result_identity, result_sha256

__all__ = [
    "REPORT_ITEMS", "STAGE_NAMES", "LabelDecision", "Scheme", "Study", "Unmet", "evaluate", "format_value", "gwp_id",
    "item_available", "list_schemes", "load_scheme", "optional", "read_scheme", "result_identity", "result_sha256",
    "round_value", "evaluate_label",
]

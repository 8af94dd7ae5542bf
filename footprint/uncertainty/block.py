"""The ``uncertainty:`` block of a product file: kinds of source, pedigree scores and distributions of its figures.

::

    uncertainty:
      default_source: calculated          # measured | calculated | estimated | supplier
      figures:
        stages.polysilicon.electricity: measured
        stages.wafer.thickness: {quality: "2,1,1,1,1"}
        stages.cell.efficiency: {distribution: normal, mean: 23 %, sd: 0.3 %}

The block is checked here as it is read; each distribution is checked against its figure
(unit, range) by :class:`footprint.uncertainty.model.UncertainProduct`. The product reader
(:mod:`footprint.model.spec`) lets the block through untouched; ``footprint calc`` ignores it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from footprint.bundle.quality import scores_of
from footprint.errors import InputError, show
from footprint.uncertainty.pedigree import DEFAULT_SOURCE, SOURCE_KINDS, source_scores

#: Fields of an ``uncertainty:`` figure entry, besides a distribution's own.
ENTRY_KEYS = ("source", "quality", "distribution")
#: Keys of the ``uncertainty:`` block.
BLOCK_KEYS = ("default_source", "figures")


@dataclass
class UserUncertainty:
    """A product's ``uncertainty:`` block, read: the default kind of source, and one entry per figure path."""

    default_source: str = DEFAULT_SOURCE
    figures: dict = field(default_factory=dict)  # path -> {"source": ...} | {"quality": ...} | distribution entry
    where: str = "uncertainty"


def read_uncertainty_block(block, *, source: str) -> UserUncertainty:
    """Check a product's ``uncertainty:`` block (a mapping; None for none).

    ::

        uncertainty:
          default_source: calculated          # measured | calculated | estimated | supplier
          figures:
            stages.polysilicon.electricity: measured
            stages.wafer.thickness: {quality: "2,1,1,1,1"}
            stages.cell.efficiency: {distribution: normal, mean: 23 %, sd: 0.3 %}
            stages.cell.materials.silver: {distribution: triangular, min: 8 mg/W, mode: 9 mg/W, max: 11 mg/W}

    Raises
    ------
    InputError
        An unknown key or kind of source, a malformed entry (the distributions themselves are
        checked against their figure by :class:`UncertainProduct`).
    """
    where = f"{source}: uncertainty"
    user = UserUncertainty(where=where)
    if block is None:
        return user
    if not isinstance(block, dict):
        raise InputError(f"{where}: got {show(block)}; expected a mapping with default_source and figures")
    for key in block:
        if key not in BLOCK_KEYS:
            raise InputError(f"{where}.{key}: unknown field; expected one of {', '.join(BLOCK_KEYS)}")
    if "default_source" in block:
        user.default_source = block["default_source"]
        source_scores(user.default_source, where=f"{where}.default_source")
    figures = block.get("figures") or {}
    if not isinstance(figures, dict):
        raise InputError(f"{where}.figures: got {show(figures)}; expected a mapping of figure paths, such as "
                         "stages.wafer.thickness: measured")
    for path, entry in figures.items():
        at = f"{where}.figures.{path}"
        if isinstance(entry, str):
            source_scores(entry, where=at)
            entry = {"source": entry}
        if not isinstance(entry, dict):
            raise InputError(f"{at}: got {show(entry)}; expected a kind of source ({', '.join(SOURCE_KINDS)}), "
                             "{quality: '2,1,1,1,1'} or {distribution: ...}")
        given = [key for key in ENTRY_KEYS if key in entry]
        if len(given) != 1:
            raise InputError(f"{at}: expected exactly one of source, quality or distribution; got "
                             f"{', '.join(given) or 'none'}")
        if given[0] == "source":
            if set(entry) != {"source"}:
                raise InputError(f"{at}.{sorted(set(entry) - {'source'})[0]}: unknown field beside source")
            source_scores(entry["source"], where=f"{at}.source")
        elif given[0] == "quality":
            if set(entry) != {"quality"}:
                raise InputError(f"{at}.{sorted(set(entry) - {'quality'})[0]}: unknown field beside quality")
            try:
                scores_of(str(entry["quality"]))
            except ValueError as exc:
                raise InputError(f"{at}.quality: {exc}") from None
        user.figures[str(path)] = entry
    return user

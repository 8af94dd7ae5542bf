"""Label-scheme files: ``methods/label-<id>.yaml``, read and checked.

A scheme is data, not code: who issues it, the standard it rests on, the declared unit,
the boundary, the GWP set, the report items and data quality it requires, its thresholds or
grades, rounding, validity and label wording, each rule citing its source. See
docs/labels-and-reports.md for the fields; :mod:`footprint.labels` evaluates a result
against a scheme.
"""

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP
from pathlib import Path

from footprint.errors import DataError, InputError, OptionError
from footprint.fileio import load_yaml, read_bytes
from footprint.i18n import names
from footprint.resources import data_dir

FORMAT = "footprint-label-scheme/1"
PREFIX = "label-"
DECISION_KINDS = ("declared_value", "grades", "threshold")
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "up": ROUND_CEILING, "down": ROUND_FLOOR}
GWP_IDS = ("ar6", "ar5")
#: The last valid day of a certificate of ``validity.years``: the anniversary of its issue
#: (default) or the day before it (Korea: issued 2020-09-16, expires 2023-09-15).
VALIDITY_LAST_DAYS = ("anniversary", "day_before")

REPORT_ITEMS = names("report_item")

#: The rules of a scheme file, each of which says whether it was read in the issuer's own text:
#: ``confirmed: true|false`` inside the rule's block, ``<rule>_confirmed`` beside the
#: top-level ones (``declared_unit_confirmed``). A rule that does not say is unconfirmed.
RULES = ("declared_unit", "boundary", "gwp", "required_items", "data_quality", "decision", "rounding", "validity")
_RULE_BLOCKS = ("boundary", "gwp", "data_quality", "decision", "rounding", "validity")

@dataclass
class Scheme:
    """A label scheme as read from ``methods/label-<id>.yaml`` (see the files for each field)."""

    id: str
    name: dict
    issuer: dict
    basis_standard: object  # text, or {en, zh}
    declared_unit: str
    unit: str
    boundary: dict
    gwp: dict
    indicator: str
    required_items: list
    data_quality: dict
    decision: dict
    rounding: dict
    validity: dict
    label_wording: dict
    sources: list
    path: str = ""
    unit_as_published: str = ""
    declared_unit_note: str = ""
    factor_table: dict = field(default_factory=dict)
    label_title: dict = field(default_factory=dict)  # short {en, zh} title for the label artwork
    label_caption: dict = field(default_factory=dict)  # {en, zh} what the label's number is
    confirmed: dict = field(default_factory=dict)  # rule (RULES) -> read in the issuer's own text
    #: The rule pack's version (``ppe2-v2``), the date its rules apply from, and its {en, zh}
    #: name; a scheme whose issuer changed its method ships one file per version
    #: (``label-fr-ecs.yaml`` the current one, ``label-fr-ecs@ppe2.yaml`` an earlier one).
    version: str = ""
    version_date: str = ""
    version_name: dict = field(default_factory=dict)

    def unconfirmed_rules(self):
        """The rules (ids of :data:`RULES`) not read in the issuer's own text, in file order."""
        return [rule for rule in RULES if not self.confirmed.get(rule, False)]

    def title(self, lang):
        """The label's title in ``lang``: ``label_title`` if given, else the scheme's name."""
        return (self.label_title or self.name).get(lang) or self.name.get(lang, self.id)

    def caption(self, lang):
        """What the number on the label is, in ``lang``; None if the scheme does not say
        (the label then uses its default, the cradle-to-gate carbon footprint)."""
        return (self.label_caption or {}).get(lang) or None

    def basis(self, lang):
        """The basis standard in ``lang`` (``basis_standard``: text or {en, zh})."""
        if isinstance(self.basis_standard, dict):
            return str(self.basis_standard.get(lang) or self.basis_standard.get("en", ""))
        return str(self.basis_standard)

    def surveillance(self, lang):
        """The validity's surveillance text in ``lang`` (``validity.surveillance``: text or {en, zh})."""
        text = self.validity.get("surveillance", "")
        if isinstance(text, dict):
            return str(text.get(lang) or text.get("en", ""))
        return str(text or "")

    def source(self, source_id):
        """The source entry with this id (every rule's ``source`` list points into ``sources``)."""
        for entry in self.sources:
            if entry["id"] == source_id:
                return entry
        raise KeyError(source_id)


def scheme_paths():
    """Bundled scheme files, sorted by id."""
    return sorted(data_dir("methods").glob(f"{PREFIX}*.yaml"))


def list_schemes() -> list[Scheme]:
    """All bundled label schemes, read and checked, sorted by id.

    Returns
    -------
    list of Scheme
        Each with its id, name, issuer, basis standard, declared unit, decision rule,
        validity and the sources of its rules.

    Examples
    --------
    >>> import footprint
    >>> [scheme.id for scheme in footprint.list_schemes()]  # doctest: +SKIP
    ['cn-cfp', 'epd', 'epeat-ulcs', 'fr-ecs', 'kr-carbon']
    """
    return [read_scheme(path) for path in scheme_paths()]


def load_scheme(scheme_id):
    """The bundled scheme ``scheme_id``, or a scheme file given by path.

    Raises
    ------
    InputError
        No such scheme.
    """
    candidate = Path(scheme_id)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return read_scheme(candidate)
    path = data_dir("methods") / f"{PREFIX}{scheme_id}.yaml"
    if path.is_file():
        return read_scheme(path)
    family, _, version = str(scheme_id).partition("@")
    current = data_dir("methods") / f"{PREFIX}{family}.yaml"
    if version and current.is_file() and "@" not in family:
        scheme = read_scheme(current)
        if scheme.version == version:  # the current rule pack named by its version
            return scheme
    known = ", ".join(known_scheme_ids())
    raise OptionError("scheme", f"unknown scheme {scheme_id!r}; expected one of {known} or a scheme YAML file")


def known_scheme_ids():
    """Every id ``load_scheme`` takes: each file's id, and a current pack's id@version too."""
    ids = []
    for path in scheme_paths():
        ids.append(path.stem[len(PREFIX):])
        if "@" not in path.stem:
            version = _version_of(path)
            if version:
                ids.append(f"{path.stem[len(PREFIX):]}@{version}")
    return ids


def _version_of(path):
    try:
        raw = load_yaml(read_bytes(path, what="a label-scheme YAML file"), path, what="a label-scheme YAML file")
    except InputError:
        return ""
    return str(raw.get("version") or "") if isinstance(raw, dict) else ""


def read_scheme(path):
    """Read and check one scheme file.

    Raises
    ------
    DataError
        A missing or malformed field, named with the file and YAML path.
    """
    path = Path(path)
    try:
        raw = load_yaml(read_bytes(path, what="a label-scheme YAML file"), path, what="a label-scheme YAML file")
    except InputError as exc:
        raise DataError(str(exc)) from None
    return _check_scheme(raw, path)


def _check_scheme(raw, path):
    def fail(where, message):
        raise DataError(f"{path}: {where}: {message}")

    if not isinstance(raw, dict):
        fail("(top)", "expected a mapping")
    if raw.get("format") != FORMAT:
        fail("format", f"got {raw.get('format')!r}; expected {FORMAT!r}")
    for key in ("id", "name", "issuer", "basis_standard", "declared_unit", "unit", "boundary", "gwp", "indicator",
                "required_items", "data_quality", "decision", "rounding", "validity", "label_wording", "sources"):
        if raw.get(key) in (None, "", [], {}):
            fail(key, "missing; every scheme states it (see methods/label-cn-cfp.yaml)")
    source_ids = set()
    for i, entry in enumerate(raw["sources"]):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("title"):
            fail(f"sources[{i}]", "expected a mapping with at least id and title")
        source_ids.add(entry["id"])
    for key in ("boundary", "gwp", "data_quality", "decision", "rounding", "validity"):
        cited = raw[key].get("source") if isinstance(raw[key], dict) else None
        if not cited:
            fail(f"{key}.source", "missing; every rule cites a source id (or 'tool' for a choice of this library)")
        for source_id in cited:
            if source_id not in source_ids:
                fail(f"{key}.source", f"unknown source id {source_id!r}; expected one of {', '.join(sorted(source_ids))}")
    confirmed = {}
    for rule in RULES:
        where, value = (f"{rule}.confirmed", raw[rule].get("confirmed", False)) if rule in _RULE_BLOCKS \
            else (f"{rule}_confirmed", raw.get(f"{rule}_confirmed", False))
        if not isinstance(value, bool):
            fail(where, f"got {value!r}; expected true (read in the issuer's own text) or false")
        confirmed[rule] = value
    for i, level in enumerate(raw["decision"].get("grades") or raw["decision"].get("thresholds") or []):
        said = level.get("confirmed") if isinstance(level, dict) else None
        if said is not None and not isinstance(said, bool):
            fail(f"decision levels[{i}].confirmed", f"got {said!r}; expected true or false")
        if said is False:  # a level citing its own source, unconfirmed: so is the decision
            confirmed["decision"] = False
    for item in raw["required_items"]:
        if item not in REPORT_ITEMS:
            fail("required_items", f"unknown item {item!r}; expected one of {', '.join(REPORT_ITEMS)}")
    gwp = raw["gwp"]
    if gwp.get("default") not in GWP_IDS or not set(gwp.get("accepted", [])) <= set(GWP_IDS) or gwp["default"] not in gwp["accepted"]:
        fail("gwp", f"got {gwp!r}; expected default and accepted among {GWP_IDS}, default accepted")
    decision = raw["decision"]
    if decision.get("kind") not in DECISION_KINDS:
        fail("decision.kind", f"got {decision.get('kind')!r}; expected one of {', '.join(DECISION_KINDS)}")
    if decision["kind"] in ("grades", "threshold"):
        if decision.get("comparison") not in ("<=", "<"):
            fail("decision.comparison", f"got {decision.get('comparison')!r}; expected '<=' or '<'")
        levels = decision.get("grades" if decision["kind"] == "grades" else "thresholds") or []
        if not levels:
            fail(f"decision.{'grades' if decision['kind'] == 'grades' else 'thresholds'}", "missing; expected a list of {id, max, label}")
        previous = None
        for i, level in enumerate(levels):
            if not isinstance(level.get("max"), (int, float)) or isinstance(level.get("max"), bool):
                fail(f"decision levels[{i}].max", f"got {level.get('max')!r}; expected a number")
            if previous is not None and level["max"] <= previous:
                fail(f"decision levels[{i}].max", "levels must be listed from the strictest (lowest) up")
            previous = level["max"]
    rounding = raw["rounding"]
    if not isinstance(rounding.get("step"), (int, float)) or rounding["step"] <= 0:
        fail("rounding.step", f"got {rounding.get('step')!r}; expected a positive number such as 1, 0.01 or 10")
    if rounding.get("mode") not in ROUNDING_MODES:
        fail("rounding.mode", f"got {rounding.get('mode')!r}; expected one of {', '.join(ROUNDING_MODES)}")
    if rounding.get("applies_to") not in ("display", "decision"):
        fail("rounding.applies_to", f"got {rounding.get('applies_to')!r}; expected 'display' or 'decision'")
    years = raw["validity"].get("years")
    if years is not None and (not isinstance(years, int) or years <= 0):
        fail("validity.years", f"got {years!r}; expected a whole number of years or null")
    if raw["validity"].get("last_day", "anniversary") not in VALIDITY_LAST_DAYS:
        fail("validity.last_day", f"got {raw['validity']['last_day']!r}; expected one of {', '.join(VALIDITY_LAST_DAYS)}")
    for lang in ("en", "zh"):
        for key in ("name", "label_wording"):
            if not raw[key].get(lang):
                fail(f"{key}.{lang}", "missing; schemes carry English and Chinese text")
    fields = {name: raw.get(name) for name in Scheme.__dataclass_fields__ if name in raw}
    fields.pop("path", None)
    fields["confirmed"] = confirmed
    fields.setdefault("factor_table", {})
    fields.setdefault("label_title", {})
    fields.setdefault("label_caption", {})
    expected_id = path.stem[len(PREFIX):] if path.stem.startswith(PREFIX) else None
    if expected_id and "@" in expected_id:  # a versioned file: label-<id>@<version>.yaml holds id <id>@<version>
        if raw["id"] != expected_id or str(raw.get("version") or "") != expected_id.partition("@")[2]:
            fail("id", f"got {raw['id']!r} version {raw.get('version')!r}; expected id {expected_id!r} and version "
                       f"{expected_id.partition('@')[2]!r} (the file's name)")
    if raw.get("version") is not None:
        if not isinstance(raw["version"], str) or not raw["version"].strip() or "@" in raw["version"]:
            fail("version", f"got {raw['version']!r}; expected a rule pack's name such as ppe2-v2")
        if not isinstance(raw.get("version_name"), dict) or not all(raw["version_name"].get(lang) for lang in ("en", "zh")):
            fail("version_name", "missing; a versioned rule pack names its version in en and zh")
        fields["version_date"] = str(raw.get("version_date") or "")
    for key in ("label_title", "label_caption", "declared_unit_note", "basis_standard"):
        value = fields.get(key)
        if isinstance(value, dict) and value and not all(value.get(lang) for lang in ("en", "zh")):
            fail(f"{key}", "expected both en and zh text")
    return Scheme(path=str(path), **fields)

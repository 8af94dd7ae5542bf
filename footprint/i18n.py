"""Words in English and Chinese: the library's names and texts (``names.yaml``) and the report's sentences.

``footprint/names.yaml`` holds, in both languages, the name of every id of
:mod:`footprint.vocab` and of the other closed lists (stages, origins, scopes, report items,
sheet titles ...), the words of the data-collection workbook, and the texts with values
(reasons of unmet requirements, notes). :func:`names` gives one table, :func:`name` one word,
:func:`words` one entry, :func:`text` one text with its placeholders filled. The report's sentences live in
``report_templates/strings.yaml``, which a user's ``--template`` folder may override;
:func:`parse_strings` reads that file (the report finds it through jinja2).

Words that the import reads (Chinese units, technology aliases, blank markers) are input
rules, not display words: they stay beside the code that parses them.
"""

from functools import lru_cache
from pathlib import Path

import yaml

from footprint.errors import DataError, InputError

_NAMES = Path(__file__).with_name("names.yaml")


@lru_cache(maxsize=1)
def _all_names():
    try:
        return yaml.safe_load(_NAMES.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{_NAMES}: cannot read the library's names ({' '.join(str(exc).split())}); reinstall footprint") from None


def names(kind):
    """The table of one kind of name: id -> {"en": ..., "zh": ...}.

    Parameters
    ----------
    kind : str
        ``stage``, ``origin``, ``parameter``, ``unmet``, ``scope``, ``report_item``, ``sheet``,
        ``section``, ``stage_process``, ``phrase``, ``reason``, ``note``, ``expected_input``,
        ``flow_diagram``, ``grid_dataset`` or one of the workbook's: ``workbook_column``,
        ``workbook_row``, ``workbook_source``, ``workbook_text``, ``workbook_instruction``.
    """
    return _all_names()[kind]


def words(kind, key):
    """One entry of ``names.yaml`` as it is: {"en": ..., "zh": ...} (texts unfilled).

    Unlike :func:`name`, a missing entry is an error: the code asks for a text, not an id.

    Raises
    ------
    DataError
        ``names.yaml`` has no such entry (a broken installation).
    """
    entry = names(kind).get(key)
    if not entry:
        raise DataError(f"{_NAMES}: no entry {kind}.{key}; reinstall footprint")
    return entry


def text(kind, key, /, **values):
    """One text of ``names.yaml`` in each of its languages, its placeholders filled: {"en": ..., "zh": ...}.

    The placeholders are filled with :meth:`str.format`, so a text may format its values
    (``{share:.0%}``, ``{stage!r}``). A value given as a mapping with an ``en`` key is picked
    per language (``{"en": "mg_silicon", "zh": "工业硅"}``); a list or tuple is joined with
    the language's list separator (``phrase.list_separator``), each element picked the same way.

    Parameters
    ----------
    kind, key : str
        The table and the entry (``text("reason", "supplier_expired", name=..., end=..., today=...)``).
    **values
        The values of the text's placeholders (any names, ``kind`` and ``key`` too).

    Raises
    ------
    DataError
        ``names.yaml`` has no such entry (a broken installation).
    KeyError
        A placeholder of the text was not given.
    """
    separators = names("phrase")["list_separator"]
    filled = {}
    for lang, template in words(kind, key).items():
        picked = {name: _pick(value, lang, separators) for name, value in values.items()}
        filled[lang] = template.format(**picked)
    return filled


def _pick(value, lang, separators):
    """A placeholder's value in one language (see :func:`text`)."""
    if isinstance(value, dict) and "en" in value:
        return value.get(lang, value["en"])
    if isinstance(value, (list, tuple)):
        return separators.get(lang, separators["en"]).join(str(_pick(item, lang, separators)) for item in value)
    return value


def name(kind, key, lang="en"):
    """The name of ``key`` of ``kind`` in ``lang`` (``en``, ``zh``, or ``both``: "中文 English").

    An id without a name is returned as it is, so that a new id shows up rather than fails.
    """
    words = names(kind).get(key)
    if not words:
        return key
    if lang == "both":
        return f"{words.get('zh', key)} {words.get('en', key)}" if "zh" in words else words.get("en", key)
    return words.get(lang) or words.get("en", key)


def parse_strings(text, filename):
    """The report's sentences from a ``strings.yaml`` text: key -> {"en": ..., "zh": ...}.

    Raises
    ------
    InputError
        The text is not YAML (a user's template folder).
    """
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{filename}: cannot read: {' '.join(str(exc).split())}") from None

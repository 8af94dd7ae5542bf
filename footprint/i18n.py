"""Words in English and Chinese: the library's names (``names.yaml``) and the report's sentences.

``footprint/names.yaml`` holds the name of every id of :mod:`footprint.vocab` and of the
other closed lists (stages, origins, scopes, report items, sheet titles ...) in both
languages. :func:`names` gives one table, :func:`name` one word. The report's sentences
live in ``report_templates/strings.yaml``, which a user's ``--template`` folder may
override; :func:`parse_strings` reads that file (the report finds it through jinja2).
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
        ``section``, ``stage_process`` or ``phrase``.
    """
    return _all_names()[kind]


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

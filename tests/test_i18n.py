"""The library's words in one place: names.yaml complete in both languages, every key the code
asks for present, and no Chinese text left in the code outside the parsing tables."""

import ast
import re
import string
from pathlib import Path

import pytest

from footprint import i18n
from footprint.errors import DataError

PACKAGE = Path(i18n.__file__).resolve().parent

#: Kinds of names.yaml in one language only: Brightway activity names are English; the Chinese
#: name of a grid dataset completes the dataset's own English name.
MONOLINGUAL = {"stage_process": {"en"}, "grid_dataset": {"zh"}}

#: Where Chinese text may stay in the code: a whole module (None), or the top-level names of
#: a module (a table with the comment above it, a function; "__doc__" is the module docstring).
ALLOWED_CJK = {
    "i18n.py": None,  # the loader of the words; its docstrings show them
    "electricity.py": {"__doc__"},  # cites a Chinese regulation by its number
    "collect/xlsx.py": None,  # parsing: blank markers (无, 不适用), full-width separators, units as typed
    "collect/importer.py": None,  # parsing: technology aliases (改良西门子法 ...), full-width brackets
    "collect/layout.py": {"CHINESE_UNITS"},  # parsing: units spelled in Chinese
    # parsing: full-width brackets in item names and headers. WorkbookReader's message on a
    # missing header row still spells 项目 Item, 数值 Value inline: display text to move to names.yaml.
    "collect/sheets.py": {"_item_name", "_norm", "WorkbookReader"},
}
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")

#: Functions of footprint.i18n that take (kind, key) or (kind).
_LOOKUPS = {"text", "words", "name", "names"}


def _modules():
    return sorted(path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts)


def _fields(template):
    """The placeholder names of a str.format template."""
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def test_every_entry_has_english_and_chinese():
    for kind, table in i18n._all_names().items():
        assert isinstance(table, dict) and table, kind
        expected = MONOLINGUAL.get(kind, {"en", "zh"})
        for key, words in table.items():
            assert isinstance(words, dict) and set(words) == expected, f"names.yaml: {kind}.{key}: got {words!r}; expected {sorted(expected)}"
            for lang, word in words.items():
                assert isinstance(word, str) and word.strip(), f"names.yaml: {kind}.{key}.{lang}: got {word!r}"
            literal = "".join(part for part, _, _, _ in string.Formatter().parse(words.get("zh", "")))
            if words.get("zh") != words.get("en") and re.search("[A-Za-z]", literal):  # words, not just "{item}:{reason}"
                assert _CJK.search(literal), f"names.yaml: {kind}.{key}.zh has no Chinese: {words['zh']!r}"


def test_both_languages_of_a_text_have_the_same_placeholders():
    for kind, table in i18n._all_names().items():
        for key, words in table.items():
            fields = {lang: _fields(word) for lang, word in words.items()}  # also: every text is a valid template
            assert len({frozenset(f) for f in fields.values()}) == 1, f"names.yaml: {kind}.{key}: placeholders differ {fields}"


def _lookups():
    """Every (module, line, function, kind, key or None, keywords or None) the code asks i18n for."""
    found = []
    for path in _modules():
        if path.name == "i18n.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        subscripts = [node for node in ast.walk(tree) if isinstance(node, ast.Subscript)]
        for node in ast.walk(tree):
            call, key = node, None
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call) and isinstance(node.slice, ast.Constant):
                call, key = node.value, node.slice.value  # names("kind")["key"]
            if not isinstance(call, ast.Call) or not call.args:
                continue
            function = call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) else None
            if function not in _LOOKUPS or not (isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
                continue
            if function == "names" and key is None and any(call is parent.value for parent in subscripts):
                continue  # seen as names("kind")["key"]
            if function != "names":
                if call is not node:
                    continue  # text(...)["zh"]: seen as the call itself
                key = call.args[1].value if len(call.args) > 1 and isinstance(call.args[1], ast.Constant) else None
            keywords = None
            if function == "text" and all(k.arg is not None for k in call.keywords):
                keywords = {k.arg for k in call.keywords}
            found.append((path.relative_to(PACKAGE), node.lineno, function, call.args[0].value, key, keywords))
    return found


def test_every_key_the_code_asks_for_exists():
    table = i18n._all_names()
    lookups = _lookups()
    assert len(lookups) > 50  # the scan finds the call sites (reasons, notes, workbook, report)
    for module, line, function, kind, key, keywords in lookups:
        where = f"footprint/{module}:{line}: {function}({kind!r}, {key!r})"
        assert kind in table, f"{where}: names.yaml has no kind {kind!r}"
        if key is not None and function != "name":  # name() returns an unknown id as it is, by design
            assert key in table[kind], f"{where}: names.yaml has no {kind}.{key}"
        if keywords is not None:
            for lang, word in table[kind][key].items():
                assert _fields(word) == keywords, f"{where}: gives {sorted(keywords)}; {kind}.{key}.{lang} needs {sorted(_fields(word))}"


def test_every_text_with_placeholders_is_asked_for():
    asked = {(kind, key) for _, _, function, kind, key, _ in _lookups() if function in ("text", "words")}
    for kind in ("reason", "note", "phrase", "flow_diagram", "grid_dataset", "workbook_text"):
        for key, words in i18n.names(kind).items():
            if key in ("outside_thresholds", "list_separator"):  # read as a table, not through text()
                continue
            assert (kind, key) in asked, f"names.yaml: {kind}.{key} is not used by the code"


def test_workbook_and_report_tables_use_every_entry():
    from footprint.collect.layout import COLUMNS, ROWS, SOURCE_SUGGESTIONS
    from footprint.report.context import DEFAULT_EXCLUSIONS, EXPECTED_INPUTS

    described = {(row.en, row.zh) for rows in ROWS.values() for row in rows}
    assert described == {(w["en"], w["zh"]) for w in i18n.names("workbook_row").values()}
    assert list(COLUMNS) == list(i18n.names("workbook_column"))
    assert len(SOURCE_SUGGESTIONS) == len(i18n.names("workbook_source"))
    assert [key for _, key in EXPECTED_INPUTS] + list(DEFAULT_EXCLUSIONS.values()) == list(i18n.names("expected_input"))


def test_text_fills_each_language():
    stage = {"en": "ingot", "zh": "单晶硅棒"}
    words = i18n.text("reason", "stage_missing", stage=stage, scheme="cn-cfp", stages=[{"en": "wafer", "zh": "硅片"}, stage])
    assert words == {"en": "stage 'ingot' missing from the result; cn-cfp counts wafer, ingot",
                     "zh": "结果缺少单晶硅棒阶段;cn-cfp 计入硅片、单晶硅棒"}
    assert i18n.text("reason", "primary_share_low", share=0.456, minimum=0.5)["en"] == "primary data share 46% is below the minimum 50%"
    assert i18n.text("grid_dataset", "plain", place="江苏") == {"zh": "电网电力,江苏"}
    # kind and key are positional only: a placeholder may be called key
    assert i18n.text("phrase", "result_has_no", key="uncertainty") == {"en": "the result has no 'uncertainty'",
                                                                      "zh": "结果中没有 'uncertainty'"}
    with pytest.raises(DataError, match="no entry reason.no_such_reason"):
        i18n.text("reason", "no_such_reason")


def _owners(tree, line):
    """The top-level names a source line belongs to: the statement, or the comment right above it."""
    if tree.body and isinstance(tree.body[0], ast.Expr) and tree.body[0].end_lineno >= line >= tree.body[0].lineno:
        return {"__doc__"}
    owners = set()
    for node in tree.body:
        if node.lineno <= line <= node.end_lineno:
            if isinstance(node, ast.Assign):
                owners |= {target.id for target in node.targets if isinstance(target, ast.Name)}
            elif isinstance(node, ast.AnnAssign | ast.FunctionDef | ast.ClassDef):
                owners.add(node.target.id if isinstance(node, ast.AnnAssign) else node.name)
    return owners


def _with_comments_above(tree, lines):
    """Line -> the statement below it, for comment lines directly above a top-level statement."""
    above = {}
    for node in tree.body:
        line = node.lineno - 1
        while line >= 1 and lines[line - 1].lstrip().startswith("#"):
            above[line] = node.lineno
            line -= 1
    return above


def test_no_chinese_in_the_code_outside_the_parsing_tables():
    found = []
    for path in _modules():
        module = path.relative_to(PACKAGE).as_posix()
        allowed = ALLOWED_CJK.get(module, set())
        if allowed is None:
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        above = _with_comments_above(tree, lines)
        for number, line in enumerate(lines, start=1):
            if _CJK.search(line) and not _owners(tree, above.get(number, number)) & allowed:
                found.append(f"footprint/{module}:{number}: {line.strip()[:80]}")
    assert not found, "Chinese text in the code; move it into footprint/names.yaml:\n" + "\n".join(found)


def test_the_allow_list_names_existing_places():
    for module, allowed in ALLOWED_CJK.items():
        path = PACKAGE / module
        assert path.is_file(), module
        if allowed:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {"__doc__"} | {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)} | {
                t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
            assert allowed <= names, (module, allowed - names)

"""The layout of the data-collection workbook, shared by the template and the import.

The version, the sheet and column names in Chinese and English, the rows of each sheet,
the size limits, the units spelled in Chinese, and the :class:`Problem` and
:class:`WorkbookProduct` types the import returns. The displayed words (titles, headers,
row descriptions, source suggestions) are in ``footprint/names.yaml``; the Chinese units
are an input rule and stay here.
"""

from dataclasses import dataclass, field

from footprint.i18n import names
from footprint.model.spec import ProductSpec
from footprint.vocab import LANGS, STAGES  # noqa: F401  (STAGES: the sheets after Product)

#: Written into every template (hidden sheet ``_footprint``) and checked on import. Bump it
#: when a change to the layout would make an older import misread a newer workbook.
#: Version 2 added rows (wafer format, ingot type, electricity instruments, the use phase):
#: an older import would call them unknown items, so it says "version 2 is not known" instead.
TEMPLATE_FORMAT = "footprint-workbook"
TEMPLATE_VERSION = 2
#: The versions this import reads. A version-1 workbook has the same columns and a subset of
#: the rows (found by their item, not their position), so it reads as it always did.
READ_VERSIONS = (1, 2)
META_SHEET = "_footprint"
LISTS_SHEET = "Lists"

#: Workbooks larger than this are refused before they are opened [bytes]. A filled
#: template is about 30 kB; 20 MB leaves room for pasted logos and long note columns.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: The sum of the uncompressed parts of the zip may not exceed this [bytes]: a guard
#: against zip bombs, which a 20 MB file can otherwise expand into gigabytes.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
#: A sheet the import reads (Product, a stage, ``_footprint``) may not exceed this as XML
#: [bytes]: a filled stage sheet is about 20 kB. Other sheets are never parsed, whatever
#: their size (within the limits above).
MAX_SHEET_BYTES = 10 * 1024 * 1024

LANGUAGES = LANGS

#: Sheet titles per language. The import recognises a sheet by any of its titles.
SHEET_TITLES = names("sheet")

#: Columns of every data sheet: role -> (English, Chinese), from ``names.yaml``. The import
#: finds each column by its header, so a column moved or inserted by the user does not shift
#: the others.
COLUMNS = {role: (words["en"], words["zh"]) for role, words in names("workbook_column").items()}
#: Columns the user fills in (unlocked in the protected sheet).
INPUT_COLUMNS = ("value", "unit", "period", "site", "source", "note", "quality")
#: Kinds of source a figure's Data quality cell may name (in English or Chinese), from
#: ``names.yaml``; the same as :data:`footprint.uncertainty.pedigree.SOURCE_KINDS`.
SOURCE_KINDS = names("source_kind")
#: Row kinds whose value is a number that an uncertainty analysis draws (a Data quality cell
#: elsewhere is refused); a product's design (areas, counts) is not drawn.
QUALITY_KINDS = ("quantity", "fraction", "flow", "material", "emission", "yield", "degradation")
#: Rows of those kinds that are the product's design, not a measurement.
DESIGN_ROWS = ("rated_power", "area", "wafer_area", "cells", "cells_per_wafer")


@dataclass(frozen=True)
class Row:
    """One row of a data sheet.

    ``kind`` says how the value is read:

    ``text``      free text (product id and name)
    ``choice``    one of a list (technologies)
    ``site``      a geography id of ``inventories/geographies.csv``
    ``quantity``  a quantity of the dimension of ``unit``, above zero
    ``fraction``  a plain number or percentage in (0, 1]
    ``count``     a whole number of pieces
    ``flow``      an amount of ``unit`` (kWh, MJ, kg) per reference unit of the stage, or a
                  total over a period divided by the production output
    ``output``    the stage's production output in the period (kg, pieces; modules also MW)
    ``check``     like ``flow`` but used only to check consistency, never in the model
    ``file``      a file path relative to the workbook (the site electricity file)
    ``country``   a geography id, for the use phase's default yield
    ``yield``     a specific yield per year (kWh/kWp), as ``use.specific_yield``
    ``degradation`` a yearly degradation (0.7 %), as ``use.degradation``
    """

    key: str
    kind: str
    unit: str
    en: str
    zh: str
    example: str = ""


def _row(key, kind, unit, words, example=""):
    """A :class:`Row` whose description is ``workbook_row.<words>`` of ``names.yaml``."""
    description = names("workbook_row")[words]
    return Row(key, kind, unit, description["en"], description["zh"], example)


_SITE = _row("site", "site", "", "site", "CN-JS")
_OUTPUT = _row("output", "output", "", "output", "")
_ELECTRICITY = _row("electricity", "flow", "kWh", "electricity", "")
_HEAT = _row("heat", "flow", "MJ", "heat", "")
_INSTRUMENTS = _row("electricity_instruments", "file", "", "electricity_instruments", "sites/jiangsu-2024.yaml")

#: The rows of the Product sheet's use-phase section: the ``use:`` block of the product file
#: (:mod:`footprint.model.use`), needed only for results per kWh.
USE_ROWS = (
    _row("specific_yield", "yield", "kWh/kWp", "use.specific_yield", "1300 kWh/kWp"),
    _row("performance_ratio", "fraction", "", "use.performance_ratio", "80 %"),
    _row("mounting", "choice", "", "use.mounting", "rooftop | ground"),
    _row("country", "country", "", "use.country", "DE | CN"),
    _row("lifetime", "quantity", "year", "use.lifetime", "30 year"),
    _row("degradation", "degradation", "", "use.degradation", "0.7 %"),
)

#: The rows of each sheet, in order. Keys of stage rows are the product file's field names;
#: their descriptions are ``workbook_row`` of ``names.yaml``. The Product sheet ends with the
#: use-phase rows, under their own section title.
ROWS = {
    "product": (
        _row("id", "text", "", "product.id", "perc-gb-550-jiangsu"),
        _row("name", "text", "", "product.name", "PERC module 550 W"),
        _row("technology", "choice", "", "product.technology", "perc"),
        _row("rated_power", "quantity", "W", "product.rated_power", "550 W"),
        _row("area", "quantity", "m**2", "product.area", "2.583 m2 | 2278×1134 mm"),
        _row("dimensions", "text", "", "product.dimensions", "2278×1134 mm"),
        *USE_ROWS,
    ),
    "mg_silicon": (_SITE, _OUTPUT, _ELECTRICITY, _HEAT, _INSTRUMENTS),
    "polysilicon": (
        _SITE,
        _row("technology", "choice", "", "polysilicon.technology", "siemens"),
        _OUTPUT,
        _row("mg_silicon", "flow", "kg", "polysilicon.mg_silicon", "1.136 kg/kg"),
        _ELECTRICITY, _HEAT, _INSTRUMENTS,
    ),
    "ingot": (
        _SITE,
        _row("technology", "choice", "", "ingot.technology", "cz-p | cz-n"),
        _OUTPUT,
        _row("polysilicon", "flow", "kg", "ingot.polysilicon", "1.0204 kg/kg"),
        _ELECTRICITY, _HEAT, _INSTRUMENTS,
    ),
    "wafer": (
        _SITE,
        _row("technology", "choice", "", "wafer.technology", "m10 | g12 | g12r"),
        _OUTPUT,
        _row("wafer_area", "quantity", "cm**2", "wafer.wafer_area", "330.15 cm2"),
        _row("thickness", "quantity", "um", "wafer.thickness", "150 um"),
        _row("kerf", "quantity", "um", "wafer.kerf", "50 um"),
        _row("ingot_utilisation", "fraction", "", "wafer.ingot_utilisation", "93 %"),
        _row("yield", "fraction", "", "wafer.yield", "97 %"),
        _row("wafer_mass", "check", "g", "wafer.wafer_mass", "11.5 g"),
        _row("silicon_input", "check", "kg", "wafer.silicon_input", "0.0165 kg/piece"),
        _ELECTRICITY, _HEAT, _INSTRUMENTS,
    ),
    "cell": (
        _SITE,
        _row("technology", "choice", "", "cell.technology", "perc"),
        _OUTPUT,
        _row("efficiency", "fraction", "", "cell.efficiency", "23.0 %"),
        _row("yield", "fraction", "", "cell.yield", "98 %"),
        _ELECTRICITY, _HEAT, _INSTRUMENTS,
    ),
    "module": (
        _SITE,
        _row("technology", "choice", "", "module.technology", "glass-backsheet"),
        _OUTPUT,
        _row("cells", "count", "piece", "module.cells", "144"),
        _row("cells_per_wafer", "count", "", "module.cells_per_wafer", "2"),
        _row("yield", "fraction", "", "module.yield", "97 %"),
        _ELECTRICITY, _HEAT, _INSTRUMENTS,
    ),
}

#: Empty rows left for materials and direct emissions of each stage sheet; users may add more.
MATERIAL_ROWS = 8
EMISSION_ROWS = 3
SECTION_TITLES = {key: (words["en"], words["zh"]) for key, words in names("section").items()}

#: Suggested source descriptions, English then Chinese (the cell accepts any text).
SOURCE_SUGGESTIONS = tuple(words["en"] if words["en"] == words["zh"] else f"{words['en']} {words['zh']}"
                           for words in names("workbook_source").values())

#: Units spelled in Chinese, read as these pint expressions. Replaced longest first, so that
#: 万千瓦时 is not read as 万 + 千瓦时. 度 is the everyday word for kWh (度电).
CHINESE_UNITS = {
    "万千瓦时": "(10000*kWh)",
    "万度": "(10000*kWh)",
    "万吨": "(10000*t)",
    "千瓦时": "kWh",
    "兆瓦时": "MWh",
    "度": "kWh",
    "吉焦": "GJ",
    "兆焦": "MJ",
    "吨": "t",
    "千克": "kg",
    "公斤": "kg",
    "克": "g",
    "万片": "(10000*piece)",
    "片": "piece",
    "块": "piece",
    "个": "piece",
    "平方米": "m2",
    "平方厘米": "cm2",
    "平方毫米": "mm2",
    "微米": "um",
    "毫米": "mm",
    "兆瓦": "MW",
    "千瓦": "kW",
    "瓦": "W",
    "年": "year",
    "小时": "hour",
}


def stage_rows(sheet):
    """The fixed rows of a sheet (``product`` or a stage)."""
    return ROWS[sheet]


def sheet_title(sheet, lang):
    """The title of a sheet in a language (``zh``, ``en`` or ``both``); at most 31 characters."""
    titles = SHEET_TITLES[sheet]
    return titles[lang] if lang in titles else f"{titles['en']} {titles['zh']}"


def label(words, lang):
    """An (English, Chinese) pair, or an {"en": ..., "zh": ...} entry of ``names.yaml``, as shown in a language."""
    en, zh = (words["en"], words["zh"]) if isinstance(words, dict) else words
    return {"en": en, "zh": zh}.get(lang, f"{zh} {en}")



@dataclass
class Problem:
    """One problem found in a workbook: where, what was seen, what was expected."""

    severity: str  # "error" or "warning"
    file: str
    sheet: str
    cell: str
    value: str
    message: str
    item: str = ""  # the row's item (parameter, material or gas), if any

    def __str__(self):
        place = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        place += f" ({self.item})" if self.item else ""
        seen = f"got {self.value}; " if self.value else ""
        return f"{self.file}: {place}: {seen}{self.message}"


@dataclass
class WorkbookProduct(ProductSpec):
    """A product read from one or more workbooks: a ProductSpec with where each value came from.

    ``sources`` maps a product-file path (``stages.wafer.thickness``) to a description of
    the figure (cell, how it was derived, period, site, source and note columns); ``notes``
    maps a block (``product``, ``stages.wafer``) to the comment lines of its sheet's note
    rows and of rows left blank that carry a period, source or note; ``warnings`` lists the
    problems that did not stop the import; ``data`` is the product file as a plain dict.
    """

    sources: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)

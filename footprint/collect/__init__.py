"""Excel data collection: templates that manufacturers fill in, and their validated import.

A workbook made by :func:`write_template` has an instructions sheet, a ``Product`` sheet and
one sheet per stage (``MG silicon`` ... ``Module``). Each stage sheet is a table of rows:
the item (a parameter of the product model, a material or a gas), its value and unit, the
period and site the figure belongs to, and where the figure comes from. A value is given
either per reference unit of the stage (``66.5 kWh/kg``, ``0.033 kWh/piece``,
``17.7 kWh/m2``) or as a total over a period (``12 000 MWh`` in ``2024``), which is divided
by the stage's production output of the same period.

:func:`read_workbook` reads a filled workbook back and checks everything before anything
is used: every problem found is reported at once with its sheet and cell, and nothing is
imported while any error remains (see :mod:`footprint.collect.importer`). The result is a
:class:`WorkbookProduct`, the same :class:`~footprint.model.spec.ProductSpec` a YAML
product file gives, so ``footprint calc data.xlsx`` and ``footprint calc product.yaml``
compute the same thing.

This module holds what the template and the import share: the version, the sheet and
column names in Chinese and English, and the rows of each sheet.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from footprint.model.spec import STAGES, ProductSpec
from footprint.units import Quantity

#: Written into every template (hidden sheet ``_footprint``) and checked on import. Bump it
#: when a change to the layout would make an older import misread a newer workbook.
TEMPLATE_FORMAT = "footprint-workbook"
TEMPLATE_VERSION = 1
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

LANGUAGES = ("zh", "en", "both")

#: Sheet titles per language. The import recognises a sheet by any of its titles.
SHEET_TITLES = {
    "instructions": {"en": "Instructions", "zh": "填写说明"},
    "product": {"en": "Product", "zh": "产品"},
    "mg_silicon": {"en": "MG silicon", "zh": "工业硅"},
    "polysilicon": {"en": "Polysilicon", "zh": "多晶硅"},
    "ingot": {"en": "Ingot", "zh": "硅棒"},
    "wafer": {"en": "Wafer", "zh": "硅片"},
    "cell": {"en": "Cell", "zh": "电池片"},
    "module": {"en": "Module", "zh": "组件"},
}

#: Columns of every data sheet: role -> (English, Chinese). The import finds each column by
#: its header, so a column moved or inserted by the user does not shift the others.
COLUMNS = {
    "item": ("Item", "项目"),
    "description": ("Description", "说明"),
    "value": ("Value", "数值"),
    "unit": ("Unit", "单位"),
    "period": ("Period", "统计期"),
    "site": ("Site", "地点"),
    "source": ("Source of the figure", "数据来源"),
    "note": ("Note", "备注"),
    "example": ("Example", "示例"),
    "default": ("Default if blank", "空白时默认值"),
}
#: Columns the user fills in (unlocked in the protected sheet).
INPUT_COLUMNS = ("value", "unit", "period", "site", "source", "note")


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
    """

    key: str
    kind: str
    unit: str
    en: str
    zh: str
    example: str = ""


_SITE = Row("site", "site", "", "Site of the stage (province or country)", "生产地点（省份或国家）", "CN-JS")
_OUTPUT = Row("output", "output", "", "Production output in the period (needed when figures are totals)",
              "统计期内产量（填写总量时必填）", "")
_ELECTRICITY = Row("electricity", "flow", "kWh", "Electricity used: per unit, or total in the period",
                   "用电量：单位产品用量，或统计期总量", "")
_HEAT = Row("heat", "flow", "MJ", "Heat from natural gas: per unit, or total in the period",
            "天然气供热：单位产品用量，或统计期总量", "")

#: The rows of each sheet, in order. Keys of stage rows are the product file's field names.
ROWS = {
    "product": (
        Row("id", "text", "", "Product id (letters, digits, '-', '_', '.')", "产品编号（字母、数字、- _ .）",
            "perc-gb-550-jiangsu"),
        Row("name", "text", "", "Product name", "产品名称", "PERC module 550 W"),
        Row("technology", "choice", "", "Cell technology of the module", "组件电池技术", "perc"),
        Row("rated_power", "quantity", "W", "Rated power at STC (nameplate)", "标称功率（STC）", "550 W"),
        Row("area", "quantity", "m**2", "Module area (length x width)", "组件面积（长×宽）", "2.583 m2"),
    ),
    "mg_silicon": (_SITE, _OUTPUT, _ELECTRICITY, _HEAT),
    "polysilicon": (
        _SITE,
        Row("technology", "choice", "", "Process route (siemens or fbr)", "工艺路线（改良西门子法或流化床法）", "siemens"),
        _OUTPUT,
        Row("mg_silicon", "flow", "kg", "Metallurgical silicon used: per kg, or total in the period",
            "工业硅消耗：每千克多晶硅用量，或统计期总量", "1.136 kg/kg"),
        _ELECTRICITY, _HEAT,
    ),
    "ingot": (
        _SITE,
        _OUTPUT,
        Row("polysilicon", "flow", "kg", "Polysilicon used: per kg of ingot, or total in the period",
            "多晶硅消耗：每千克硅棒用量，或统计期总量", "1.0204 kg/kg"),
        _ELECTRICITY, _HEAT,
    ),
    "wafer": (
        _SITE,
        _OUTPUT,
        Row("wafer_area", "quantity", "cm**2", "Area of one wafer", "单片硅片面积", "330.15 cm2"),
        Row("thickness", "quantity", "um", "Wafer thickness (as cut)", "硅片厚度（切割后）", "150 um"),
        Row("kerf", "quantity", "um", "Kerf loss of the wire saw", "金刚线切割锯缝损耗", "50 um"),
        Row("ingot_utilisation", "fraction", "", "Ingot utilisation (squaring, top and tail losses)",
            "硅棒利用率（开方、头尾损失）", "93 %"),
        Row("yield", "fraction", "", "Wafer yield (sawing and cleaning)", "硅片良率（切片、清洗）", "97 %"),
        Row("wafer_mass", "check", "g", "Mass of one wafer (used only to check the geometry)",
            "单片硅片重量（仅用于校验）", "11.5 g"),
        Row("silicon_input", "check", "kg", "Ingot silicon used: per wafer, or total (only to check)",
            "硅棒消耗：每片用量或统计期总量（仅用于校验）", "0.0165 kg/piece"),
        _ELECTRICITY, _HEAT,
    ),
    "cell": (
        _SITE,
        Row("technology", "choice", "", "Cell technology (blank: the product's)", "电池技术（空白则同产品）", "perc"),
        _OUTPUT,
        Row("efficiency", "fraction", "", "Cell efficiency at STC", "电池转换效率（STC）", "23.0 %"),
        Row("yield", "fraction", "", "Cell yield", "电池良率", "98 %"),
        _ELECTRICITY, _HEAT,
    ),
    "module": (
        _SITE,
        Row("technology", "choice", "", "Module type: glass-backsheet or glass-glass (required)", "组件类型：玻璃-背板或双玻（必填）",
            "glass-backsheet"),
        _OUTPUT,
        Row("cells", "count", "piece", "Cells in one module (half cells count one each)", "每块组件电池片数（半片各计一片）",
            "144"),
        Row("cells_per_wafer", "count", "", "Cells cut from one wafer (2 for half cells)", "每片硅片切出的电池数（半片为2）", "2"),
        Row("yield", "fraction", "", "Module yield (stringing, lamination)", "组件良率（串焊、层压）", "97 %"),
        _ELECTRICITY, _HEAT,
    ),
}

#: Empty rows left for materials and direct emissions of each stage sheet; users may add more.
MATERIAL_ROWS = 8
EMISSION_ROWS = 3
SECTION_TITLES = {
    "materials": ("Materials (pick from the list; amount per unit, or total in the period)",
                  "材料（从列表选择；单位产品用量，或统计期总量）"),
    "emissions": ("Direct emissions at the site (pick the gas)", "厂内直接排放（选择气体）"),
}

#: Suggested source descriptions (the cell accepts any text).
SOURCE_SUGGESTIONS = (
    "meter reading 电表/仪表读数",
    "invoice 发票",
    "ERP / MES",
    "production report 生产报表",
    "supplier declaration 供应商声明",
    "datasheet 规格书",
    "engineering estimate 工程估算",
)

#: Units spelled in Chinese, read as these pint expressions. Replaced longest first, so that
#: 万千瓦时 is not read as 万 + 千瓦时. 度 is the everyday word for kWh (度电).
CHINESE_UNITS = {
    "万千瓦时": "(10000*kWh)",
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
}


def stage_rows(sheet):
    """The fixed rows of a sheet (``product`` or a stage)."""
    return ROWS[sheet]


def sheet_title(sheet, lang):
    """The title of a sheet in a language (``zh``, ``en`` or ``both``); at most 31 characters."""
    titles = SHEET_TITLES[sheet]
    return titles[lang] if lang in titles else f"{titles['en']} {titles['zh']}"


def label(pair, lang):
    """An (English, Chinese) pair as shown in a language."""
    en, zh = pair
    return {"en": en, "zh": zh}.get(lang, f"{zh} {en}")


def short_source(source):
    """The first part of a source, up to its first comma outside brackets (author or body)."""
    depth = 0
    for index, char in enumerate(source):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            return source[:index].strip()
    return source.strip()


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
    the figure (cell, period, source column); ``warnings`` lists the problems that did not
    stop the import; ``data`` is the product file as a plain dict.
    """

    sources: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    data: dict = field(default_factory=dict)


def write_template(path, *, stage="all", lang="both", overwrite=False):
    """Write a data-collection workbook; see :func:`footprint.collect.template.write_template`."""
    from footprint.collect.template import write_template as _write

    return _write(path, stage=stage, lang=lang, overwrite=overwrite)


def read_workbook(*paths):
    """Read, check and import filled workbooks into one product.

    Parameters
    ----------
    *paths : str or Path
        One full-chain workbook, or several (one per supplier stage) that together hold
        the product sheet and every stage.

    Returns
    -------
    WorkbookProduct

    Raises
    ------
    footprint.collect.importer.WorkbookError
        Listing every error found (sheet, cell, value, what was expected); nothing is
        imported.
    """
    from footprint.collect.importer import read_workbooks

    return read_workbooks(paths)


def check_workbook(*paths):
    """Check the sheets of filled workbooks without requiring the whole product.

    For a supplier who filled in one stage: the same checks as :func:`read_workbook`, but
    a missing product sheet or stage is not an error.

    Returns
    -------
    list of Problem
        The warnings.

    Raises
    ------
    footprint.collect.importer.WorkbookError
        Listing every error found.
    """
    from footprint.collect.importer import read_workbooks

    return read_workbooks(paths, check_only=True)


def is_workbook(path):
    """True if ``path`` names an Excel file by its suffix or starts like one (zip or OLE)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xls", ".xlsb"):
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head.startswith(b"PK\x03\x04") or head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_any(path, *, warn=None):
    """Read a product from a YAML product file or an Excel workbook.

    Parameters
    ----------
    path : str or Path
    warn : callable, optional
        Called with each warning line of a workbook import; by default warnings go through
        :func:`warnings.warn` as :class:`WorkbookWarning`.

    Returns
    -------
    footprint.model.spec.ProductSpec
    """
    if not is_workbook(path):
        from footprint.model.spec import read_product

        return read_product(path)
    product = read_workbook(path)
    for problem in product.warnings:
        if warn is None:
            import warnings

            warnings.warn(str(problem), WorkbookWarning, stacklevel=2)
        else:
            warn(str(problem))
    return product


class WorkbookWarning(UserWarning):
    """A value of a workbook that was imported but looks wrong (outlier, ambiguous unit)."""


def write_product_yaml(product, path=None):
    """Write an imported product as a product YAML file, each value commented with its cell.

    Parameters
    ----------
    product : WorkbookProduct
    path : str or Path, optional
        Where to write; ``None`` returns the text only.

    Returns
    -------
    str
        The YAML text; reading it with :func:`footprint.model.read_product` gives the same
        product.
    """
    text = product_yaml(product)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


#: How each unit is written in the product YAML (pint parses each back to the same unit).
_UNIT_TEXT = {"m**2": "m2", "cm**2": "cm2", "W": "W", "um": "um", "kg": "kg", "piece": "piece", "g": "g"}


def _unit_text(unit):
    """``kWh/m**2`` -> ``kWh/m2``: a unit expression as written in the YAML file."""
    return "/".join(_UNIT_TEXT.get(part, part) for part in unit.split("/"))


def yaml_quantity(quantity, unit=None):
    """A quantity as the YAML file's "number unit" text, in ``unit`` (default: its own)."""
    if unit is None:
        return f"{float(quantity.magnitude)!r} {quantity.units:~C}".replace("**", "").strip()
    magnitude = float(quantity.to(unit).magnitude)
    number = str(int(magnitude)) if magnitude.is_integer() and abs(magnitude) < 1e15 else repr(magnitude)
    return f"{number} {_unit_text(unit)}".strip()


def _yaml_scalar(value):
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def yaml_text(data, sources, header):
    """The product as YAML, each value followed by a comment naming its cell and source."""

    def comment(path):
        text = sources.get(path, "")
        return f"  # {' '.join(text.split())}" if text else ""

    lines = [f"# {' '.join(header.split())}", f"format: {data['format']}", "product:"]
    for key, value in data["product"].items():
        value = yaml_quantity(value) if isinstance(value, Quantity) else value
        lines.append(f"  {key}: {_yaml_scalar(value)}{comment(f'product.{key}')}")
    lines.append("stages:")
    for stage, fields in data["stages"].items():
        lines.append(f"  {stage}:")
        for key, value in fields.items():
            if isinstance(value, dict):
                lines.append(f"    {key}:")
                for item, amount in value.items():
                    lines.append(f"      {item}: {_yaml_scalar(amount)}{comment(f'stages.{stage}.{key}.{item}')}")
            else:
                value = yaml_quantity(value) if isinstance(value, Quantity) else value
                lines.append(f"    {key}: {_yaml_scalar(value)}{comment(f'stages.{stage}.{key}')}")
    return "\n".join(lines) + "\n"


def product_yaml(product):
    """The YAML text of an imported product (see :func:`write_product_yaml`)."""
    from footprint import __version__

    return yaml_text(product.data, product.sources, f"Imported from {product.source} by footprint {__version__}")


__all__ = [
    "COLUMNS", "LANGUAGES", "MAX_FILE_BYTES", "MAX_SHEET_BYTES", "ROWS", "STAGES", "TEMPLATE_VERSION", "Problem", "Row",
    "WorkbookProduct", "WorkbookWarning", "check_workbook", "is_workbook", "read_any", "read_workbook", "write_product_yaml",
    "write_template",
]

"""The layout of the data-collection workbook, shared by the template and the import.

The version, the sheet and column names in Chinese and English, the rows of each sheet,
the size limits, the units spelled in Chinese, and the :class:`Problem` and
:class:`WorkbookProduct` types the import returns.
"""

from dataclasses import dataclass, field

from footprint.i18n import names
from footprint.model.spec import ProductSpec
from footprint.vocab import LANGS, STAGES  # noqa: F401  (STAGES: the sheets after Product)

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

LANGUAGES = LANGS

#: Sheet titles per language. The import recognises a sheet by any of its titles.
SHEET_TITLES = names("sheet")

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
SECTION_TITLES = {key: (words["en"], words["zh"]) for key, words in names("section").items()}

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

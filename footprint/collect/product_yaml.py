"""The product YAML file written from an imported workbook, each value commented with its cell.

Numbers are written as people typed them: a value the import did not convert keeps its
digits, and a converted one (a total divided by the output, MWh/t in kWh/kg) is written with
15 significant digits, the precision Excel itself keeps, so that float noise
(``6.959999999999999``) never reaches the file. The comments keep what only the workbook
knows: the cell, how a value was derived, its period, site, source and note, the sheets'
note rows, and the notes of rows left blank.
"""

import json
import os
import unicodedata
from pathlib import Path

from footprint.fileio import atomic_write
from footprint.units import Quantity, unit_text

#: Significant digits of a converted number: those Excel keeps, so no digit the user saw is lost.
SIGNIFICANT_DIGITS = 15


def write_product_yaml(product, path=None):
    """Write an imported product as a product YAML file, each value commented with its cell.

    Parameters
    ----------
    product : WorkbookProduct
    path : str or Path, optional
        Where to write; ``None`` returns the text only. A site electricity file named in the
        workbook is written relative to this file's folder.

    Returns
    -------
    str
        The YAML text; reading it with :func:`footprint.model.read_product` gives the same
        product.
    """
    text = product_yaml(product, base=Path(path).resolve().parent if path is not None else None)
    if path is not None:
        atomic_write(Path(path), text)
    return text


def number_text(magnitude):
    """A number as the product file writes it: whole numbers without a decimal point, others
    with at most :data:`SIGNIFICANT_DIGITS` significant digits (``0.033``, not ``0.033000000000000004``)."""
    value = float(magnitude)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.{SIGNIFICANT_DIGITS}g}"


def yaml_quantity(quantity, unit=None):
    """A quantity as the YAML file's "number unit" text, in ``unit`` (default: its own)."""
    if unit is None:
        return f"{number_text(quantity.magnitude)} {unit_text(quantity.units)}".strip()
    return f"{number_text(quantity.to(unit).magnitude)} {unit_text(unit)}".strip()


def _yaml_scalar(value):
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return number_text(value)
    return repr(value)


def _relative(path, base):
    """A file path as written in the product file: relative to its folder where it can be."""
    if base is None:
        return path
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive (Windows): only an absolute path reaches it
        return path


def yaml_text(data, sources, header, *, notes=None, base=None):
    """The product as YAML, each value followed by a comment naming its cell and source.

    Parameters
    ----------
    data : dict
        The product file as a plain dict (``format``, ``product``, ``use``, ``stages``, ``uncertainty``).
    sources : dict
        Product-file path -> description of the figure, written as the value's comment.
    header : str
        The first comment line.
    notes : dict, optional
        Block (``product``, ``stages.wafer``) -> comment lines written at the block's start.
    base : Path, optional
        The folder the file is written to: file paths (``electricity_instruments``) are
        written relative to it; ``None`` keeps them as they are.
    """
    notes = notes or {}

    def comment(path):
        text = sources.get(path, "")
        return f"  # {_one_line(text)}" if text else ""

    def block_notes(block, indent):
        return [f"{indent}# {_one_line(line)}" for line in notes.get(block, ())]

    lines = [f"# {_one_line(header)}", f"format: {data['format']}", "product:", *block_notes("product", "  ")]
    for key, value in data["product"].items():
        value = yaml_quantity(value) if isinstance(value, Quantity) else value
        lines.append(f"  {key}: {_yaml_scalar(value)}{comment(f'product.{key}')}")
    if data.get("use"):
        lines.append("use:")
        for key, value in data["use"].items():
            lines.append(f"  {key}: {_yaml_scalar(value)}{comment(f'use.{key}')}")
    lines.append("stages:")
    for stage, fields in data["stages"].items():
        lines.append(f"  {stage}:")
        lines += block_notes(f"stages.{stage}", "    ")
        for key, value in fields.items():
            if isinstance(value, dict):
                lines.append(f"    {key}:")
                for item, amount in value.items():
                    lines.append(f"      {item}: {_yaml_scalar(amount)}{comment(f'stages.{stage}.{key}.{item}')}")
                continue
            if key == "electricity_instruments":
                value = _relative(value, base)
            value = yaml_quantity(value) if isinstance(value, Quantity) else value
            lines.append(f"    {key}: {_yaml_scalar(value)}{comment(f'stages.{stage}.{key}')}")
    figures = (data.get("uncertainty") or {}).get("figures") or {}
    if figures:
        # the Data quality column: each figure's kind of source or pedigree scores (docs/uncertainty.md)
        lines += ["uncertainty:", "  figures:"]
        for path, entry in figures.items():
            value = f"{{quality: {_yaml_scalar(entry['quality'])}}}" if isinstance(entry, dict) else _yaml_scalar(entry)
            lines.append(f"    {path}: {value}")
    return "\n".join(lines) + "\n"


def _one_line(text):
    """A comment's text on one line: line breaks, runs of spaces and control characters as one space.

    YAML refuses control characters even in a comment, and a line break would end it.
    """
    text = "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in str(text))
    return " ".join(text.split())


def product_yaml(product, *, base=None):
    """The YAML text of an imported product (see :func:`write_product_yaml`)."""
    from footprint._version import __version__

    return yaml_text(product.data, product.sources, f"Imported from {product.source} by footprint {__version__}",
                     notes=getattr(product, "notes", None), base=base)

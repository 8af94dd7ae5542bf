"""The product YAML file written from an imported workbook, each value commented with its cell."""

import json
from pathlib import Path

from footprint.fileio import atomic_write
from footprint.units import Quantity, unit_text


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
        atomic_write(Path(path), text)
    return text




def yaml_quantity(quantity, unit=None):
    """A quantity as the YAML file's "number unit" text, in ``unit`` (default: its own)."""
    if unit is None:
        return f"{float(quantity.magnitude)!r} {quantity.units:~C}".replace("**", "").strip()
    magnitude = float(quantity.to(unit).magnitude)
    number = str(int(magnitude)) if magnitude.is_integer() and abs(magnitude) < 1e15 else repr(magnitude)
    return f"{number} {unit_text(unit)}".strip()


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
    from footprint._version import __version__

    return yaml_text(product.data, product.sources, f"Imported from {product.source} by footprint {__version__}")

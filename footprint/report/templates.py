"""The report's templates: the jinja2 environment (the user's folder first), its filters, its strings."""

from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from footprint.errors import InputError, OptionError
from footprint.i18n import parse_strings
from footprint.resources import data_dir


def environment(template_dir=None):
    """The jinja2 environment: autoescaping, the user's templates first, then the bundled ones."""
    loaders = []
    if template_dir is not None:
        directory = Path(template_dir)
        if not directory.is_dir():
            raise OptionError("template", f"{directory}: not a directory; expected a folder of templates (report.html.j2, label.svg.j2, ...)")
        loaders.append(jinja2.FileSystemLoader(str(directory)))
    loaders.append(jinja2.FileSystemLoader(str(data_dir("report_templates"))))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = num
    env.filters["pct"] = lambda value: "—" if value is None else f"{value:.1%}"
    return env


def read_strings(env):
    """The report's text in each language, from ``strings.yaml`` (the user's copy wins)."""
    source, filename, _ = env.loader.get_source(env, "strings.yaml")
    return parse_strings(source, filename)


def render_template(env, render):
    """Run a render call; a template error becomes one InputError line naming file and line."""
    try:
        return render()
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"template {exc.filename or exc.name}: line {exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise InputError(f"template {exc.name}: not found in the template folder or the bundled report_templates/") from exc
    except jinja2.UndefinedError as exc:
        raise InputError(f"template: {exc.message}; the report context has no such field (see docs/labels-and-reports.md)") from exc


def bilingual(mapping, lang):
    if lang == "both":
        return Markup(f'<span lang="zh-CN">{escape(mapping.get("zh", ""))}</span><span class="alt" lang="en">{escape(mapping.get("en", ""))}</span>')
    return mapping.get(lang) or mapping.get("en", "")


def num(value, digits=3):
    """A number for people: significant digits, thousands separators, "—" when missing."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if value == 0:
        return "0"
    magnitude = abs(value)
    decimals = max(0, digits - len(str(int(magnitude)))) if magnitude >= 1 else digits + max(0, -int(f"{magnitude:e}".split("e")[1]) - 1)
    shown = f"{value:,.{min(decimals, 8)}f}"
    # no trailing zeros after the point: 0.93 not 0.9300, 144 not 144.0 (the digits shown are significant)
    return shown.rstrip("0").rstrip(".") if "." in shown else shown

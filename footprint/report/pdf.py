"""HTML to PDF with WeasyPrint, and what to install when its system libraries are missing.

WeasyPrint is pure Python but lays out text with Pango (a system library). On Debian or
Ubuntu: ``scripts/install-system-deps.sh`` installs Pango and a CJK font (Noto Sans CJK),
so Chinese reports render with real glyphs instead of empty boxes.
"""

import logging
import shutil
import subprocess

from footprint.errors import SetupError

#: Debian/Ubuntu packages the PDF output needs (see scripts/install-system-deps.sh).
SYSTEM_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fontconfig", "fonts-noto-cjk")
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei")
HINT = "run scripts/install-system-deps.sh (Debian/Ubuntu: apt-get install " + " ".join(SYSTEM_PACKAGES) + ")"


def weasyprint():
    """Import WeasyPrint, or raise SetupError naming the system packages to install."""
    try:
        import weasyprint as module
    except (ImportError, OSError) as exc:
        raise SetupError(f"PDF output: WeasyPrint cannot load its system libraries ({str(exc).splitlines()[0]}); {HINT}") from exc
    # WeasyPrint warns on every CSS property it ignores; the report's CSS is tested, keep stderr clean.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return module


def pdf_unavailable_reason():
    """None if PDF output works here, else a one-line reason (used by tests to skip)."""
    try:
        weasyprint()
    except SetupError as exc:
        return str(exc)
    return None


def cjk_font():
    """The family name of an installed CJK font, or None (fontconfig's ``fc-list``)."""
    if not shutil.which("fc-list"):
        return None
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for family in CJK_FAMILIES:
        if family in listed:
            return family
    return None


def html_to_pdf(html, *, base_url=None, target=None):
    """Render an HTML string to PDF.

    Parameters
    ----------
    html : str
    base_url : str, optional
        Where relative URLs (CSS, images) resolve.
    target : str or Path, optional
        Write the PDF there; otherwise return its bytes.
    """
    module = weasyprint()
    document = module.HTML(string=html, base_url=base_url)
    return document.write_pdf(target)

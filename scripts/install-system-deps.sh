#!/bin/sh
# System libraries for the PDF report and label PNG (WeasyPrint needs Pango) and a CJK font,
# so Chinese text renders with real glyphs. Debian/Ubuntu only; safe to repeat: apt-get runs
# only when a package is missing. Other systems: install Pango >= 1.44 and a CJK font
# (Noto Sans CJK SC or WenQuanYi Micro Hei) with the system's package manager.
set -eu
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk"

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: not a Debian/Ubuntu system; install Pango and a CJK font yourself ($PACKAGES)" >&2
    exit 0
fi
missing=""
for package in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
if [ -z "$missing" ]; then
    echo "install-system-deps: all present ($PACKAGES)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-system-deps: missing:$missing; run as root: apt-get install$missing" >&2
        exit 1
    fi
fi
echo "install-system-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing

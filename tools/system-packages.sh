#!/bin/sh
# Install the Debian packages PDF output needs (the fonts, and fontconfig, Pango and HarfBuzz's
# subsetter for WeasyPrint), listed once in plandoc/data/fonts.toml.  As root: apt-get.
# Otherwise: say which are missing and how to install them.
# Usage: tools/system-packages.sh [PYTHON]   (a Python 3.11+ to read the list; default python3)
set -eu
cd "$(dirname "$0")/.."
PYTHON="${1:-python3}"
PACKAGES="$("$PYTHON" -c 'import tomllib; print(" ".join(tomllib.load(open("plandoc/data/fonts.toml", "rb"))["packages"]))')"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "plandoc needs these Debian packages (or your system's equivalents):$missing" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  echo "installing:$missing" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
else
  echo "plandoc needs these packages for PDF output; run as root:" >&2
  echo "  apt-get install$missing" >&2
fi

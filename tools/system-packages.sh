#!/bin/sh
# Install the Debian packages PDF output needs (the fonts, and fontconfig, Pango and HarfBuzz's
# subsetter for WeasyPrint), listed once in plandoc/data/fonts.toml.  As root: apt-get.
# Otherwise: say which are missing and how to install them.  Then the Fandol fonts.
# Usage: tools/system-packages.sh [PYTHON]   (a Python 3.11+ to read the list; default python3)
set -eu
cd "$(dirname "$0")/.."
PYTHON="${1:-python3}"
PACKAGES="$("$PYTHON" -c 'import tomllib; print(" ".join(tomllib.load(open("plandoc/data/fonts.toml", "rb"))["packages"]))')"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  :
elif ! command -v apt-get >/dev/null 2>&1; then
  echo "plandoc needs these Debian packages (or your system's equivalents):$missing" >&2
elif [ "$(id -u)" = 0 ]; then
  echo "installing:$missing" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
else
  echo "plandoc needs these packages for PDF output; run as root:" >&2
  echo "  apt-get install$missing" >&2
fi

# Fandol, taken out of its TeX package (see [extract] in plandoc/data/fonts.toml) into a fonts
# folder fontconfig reads: the system's for root, the user's otherwise.  No root is needed to
# download a package; only to refresh the package lists.
EXTRACT="$("$PYTHON" -c 'import tomllib; e = tomllib.load(open("plandoc/data/fonts.toml", "rb"))["extract"]; print(e["package"], e["folder"], *e["files"])')"
set -- $EXTRACT
package="$1"; folder="$2"; shift 2
if [ "$(id -u)" = 0 ]; then target=/usr/local/share/fonts/plandoc; else target="${XDG_DATA_HOME:-$HOME/.local/share}/fonts/plandoc"; fi
have=yes
for f in "$@"; do [ -f "$target/$f" ] || have=no; done
[ "$have" = yes ] && exit 0
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "for the 仿宋 of GB/T 9704 in PDFs, put the Fandol fonts ($*) into $target" >&2
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "taking the Fandol fonts out of $package into $target" >&2
if ! (cd "$work" && apt-get download -q "$package" >/dev/null 2>&1); then
  [ "$(id -u)" = 0 ] && apt-get update -q >/dev/null
  (cd "$work" && apt-get download -q "$package" >/dev/null 2>&1) || {
    echo "could not download $package; PDFs fall back to Noto Serif CJK for 仿宋" >&2; exit 0; }
fi
dpkg-deb -x "$work"/"$package"_*.deb "$work/x"
mkdir -p "$target"
for f in "$@"; do cp "$work/x/$folder/$f" "$target/$f"; done
fc-cache -f "$target" >/dev/null 2>&1 || true

#!/bin/sh
# Install the Debian packages PDF output needs (fonts, HarfBuzz's subsetter), listed once in
# parser/data/fonts.toml, plus any packages given as arguments.  As root: apt-get.  Otherwise:
# say which are missing and how to install them.
set -eu
cd "$(dirname "$0")/.."
PACKAGES="$(python3 -c 'import tomllib; print(" ".join(tomllib.load(open("parser/data/fonts.toml", "rb"))["packages"]))') $*"
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

#!/usr/bin/env bash
# Checks the system libraries WeasyPrint needs; installs them with apt-get
# when running as root on Debian/Ubuntu, otherwise says what to install.
set -u

required=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1)
# chromium runs axe-core on the HTML twin; default-jre-headless runs the Nu HTML checker (vnu-jar).
optional=(libharfbuzz-subset0 poppler-utils chromium default-jre-headless)

missing() {
  local out=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || out+=("$pkg")
  done
  echo "${out[@]:-}"
}

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian-like system; make sure Pango >= 1.44 and HarfBuzz are installed (reportgen doctor checks)."
  exit 0
fi

need=$(missing "${required[@]}")
want=$(missing "${optional[@]}")
todo="$need $want"
if [ -n "${todo// /}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing ${todo}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $todo; } >/dev/null 2>&1 \
      || echo "system-deps: apt-get could not install: ${todo}"
  else
    echo "system-deps: please install: sudo apt-get install ${todo}"
  fi
fi

need=$(missing "${required[@]}")
if [ -n "${need// /}" ]; then
  echo "system-deps: WeasyPrint cannot run without: ${need}"
  echo "             install them with: sudo apt-get install ${need}"
  exit 1
fi
exit 0

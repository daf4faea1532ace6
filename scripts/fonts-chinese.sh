#!/usr/bin/env bash
# Install the optional Chinese font pack (Noto Sans SC, SIL OFL 1.1) into templates/base/fonts/chinese/,
# from the PyPI package that ships it, and check it against the sha256 reportgen pins.
set -euo pipefail
PY="${PY:-.venv/bin/python}"
read -r file sha package < <("$PY" -c "from reportgen.inputs.fonts import PACKS; p = PACKS[0]; print(p.file, p.sha256, p.package)")
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$PY" -m pip download --quiet --disable-pip-version-check --no-deps --dest "$dir" "$package"
"$PY" -m zipfile -e "$dir"/*.whl "$dir/unpacked"
found="$(find "$dir/unpacked" -name "$file" | head -n 1)"
echo "$sha  $found" | sha256sum --check --quiet
cp "$found" "templates/base/fonts/chinese/$file"
echo "installed templates/base/fonts/chinese/$file (sha256 $sha)"

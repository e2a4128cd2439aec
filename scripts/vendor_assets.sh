#!/usr/bin/env bash
# Vendor pinned front-end libraries from the npm registry into Django static files.
#
#   scripts/vendor_assets.sh
#
# Installs exactly what package-lock.json pins (npm ci, lifecycle scripts disabled, so
# nothing downloads browsers or runs install hooks), then copies each library's minified
# dist files and its LICENSE into src/ruhui/web/static/vendor/<lib>-<version>/.
# The copied files are committed; node_modules/ is not. No CDN is ever used at runtime.
#
# To add a library: pin it with `npm install --save-exact --ignore-scripts <pkg>@<version>`,
# add a line to VENDOR below, run this script, and reference the file with {% static %}.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST_ROOT="$ROOT/src/ruhui/web/static/vendor"

# One line per library: "<npm package> <file inside the package> [<file> ...]".
# The LICENSE file is always copied as well.
VENDOR=(
  "htmx.org dist/htmx.min.js"
  "echarts dist/echarts.min.js"
)

cd "$ROOT"
npm ci --ignore-scripts --no-audit --no-fund

for entry in "${VENDOR[@]}"; do
  read -r -a parts <<<"$entry"
  pkg="${parts[0]}"
  src="$ROOT/node_modules/$pkg"
  version="$(node -p "require('$src/package.json').version")"
  dest="$DEST_ROOT/$pkg-$version"

  # Remove older vendored versions of this library so only the pinned one remains.
  find "$DEST_ROOT" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" ! -name "$pkg-$version" \
    -exec rm -rf {} + 2>/dev/null || true
  rm -rf "$dest"
  mkdir -p "$dest"

  for file in "${parts[@]:1}"; do
    cp "$src/$file" "$dest/$(basename "$file")"
  done

  license=""
  for candidate in LICENSE LICENSE.md LICENSE.txt license LICENCE; do
    if [[ -f "$src/$candidate" ]]; then license="$src/$candidate"; break; fi
  done
  if [[ -z "$license" ]]; then
    echo "error: no LICENSE file in $pkg@$version" >&2
    exit 1
  fi
  cp "$license" "$dest/LICENSE"

  echo "vendored $pkg@$version -> ${dest#"$ROOT"/}"
done

#!/bin/sh
# Vendor the NL Design System CSS into static/vendor/nlds/: the Utrecht component library
# (component classes and bare HTML elements) and the NL Design System's neutral example theme
# ("voorbeeld") as design tokens. Pinned versions, checked against their pinned integrity,
# fetched with npm from the npm registry; only the CSS and the licences are copied.
#
# Run it by hand to refresh the files (docs/operations.md), then commit them: the portal
# itself needs only Python, never npm. Usage: sh scripts/vendor_nlds.sh
set -eu

COMPONENTS="@utrecht/component-library-css@9.0.4"
COMPONENTS_INTEGRITY="sha512-gVA7D6GfP9/+fzehkYLSBR+0UPUTA97PZmgvTYQE88lPQhHGMlUk8FjmCpLKRsRC9hAYd32JuF/KzG6fmBfjJA=="
TOKENS="@nl-design-system-unstable/voorbeeld-design-tokens@7.4.1"
TOKENS_INTEGRITY="sha512-GNnapAn2mTIzXRcCvs0JMr4Bf9+ivUJ3zFBJLRT1SYpAYm2xPwptVxIM3k4WLJ0c59E9FfxsEBPJluGuAHUVvg=="

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET="$ROOT/static/vendor/nlds"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# fetch PACKAGE@VERSION INTEGRITY DIRECTORY: the package's tarball unpacked in DIRECTORY.
fetch() {
  mkdir -p "$WORK/$3"
  (cd "$WORK/$3" && npm pack --silent --json "$1" >pack.json)
  found=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[0].integrity)' \
    "$WORK/$3/pack.json")
  if [ "$found" != "$2" ]; then
    echo "$1: integrity $found is not the pinned $2" >&2
    exit 1
  fi
  tar -xzf "$WORK/$3"/*.tgz -C "$WORK/$3"
}

fetch "$COMPONENTS" "$COMPONENTS_INTEGRITY" components
fetch "$TOKENS" "$TOKENS_INTEGRITY" tokens

rm -rf "$TARGET"
mkdir -p "$TARGET/utrecht-component-library-css" "$TARGET/voorbeeld-design-tokens"
cp "$WORK/components/package/dist/index.css" "$WORK/components/package/dist/html.css" \
  "$WORK/components/package/LICENSE.md" "$TARGET/utrecht-component-library-css/"
cp "$WORK/tokens/package/dist/theme.css" "$WORK/tokens/package/LICENSE.md" \
  "$TARGET/voorbeeld-design-tokens/"
cat >"$TARGET/VERSIONS.txt" <<EOF
Vendored by scripts/vendor_nlds.sh from the npm registry; do not edit these files by hand.
$COMPONENTS $COMPONENTS_INTEGRITY (EUPL-1.2): index.css, html.css
$TOKENS $TOKENS_INTEGRITY (EUPL-1.2): theme.css
EOF
echo "NL Design System CSS vendored into $TARGET"

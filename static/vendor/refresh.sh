#!/usr/bin/env bash
# Re-vendor the front-end assets from npm (no CDN at run time). Idempotent: run it again and
# nothing changes unless a version below changes. `make vendor` calls it.
#
#   bash static/vendor/refresh.sh
#
# It fetches each package with `npm pack` into a temporary directory, copies the compiled files
# into static/vendor/<package>/ and rewrites static/vendor/VERSIONS.md with their checksums.
set -euo pipefail

NHSUK_FRONTEND_VERSION="10.6.1"
HTMX_VERSION="2.0.11"
AXE_CORE_VERSION="4.14.1"

VENDOR_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK_DIR="$(mktemp -d)"
trap 'rm -rf "$WORK_DIR"' EXIT

fetch() {
    # fetch <package> <version>: unpack the npm tarball into $WORK_DIR/<package>/package
    local name="$1" version="$2"
    mkdir -p "$WORK_DIR/$name"
    (cd "$WORK_DIR/$name" && npm pack --silent "$name@$version" >/dev/null)
    tar -xzf "$WORK_DIR/$name"/*.tgz -C "$WORK_DIR/$name"
}

strip_source_maps() {
    # The .map files are not vendored; a dangling sourceMappingURL makes Django's
    # ManifestStaticFilesStorage (collectstatic in production) fail.
    sed -i -E 's@/\*# sourceMappingURL=[^*]*\*/@@g; s@//# sourceMappingURL=.*$@@' "$@"
}

fetch nhsuk-frontend "$NHSUK_FRONTEND_VERSION"
fetch htmx.org "$HTMX_VERSION"
fetch axe-core "$AXE_CORE_VERSION"

# --- nhsuk-frontend: compiled CSS and JS (an ES module) and the assets folder ---------------
src="$WORK_DIR/nhsuk-frontend/package/dist/nhsuk"
dest="$VENDOR_DIR/nhsuk-frontend"
rm -rf "$dest"
mkdir -p "$dest"
cp "$src/nhsuk-frontend.min.css" "$src/nhsuk-frontend.min.js" "$dest/"
cp -R "$src/assets" "$dest/assets"
# The compiled CSS points at /assets/images/...; make those relative to the stylesheet so they
# resolve under STATIC_URL (static/vendor/nhsuk-frontend/assets/images/...).
sed -i 's@url(/assets/@url(assets/@g' "$dest/nhsuk-frontend.min.css"
strip_source_maps "$dest/nhsuk-frontend.min.css" "$dest/nhsuk-frontend.min.js"
if [ -f "$WORK_DIR/nhsuk-frontend/package/LICENSE" ]; then
    cp "$WORK_DIR/nhsuk-frontend/package/LICENSE" "$dest/LICENSE"
fi

# --- htmx ---------------------------------------------------------------------------------
dest="$VENDOR_DIR/htmx"
rm -rf "$dest"
mkdir -p "$dest"
cp "$WORK_DIR/htmx.org/package/dist/htmx.min.js" "$dest/"
cp "$WORK_DIR/htmx.org/package/LICENSE" "$dest/LICENSE"
strip_source_maps "$dest/htmx.min.js"

# --- axe-core (used by the browser tests) ---------------------------------------------------
dest="$VENDOR_DIR/axe-core"
rm -rf "$dest"
mkdir -p "$dest"
cp "$WORK_DIR/axe-core/package/axe.min.js" "$dest/"
cp "$WORK_DIR/axe-core/package/LICENSE" "$dest/LICENSE"
strip_source_maps "$dest/axe.min.js"

# --- VERSIONS.md ----------------------------------------------------------------------------
licence() {
    # licence <package>: the licence its package.json declares
    node -p "require('$WORK_DIR/$1/package/package.json').license"
}

checksums() {
    # checksums <dir>: one table row per file, sorted so the output is stable
    (cd "$VENDOR_DIR" && find "$1" -type f | LC_ALL=C sort | while read -r file; do
        printf '| `%s` | `%s` |\n' "$file" "$(sha256sum "$file" | cut -d' ' -f1)"
    done)
}

{
    echo "# Vendored front-end assets"
    echo
    echo "Written by \`static/vendor/refresh.sh\` (\`make vendor\`): do not edit by hand. To upgrade,"
    echo "change a version at the top of the script and run it again."
    echo
    echo "| package | version | from | licence |"
    echo "|---|---|---|---|"
    echo "| nhsuk-frontend | $NHSUK_FRONTEND_VERSION | \`npm pack nhsuk-frontend@$NHSUK_FRONTEND_VERSION\`, \`dist/nhsuk/\` | $(licence nhsuk-frontend) |"
    echo "| htmx.org | $HTMX_VERSION | \`npm pack htmx.org@$HTMX_VERSION\`, \`dist/htmx.min.js\` | $(licence htmx.org) |"
    echo "| axe-core | $AXE_CORE_VERSION | \`npm pack axe-core@$AXE_CORE_VERSION\`, \`axe.min.js\` (tests only) | $(licence axe-core) |"
    echo
    echo "Changes made while copying:"
    echo
    echo "- \`sourceMappingURL\` comments are removed (the maps are not vendored, and a dangling"
    echo "  reference breaks \`collectstatic\` with the manifest storage)."
    echo "- In \`nhsuk-frontend.min.css\`, \`url(/assets/...)\` becomes \`url(assets/...)\`, relative to"
    echo "  the stylesheet, so icons load from \`static/vendor/nhsuk-frontend/assets/\`."
    echo "- The Frutiger web fonts are licensed and not in the npm package: the stylesheet still"
    echo "  names them at \`https://assets.nhs.uk/fonts/\`; without that host pages fall back to Arial."
    echo
    echo "| file | sha256 |"
    echo "|---|---|"
    checksums nhsuk-frontend
    checksums htmx
    checksums axe-core
} >"$VENDOR_DIR/VERSIONS.md"

echo "Vendored nhsuk-frontend $NHSUK_FRONTEND_VERSION, htmx.org $HTMX_VERSION, axe-core $AXE_CORE_VERSION into $VENDOR_DIR"

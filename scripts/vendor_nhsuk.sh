#!/usr/bin/env bash
# Vendor nhsuk-frontend into static/nhsuk/ so every page is served by the app itself (no CDN).
#
# Usage: scripts/vendor_nhsuk.sh [VERSION]     (default: the version in static/nhsuk/VERSION)
#
# What it does, so an upgrade is repeatable:
#   - `npm pack nhsuk-frontend@VERSION` into a temporary directory;
#   - copies the minified CSS and JS (no source maps) and the images and manifest;
#   - strips every @font-face rule (they load Frutiger from assets.nhs.uk; we use the fallback
#     font stack, and the CSP allows fonts from 'self' only);
#   - rewrites url(/assets/...) to url(assets/...) so icons resolve next to the CSS under /static/;
#   - drops the sourceMappingURL comments (the maps are not vendored, and the manifest static storage
#     would fail on the missing files);
#   - writes LICENSE and VERSION.
# After an upgrade: change the version in templates/base.html, templates/500.html and static/js/app.mjs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/nhsuk"
VERSION="${1:-$(cat "$DEST/VERSION" 2>/dev/null || echo 10.6.1)}"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "nhsuk-frontend@$VERSION" >/dev/null && tar xzf "nhsuk-frontend-$VERSION.tgz")
DIST="$TMP/package/dist/nhsuk"

rm -rf "$DEST"
mkdir -p "$DEST/assets/images"

python3 - "$DIST" "$DEST" "$VERSION" <<'PY'
import re
import shutil
import sys
from pathlib import Path

dist, dest, version = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]

css = (dist / f"nhsuk-frontend-{version}.min.css").read_text(encoding="utf-8")
css = re.sub(r"@font-face\s*\{[^}]*\}", "", css)
css = css.replace("url(/assets/", "url(assets/")
css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/\s*", "", css).rstrip() + "\n"
for bad in ("@font-face", "https://", "http://", "url(/"):
    if bad in css:
        sys.exit(f"vendor_nhsuk: {bad!r} still in the CSS; update this script")
(dest / f"nhsuk-frontend-{version}.min.css").write_text(css, encoding="utf-8")

js = (dist / f"nhsuk-frontend-{version}.min.js").read_text(encoding="utf-8")
js = re.sub(r"//# sourceMappingURL=\S*\s*$", "", js).rstrip() + "\n"
(dest / f"nhsuk-frontend-{version}.min.js").write_text(js, encoding="utf-8")

for image in sorted((dist / "assets" / "images").iterdir()):
    if image.is_file():
        shutil.copy2(image, dest / "assets" / "images" / image.name)
shutil.copy2(dist / "assets" / "manifest.json", dest / "assets" / "manifest.json")

# Every url() in the CSS must point at a file we ship.
for ref in re.findall(r"url\(([^)]+)\)", css):
    ref = ref.strip("'\"")
    if not ref.startswith("data:") and not (dest / ref).is_file():
        sys.exit(f"vendor_nhsuk: the CSS refers to {ref}, which is not vendored")
PY

echo "$VERSION" >"$DEST/VERSION"

# The npm package carries no LICENSE file; this is the licence of the nhsuk-frontend repository.
cat >"$DEST/LICENSE" <<'EOF'
nhsuk-frontend (https://github.com/nhsuk/nhsuk-frontend), vendored unmodified except that the
@font-face rules and source-map comments were removed and asset URLs made relative.

MIT License

Copyright (c) 2019 NHS.UK

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF

echo "Vendored nhsuk-frontend $VERSION into ${DEST#"$ROOT"/}"

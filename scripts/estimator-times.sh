#!/usr/bin/env bash
# Times every estimator of Notebooks/estimators.md, one block at a time (--jobs 1, from an empty
# cache), and prints a table: task, method, truth, estimate, error (nats) and seconds. The report
# itself holds no times, so that a rerun writes the same bytes; these are the figures its prose
# quotes. Usage: scripts/estimator-times.sh [--profile test | --param samples=N ...]
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=${INFOPLANE:-.build/release/infoplane}
[ -x "$BINARY" ] || { echo "build first: make build (or set INFOPLANE)" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$BINARY" run --no-cache --stamp --jobs 1 --quiet --output "$OUT" Notebooks/estimators.md "$@"
printf 'estimator\tmethod\ttruth\testimate\terror\tseconds\n'
jq -r '.blocks[] | select(.kind == "estimator")
       | [.id, .results.method, (.results.truth | tostring), (.results.mi | tostring),
          (.results.error | tostring), (.seconds * 1000 | round / 1000 | tostring)] | @tsv' \
   "$OUT/estimators/results.json"

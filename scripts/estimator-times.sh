#!/usr/bin/env bash
# Times every estimator of Notebooks/estimators.md, one block at a time (--jobs 1, from an empty
# cache), and prints a CSV table: estimator, method, task (the dataset), truth, estimate, error
# (nats) and milliseconds. The report holds no times measured while it renders, so that a rerun
# writes the same bytes; instead its time table reads Notebooks/data/estimator-times.csv,
# which this script writes with --write (and ReportTests check it against the report's estimates).
# Usage: scripts/estimator-times.sh [--write] [--profile test | --param samples=N ...]
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=${INFOPLANE:-.build/release/infoplane}
[ -x "$BINARY" ] || { echo "build first: make build (or set INFOPLANE)" >&2; exit 1; }
TARGET=/dev/stdout
if [ "${1:-}" = "--write" ]; then TARGET=Notebooks/data/estimator-times.csv; shift; fi
HEADER='estimator,method,task,truth,estimate,error,ms'
# The notebook's time table reads the file: a first run starts from its header alone.
[ -f Notebooks/data/estimator-times.csv ] || echo "$HEADER" > Notebooks/data/estimator-times.csv
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$BINARY" run --no-cache --stamp --jobs 1 --quiet --output "$OUT" Notebooks/estimators.md "$@"
{
  echo "$HEADER"
  jq -r 'def text: if . == null then "" else tostring end;
         .blocks[] | select(.kind == "estimator")
         | [.id, .spec.method, .spec.of + (if .spec.compress then " (\(.spec.compress.method) to \(.spec.compress.dimensions))" else "" end), (.results.truth | text), (.results.mi | text),
            (.results.error | text), (.seconds * 100000 | round / 100 | text)] | join(",")' \
     "$OUT/estimators/results.json"
} > "$OUT/times.csv"
cat "$OUT/times.csv" > "$TARGET"

#!/usr/bin/env bash
# Times InfoPlane and JAX on the same Tishby-network training, on this machine, in one run.
# Needs a Python with jax==0.4.30 and jaxlib==0.4.30 (never a dependency of the tool):
#   python3 -m venv /tmp/jaxenv && /tmp/jaxenv/bin/pip install jax==0.4.30 jaxlib==0.4.30
#   PYTHON=/tmp/jaxenv/bin/python bash Benchmarks/peers/compare-training.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-python3}
epochs=${EPOCHS:-2000}
make --no-print-directory build >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$(.build/release/infoplane run Benchmarks/peers/tishby-speed.md --param epochs="$epochs" --no-cache --output "$work" 2>&1)
seconds=$(grep "ran      model net" <<<"$log" | sed -E 's/.* ([0-9.]+) s$/\1/')
binning=$(grep "ran      estimator bins" <<<"$log" | sed -E 's/.* ([0-9.]+) s$/\1/')
total=$(grep -E "^tishby-speed: .* in [0-9.]+ s" <<<"$log" | sed -E 's/.* in ([0-9.]+) s.*/\1/')
ours=$(awk -v s="$seconds" -v e="$epochs" 'BEGIN { printf "%.3f", 1000 * s / e }')
echo "infoplane: $epochs epochs, 274 recordings, $seconds s, $ours ms per epoch; binning every recording $binning s; whole notebook $total s"
peer=$("$python" Benchmarks/peers/jax_tishby.py "$epochs" 274)
echo "$peer"
theirs=$(sed -E 's/.*, ([0-9.]+) ms per epoch/\1/' <<<"$peer")
awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "ratio: InfoPlane is %.1fx faster per epoch\n", a / b }'

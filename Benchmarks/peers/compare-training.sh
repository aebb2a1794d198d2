#!/usr/bin/env bash
# Times InfoPlane and JAX on the same Tishby-network training, on this machine, in one run
# (JAX three ways, from its slowest idiom to its fastest: see jax_tishby.py).
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
# InfoPlane twice: with loss and accuracy on all rows after every epoch (its default), and with
# them only at the recorded epochs (evaluate = epochs), the work the JAX script does.
declare -A ours
for evaluate in 1 "$epochs"; do
    log=$(.build/release/infoplane run Benchmarks/peers/tishby-speed.md --param epochs="$epochs" --param evaluate="$evaluate" --no-cache --output "$work" 2>&1)
    seconds=$(grep "ran      model net" <<<"$log" | sed -E 's/.* ([0-9.]+) s$/\1/')
    binning=$(grep "ran      estimator bins" <<<"$log" | sed -E 's/.* ([0-9.]+) s$/\1/')
    total=$(grep -E "^tishby-speed: .* in [0-9.]+ s" <<<"$log" | sed -E 's/.* in ([0-9.]+) s.*/\1/')
    ours[$evaluate]=$(awk -v s="$seconds" -v e="$epochs" 'BEGIN { printf "%.3f", 1000 * s / e }')
    echo "infoplane (evaluate every $evaluate): $epochs epochs, 274 recordings, $seconds s, ${ours[$evaluate]} ms per epoch; binning every recording $binning s; whole notebook $total s"
done
for variant in device-index host-index scan; do
    peer=$("$python" Benchmarks/peers/jax_tishby.py "$epochs" 274 "$variant")
    echo "$peer"
    theirs=$(sed -E 's/.*, ([0-9.]+) ms per epoch/\1/' <<<"$peer")
    awk -v a="$theirs" -v b="${ours[$epochs]}" -v c="${ours[1]}" -v v="$variant" \
        'BEGIN { printf "ratio (%s): InfoPlane is %.1fx faster per epoch doing the same work, %.1fx evaluating every epoch\n", v, a / b, a / c }'
done

# MNIST-1D: an MLP and a small 1-D conv net (Benchmarks/peers/mnist1d-speed.md, jax_mnist1d.py).
mnist_epochs=${MNIST_EPOCHS:-20}
log=$(.build/release/infoplane run Benchmarks/peers/mnist1d-speed.md --param epochs="$mnist_epochs" --jobs 1 --no-cache --output "$work" 2>&1)
peer=$("$python" Benchmarks/peers/jax_mnist1d.py "$mnist_epochs")
for model in mlp conv; do
    seconds=$(grep "ran      model $model " <<<"$log" | sed -E 's/.* ([0-9.]+) s$/\1/')
    ours=$(awk -v s="$seconds" -v e="$mnist_epochs" 'BEGIN { printf "%.2f", 1000 * s / e }')
    theirs=$(grep " $model: " <<<"$peer" | sed -E 's/.*, ([0-9.]+) ms per epoch/\1/')
    echo "mnist1d $model: infoplane $ours ms per epoch, jax $theirs ms per epoch, ratio $(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.1f", a / b }')x"
done

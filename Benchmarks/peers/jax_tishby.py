"""Peer measurement: the Tishby network trained with JAX on the CPU.

Same work as Benchmarks/peers/tishby-speed.md asks of InfoPlane: the 12-10-7-5-4-3-2 tanh
network on the 4096 inputs of tishby12 (85/15 split), SGD with batches of 256, every layer's
activations on all 4096 inputs copied out at 274 log-spaced epochs of 2000. Prints the wall
time per epoch after one warm-up epoch (JIT compilation excluded).

Three ways of feeding the batches, from the slowest to the fastest JAX idiom:
- device-index: each batch is gathered from the device arrays (`xs[rows]`) outside the jitted
  step, one dispatch per gather; the script the issue's baseline (13.9-28.2 ms/epoch) used;
- host-index: each batch is sliced from NumPy arrays and passed to the jitted step;
- scan: the epoch's full batches go through `jax.lax.scan` in one jitted call, the last
  partial batch through the step.

Usage: python jax_tishby.py [epochs] [records] [device-index|host-index|scan]
(needs jax==0.4.30 jaxlib==0.4.30)
"""
import math
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

EDGES = [(0, 1), (0, 3), (0, 5), (0, 10), (0, 11), (1, 2), (1, 3), (1, 4), (1, 11), (2, 3),
         (2, 4), (2, 8), (2, 9), (3, 8), (3, 10), (4, 6), (4, 9), (4, 11), (5, 6), (5, 7),
         (5, 10), (5, 11), (6, 7), (6, 9), (6, 11), (7, 8), (7, 9), (7, 10), (8, 9), (8, 10)]
ANTIPODES = [(0, 9), (1, 7), (2, 5), (3, 6), (4, 10), (8, 11)]


def tishby12():
    x = np.array([[(i >> (11 - j)) & 1 for j in range(12)] for i in range(4096)], dtype=np.float32)
    labels = []
    for row in x:
        n = int(row.sum())
        e = sum(1 for a, b in EDGES if row[a] and row[b])
        a = sum(1 for p, q in ANTIPODES if row[p] and row[q])
        d2 = n * (n - 1) // 2 - e - a
        labels.append(1 if 23 * n + e - 5 * d2 - 8 * a >= 99 else 0)
    return x, np.array(labels, dtype=np.int32)


def log_spaced(count, last):
    epochs, current = {0, 1}, 1
    remaining = min(count, last + 1) - 2
    while remaining > 0:
        ratio = (last / current) ** (1 / remaining)
        current = last if remaining == 1 else max(current + 1, round(current * ratio))
        epochs.add(min(current, last))
        remaining -= 1
    return epochs


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    records = int(sys.argv[2]) if len(sys.argv) > 2 else 274
    variant = sys.argv[3] if len(sys.argv) > 3 else "device-index"
    x, y = tishby12()
    rng = np.random.default_rng(1)
    order = rng.permutation(4096)
    train = order[: int(0.85 * 4096)]
    sizes = [12, 10, 7, 5, 4, 3, 2]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = math.sqrt(6 / (fan_in + fan_out))
        params.append((jnp.asarray(rng.uniform(-limit, limit, (fan_in, fan_out)), dtype=jnp.float32),
                       jnp.zeros(fan_out, dtype=jnp.float32)))

    def forward(params, inputs):
        activations, h = [], inputs
        for w, b in params[:-1]:
            h = jnp.tanh(h @ w + b)
            activations.append(h)
        w, b = params[-1]
        logits = h @ w + b
        activations.append(jax.nn.softmax(logits))
        return logits, activations

    def loss(params, inputs, labels):
        logits, _ = forward(params, inputs)
        return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(labels.shape[0]), labels])

    @jax.jit
    def step(params, inputs, labels):
        grads = jax.grad(loss)(params, inputs, labels)
        return [(w - 0.01 * gw, b - 0.01 * gb) for (w, b), (gw, gb) in zip(params, grads)]

    @jax.jit
    def record(params, inputs):
        return forward(params, inputs)[1]

    xs, ys = jnp.asarray(x), jnp.asarray(y)
    record_at = log_spaced(records, epochs)
    recorded = []

    full = len(train) // 256 * 256

    @jax.jit
    def steps(params, xb, yb):
        def body(p, batch):
            return step(p, batch[0], batch[1]), None
        return jax.lax.scan(body, params, (xb, yb))[0]

    def epoch(e, params):
        perm = rng.permutation(train)
        if variant == "scan":
            head, tail = perm[:full], perm[full:]
            params = steps(params, x[head].reshape(-1, 256, 12), y[head].reshape(-1, 256))
            if len(tail):
                params = step(params, x[tail], y[tail])
        else:
            for start in range(0, len(perm), 256):
                rows = perm[start:start + 256]
                params = step(params, xs[rows], ys[rows]) if variant == "device-index" else step(params, x[rows], y[rows])
        if e in record_at:
            recorded.append([np.asarray(a) for a in record(params, xs)])
        return params

    params = epoch(0, params)  # warm-up: compiles every batch shape
    jax.block_until_ready(params)
    start = time.perf_counter()
    for e in range(1, epochs + 1):
        params = epoch(e, params)
    jax.block_until_ready(params)
    seconds = time.perf_counter() - start
    print(f"jax {jax.__version__} {variant}: {epochs} epochs, {len(recorded)} recordings, "
          f"{seconds:.2f} s, {1000 * seconds / epochs:.2f} ms per epoch")


if __name__ == "__main__":
    main()

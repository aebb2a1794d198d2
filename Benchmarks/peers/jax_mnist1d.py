"""Peer measurement: the MNIST-1D MLP and 1-D conv net of mnist1d-speed.md trained with JAX.

Same shapes and work as Benchmarks/peers/mnist1d-speed.md asks of InfoPlane: 4000 training
signals of 40 points, 10 classes; an MLP 40-100-100-10 (ReLU) and a conv net (conv 8 and 16,
kernel 5, same padding, max-pool 2 after each, dense 32, ReLU); Adam (lr 0.001), batches of 128.
The signals are random normal values (the time of a step does not depend on them). Batches are
sliced from NumPy arrays and passed to the jitted step (JAX's faster idiom; gathering them from
device arrays took 3x longer for the MLP here). Prints the wall time per epoch of each model
after one warm-up epoch (JIT compilation excluded).

Usage: python jax_mnist1d.py [epochs]   (needs jax==0.4.30 jaxlib==0.4.30)
"""
import math
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

ROWS, LENGTH, CLASSES, BATCH, LR = 4000, 40, 10, 128, 1e-3


def uniform(rng, limit, shape):
    return jnp.asarray(rng.uniform(-limit, limit, shape), dtype=jnp.float32)


def mlp_params(rng):
    sizes = [LENGTH, 100, 100, CLASSES]
    return [(uniform(rng, math.sqrt(6 / a), (a, b)), jnp.zeros(b, jnp.float32)) for a, b in zip(sizes[:-1], sizes[1:])]


def mlp(params, x):
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def conv_params(rng):
    c1 = (uniform(rng, math.sqrt(6 / 5), (8, 1, 5)), jnp.zeros(8, jnp.float32))
    c2 = (uniform(rng, math.sqrt(6 / 40), (16, 8, 5)), jnp.zeros(16, jnp.float32))
    d1 = (uniform(rng, math.sqrt(6 / 160), (160, 32)), jnp.zeros(32, jnp.float32))
    d2 = (uniform(rng, math.sqrt(6 / 42), (32, CLASSES)), jnp.zeros(CLASSES, jnp.float32))
    return [c1, c2, d1, d2]


def conv(params, x):
    h = x[:, None, :]  # (batch, channels, length)
    for w, b in params[:2]:
        h = jax.lax.conv_general_dilated(h, w, (1,), "SAME") + b[None, :, None]
        h = jax.nn.relu(h)
        h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 1, 2), (1, 1, 2), "VALID")
    h = h.reshape(h.shape[0], -1)
    w, b = params[2]
    h = jax.nn.relu(h @ w + b)
    w, b = params[3]
    return h @ w + b


def train(name, model, params, x, y, epochs, rng):
    def loss(params, inputs, labels):
        logits = model(params, inputs)
        return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(labels.shape[0]), labels])

    # Adam on the flat list of parameter arrays.
    params = [p for layer in params for p in layer]
    moments = ([jnp.zeros_like(p) for p in params], [jnp.zeros_like(p) for p in params])

    def pairs(flat):
        return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]

    @jax.jit
    def step(params, moments, t, inputs, labels):
        grads = jax.grad(lambda flat: loss(pairs(flat), inputs, labels))(params)
        first = [0.9 * m + 0.1 * g for m, g in zip(moments[0], grads)]
        second = [0.999 * v + 0.001 * g * g for v, g in zip(moments[1], grads)]
        params = [p - LR * (m / (1 - 0.9 ** t)) / (jnp.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
                  for p, m, v in zip(params, first, second)]
        return params, (first, second)

    t = 0
    xn, yn = np.asarray(x), np.asarray(y)  # batches are sliced on the host

    def epoch(params, moments, t):
        order = rng.permutation(ROWS)
        for start in range(0, ROWS, BATCH):
            rows = order[start:start + BATCH]
            t += 1
            params, moments = step(params, moments, t, xn[rows], yn[rows])
        return params, moments, t

    params, moments, t = epoch(params, moments, t)  # warm-up: compiles both batch shapes
    jax.block_until_ready(params)
    start = time.perf_counter()
    for _ in range(epochs):
        params, moments, t = epoch(params, moments, t)
    jax.block_until_ready(params)
    seconds = time.perf_counter() - start
    print(f"jax {jax.__version__} {name}: {epochs} epochs, {seconds:.2f} s, {1000 * seconds / epochs:.2f} ms per epoch")


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rng = np.random.default_rng(1)
    x = jnp.asarray(rng.standard_normal((ROWS, LENGTH)), dtype=jnp.float32)
    y = jnp.asarray(rng.integers(0, CLASSES, ROWS), dtype=jnp.int32)
    train("mlp", mlp, mlp_params(rng), x, y, epochs, rng)
    train("conv", conv, conv_params(rng), x, y, epochs, rng)


if __name__ == "__main__":
    main()

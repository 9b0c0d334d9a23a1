"""Tests of exercise 07: backward() of the 1-64-1 ReLU network on noisy sine points.

The parameters and the forward pass come from the pack's given code (init_params, forward), never from the
submission's process; the hidden tests also draw their points and parameters at random, different in every
graded run.
"""

import numpy as np

from gradlab.testing import close, equal, fail, same_shape, test

SHAPES = {"W1": (1, 64), "b1": (1, 64), "W2": (64, 1), "b2": (1, 1)}


def sine_batch(n, seed):
    rng = np.random.default_rng(seed)
    x = np.linspace(-np.pi, np.pi, n).reshape(-1, 1)
    return x, np.sin(x) + 0.1 * rng.normal(size=x.shape)


def random_sine_batch(rng, n):
    x = np.sort(rng.uniform(-np.pi, np.pi, size=(n, 1)), axis=0)
    return x, np.sin(x) + 0.1 * rng.normal(size=x.shape)


def lesson_params(given, seed):
    return given.eval("init_params(1, 64, 1, np.random.default_rng(seed))", seed=seed)


def lesson_gradients(sub, given, x, y, seed=0, params=None):
    """backward() at the pack's init_params(1, 64, 1, default_rng(seed)) (or ``params``), after the pack's
    forward pass."""
    params = lesson_params(given, seed) if params is None else params
    out, cache = given.forward(params, x)
    return sub.backward(params, cache, out, y)


@test("shapes")
def shapes(sub, given):
    x, y = sine_batch(200, 0)
    grads = lesson_gradients(sub, given, x, y)
    if not isinstance(grads, dict):
        fail(f"backward returned {type(grads).__name__}; return a dict with keys W1, b1, W2, b2")
    equal(sorted(grads), sorted(SHAPES), what="the keys of backward's result")
    for name, shape in SHAPES.items():
        same_shape(grads[name], shape, what=f"grads['{name}']")


@test("dead-units")
def dead_units(sub, given):
    x, y = sine_batch(200, 0)
    params = lesson_params(given, 0)
    params["b1"][:, :16] = -20.0
    out, cache = given.forward(params, x)
    grads = sub.backward(params, cache, out, y)
    dead = np.all(cache["Z1"] <= 0, axis=0)
    equal(int(dead.sum()), 16, what="hidden units switched off by a bias of -20 (test setup)")
    close(grads["W1"][:, dead], np.zeros((1, 16)), what="dW1 for the 16 hidden units inactive on every point")
    close(grads["b1"][:, dead], np.zeros((1, 16)), what="db1 for the 16 hidden units inactive on every point")
    if np.allclose(grads["W1"][:, ~dead], 0.0):
        fail("dW1 is zero for the active hidden units too")


@test("per-example-oracle")
def per_example_oracle(sub, given, rng):
    fixed = sine_batch(6, 3) + (lesson_params(given, 3), "6 examples spread over [-pi, pi]")
    x, y = random_sine_batch(rng, int(rng.integers(4, 9)))
    params = lesson_params(given, int(rng.integers(1 << 31)))
    params["b1"] = rng.uniform(-2.0, 2.0, size=(1, 64))
    for x, y, params, examples in (fixed, (x, y, params, f"{len(x)} random examples and parameters")):
        grads = lesson_gradients(sub, given, x, y, params=params)
        expected = {name: np.zeros(shape) for name, shape in SHAPES.items()}
        for xi, yi in zip(x, y):
            z1 = xi @ params["W1"] + params["b1"][0]
            a1 = np.maximum(0.0, z1)
            error = a1 @ params["W2"][:, 0] + params["b2"][0, 0] - yi[0]
            upstream = 2.0 * error / len(x)
            expected["W2"][:, 0] += upstream * a1
            expected["b2"][0, 0] += upstream
            through_relu = upstream * params["W2"][:, 0] * (z1 > 0)
            expected["W1"][0] += through_relu * xi[0]
            expected["b1"][0] += through_relu
        for name in SHAPES:
            close(grads[name], expected[name], rtol=1e-7, atol=1e-10,
                  what=f"grads['{name}'] against a loop over {examples}")


@test("mean-over-batch")
def mean_over_batch(sub, given, rng):
    x, y = random_sine_batch(rng, int(rng.integers(10, 41)))
    random_case = (x, y, int(rng.integers(1 << 31)), int(rng.integers(2, 4)), f" ({len(x)} random points)")
    for x, y, seed, times, words in (sine_batch(40, 1) + (0, 2, ""), random_case):
        once = lesson_gradients(sub, given, x, y, seed)
        repeated = lesson_gradients(sub, given, np.vstack([x] * times), np.vstack([y] * times), seed)
        how_often = "twice" if times == 2 else f"{times} times"
        for name in SHAPES:
            close(repeated[name], once[name], rtol=1e-7, atol=1e-12,
                  what=f"grads['{name}'] for the batch repeated {how_often}{words} (a mean does not change)")

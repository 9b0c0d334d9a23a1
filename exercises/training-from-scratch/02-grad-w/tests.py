"""Tests of exercise 02 on the lesson's three shipments (1, 3), (2, 5), (3, 7), whose true line is
y = 2x + 1. Learning rate 0.04 on the full MSE walks the same path as the lesson's 0.08 on half of it.
The hidden tests also try a data set drawn at random, different in every graded run.
"""

import numpy as np

from gradlab.testing import close, equal, fail, test

X = np.array([1.0, 2.0, 3.0])
Y = np.array([3.0, 5.0, 7.0])


def noisy_line(rng, n):
    """(x, y, w, b): n points near a random line y = w x + b, with x in [-3, 3]."""
    w, b = rng.uniform(-3.0, 3.0, size=2)
    x = rng.uniform(-3.0, 3.0, size=n)
    return x, w * x + b + 0.3 * rng.normal(size=n), float(w), float(b)


@test("shipments-gradients")
def shipments_gradients(sub):
    close(sub.grad_w(0.0, 0.0, X, Y), -68.0 / 3.0, what="grad_w at w = b = 0 on the shipments")
    close(sub.grad_b(0.0, 0.0, X, Y), -10.0, what="grad_b at w = b = 0 on the shipments")


@test("returns-floats")
def returns_floats(sub):
    for name in ("grad_w", "grad_b"):
        value = getattr(sub, name)(0.5, -0.5, X, Y)
        if not isinstance(value, float):
            fail(f"{name} returned {type(value).__name__} {value!r}; return one float, e.g. float(...)")


@test("losses-before-update")
def losses_before_update(sub):
    w, b, losses = sub.fit(X, Y, learning_rate=0.04, epochs=3)
    equal(len(losses), 3, what="len(losses) after 3 epochs")
    close(losses[0], 83.0 / 3.0, what="losses[0], the loss at w = b = 0 before any update")


@test("zero-at-the-true-line")
def zero_at_the_true_line(sub, rng):
    close(sub.grad_w(2.0, 1.0, X, Y), 0.0, what="grad_w on the true line w = 2, b = 1")
    close(sub.grad_b(2.0, 1.0, X, Y), 0.0, what="grad_b on the true line w = 2, b = 1")
    x, _, w, b = noisy_line(rng, 12)
    y = w * x + b
    line = f"the true line w = {w:.4g}, b = {b:.4g} of 12 random points"
    close(sub.grad_w(w, b, x, y), 0.0, what=f"grad_w on {line}")
    close(sub.grad_b(w, b, x, y), 0.0, what=f"grad_b on {line}")


@test("fit-lesson")
def fit_lesson(sub, rng):
    w, b, losses = sub.fit(X, Y, learning_rate=0.04, epochs=20)
    equal(len(losses), 20, what="len(losses)")
    close(losses[1], 8.562429629629628, rtol=1e-6, what="losses[1], the loss after one update")
    close(w, 2.036500539715272, rtol=1e-6, what="w after 20 epochs at learning rate 0.04")
    close(b, 0.9169810333525154, rtol=1e-6, what="b after 20 epochs at learning rate 0.04")
    x, y, _, _ = noisy_line(rng, 8)
    learning_rate = round(float(rng.uniform(0.01, 0.04)), 3)
    expected_w, expected_b, expected_losses = 0.0, 0.0, []  # gradient descent in NumPy
    for _ in range(20):
        error = expected_w * x + expected_b - y
        expected_losses.append(float(np.mean(error ** 2)))
        expected_w -= learning_rate * 2 * float(np.mean(error * x))
        expected_b -= learning_rate * 2 * float(np.mean(error))
    w, b, losses = sub.fit(x, y, learning_rate=learning_rate, epochs=20)
    data = f"8 random points at learning rate {learning_rate:g}"
    equal(len(losses), 20, what=f"len(losses) after 20 epochs on {data}")
    close(losses, expected_losses, rtol=1e-6, what=f"the losses of 20 epochs on {data}")
    close(w, expected_w, rtol=1e-6, what=f"w after 20 epochs on {data}")
    close(b, expected_b, rtol=1e-6, what=f"b after 20 epochs on {data}")


@test("fit-defaults")
def fit_defaults(sub, rng):
    w, b, losses = sub.fit(X, Y)
    equal(len(losses), 100, what="len(losses) with the default 100 epochs")
    close(losses[1], 21.869318518518515, rtol=1e-6, what="losses[1] at the default learning rate 0.01")
    close(w, 2.034809170803847, rtol=1e-6, what="w after fit(x, y) with the defaults")
    close(b, 0.9208271577099737, rtol=1e-6, what="b after fit(x, y) with the defaults")
    x, y, _, _ = noisy_line(rng, 10)
    expected_w, expected_b, expected_losses = 0.0, 0.0, []  # gradient descent in NumPy
    for _ in range(100):
        error = expected_w * x + expected_b - y
        expected_losses.append(float(np.mean(error ** 2)))
        expected_w -= 0.01 * 2 * float(np.mean(error * x))
        expected_b -= 0.01 * 2 * float(np.mean(error))
    w, b, losses = sub.fit(x, y)
    equal(len(losses), 100, what="len(losses) of fit(x, y) on 10 random points, with the default 100 epochs")
    close(losses[1], expected_losses[1], rtol=1e-6,
          what="losses[1] of fit(x, y) on 10 random points, at the default learning rate 0.01")
    close(w, expected_w, rtol=1e-6, what="w after fit(x, y) on 10 random points with the defaults")
    close(b, expected_b, rtol=1e-6, what="b after fit(x, y) on 10 random points with the defaults")


@test("fit-loss-falls")
def fit_loss_falls(sub):
    _, _, losses = sub.fit(X, Y, learning_rate=0.04, epochs=5)
    for i in range(1, len(losses)):
        if not losses[i] < losses[i - 1]:
            fail(f"the loss rose from {losses[i - 1]:.4f} to {losses[i]:.4f} at epoch {i}: "
                 "each update must move against the gradient")

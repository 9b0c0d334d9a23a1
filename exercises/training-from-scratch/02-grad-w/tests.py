"""Tests of exercise 02 on the lesson's three shipments (1, 3), (2, 5), (3, 7), whose true line is
y = 2x + 1. Learning rate 0.04 on the full MSE walks the same path as the lesson's 0.08 on half of it.
"""

import numpy as np

from gradlab.testing import close, equal, fail, test

X = np.array([1.0, 2.0, 3.0])
Y = np.array([3.0, 5.0, 7.0])


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
def zero_at_the_true_line(sub):
    close(sub.grad_w(2.0, 1.0, X, Y), 0.0, what="grad_w on the true line w = 2, b = 1")
    close(sub.grad_b(2.0, 1.0, X, Y), 0.0, what="grad_b on the true line w = 2, b = 1")


@test("fit-lesson")
def fit_lesson(sub):
    w, b, losses = sub.fit(X, Y, learning_rate=0.04, epochs=20)
    equal(len(losses), 20, what="len(losses)")
    close(losses[1], 8.562429629629628, rtol=1e-6, what="losses[1], the loss after one update")
    close(w, 2.036500539715272, rtol=1e-6, what="w after 20 epochs at learning rate 0.04")
    close(b, 0.9169810333525154, rtol=1e-6, what="b after 20 epochs at learning rate 0.04")


@test("fit-defaults")
def fit_defaults(sub):
    w, b, losses = sub.fit(X, Y)
    equal(len(losses), 100, what="len(losses) with the default 100 epochs")
    close(losses[1], 21.869318518518515, rtol=1e-6, what="losses[1] at the default learning rate 0.01")
    close(w, 2.034809170803847, rtol=1e-6, what="w after fit(x, y) with the defaults")
    close(b, 0.9208271577099737, rtol=1e-6, what="b after fit(x, y) with the defaults")


@test("fit-loss-falls")
def fit_loss_falls(sub):
    _, _, losses = sub.fit(X, Y, learning_rate=0.04, epochs=5)
    for i in range(1, len(losses)):
        if not losses[i] < losses[i - 1]:
            fail(f"the loss rose from {losses[i - 1]:.4f} to {losses[i]:.4f} at epoch {i}: "
                 "each update must move against the gradient")

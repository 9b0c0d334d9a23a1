"""Tests of exercise 11: the L2 gradient, inverted dropout and early stopping with patience.

Dropout is random, so the hidden tests ask only what every correct implementation answers alike:
which values appear, what fraction is dropped, whether forward and backward agree.
"""

import numpy as np

from gradlab.testing import close, equal, fail, test


@test("l2-weights-only")
def l2_weights_only(sub):
    params = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[3.0, 4.0]]), "W2": np.array([[0.5], [-0.5]])}
    grads = sub.l2_grad(params, 0.1)
    equal(sorted(grads), ["W1", "W2", "b1"], what="the keys of l2_grad's result")
    close(grads["W1"], [[0.1, -0.2]], what="the L2 gradient of W1 = [[1, -2]] at weight_decay 0.1")
    close(grads["W2"], [[0.05], [-0.05]], what="the L2 gradient of W2 at weight_decay 0.1")
    close(grads["b1"], [[0.0, 0.0]], what="the L2 gradient of the bias b1 (biases are not penalised)")


@test("dropout-scaling")
def dropout_scaling(sub):
    out = sub.eval("dropout_forward(np.ones((100, 100)), 0.25, np.random.default_rng(0))[0]")
    values = np.unique(np.round(out, 9))
    close(values, [0.0, 4 / 3], what="the values of dropout_forward(ones, p=0.25): dropped 0, kept 1 / (1 - p)")
    dropped = float(np.mean(out == 0))
    if abs(dropped - 0.25) > 0.03:
        fail(f"dropout_forward with p = 0.25 dropped {dropped:.1%} of 10,000 elements; expected about 25%")
    close(float(out.mean()), 1.0, atol=0.03, what="the mean of dropout_forward(ones, 0.25): the expected value is kept")


@test("early-stopping-lesson")
def early_stopping_lesson(sub):
    stopper = sub.EarlyStopping(2)
    decisions = [stopper.should_stop(loss) for loss in (0.70, 0.38, 0.14, 0.19, 0.31)]
    equal(decisions, [False, False, False, False, True],
          what="should_stop for validation losses 0.70, 0.38, 0.14, 0.19, 0.31 with patience 2")
    close(stopper.best_loss, 0.14, what="best_loss")
    equal(stopper.best_step, 2, what="best_step, the index of the check with the best loss")


@test("dropout-off-at-zero")
def dropout_off_at_zero(sub):
    A = np.arange(12.0).reshape(3, 4) - 5
    out = sub.eval("dropout_forward(A, 0.0, np.random.default_rng(1))[0]", A=A)
    close(out, A, what="dropout_forward(A, p=0): nothing dropped, nothing scaled")


@test("dropout-values")
def dropout_values(sub):
    values = sub.eval("sorted(set(np.round(dropout_forward(np.ones((50, 50)), 0.5, np.random.default_rng(2))[0], 9)"
                      ".ravel().tolist()))")
    equal(values, [0.0, 2.0], what="the values of dropout_forward(ones, p=0.5)")


@test("dropout-fraction")
def dropout_fraction(sub):
    near = sub.eval("abs(float(np.mean(dropout_forward(np.ones((200, 200)), 0.3, np.random.default_rng(3))[0] == 0))"
                    " - 0.3) < 0.015")
    equal(near, True, what="the fraction of 40,000 elements dropped at p = 0.3 is within 0.015 of 0.3")


@test("dropout-backward-matches")
def dropout_backward_matches(sub):
    rng = np.random.default_rng(4)
    A = rng.uniform(0.5, 2.0, size=(8, 6))
    G = rng.normal(size=(8, 6))
    matches = sub.eval("(lambda result: np.allclose(dropout_backward(G, result[1]), G * result[0] / A))"
                       "(dropout_forward(A, 0.4, np.random.default_rng(5)))", A=A, G=G)
    equal(matches, True, what="dropout_backward sends G back through the same kept elements and the same scale")


@test("early-stopping-ties")
def early_stopping_ties(sub):
    stopper = sub.EarlyStopping(2)
    decisions = [stopper.should_stop(loss) for loss in (1.0, 1.0, 1.0)]
    equal(decisions, [False, False, True],
          what="should_stop for losses 1.0, 1.0, 1.0 with patience 2 (a tie is no improvement)")
    equal(stopper.best_step, 0, what="best_step after three equal losses")


@test("early-stopping-reset")
def early_stopping_reset(sub):
    stopper = sub.EarlyStopping(3)
    decisions = [stopper.should_stop(loss) for loss in (1.0, 2.0, 0.5, 0.6, 0.7, 0.8)]
    equal(decisions, [False, False, False, False, False, True],
          what="should_stop for 1.0, 2.0, 0.5, 0.6, 0.7, 0.8 with patience 3 (a new best restarts the count)")
    equal(stopper.best_step, 2, what="best_step")
    close(stopper.best_loss, 0.5, what="best_loss")


@test("l2-values")
def l2_values(sub):
    params = sub.eval("init_params([2, 3, 1], np.random.default_rng(6))")
    grads = sub.l2_grad(params, 0.02)
    for name, value in params.items():
        expected = 0.02 * value if name.startswith("W") else np.zeros_like(value)
        close(grads[name], expected, what=f"l2_grad(params, 0.02)['{name}']")
    zero = sub.l2_grad(params, 0.0)
    for name in params:
        close(zero[name], np.zeros_like(params[name]), what=f"l2_grad(params, 0)['{name}']")

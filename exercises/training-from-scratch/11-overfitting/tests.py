"""Tests of exercise 11: the L2 gradient, inverted dropout and early stopping with patience.

Dropout is random, so the hidden tests ask only what every correct implementation answers alike:
which values appear, what fraction is dropped, whether forward and backward agree. They also draw their
arrays, rates, seeds and loss sequences at random, different in every graded run; parameters come from the
pack's own init_params.
"""

import numpy as np

from gradlab.testing import close, equal, fail, test


def seed_of(rng):
    return int(rng.integers(1 << 31))


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
def dropout_off_at_zero(sub, rng):
    for A, seed in ((np.arange(12.0).reshape(3, 4) - 5, 1),
                    (rng.normal(size=tuple(int(n) for n in rng.integers(2, 9, size=2))), seed_of(rng))):
        out = sub.eval("dropout_forward(A, 0.0, np.random.default_rng(seed))[0]", A=A, seed=seed)
        close(out, A, what=f"dropout_forward(A, p=0) for A of shape {A.shape}: nothing dropped, nothing scaled")


@test("dropout-values")
def dropout_values(sub, rng):
    level, p = round(float(rng.uniform(0.5, 3.0)), 2), round(float(rng.uniform(0.2, 0.8)), 2)
    for level, p, seed in ((1.0, 0.5, 2), (level, p, seed_of(rng))):
        values = sub.eval("sorted(set(np.round(dropout_forward(np.full((50, 50), level), p, "
                          "np.random.default_rng(seed))[0], 9).ravel().tolist()))", level=level, p=p, seed=seed)
        close(values, [0.0, round(level / (1 - p), 9)], rtol=1e-9, atol=1e-9,
              what=f"the values of dropout_forward({'ones' if level == 1 else f'{level:g} everywhere'}, p={p:g}): "
                   "dropped 0, kept scaled by 1 / (1 - p)")


@test("dropout-fraction")
def dropout_fraction(sub, rng):
    for p, seed in ((0.3, 3), (round(float(rng.uniform(0.1, 0.9)), 2), seed_of(rng))):
        near = sub.eval("abs(float(np.mean(dropout_forward(np.ones((200, 200)), p, np.random.default_rng(seed))[0]"
                        " == 0)) - p) < 0.015", p=p, seed=seed)
        equal(near, True, what=f"the fraction of 40,000 elements dropped at p = {p:g} is within 0.015 of {p:g}")


@test("dropout-backward-matches")
def dropout_backward_matches(sub, rng):
    lesson = np.random.default_rng(4)
    cases = [(lesson.uniform(0.5, 2.0, size=(8, 6)), lesson.normal(size=(8, 6)), 0.4, 5)]
    shape = tuple(int(n) for n in rng.integers(2, 10, size=2))
    cases.append((rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape), rng.normal(size=shape),
                  round(float(rng.uniform(0.1, 0.8)), 2), seed_of(rng)))
    for A, G, p, seed in cases:
        matches = sub.eval("(lambda result: np.allclose(dropout_backward(G, result[1]), G * result[0] / A))"
                           "(dropout_forward(A, p, np.random.default_rng(seed)))", A=A, G=G, p=p, seed=seed)
        equal(matches, True, what=f"dropout_backward sends G back through the same kept elements and the same scale "
                                  f"(A of shape {A.shape}, p = {p:g})")


def stopping_case(rng, patience, ties):
    """(losses, decisions, best_loss, best_step) by construction: a few stretches, each a new best loss followed by
    fewer than ``patience`` losses that are no improvement, then a last stretch with ``patience`` of them. No
    improvement is always a tie with the best when ``ties``, else now and then a tie and otherwise worse."""
    losses, decisions = [], []
    best = round(float(rng.uniform(1.0, 2.0)), 3)
    stretches = int(rng.integers(2, 5))
    for stretch in range(stretches):
        best, best_step = round(best * float(rng.uniform(0.6, 0.95)), 3), len(losses)
        losses.append(best)
        decisions.append(False)
        last = stretch == stretches - 1
        count = patience if last else int(rng.integers(0, patience))
        for i in range(count):
            tie = ties or rng.random() < 0.3
            losses.append(best if tie else round(best + float(rng.uniform(0.01, 1.0)), 3))
            decisions.append(last and i == count - 1)
    return losses, decisions, best, best_step


def check_stopping(sub, case, patience, words):
    losses, expected, best_loss, best_step = case
    stopper = sub.EarlyStopping(patience)
    decisions = [stopper.should_stop(loss) for loss in losses]
    shown = ", ".join(f"{loss:g}" for loss in losses)
    equal(decisions, expected, what=f"should_stop for {shown} with patience {patience} ({words})")
    equal(stopper.best_step, best_step, what=f"best_step after {shown} with patience {patience}")
    close(stopper.best_loss, best_loss, what=f"best_loss after {shown} with patience {patience}")


@test("early-stopping-ties")
def early_stopping_ties(sub, rng):
    stopper = sub.EarlyStopping(2)
    decisions = [stopper.should_stop(loss) for loss in (1.0, 1.0, 1.0)]
    equal(decisions, [False, False, True],
          what="should_stop for losses 1.0, 1.0, 1.0 with patience 2 (a tie is no improvement)")
    equal(stopper.best_step, 0, what="best_step after three equal losses")
    patience = int(rng.integers(2, 5))
    check_stopping(sub, stopping_case(rng, patience, ties=True), patience, "a tie with the best is no improvement")


@test("early-stopping-reset")
def early_stopping_reset(sub, rng):
    stopper = sub.EarlyStopping(3)
    decisions = [stopper.should_stop(loss) for loss in (1.0, 2.0, 0.5, 0.6, 0.7, 0.8)]
    equal(decisions, [False, False, False, False, False, True],
          what="should_stop for 1.0, 2.0, 0.5, 0.6, 0.7, 0.8 with patience 3 (a new best restarts the count)")
    equal(stopper.best_step, 2, what="best_step")
    close(stopper.best_loss, 0.5, what="best_loss")
    patience = int(rng.integers(2, 5))
    check_stopping(sub, stopping_case(rng, patience, ties=False), patience, "a new best restarts the count")


@test("l2-values")
def l2_values(sub, given, rng):
    sizes = [int(n) for n in rng.integers(1, 6, size=int(rng.integers(3, 6)))]
    weight_decay = round(float(rng.uniform(0.001, 0.5)), 3)
    for sizes, seed, weight_decay in (([2, 3, 1], 6, 0.02), (sizes, seed_of(rng), weight_decay)):
        params = given.eval("init_params(sizes, np.random.default_rng(seed))", sizes=sizes, seed=seed)
        grads = sub.l2_grad(params, weight_decay)
        network = f"a {'-'.join(map(str, sizes))} network"
        equal(sorted(grads), sorted(params), what=f"the keys of l2_grad's result for {network}")
        for name, value in params.items():
            expected = weight_decay * value if name.startswith("W") else np.zeros_like(value)
            close(grads[name], expected, what=f"l2_grad(params, {weight_decay:g})['{name}'] for {network}")
        zero = sub.l2_grad(params, 0.0)
        for name in params:
            close(zero[name], np.zeros_like(params[name]), what=f"l2_grad(params, 0)['{name}'] for {network}")

"""Tests of exercise 08: the sigmoid/binary cross-entropy gradient (yhat - y) and the softmax
cross-entropy gradient (softmax - one_hot), both averaged over the batch. The hidden tests also try logits
and labels drawn at random, different in every graded run."""

import numpy as np

from gradlab.testing import close, fail, same_shape, test

SOFTMAX_0_1_2 = [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]


def random_logits(rng):
    """(N, K) logits for 3 to 6 examples of 3 to 6 classes, each row around its own offset, and labels."""
    rows, classes = int(rng.integers(3, 7)), int(rng.integers(3, 7))
    logits = 2.0 * rng.normal(size=(rows, classes)) + rng.uniform(-5.0, 5.0, size=(rows, 1))
    return logits, rng.integers(0, classes, size=rows)


@test("bce-lesson")
def bce_lesson(sub):
    close(sub.bce_grad(np.array([0.0]), np.array([1.0])), [-0.5],
          what="bce_grad at z = 0 (yhat = 0.5) for label 1: yhat - y")
    close(sub.bce_grad(np.array([0.0]), np.array([0.0])), [0.5], what="bce_grad at z = 0 for label 0")
    z = np.array([2.0, -1.0, 0.5, 0.0])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    yhat = 1.0 / (1.0 + np.exp(-z))
    close(sub.bce_grad(z, y), (yhat - y) / 4, what="bce_grad for a batch of 4: (yhat - y) / 4")


@test("softmax-rows")
def softmax_rows(sub):
    probs = sub.softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    same_shape(probs, (2, 3), what="softmax of a (2, 3) array")
    close(probs.sum(axis=1), [1.0, 1.0], what="the sum of each row of softmax")
    close(probs[1], [1 / 3, 1 / 3, 1 / 3], what="softmax of a row of equal logits")


@test("softmax-stable")
def softmax_stable(sub):
    probs = sub.softmax(np.array([[1000.0, 1001.0, 1002.0], [0.0, 1.0, 2.0]]))
    same_shape(probs, (2, 3), what="softmax([[1000, 1001, 1002], [0, 1, 2]])")
    large, small = (bool(np.all(np.isfinite(row))) for row in probs)
    gave = f"softmax([[1000, 1001, 1002], [0, 1, 2]]) gave {np.round(probs, 4).tolist()}"
    if not large and small:
        fail(f"{gave}: exp(1000) overflows to inf, and inf / inf is nan. Subtract each row's maximum before exp; "
             "the probabilities do not change.",
             kind="large logits overflow exp() to inf, and inf / inf is nan: subtract each row's maximum first")
    if large and not small:
        fail(f"{gave}: the row [0, 1, 2] was shifted by a maximum that is not its own (the whole array's 1002, or "
             "a column's), so exp(0 - 1002) underflows to 0 and 0 / 0 is nan. Subtract each row's own maximum: "
             "logits.max(axis=1, keepdims=True).",
             kind="each row must be shifted by its own maximum (axis=1, keepdims=True): another row's sends exp() to "
                  "0 and 0 / 0 to nan")
    if not (large or small):
        fail(f"{gave}: neither row is a list of finite probabilities", kind="softmax gives non-finite values")
    close(probs[0], SOFTMAX_0_1_2, what="softmax row [1000, 1001, 1002], the same as softmax of [0, 1, 2]")
    close(probs[1], SOFTMAX_0_1_2, what="softmax row [0, 1, 2] next to a row of large logits")


@test("softmax-per-row")
def softmax_per_row(sub, rng):
    for logits, words in ((np.array([[2.0, 1.0, 0.0], [-1.0, 3.0, 0.5]]), ""),
                          (random_logits(rng)[0], " of random logits")):
        probs = sub.softmax(logits)
        same_shape(probs, logits.shape, what=f"softmax of a {logits.shape} array{words}")
        for i, row in enumerate(logits):
            expected = np.exp(row - row.max()) / np.exp(row - row.max()).sum()
            close(probs[i], expected, what=f"softmax row {i}{words}, normalised over its own {len(row)} logits")


@test("ce-grad-values")
def ce_grad_values(sub, rng):
    probs = np.exp([2.0, 1.0, 0.0]) / np.exp([2.0, 1.0, 0.0]).sum()
    close(sub.softmax_ce_grad(np.array([[2.0, 1.0, 0.0]]), np.array([0])), np.array([probs - [1.0, 0.0, 0.0]]),
          what="softmax_ce_grad([[2, 1, 0]], [0]): softmax - one_hot")
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    expected = np.array([probs - [0.0, 0.0, 1.0], np.full(3, 1 / 3) - [0.0, 1.0, 0.0]]) / 2
    close(sub.softmax_ce_grad(logits, np.array([2, 1])), expected, what="softmax_ce_grad for a batch of 2")
    logits, labels = random_logits(rng)
    rows, classes = logits.shape
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    expected = (probs - np.eye(classes)[labels]) / rows
    close(sub.softmax_ce_grad(logits, labels), expected,
          what=f"softmax_ce_grad of random ({rows}, {classes}) logits with labels {labels.tolist()}: "
               "(softmax - one_hot) / N")


@test("ce-grad-rows-sum-to-zero")
def ce_grad_rows_sum_to_zero(sub, rng):
    lesson = np.random.default_rng(8)
    cases = [(lesson.normal(size=(5, 7)) * 4, lesson.integers(0, 7, size=5))]
    rows, classes = int(rng.integers(3, 9)), int(rng.integers(2, 9))
    cases.append((rng.normal(size=(rows, classes)) * 4, rng.integers(0, classes, size=rows)))
    for logits, labels in cases:
        rows, classes = logits.shape
        grad = sub.softmax_ce_grad(logits, labels)
        same_shape(grad, (rows, classes), what=f"softmax_ce_grad of ({rows}, {classes}) logits")
        close(grad.sum(axis=1), np.zeros(rows), atol=1e-12,
              what=f"each row of the gradient of ({rows}, {classes}) logits (probabilities sum to 1, and so does "
                   "the one-hot row)")

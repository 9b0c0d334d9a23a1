"""Tests of exercise 08: the sigmoid/binary cross-entropy gradient (yhat - y) and the softmax
cross-entropy gradient (softmax - one_hot), both averaged over the batch."""

import numpy as np

from gradlab.testing import close, fail, same_shape, test

SOFTMAX_0_1_2 = [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]


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
    if not np.all(np.isfinite(probs)):
        fail(f"softmax([[1000, 1001, 1002], [0, 1, 2]]) gave {probs.tolist()}: exp(1000) overflows, and "
             "exp(0 - 1002) underflows to 0. Subtract each row's own maximum first; the probabilities do not change.")
    close(probs[0], SOFTMAX_0_1_2, what="softmax row [1000, 1001, 1002], the same as softmax of [0, 1, 2]")
    close(probs[1], SOFTMAX_0_1_2, what="softmax row [0, 1, 2] next to a row of large logits")


@test("softmax-per-row")
def softmax_per_row(sub):
    logits = np.array([[2.0, 1.0, 0.0], [-1.0, 3.0, 0.5]])
    probs = sub.softmax(logits)
    for i, row in enumerate(logits):
        expected = np.exp(row) / np.exp(row).sum()
        close(probs[i], expected, what=f"softmax row {i}, normalised over its own 3 logits")


@test("ce-grad-values")
def ce_grad_values(sub):
    probs = np.exp([2.0, 1.0, 0.0]) / np.exp([2.0, 1.0, 0.0]).sum()
    close(sub.softmax_ce_grad(np.array([[2.0, 1.0, 0.0]]), np.array([0])), np.array([probs - [1.0, 0.0, 0.0]]),
          what="softmax_ce_grad([[2, 1, 0]], [0]): softmax - one_hot")
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    expected = np.array([probs - [0.0, 0.0, 1.0], np.full(3, 1 / 3) - [0.0, 1.0, 0.0]]) / 2
    close(sub.softmax_ce_grad(logits, np.array([2, 1])), expected, what="softmax_ce_grad for a batch of 2")


@test("ce-grad-rows-sum-to-zero")
def ce_grad_rows_sum_to_zero(sub):
    rng = np.random.default_rng(8)
    grad = sub.softmax_ce_grad(rng.normal(size=(5, 7)) * 4, rng.integers(0, 7, size=5))
    same_shape(grad, (5, 7), what="softmax_ce_grad of (5, 7) logits")
    close(grad.sum(axis=1), np.zeros(5), atol=1e-12,
          what="each row of the gradient (probabilities sum to 1, and so does the one-hot row)")

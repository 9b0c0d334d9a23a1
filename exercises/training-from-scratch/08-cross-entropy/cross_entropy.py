"""Classification losses and their gradients with respect to the logits.

Binary: one logit z per example, label y in {0, 1}, probability sigmoid(z).
Multi-class: one row of K logits per example, integer label in 0..K-1, probabilities softmax(row).
Both losses are means over the N examples of a batch.
"""

import numpy as np


def sigmoid(z):
    """Given: 1 / (1 + exp(-z)), without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bce_loss(z, y):
    """Given: mean binary cross-entropy of sigmoid(z) against y, computed from the logits
    (log(1 + exp(z)) - y * z is -y log(p) - (1 - y) log(1 - p) rewritten without overflow)."""
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def one_hot(labels, num_classes):
    """Given: row i is all zeros except a 1 at column labels[i]."""
    return np.eye(num_classes)[labels]


def cross_entropy(logits, labels):
    """Given: mean of -log softmax(logits)[i, labels[i]], computed with a stable log-sum-exp."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_norm - shifted[np.arange(len(labels)), labels]))


def bce_grad(z, y):
    """d bce_loss(z, y) / dz, one entry per example."""
    # BEGIN SOLUTION
    return (sigmoid(z) - y) / len(z)
    # END SOLUTION
    # BEGIN STARTER
    # TODO: chain -y log(p) - (1 - y) log(1 - p) through p = sigmoid(z) on paper first; the result is
    # short. Remember the loss is a mean over the batch.
    raise NotImplementedError("bce_grad: return dL/dz")
    # END STARTER


def softmax(logits):
    """Row-wise softmax of an (N, K) array: each row is exp(row) / sum(exp(row))."""
    # BEGIN SOLUTION
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
    # END SOLUTION
    # BEGIN STARTER
    # TODO: normalise each row. exp(1000) overflows; softmax does not change when the same number
    # is subtracted from a whole row.
    raise NotImplementedError("softmax: return the row-wise probabilities")
    # END STARTER


def softmax_ce_grad(logits, labels):
    """d cross_entropy(logits, labels) / d logits, an (N, K) array."""
    # BEGIN SOLUTION
    return (softmax(logits) - one_hot(labels, logits.shape[1])) / len(labels)
    # END SOLUTION
    # BEGIN STARTER
    # TODO: per row, the gradient is the predicted distribution minus the true one; then average.
    raise NotImplementedError("softmax_ce_grad: return dL/dlogits")
    # END STARTER

"""Given, read-only: the lesson's 2-8-1 classifier (ReLU hidden layer, sigmoid output, binary
cross-entropy) and the three 2-D datasets of its demo: XOR, circle and spiral.

Shapes for a batch of N points: X (N, 2), y (N,) of 0.0/1.0 labels, probabilities (N,).
"""

import numpy as np


def init_params(rng, hidden=8):
    return {
        "W1": rng.normal(size=(2, hidden)) * np.sqrt(2.0 / 2),
        "b1": np.zeros(hidden),
        "W2": rng.normal(size=(hidden, 1)) * np.sqrt(2.0 / hidden),
        "b2": np.zeros(1),
    }


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def forward(params, X):
    """Probabilities of class 1, and what backward needs."""
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.maximum(0.0, z1)
    yhat = sigmoid(a1 @ params["W2"] + params["b2"])[:, 0]
    return yhat, {"X": X, "z1": z1, "a1": a1}


def bce(yhat, y, eps=1e-7):
    """Mean binary cross-entropy."""
    return float(np.mean(-y * np.log(yhat + eps) - (1 - y) * np.log(1 - yhat + eps)))


def backward(params, cache, yhat, y):
    """Gradients of bce(yhat, y): the output gradient is (yhat - y) / N."""
    dz2 = ((yhat - y) / len(y))[:, None]
    da1 = dz2 @ params["W2"].T
    dz1 = da1 * (cache["z1"] > 0)
    return {
        "W1": cache["X"].T @ dz1,
        "b1": dz1.sum(axis=0),
        "W2": cache["a1"].T @ dz2,
        "b2": dz2.sum(axis=0),
    }


def sgd_update(params, grads, learning_rate):
    """A new parameter dict, one step against the gradients."""
    return {name: params[name] - learning_rate * grads[name] for name in params}


def accuracy(params, X, y):
    return float(np.mean((forward(params, X)[0] > 0.5) == (y > 0.5)))


def make_xor(rng, n=100, noise=0.1):
    """The four corners (+-1, +-1), n / 4 noisy copies each; class 1 where the signs differ."""
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]] * (n // 4))
    labels = np.array([0.0, 1.0, 1.0, 0.0] * (n // 4))
    return corners + noise * rng.normal(size=corners.shape), labels


def make_circle(rng, n=200):
    """Class 1 inside radius 0.8, class 0 on a ring between radii 1.2 and 2."""
    inner = n // 2
    radius = np.concatenate([rng.uniform(0.0, 0.8, inner), rng.uniform(1.2, 2.0, n - inner)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return X, np.concatenate([np.ones(inner), np.zeros(n - inner)])


def make_spiral(rng, n=200, noise=0.1):
    """Two interleaved arms winding out from the centre, one per class."""
    half = n // 2
    t = np.linspace(0.25, 1.0, half) * 3 * np.pi
    arms = []
    for turn in (0.0, np.pi):
        arms.append(np.column_stack([t * np.cos(t + turn), t * np.sin(t + turn)]) / np.pi)
    X = np.vstack(arms) + noise * rng.normal(size=(2 * half, 2))
    return X, np.concatenate([np.zeros(half), np.ones(half)])

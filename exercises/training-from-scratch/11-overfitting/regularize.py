"""An oversized network and three ways to stop it memorising noise: L2 weight decay, inverted
dropout and early stopping.

The network is a ReLU MLP given as a list of layer sizes, e.g. [1, 128, 128, 128, 128, 128, 1]:
parameters W1, b1, ..., W6, b6; hidden activations A_i = relu(A_{i-1} @ W_i + b_i), optionally
passed through dropout; a linear output; the mean squared error as the data loss.

The functions marked "given" are complete; write the four below them.
"""

import numpy as np


def init_params(sizes, rng):
    """Given: He-initialised weights and zero biases for consecutive layer sizes."""
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{i}"] = rng.normal(size=(fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        params[f"b{i}"] = np.zeros((1, fan_out))
    return params


def forward(params, X, dropout_p=0.0, rng=None):
    """Given: the output and a cache for backward. With dropout_p > 0 every hidden activation goes
    through dropout_forward(A, dropout_p, rng); with 0 (evaluation) dropout is off."""
    layers = len(params) // 2
    A = X
    cache = {"A0": X}
    for i in range(1, layers + 1):
        Z = A @ params[f"W{i}"] + params[f"b{i}"]
        if i < layers:
            A = np.maximum(0.0, Z)
            if dropout_p > 0:
                A, cache[f"M{i}"] = dropout_forward(A, dropout_p, rng)
        else:
            A = Z
        cache[f"Z{i}"], cache[f"A{i}"] = Z, A
    return A, cache


def mse_loss(out, y):
    """Given."""
    return float(np.mean((out - y) ** 2))


def backward(params, cache, out, y):
    """Given: gradients of mse_loss(out, y), through dropout_backward where dropout was applied."""
    layers = len(params) // 2
    d_A = 2.0 * (out - y) / out.size
    grads = {}
    for i in range(layers, 0, -1):
        if i < layers:
            if f"M{i}" in cache:
                d_A = dropout_backward(d_A, cache[f"M{i}"])
            d_Z = d_A * (cache[f"Z{i}"] > 0)
        else:
            d_Z = d_A
        grads[f"W{i}"] = cache[f"A{i - 1}"].T @ d_Z
        grads[f"b{i}"] = d_Z.sum(axis=0, keepdims=True)
        d_A = d_Z @ params[f"W{i}"].T
    return grads


def l2_penalty(params, weight_decay):
    """Given: (weight_decay / 2) times the sum of every squared weight. Biases are not penalised."""
    return 0.5 * weight_decay * sum(float(np.sum(value ** 2)) for name, value in params.items() if name.startswith("W"))


def objective(params, X, y, weight_decay=0.0, dropout_p=0.0, rng=None):
    """Given: one training step's (loss, gradients): the data loss plus the L2 penalty."""
    out, cache = forward(params, X, dropout_p, rng)
    grads = backward(params, cache, out, y)
    if weight_decay:
        decay = l2_grad(params, weight_decay)
        grads = {name: grads[name] + decay[name] for name in grads}
    return mse_loss(out, y) + l2_penalty(params, weight_decay), grads


def l2_grad(params, weight_decay):
    """The gradient of l2_penalty(params, weight_decay): a dict with every key of params."""
    # BEGIN SOLUTION
    return {name: weight_decay * value if name.startswith("W") else np.zeros_like(value)
            for name, value in params.items()}
    # END SOLUTION
    # BEGIN STARTER
    # TODO: differentiate (weight_decay / 2) * W ** 2 for each weight matrix; the biases are not in
    # the penalty, so their gradient is zero.
    raise NotImplementedError("l2_grad: return a dict of gradients")
    # END STARTER


def dropout_forward(A, p, rng):
    """Inverted dropout while training: zero each element of A with probability p, scale the kept
    ones so that every element's expected value is unchanged. Returns (output, mask), the mask
    being whatever dropout_backward needs to send a gradient back through the same choice."""
    # BEGIN SOLUTION
    mask = (rng.random(A.shape) >= p) / (1.0 - p)
    return A * mask, mask
    # END SOLUTION
    # BEGIN STARTER
    # TODO: draw a keep/drop decision per element from rng; kept elements are divided by (1 - p).
    raise NotImplementedError("dropout_forward: return (output, mask)")
    # END STARTER


def dropout_backward(d_out, mask):
    """The gradient with respect to dropout_forward's input, given the gradient of its output."""
    # BEGIN SOLUTION
    return d_out * mask
    # END SOLUTION
    # BEGIN STARTER
    # TODO: the output is the input times a fixed factor per element.
    raise NotImplementedError("dropout_backward: return the input gradient")
    # END STARTER


class EarlyStopping:
    """Watches validation losses, one per check, and says when to stop: after `patience` checks in a
    row without a new best (strictly lower) loss. Remembers the best loss and its check's index."""

    def __init__(self, patience):
        self.patience = patience
        self.best_loss = float("inf")
        self.best_step = None
        self.checks = 0
        self.checks_since_best = 0

    def should_stop(self, val_loss):
        """Record one validation loss; True when training should stop now."""
        # BEGIN SOLUTION
        if val_loss < self.best_loss:
            self.best_loss, self.best_step = val_loss, self.checks
            self.checks_since_best = 0
        else:
            self.checks_since_best += 1
        self.checks += 1
        return self.checks_since_best >= self.patience
        # END SOLUTION
        # BEGIN STARTER
        # TODO: a new best resets the count and records best_loss and best_step (this check's
        # index, counted from 0); anything else adds one. Stop when the count reaches patience.
        raise NotImplementedError("EarlyStopping.should_stop: return True or False")
        # END STARTER

"""Fit the line y_hat = w * x + b to a whole dataset by gradient descent on the mean squared error.

x and y are 1-D NumPy arrays of the same length.
"""

import numpy as np


def mse_loss(w, b, x, y):
    """Given, do not change: the mean of the squared errors, with no 1/2 in front."""
    return float(np.mean((w * x + b - y) ** 2))


def grad_w(w, b, x, y):
    """dL/dw of mse_loss, as a float."""
    # BEGIN SOLUTION
    error = w * x + b - y
    return float(2 * np.mean(error * x))
    # END SOLUTION
    # BEGIN STARTER
    # TODO: with e = w * x + b - y, differentiate mean(e ** 2) with respect to w.
    raise NotImplementedError("grad_w: return dL/dw as a float")
    # END STARTER


def grad_b(w, b, x, y):
    """dL/db of mse_loss, as a float."""
    # BEGIN SOLUTION
    return float(2 * np.mean(w * x + b - y))
    # END SOLUTION
    # BEGIN STARTER
    # TODO: the same as grad_w, but the prediction changes by 1 per unit of b.
    raise NotImplementedError("grad_b: return dL/db as a float")
    # END STARTER


def fit(x, y, learning_rate=0.01, epochs=100):
    """Plain gradient descent from w = b = 0.

    Returns (w, b, losses) where losses[i] is the loss *before* update i.
    """
    # BEGIN SOLUTION
    w, b = 0.0, 0.0
    losses = []
    for _ in range(epochs):
        losses.append(mse_loss(w, b, x, y))
        step_w = learning_rate * grad_w(w, b, x, y)
        step_b = learning_rate * grad_b(w, b, x, y)
        w, b = w - step_w, b - step_b
    return w, b, losses
    # END SOLUTION
    # BEGIN STARTER
    # TODO: start from w = b = 0. In each epoch record the loss, then update
    # both parameters using gradients computed at the *same* (w, b).
    raise NotImplementedError("fit: return (w, b, losses)")
    # END STARTER

"""A two-layer ReLU network trained by hand: Z1 = X @ W1 + b1, A1 = relu(Z1), out = A1 @ W2 + b2.

Shapes, for a batch of N rows: X (N, d_in), W1 (d_in, d_h), b1 (1, d_h), W2 (d_h, d_out),
b2 (1, d_out), out (N, d_out).
"""

import numpy as np


def init_params(d_in, d_h, d_out, rng):
    """Given: He initialisation for the ReLU layer, zero biases."""
    return {
        "W1": rng.normal(size=(d_in, d_h)) * np.sqrt(2.0 / d_in),
        "b1": np.zeros((1, d_h)),
        "W2": rng.normal(size=(d_h, d_out)) * np.sqrt(2.0 / d_h),
        "b2": np.zeros((1, d_out)),
    }


def forward(params, X):
    """Given: the network's output and the intermediate arrays that backward needs."""
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(0.0, Z1)
    out = A1 @ params["W2"] + params["b2"]
    return out, {"X": X, "Z1": Z1, "A1": A1}


def mse_loss(out, y):
    """Given: the mean of the squared errors over every element."""
    return float(np.mean((out - y) ** 2))


def backward(params, cache, out, y):
    """The gradient of mse_loss(out, y) with respect to each parameter, as a dict of arrays
    with the parameters' keys and shapes."""
    # BEGIN SOLUTION
    X, Z1, A1 = cache["X"], cache["Z1"], cache["A1"]
    d_out = 2.0 * (out - y) / out.size
    d_A1 = d_out @ params["W2"].T
    d_Z1 = d_A1 * (Z1 > 0)
    return {
        "W1": X.T @ d_Z1,
        "b1": d_Z1.sum(axis=0, keepdims=True),
        "W2": A1.T @ d_out,
        "b2": d_out.sum(axis=0, keepdims=True),
    }
    # END SOLUTION
    # BEGIN STARTER
    # TODO: walk the forward pass backwards, one line per step:
    #   d_out = dL/d out for the mean over every element of (out - y) ** 2
    #   dW2, db2 from d_out and A1;   d_A1 from d_out and W2
    #   d_Z1 = d_A1 through the ReLU (which units were active?)
    #   dW1, db1 from d_Z1 and X
    raise NotImplementedError("backward: return {'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...}")
    # END STARTER

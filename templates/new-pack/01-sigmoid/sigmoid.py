"""The sigmoid and its derivative, element by element."""

import numpy as np


def sigmoid(z):
    """1 / (1 + exp(-z)) for a float or an array."""
    # BEGIN SOLUTION
    return 1.0 / (1.0 + np.exp(-z))
    # END SOLUTION
    # BEGIN STARTER
    # TODO: return 1 / (1 + exp(-z)); np.exp works on floats and arrays.
    raise NotImplementedError("sigmoid: return 1 / (1 + np.exp(-z))")
    # END STARTER


def sigmoid_grad(z):
    """The derivative of sigmoid at z."""
    # BEGIN SOLUTION
    s = sigmoid(z)
    return s * (1.0 - s)
    # END SOLUTION
    # BEGIN STARTER
    # TODO: express the derivative through sigmoid(z) itself.
    raise NotImplementedError("sigmoid_grad: return the derivative of sigmoid at z")
    # END STARTER

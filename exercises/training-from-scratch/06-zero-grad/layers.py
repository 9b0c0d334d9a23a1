"""Given, read-only: trainable parameters whose gradients accumulate, a linear layer, and the mean
squared error. Like a tensor framework, nothing here ever clears a gradient by itself."""

import numpy as np


class Parameter:
    """A trainable array and the gradient added into it since it was last cleared."""

    def __init__(self, data):
        self.data = np.array(data, dtype=float)
        self.grad = np.zeros_like(self.data)


class Linear:
    """out = x @ W + b for a batch x of shape (N, in_features)."""

    def __init__(self, in_features, out_features, rng):
        scale = np.sqrt(1.0 / in_features)
        self.W = Parameter(rng.normal(0.0, scale, size=(in_features, out_features)))
        self.b = Parameter(np.zeros((1, out_features)))
        self._x = None

    def parameters(self):
        return [self.W, self.b]

    def forward(self, x):
        self._x = np.asarray(x, dtype=float)
        return self._x @ self.W.data + self.b.data

    def backward(self, grad_out):
        """Add this batch's gradients into W.grad and b.grad (+=) and return d loss / d x."""
        if self._x is None:
            raise RuntimeError("Linear.backward was called before forward")
        self.W.grad += self._x.T @ grad_out
        self.b.grad += grad_out.sum(axis=0, keepdims=True)
        return grad_out @ self.W.data.T


def mse(pred, y):
    """Mean squared error and its gradient with respect to pred: (loss, grad_pred)."""
    diff = pred - y
    return float(np.mean(diff ** 2)), 2.0 * diff / diff.size

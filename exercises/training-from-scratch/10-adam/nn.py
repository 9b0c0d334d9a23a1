"""Given, read-only: the layers and loop of exercise 06, plus ReLU and Sequential to stack them.
Gradients accumulate with += until an optimizer's zero_grad() clears them."""

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
        if self._x is None:
            raise RuntimeError("Linear.backward was called before forward")
        self.W.grad += self._x.T @ grad_out
        self.b.grad += grad_out.sum(axis=0, keepdims=True)
        return grad_out @ self.W.data.T


class ReLU:
    def parameters(self):
        return []

    def forward(self, x):
        self._active = x > 0
        return x * self._active

    def backward(self, grad_out):
        return grad_out * self._active


class Sequential:
    def __init__(self, *layers):
        self.layers = layers

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out


def mse(pred, y):
    """Mean squared error and its gradient with respect to pred: (loss, grad_pred)."""
    diff = pred - y
    return float(np.mean(diff ** 2)), 2.0 * diff / diff.size


def train(model, x, y, optimizer, epochs):
    """Full-batch training; returns the loss of each epoch, measured before its update."""
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss, grad_pred = mse(model.forward(x), y)
        model.backward(grad_pred)
        optimizer.step()
        losses.append(loss)
    return losses

"""Tests of exercise 06: SGD.zero_grad and the training loop that must call it."""

import numpy as np

from gradlab.testing import close, equal, fail, same_shape, test

X = np.array([[0.5, -1.0], [1.5, 2.0], [-0.3, 0.7], [2.2, -1.4]])
G = np.array([[1.0, -2.0, 0.5], [0.3, 0.3, -1.0], [-0.7, 1.2, 2.0], [0.1, -0.4, 0.9]])


def layer_with_gradients(sub):
    model = sub.eval("Linear(2, 3, np.random.default_rng(0))")
    model.forward(X)
    model.backward(G)
    return model


@test("zero-grad-clears")
def zero_grad_clears(sub):
    model = layer_with_gradients(sub)
    optimizer = sub.SGD(model.parameters(), 0.1)
    optimizer.zero_grad()
    for name, shape in (("W", (2, 3)), ("b", (1, 3))):
        grad = getattr(model, name).grad
        same_shape(grad, shape, what=f"{name}.grad after zero_grad()")
        close(grad, np.zeros(shape), what=f"{name}.grad after zero_grad()")


@test("train-learns")
def train_learns(sub):
    x = np.linspace(-2.0, 2.0, 32).reshape(-1, 1)
    model = sub.eval("Linear(1, 1, np.random.default_rng(1))")
    optimizer = sub.SGD(model.parameters(), 0.1)
    losses = sub.train(model, x, 3 * x - 1, optimizer, 60)
    equal(len(losses), 60, what="len(train(..., epochs=60))")
    if not losses[-1] < 1e-3:
        fail(f"after 60 epochs on y = 3x - 1 the loss is {losses[-1]:.4g} (from {losses[0]:.4g}); a clean "
             "loop gets below 0.001. Loss that swings up and down is the sign of gradients piling up.")


@test("accumulate-then-clear")
def accumulate_then_clear(sub):
    model = layer_with_gradients(sub)
    once = np.array(model.W.grad)
    model.backward(G)
    close(model.W.grad, 2 * once, what="W.grad after two backward passes (layers accumulate)")
    optimizer = sub.SGD(model.parameters(), 0.1)
    optimizer.zero_grad()
    model.backward(G)
    close(model.W.grad, once, what="W.grad after zero_grad() and one more backward pass")


@test("every-parameter")
def every_parameter(sub):
    model = layer_with_gradients(sub)
    optimizer = sub.SGD(model.parameters(), 0.1)
    optimizer.zero_grad()
    close(model.b.grad, np.zeros((1, 3)), what="b.grad, the layer's second parameter, after zero_grad()")
    model.backward(G)
    close(model.b.grad, G.sum(axis=0, keepdims=True), what="b.grad after zero_grad() and one backward pass")


@test("train-trajectory")
def train_trajectory(sub):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 1))
    model = sub.eval("Linear(1, 1, np.random.default_rng(1))")
    optimizer = sub.SGD(model.parameters(), 0.1)
    losses = sub.train(model, x, 3 * x - 1, optimizer, 5)
    close(losses, [6.4635817892977006, 4.429509958834052, 3.071880984328195, 2.1558413021437186,
                   1.5306283026765546], rtol=1e-6, what="the five epoch losses")

"""Tests of exercise 06: SGD.zero_grad and the training loop that must call it.

The layers live in the submission's process, where SGD works on their Parameters, but what the tests judge by
comes from the pack: the initial weights from the pack's own Linear, and the gradients, losses and trained
weights they expect from NumPy here. The hidden tests also try layers, data and learning rates drawn at
random, different in every graded run.
"""

import numpy as np

from gradlab.testing import close, equal, fail, same_shape, test

X = np.array([[0.5, -1.0], [1.5, 2.0], [-0.3, 0.7], [2.2, -1.4]])
G = np.array([[1.0, -2.0, 0.5], [0.3, 0.3, -1.0], [-0.7, 1.2, 2.0], [0.1, -0.4, 0.9]])
LINEAR = "Linear(n_in, n_out, np.random.default_rng(seed))"


def linear(sub, given, n_in, n_out, seed):
    """A Linear layer in the submission's process holding the weights of the pack's Linear(n_in, n_out,
    default_rng(seed)), and those weights."""
    weights = given.eval(f"{LINEAR}.W.data", n_in=n_in, n_out=n_out, seed=seed)
    model = sub.eval(LINEAR, n_in=n_in, n_out=n_out, seed=seed)
    model.W.data = weights
    model.b.data = np.zeros((1, n_out))
    return model, weights


def layer_with_gradients(sub, given, x=X, g=G, seed=0):
    """A Linear layer after one forward and backward pass of x with output gradient g, its gradients checked."""
    model, _ = linear(sub, given, x.shape[1], g.shape[1], seed)
    model.forward(x)
    model.backward(g)
    setup = "test setup; does your code change layers.py?"
    close(model.W.grad, x.T @ g, what=f"W.grad after one backward pass of the given Linear layer, x.T @ g ({setup})")
    close(model.b.grad, g.sum(axis=0, keepdims=True),
          what=f"b.grad after one backward pass of the given Linear layer, the sum of g's rows ({setup})")
    return model


def layers_accumulate(sub, given):
    """Test setup for the training tests: the given Linear layer, as the submission's process runs it, adds the
    gradients of two backward passes (the loop's zero_grad() matters only because it does)."""
    model = layer_with_gradients(sub, given)
    model.backward(G)
    close(model.W.grad, 2 * X.T @ G, what="W.grad after two backward passes of the given Linear layer, which adds "
                                          "them up (test setup; does your code change layers.py?)")


def random_layer_batch(rng):
    """(x, g, seed): a batch of 3 to 8 rows for a Linear layer of 1 to 4 inputs and 1 to 4 outputs, and the
    gradient arriving at its output."""
    rows, n_in, n_out = int(rng.integers(3, 9)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    return rng.normal(size=(rows, n_in)), rng.normal(size=(rows, n_out)), int(rng.integers(1 << 31))


@test("zero-grad-clears")
def zero_grad_clears(sub, given):
    model = layer_with_gradients(sub, given)
    optimizer = sub.SGD(model.parameters(), 0.1)
    optimizer.zero_grad()
    for name, shape in (("W", (2, 3)), ("b", (1, 3))):
        grad = getattr(model, name).grad
        same_shape(grad, shape, what=f"{name}.grad after zero_grad()")
        close(grad, np.zeros(shape), what=f"{name}.grad after zero_grad()")


@test("train-learns")
def train_learns(sub, given):
    layers_accumulate(sub, given)
    x = np.linspace(-2.0, 2.0, 32).reshape(-1, 1)
    model, _ = linear(sub, given, 1, 1, 1)
    optimizer = sub.SGD(model.parameters(), 0.1)
    losses = sub.train(model, x, 3 * x - 1, optimizer, 60)
    equal(len(losses), 60, what="len(train(..., epochs=60))")
    loss = float(np.mean((x @ model.W.data + model.b.data - (3 * x - 1)) ** 2))
    if not loss < 1e-3:
        fail(f"after 60 epochs on y = 3x - 1 the trained layer's loss is {loss:.4g} (from {losses[0]:.4g}); a clean "
             "loop gets below 0.001. Loss that swings up and down is the sign of gradients piling up.")


@test("accumulate-then-clear")
def accumulate_then_clear(sub, given, rng):
    for x, g, seed, words in ((X, G, 0, ""), (*random_layer_batch(rng), " (a random layer and batch)")):
        once = x.T @ g
        model = layer_with_gradients(sub, given, x, g, seed)
        model.backward(g)
        close(model.W.grad, 2 * once, what=f"W.grad after two backward passes (layers accumulate){words}")
        optimizer = sub.SGD(model.parameters(), 0.1)
        optimizer.zero_grad()
        model.backward(g)
        close(model.W.grad, once, what=f"W.grad after zero_grad() and one more backward pass{words}")


@test("every-parameter")
def every_parameter(sub, given, rng):
    model = layer_with_gradients(sub, given)
    optimizer = sub.SGD(model.parameters(), 0.1)
    optimizer.zero_grad()
    close(model.b.grad, np.zeros((1, 3)), what="b.grad, the layer's second parameter, after zero_grad()")
    model.backward(G)
    close(model.b.grad, G.sum(axis=0, keepdims=True), what="b.grad after zero_grad() and one backward pass")
    x, g, seed = random_layer_batch(rng)
    model = layer_with_gradients(sub, given, x, g, seed)
    optimizer = sub.SGD(model.parameters(), 0.1)
    optimizer.zero_grad()
    shape = f"a random layer of {x.shape[1]} inputs and {g.shape[1]} outputs"
    close(model.W.grad, np.zeros((x.shape[1], g.shape[1])), what=f"W.grad after zero_grad(), {shape}")
    close(model.b.grad, np.zeros((1, g.shape[1])), what=f"b.grad, the second parameter, after zero_grad(), {shape}")
    model.backward(g)
    close(model.b.grad, g.sum(axis=0, keepdims=True), what=f"b.grad after zero_grad() and one backward pass, {shape}")


@test("train-trajectory")
def train_trajectory(sub, given, rng):
    layers_accumulate(sub, given)
    x = np.random.default_rng(0).normal(size=(32, 1))
    model, _ = linear(sub, given, 1, 1, 1)
    optimizer = sub.SGD(model.parameters(), 0.1)
    losses = sub.train(model, x, 3 * x - 1, optimizer, 5)
    close(losses, [6.4635817892977006, 4.429509958834052, 3.071880984328195, 2.1558413021437186,
                   1.5306283026765546], rtol=1e-6, what="the five epoch losses")
    # a random line, data, layer and learning rate, with the trajectory of a loop that clears every epoch
    rows, epochs = int(rng.integers(16, 41)), int(rng.integers(4, 9))
    slope, intercept = rng.uniform(-3.0, 3.0, size=2)
    learning_rate = round(float(rng.uniform(0.05, 0.2)), 3)
    x = rng.normal(size=(rows, 1))
    y = slope * x + intercept
    model, weights = linear(sub, given, 1, 1, int(rng.integers(1 << 31)))
    w, b = np.array(weights, dtype=float), np.zeros((1, 1))
    optimizer = sub.SGD(model.parameters(), learning_rate)
    losses = sub.train(model, x, y, optimizer, epochs)
    expected = []
    for _epoch in range(epochs):
        diff = x @ w + b - y
        expected.append(float(np.mean(diff ** 2)))
        grad_pred = 2.0 * diff / diff.size
        w, b = w - learning_rate * (x.T @ grad_pred), b - learning_rate * grad_pred.sum(axis=0, keepdims=True)
    problem = f"{epochs} epochs at learning rate {learning_rate:g} on {rows} random points of a random line"
    close(losses, expected, rtol=1e-6, what=f"the epoch losses of {problem}")
    close(model.W.data, w, rtol=1e-6, what=f"W after {problem}")
    close(model.b.data, b, rtol=1e-6, atol=1e-9, what=f"b after {problem}")

"""Tests of exercise 12 on the lesson's shipments (1, 3), (2, 5), (3, 7): with the full mean squared
error the gradients at zero are -22.667 and -10 (the lesson's -11.333 and -5, doubled), and 20 steps
at learning rate 0.04 reach w = 2.037, b = 0.917.

The training tests build the model and optimizer themselves, as the given fit() does (nn.Linear(1, 1) in
float64 from w = b = 0, torch.optim.SGD), so that the weights they judge are read from the model your train()
trained, not from a given function in your file. The hidden tests also train on data drawn at random, different in
every graded run.
"""

import numpy as np

from gradlab.testing import close, equal, fail, test

X = np.array([1.0, 2.0, 3.0])
Y = np.array([3.0, 5.0, 7.0])
TRAIN = "train(model, torch.as_tensor(x.reshape(-1, 1)), torch.as_tensor(y.reshape(-1, 1)), optimizer, epochs)"


def fit(sub, x, y, learning_rate, epochs):
    """(w, b, losses) after the submission's train() on x, y from w = b = 0 with plain SGD, like the given fit()."""
    model = sub.eval("torch.nn.Linear(1, 1).double()")
    sub.eval("[p.data.zero_() for p in model.parameters()]", model=model)
    optimizer = sub.eval("torch.optim.SGD(model.parameters(), lr=learning_rate)", model=model,
                         learning_rate=learning_rate)
    losses = sub.eval(TRAIN, model=model, optimizer=optimizer, x=np.asarray(x, dtype=float),
                      y=np.asarray(y, dtype=float), epochs=epochs)
    return sub.eval("model.weight.item()", model=model), sub.eval("model.bias.item()", model=model), losses


def noisy_line(rng, n):
    """n points near a random line, with x in [-3, 3]."""
    w, b = rng.uniform(-3.0, 3.0, size=2)
    x = rng.uniform(-3.0, 3.0, size=n)
    return x, w * x + b + 0.3 * rng.normal(size=n)


@test("lesson-gradients")
def lesson_gradients(sub):
    for name in ("numpy_gradients", "torch_gradients"):
        grad_w, grad_b = getattr(sub, name)(0.0, 0.0, X, Y)
        close(grad_w, -68.0 / 3.0, what=f"{name}: dL/dw at w = b = 0")
        close(grad_b, -10.0, what=f"{name}: dL/db at w = b = 0")


@test("returns-floats")
def returns_floats(sub):
    for name in ("numpy_gradients", "torch_gradients"):
        for value in getattr(sub, name)(0.5, -0.5, X, Y):
            if not isinstance(value, float):
                fail(f"{name} returned a {type(value).__name__}; return Python floats (tensor.item(), float(...))")


@test("agrees-with-numpy")
def agrees_with_numpy(sub):
    rng = np.random.default_rng(12)
    for trial in range(3):
        w, b = rng.normal(size=2)
        x, y = rng.normal(size=8), rng.normal(size=8)
        close(sub.torch_gradients(w, b, x, y), sub.numpy_gradients(w, b, x, y), rtol=1e-5, atol=1e-6,
              what=f"autograd's gradients against your NumPy ones at random point {trial + 1}")


@test("one-step")
def one_step(sub):
    w, b, losses = fit(sub, X, Y, learning_rate=0.04, epochs=1)
    close(losses, [83.0 / 3.0], what="the loss before the first update (27.667)")
    close(w, 0.9066666666666667, what="w after one step (the lesson's 0.907)")
    close(b, 0.4, what="b after one step")


@test("fit-lesson")
def fit_lesson(sub, rng):
    w, b, losses = fit(sub, X, Y, learning_rate=0.04, epochs=20)
    equal(len(losses), 20, what="len(losses)")
    for value in losses:
        if not isinstance(value, float):
            fail(f"train recorded a {type(value).__name__}; append loss.item() so the graph is not kept alive")
    close(losses[1], 8.562429629629628, rtol=1e-9, what="the loss before the second update")
    close(w, 2.036500539715272, rtol=1e-9, what="w after 20 steps")
    close(b, 0.9169810333525154, rtol=1e-9, what="b after 20 steps")
    x, y = noisy_line(rng, 8)
    learning_rate = round(float(rng.uniform(0.01, 0.04)), 3)
    expected_w, expected_b, expected_losses = 0.0, 0.0, []  # gradient descent in NumPy
    for _ in range(20):
        error = expected_w * x + expected_b - y
        expected_losses.append(float(np.mean(error ** 2)))
        expected_w -= learning_rate * 2 * float(np.mean(error * x))
        expected_b -= learning_rate * 2 * float(np.mean(error))
    w, b, losses = fit(sub, x, y, learning_rate=learning_rate, epochs=20)
    data = f"8 random points at learning rate {learning_rate:g}"
    equal(len(losses), 20, what=f"len(losses) of 20 steps on {data}")
    close(losses, expected_losses, rtol=1e-9, what=f"the losses of 20 steps on {data}, each before its update")
    close(w, expected_w, rtol=1e-9, what=f"w after 20 steps on {data}")
    close(b, expected_b, rtol=1e-9, what=f"b after 20 steps on {data}")


@test("fit-other-rate")
def fit_other_rate(sub, rng):
    w, b, losses = fit(sub, X, Y, learning_rate=0.01, epochs=100)
    close(w, 2.034809170803847, rtol=1e-9, what="w after 100 steps at learning rate 0.01 (exercise 02's defaults)")
    close(b, 0.9208271577099737, rtol=1e-9, what="b after 100 steps at learning rate 0.01")
    x, y = noisy_line(rng, 10)
    expected_w, expected_b = 0.0, 0.0  # gradient descent in NumPy
    for _ in range(100):
        error = expected_w * x + expected_b - y
        expected_w -= 0.01 * 2 * float(np.mean(error * x))
        expected_b -= 0.01 * 2 * float(np.mean(error))
    w, b, losses = fit(sub, x, y, learning_rate=0.01, epochs=100)
    close(w, expected_w, rtol=1e-9, what="w after 100 steps at learning rate 0.01 on 10 random points")
    close(b, expected_b, rtol=1e-9, atol=1e-9, what="b after 100 steps at learning rate 0.01 on 10 random points")

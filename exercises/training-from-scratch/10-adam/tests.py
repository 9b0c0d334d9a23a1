"""Tests of exercise 10: Adam's update with bias correction, against hand-checked trajectories.

Adam has two correct forms, the bias-corrected m_hat / (sqrt(v_hat) + eps) and the paper's lr_t form with eps beside
sqrt(v); each trajectory test accepts both and names the usual mistakes (gradlab.numerics.adam) before it shows numbers.

The Parameters live in the submission's process, where Adam updates them, holding data the tests choose; the noisy
sine's network starts from the pack's own initial weights and its SGD baseline runs in the pack's given code. The
hidden tests also try gradients, rates and betas drawn at random, different in every graded run.
"""

import numpy as np

from gradlab.numerics import adam
from gradlab.testing import close, fail, test

SINE_MODEL = "(lambda rng: Sequential(Linear(1, 64, rng), ReLU(), Linear(64, 1, rng)))(np.random.default_rng(1))"


def adam_trajectory(sub, start, gradients, **options):
    """Parameters created from `start`, then one step per entry of `gradients` (one array per
    parameter); returns every parameter's data after each step."""
    params = [sub.Parameter(np.array(value, dtype=float)) for value in start]
    optimizer = sub.Adam(params, **options)
    trajectory = []
    for step_gradients in gradients:
        for param, grad in zip(params, step_gradients):
            param.grad = np.array(grad, dtype=float)
        optimizer.step()
        trajectory.append([np.array(param.data) for param in params])
    return trajectory


def is_adam(trajectory, start, gradients, lr, betas=(0.9, 0.999), eps=1e-8):
    """True when every step moved the parameters as Adam does, in the bias-corrected form or in the paper's lr_t
    form (they differ only in how eps is scaled); a usual mistake fails the test with what differs; False when the
    steps are no variant Adam's checks know, for the caller to show the numbers."""
    data = [[np.asarray(value, dtype=float) for value in start]] + trajectory
    moved = [[after - before for after, before in zip(data[k + 1], data[k])] for k in range(len(trajectory))]
    if any(move.shape != np.shape(g) for row, grads in zip(moved, gradients) for move, g in zip(row, grads)):
        return False
    scale = max([float(np.max(np.abs(x))) for row in data for x in row if x.size] + [1.0])
    found = adam.identify(moved, gradients, adam.Settings(lr, betas[0], betas[1], eps), rtol=1e-8, scale=scale)
    if adam.accepted(found):
        return True
    said = adam.words(found)
    if said:
        what, fix = said
        fail(f"every step moved the parameters exactly as an Adam in which {what} would: {fix}",
             kind=f"the steps are those of an Adam in which {what}: {fix}")
    return False


@test("first-step")
def first_step(sub):
    start, gradients = [[1.0, -2.0, 3.0]], [[[0.5, -100.0, 1e-3]]]
    trajectory = adam_trajectory(sub, start, gradients, lr=0.1)
    if not is_adam(trajectory, start, gradients, lr=0.1):
        close(trajectory[0][0], [0.900000002, -1.90000000001, 2.90000099999], rtol=1e-9,
              what="one Adam step at lr 0.1 from [1, -2, 3] with gradients [0.5, -100, 0.001] "
                   "(each element moves by about lr, whatever its gradient's size)")


@test("three-steps")
def three_steps(sub):
    start, gradients = [[0.5, -0.5]], [[[1.0, -2.0]], [[0.5, 0.1]], [[-1.0, 3.0]]]
    trajectory = adam_trajectory(sub, start, gradients, lr=0.01)
    if is_adam(trajectory, start, gradients, lr=0.01):
        return
    expected = [[0.4900000001, -0.49000000005], [0.48067820382981613, -0.4836795756363844],
                [0.4795703731293872, -0.48628384861652574]]
    for step, ((after,), want) in enumerate(zip(trajectory, expected), start=1):
        close(after, want, rtol=1e-9, what=f"the parameter after step {step}")


@test("adam-beats-sgd")
def adam_beats_sgd(sub, given):
    x = np.linspace(-np.pi, np.pi, 200).reshape(-1, 1)
    y = np.sin(x) + 0.1 * np.random.default_rng(0).normal(size=x.shape)

    def loss_of(data):
        W1, b1, W2, b2 = data
        return float(np.mean((np.maximum(0.0, x @ W1 + b1) @ W2 + b2 - y) ** 2))

    baseline = given.eval(SINE_MODEL)  # the pack's network and its plain SGD, in the pack's given code
    start = [np.array(p.data) for p in baseline.parameters()]
    given.train(baseline, x, y, given.SGD(baseline.parameters(), lr=0.01), 200)
    final = {"SGD": loss_of([p.data for p in baseline.parameters()])}
    model = sub.eval(SINE_MODEL)
    parameters = model.parameters()
    for param, data in zip(parameters, start):
        param.data = data
    sub.train(model, x, y, sub.Adam(parameters, lr=0.01), 200)
    final["Adam"] = loss_of([param.data for param in parameters])
    if not (final["Adam"] < 0.02 and final["Adam"] < final["SGD"] / 5):
        fail(f"after 200 steps on the noisy sine at lr 0.01, SGD reached {final['SGD']:.4f} and your Adam "
             f"{final['Adam']:.4f}; Adam should be below 0.02, several times lower than SGD")


@test("constant-gradient")
def constant_gradient(sub, rng):
    trajectory = adam_trajectory(sub, [[5.0]], [[[2.0]]] * 50, lr=0.01)
    if not is_adam(trajectory, [[5.0]], [[[2.0]]] * 50, lr=0.01):
        close(trajectory[0][0], [4.99], rtol=1e-8, what="the parameter after the first of 50 steps with gradient 2")
        close(trajectory[-1][0], [4.5], rtol=1e-8,
              what="the parameter after 50 steps with gradient 2 (bias-corrected, every step is lr = 0.01)")
    start = np.round(rng.uniform(-3.0, 3.0, size=3), 2)
    gradient = np.round(rng.uniform(0.1, 10.0, size=3), 2) * rng.choice([-1.0, 1.0], size=3)
    steps, lr = int(rng.integers(5, 41)), round(float(rng.uniform(0.001, 0.1)), 4)
    betas = (round(float(rng.uniform(0.5, 0.95)), 3), round(float(rng.uniform(0.9, 0.9999)), 4))
    trajectory = adam_trajectory(sub, [start], [[gradient]] * steps, lr=lr, betas=betas)
    if is_adam(trajectory, [start], [[gradient]] * steps, lr=lr, betas=betas):
        return
    move = lr * gradient / (np.abs(gradient) + 1e-8)
    setting = f"the constant gradient {gradient.tolist()} at lr {lr:g}, betas {betas}"
    close(trajectory[0][0], start - move, rtol=1e-8, atol=1e-12,
          what=f"the parameter from {start.tolist()} after one step with {setting}")
    close(trajectory[-1][0], start - steps * move, rtol=1e-8, atol=1e-12,
          what=f"the parameter from {start.tolist()} after {steps} steps with {setting} (bias-corrected, every "
               "step is lr)")


@test("eps-outside-sqrt")
def eps_outside_sqrt(sub, rng):
    # a gradient as small as eps: where eps goes decides the step (lr / 2 when it is added to sqrt(v_hat))
    cases = [([[0.0]], [[[1e-8]]], 0.1, 1e-8, "gradient 1e-8 and eps 1e-8")]
    eps = float(10.0 ** -rng.integers(6, 10))
    ratio = round(float(rng.uniform(0.2, 5.0)), 2) * float(rng.choice([-1.0, 1.0]))
    lr = round(float(rng.uniform(0.01, 0.5)), 3)
    cases.append(([[1.0]], [[[ratio * eps]]], lr, eps, f"gradient {ratio:g} * eps, eps {eps:g}, lr {lr:g}"))
    for start, gradients, lr, eps, words in cases:
        trajectory = adam_trajectory(sub, start, gradients, lr=lr, eps=eps)
        if not is_adam(trajectory, start, gradients, lr=lr, eps=eps):
            expected = np.asarray(start[0]) + adam.moves("adam", "adam", gradients, adam.Settings(lr, eps=eps))[0][0]
            close(trajectory[0][0], expected, rtol=1e-9,
                  what=f"one step from {start[0][0]:g} with {words}: lr * m_hat / (sqrt(v_hat) + eps)")


@test("state-per-parameter")
def state_per_parameter(sub, rng):
    start = [[1.0], [[2.0, 0.0]]]
    gradients = [[[1.0], [[100.0, -0.01]]], [[-3.0], [[50.0, 0.02]]], [[0.5], [[-1.0, 0.0]]]]
    trajectory = adam_trajectory(sub, start, gradients, lr=0.05, betas=(0.8, 0.99))
    if not is_adam(trajectory, start, gradients, lr=0.05, betas=(0.8, 0.99)):
        expected = [
            [[0.9500000005], [[1.950000000005, 0.04999995000005]]],
            [[0.9772749510708159], [[1.9042536396064642, 0.028949822222498527]]],
            [[0.9912487708445648], [[1.871424703355625, 0.013696349137486071]]],
        ]
        for step, (got, want) in enumerate(zip(trajectory, expected), start=1):
            close(got[0], want[0], rtol=1e-9, what=f"the first parameter after step {step}")
            close(got[1], want[1], rtol=1e-9, what=f"the second parameter after step {step}")
    # random shapes, gradients and settings, against the steps of Adam (gradlab.numerics.adam)
    shapes = [tuple(int(n) for n in rng.integers(1, 4, size=rank)) for rank in rng.integers(1, 3, size=3)]
    start = [rng.normal(size=shape) for shape in shapes]
    steps = int(rng.integers(2, 6))
    gradients = [[rng.normal(scale=10.0 ** rng.uniform(-2, 2), size=shape) for shape in shapes] for _ in range(steps)]
    lr, beta1, beta2 = round(float(rng.uniform(0.01, 0.2)), 3), round(float(rng.uniform(0.5, 0.95)), 3), \
        round(float(rng.uniform(0.9, 0.9999)), 4)
    trajectory = adam_trajectory(sub, start, gradients, lr=lr, betas=(beta1, beta2))
    if is_adam(trajectory, start, gradients, lr=lr, betas=(beta1, beta2)):
        return
    data = [value.copy() for value in start]
    for step, (moved, got) in enumerate(zip(adam.moves("adam", "adam", gradients, adam.Settings(lr, beta1, beta2)),
                                            trajectory), start=1):
        for i, move in enumerate(moved):
            data[i] = data[i] + move
            close(got[i], data[i], rtol=1e-9, atol=1e-12,
                  what=f"parameter {i + 1} of 3 (shape {shapes[i]}) after step {step} of {steps} at lr {lr:g}, "
                       f"betas ({beta1:g}, {beta2:g})")

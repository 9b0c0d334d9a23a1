"""Tests of exercise 10: Adam's update with bias correction, against hand-checked trajectories."""

import numpy as np

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


@test("first-step")
def first_step(sub):
    (after,), = adam_trajectory(sub, [[1.0, -2.0, 3.0]], [[[0.5, -100.0, 1e-3]]], lr=0.1)
    close(after, [0.900000002, -1.90000000001, 2.90000099999], rtol=1e-9,
          what="one Adam step at lr 0.1 from [1, -2, 3] with gradients [0.5, -100, 0.001] "
               "(each element moves by about lr, whatever its gradient's size)")


@test("three-steps")
def three_steps(sub):
    trajectory = adam_trajectory(sub, [[0.5, -0.5]], [[[1.0, -2.0]], [[0.5, 0.1]], [[-1.0, 3.0]]], lr=0.01)
    expected = [[0.4900000001, -0.49000000005], [0.48067820382981613, -0.4836795756363844],
                [0.4795703731293872, -0.48628384861652574]]
    for step, ((after,), want) in enumerate(zip(trajectory, expected), start=1):
        close(after, want, rtol=1e-9, what=f"the parameter after step {step}")


@test("adam-beats-sgd")
def adam_beats_sgd(sub):
    x = np.linspace(-np.pi, np.pi, 200).reshape(-1, 1)
    y = np.sin(x) + 0.1 * np.random.default_rng(0).normal(size=x.shape)
    final = {}
    for name in ("SGD", "Adam"):
        model = sub.eval(SINE_MODEL)
        optimizer = getattr(sub, name)(model.parameters(), lr=0.01)
        final[name] = sub.train(model, x, y, optimizer, 200)[-1]
    if not (final["Adam"] < 0.02 and final["Adam"] < final["SGD"] / 5):
        fail(f"after 200 steps on the noisy sine at lr 0.01, SGD reached {final['SGD']:.4f} and your Adam "
             f"{final['Adam']:.4f}; Adam should be below 0.02, several times lower than SGD")


@test("constant-gradient")
def constant_gradient(sub):
    trajectory = adam_trajectory(sub, [[5.0]], [[[2.0]]] * 50, lr=0.01)
    close(trajectory[0][0], [4.99], rtol=1e-8, what="the parameter after the first of 50 steps with gradient 2")
    close(trajectory[-1][0], [4.5], rtol=1e-8,
          what="the parameter after 50 steps with gradient 2 (bias-corrected, every step is lr = 0.01)")


@test("eps-outside-sqrt")
def eps_outside_sqrt(sub):
    (after,), = adam_trajectory(sub, [[0.0]], [[[1e-8]]], lr=0.1)
    close(after, [-0.05], rtol=1e-9,
          what="one step with gradient 1e-8 and eps 1e-8: lr * 1e-8 / (sqrt(1e-16) + 1e-8) = lr / 2")


@test("state-per-parameter")
def state_per_parameter(sub):
    trajectory = adam_trajectory(
        sub, [[1.0], [[2.0, 0.0]]],
        [[[1.0], [[100.0, -0.01]]], [[-3.0], [[50.0, 0.02]]], [[0.5], [[-1.0, 0.0]]]],
        lr=0.05, betas=(0.8, 0.99))
    expected = [
        [[0.9500000005], [[1.950000000005, 0.04999995000005]]],
        [[0.9772749510708159], [[1.9042536396064642, 0.028949822222498527]]],
        [[0.9912487708445648], [[1.871424703355625, 0.013696349137486071]]],
    ]
    for step, (got, want) in enumerate(zip(trajectory, expected), start=1):
        close(got[0], want[0], rtol=1e-9, what=f"the first parameter after step {step}")
        close(got[1], want[1], rtol=1e-9, what=f"the second parameter after step {step}")

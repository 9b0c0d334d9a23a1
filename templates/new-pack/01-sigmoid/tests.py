"""Tests of exercise 01. Each @test id matches a check in pack.json, which holds its title, points,
hints and whether it is hidden. Hidden tests are left out of the learner release."""

import numpy as np

from gradlab.testing import close, test


@test("at-zero")
def at_zero(sub):
    close(sub.sigmoid(0.0), 0.5, what="sigmoid(0)")
    close(sub.sigmoid_grad(0.0), 0.25, what="sigmoid_grad(0)")
    close(sub.sigmoid(2.0), float(1 / (1 + np.exp(-2.0))), what="sigmoid(2)")


@test("symmetry")
def symmetry(sub):
    z = np.array([0.5, 1.5, 3.0])
    close(sub.sigmoid_grad(-z), sub.sigmoid_grad(z), what="sigmoid_grad(-z) against sigmoid_grad(z)")

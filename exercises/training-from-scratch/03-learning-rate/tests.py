"""Tests of exercise 03: the lesson's five-step table for learning rates 0.01, 0.1 and 0.5.

The hidden tests also try learning rates, step counts, x values and loss lists drawn at random, different in
every graded run.
"""

import math

from gradlab.testing import close, equal, test

ROW_001 = [8.0, 7.22, 6.51605, 5.880735125, 5.3073634503125]
ROW_01 = [8.0, 2.0, 0.5, 0.125, 0.03125]
ROW_05 = [8.0, 18.0, 40.5, 91.125, 205.03125]


def draw(rng, low, high, digits=3):
    """A number drawn uniformly from [low, high], rounded so that messages show it exactly."""
    return round(float(rng.uniform(low, high)), digits)


@test("rate-0.1")
def rate_01(sub):
    close(sub.losses_for_rate(0.1), ROW_01, what="losses_for_rate(0.1)")


@test("classify-lesson")
def classify_lesson(sub):
    equal(sub.classify(ROW_001), "crawl", what="classify of the lr = 0.01 row")
    equal(sub.classify(ROW_01), "converge", what="classify of the lr = 0.1 row")
    equal(sub.classify(ROW_05), "diverge", what="classify of the lr = 0.5 row")


@test("loss-factor-lesson")
def loss_factor_lesson(sub):
    close(sub.loss_factor(0.01), 0.9025, what="loss_factor(0.01)")
    close(sub.loss_factor(0.1), 0.25, what="loss_factor(0.1)")
    close(sub.loss_factor(0.5), 2.25, what="loss_factor(0.5)")


@test("rate-0.01")
def rate_001(sub, rng):
    close(sub.losses_for_rate(0.01), ROW_001, what="losses_for_rate(0.01)")
    rate = draw(rng, 0.005, 0.03)
    expected = [8.0 * (1.0 - 5.0 * rate) ** (2 * step) for step in range(5)]
    close(sub.losses_for_rate(rate), expected, what=f"losses_for_rate({rate:g}), another rate that crawls")


@test("rate-0.5")
def rate_05(sub, rng):
    close(sub.losses_for_rate(0.5), ROW_05, what="losses_for_rate(0.5)")
    rate = draw(rng, 0.42, 0.6)
    expected = [8.0 * (1.0 - 5.0 * rate) ** (2 * step) for step in range(5)]
    close(sub.losses_for_rate(rate), expected, what=f"losses_for_rate({rate:g}), another rate that diverges")


@test("steps-argument")
def steps_argument(sub, rng):
    losses = sub.losses_for_rate(0.1, steps=8)
    equal(len(losses), 8, what="len(losses_for_rate(0.1, steps=8))")
    close(losses[-1], 8.0 * 0.25 ** 7, what="the 8th loss at learning rate 0.1")
    rate, steps = draw(rng, 0.02, 0.38), int(rng.integers(2, 13))
    call = f"losses_for_rate({rate:g}, steps={steps})"
    losses = sub.losses_for_rate(rate, steps=steps)
    equal(len(losses), steps, what=f"len({call})")
    close(losses, [8.0 * (1.0 - 5.0 * rate) ** (2 * step) for step in range(steps)], what=call)


@test("overshoot-converges")
def overshoot_converges(sub, rng):
    losses = sub.losses_for_rate(0.3)
    close(losses, ROW_01, what="losses_for_rate(0.3), whose error flips sign every step")
    equal(sub.classify(losses), "converge", what="classify(losses_for_rate(0.3))")
    rate = draw(rng, 0.21, 0.29)
    losses = sub.losses_for_rate(rate)
    close(losses, [8.0 * (1.0 - 5.0 * rate) ** (2 * step) for step in range(5)],
          what=f"losses_for_rate({rate:g}), whose error flips sign every step")
    equal(sub.classify(losses), "converge", what=f"classify(losses_for_rate({rate:g}))")


@test("factor-edges")
def factor_edges(sub, rng):
    close(sub.loss_factor(0.2), 0.0, atol=1e-12, what="loss_factor(0.2), a step that lands on the minimum")
    close(sub.loss_factor(0.4), 1.0, what="loss_factor(0.4), the edge between converging and diverging")
    close(sub.loss_factor(0.1, x=1.0), 0.64, what="loss_factor(0.1, x=1)")
    x = draw(rng, 0.5, 3.0, digits=2)
    rate = draw(rng, 0.01, 0.5)
    close(sub.loss_factor(rate, x=x), (1.0 - rate * (x ** 2 + 1.0)) ** 2, what=f"loss_factor({rate:g}, x={x:g})")
    landing = 1.0 / (x ** 2 + 1.0)
    close(sub.loss_factor(landing, x=x), 0.0, atol=1e-12,
          what=f"loss_factor(1 / (x**2 + 1), x={x:g}), a step that lands on the minimum")
    close(sub.loss_factor(2 * landing, x=x), 1.0,
          what=f"loss_factor(2 / (x**2 + 1), x={x:g}), the edge between converging and diverging")


@test("classify-edges")
def classify_edges(sub, rng):
    equal(sub.eval("classify([8.0, float('inf'), float('nan')])"), "diverge",
          what="classify of a run whose loss overflowed to nan")
    equal(sub.classify([8.0, 0.5]), "crawl", what="classify([8, 0.5]), which keeps 6.25% of the first loss")
    equal(sub.classify([8.0, 0.07]), "converge", what="classify([8, 0.07]), which keeps 0.875% of the first loss")
    equal(sub.classify([100.0, 1.0]), "crawl", what="classify([100, 1]), which keeps exactly 1%: not below it")
    equal(sub.classify([8.0, 8.0, 8.0]), "crawl", what="classify of a loss that stays at 8")
    first = draw(rng, 1.0, 100.0)
    cases = [
        ([first, first * draw(rng, 0.02, 0.95)], "crawl"),
        ([first, first * draw(rng, 0.5, 0.9), first * draw(rng, 0.0001, 0.009)], "converge"),
        ([first, first * draw(rng, 1.01, 5.0)], "diverge"),
        ([first, first * draw(rng, 0.5, 0.9), math.inf], "diverge"),
        ([first, math.inf, math.nan], "diverge"),
    ]
    for index in rng.permutation(len(cases)):
        losses, expected = cases[index]
        equal(sub.classify(losses), expected, what=f"classify({[round(loss, 6) for loss in losses]})")

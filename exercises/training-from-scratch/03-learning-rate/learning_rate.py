"""How the learning rate decides between crawling, converging and diverging.

The problem is the lesson's single shipment: x = 2, target = 6, starting from w = 1, b = 0, with
the half squared error L = 1/2 (w * x + b - target)^2.
"""

import math

X, TARGET = 2.0, 6.0


def losses_for_rate(learning_rate, steps=5):
    """The loss before each of `steps` gradient-descent updates from w = 1, b = 0, as a list."""
    # BEGIN SOLUTION
    w, b = 1.0, 0.0
    losses = []
    for _ in range(steps):
        error = w * X + b - TARGET
        losses.append(0.5 * error ** 2)
        w, b = w - learning_rate * error * X, b - learning_rate * error
    return losses
    # END SOLUTION
    # BEGIN STARTER
    # TODO: run `steps` updates of w and b, appending the loss *before* each update.
    raise NotImplementedError("losses_for_rate: return the list of losses")
    # END STARTER


def loss_factor(learning_rate, x=X):
    """The factor by which one update multiplies this problem's loss.

    One update turns the error e into e * (1 - learning_rate * (x**2 + 1)); the loss is half the
    error squared.
    """
    # BEGIN SOLUTION
    return (1.0 - learning_rate * (x ** 2 + 1.0)) ** 2
    # END SOLUTION
    # BEGIN STARTER
    # TODO: square the error's factor given in the docstring.
    raise NotImplementedError("loss_factor: return the loss's factor per update")
    # END STARTER


def classify(losses):
    """"diverge" when the last loss is larger than the first or is not finite, "converge" when it
    is below 1% of the first, "crawl" otherwise."""
    # BEGIN SOLUTION
    first, last = losses[0], losses[-1]
    if not math.isfinite(last) or last > first:
        return "diverge"
    if last < 0.01 * first:
        return "converge"
    return "crawl"
    # END SOLUTION
    # BEGIN STARTER
    # TODO: compare the last loss with the first; remember that nan compares False with everything.
    raise NotImplementedError("classify: return 'crawl', 'converge' or 'diverge'")
    # END STARTER

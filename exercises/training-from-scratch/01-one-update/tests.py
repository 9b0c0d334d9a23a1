"""Tests of exercise 01: the lesson's shipment, x = 2, y = 6, w = 1, b = 0, learning rate 0.1.

The hidden tests also try a shipment and a learning rate drawn at random, different in every graded run.
"""

from gradlab.testing import close, test

X, TARGET = 2.0, 6.0


def draw(rng, low, high):
    """A number drawn uniformly from [low, high], rounded to two decimals so that messages show it exactly."""
    return round(float(rng.uniform(low, high)), 2)


def shipment(rng):
    """A random starting line (w, b) and shipment (x, target), with x away from 0 and 1."""
    return draw(rng, -2.0, 2.0), draw(rng, -2.0, 2.0), draw(rng, 1.2, 2.5) * float(rng.choice([-1.0, 1.0])), \
        draw(rng, -8.0, 8.0)


@test("lesson-loss")
def lesson_loss(sub):
    prediction = sub.predict(1.0, 0.0, X)
    close(prediction, 2.0, what="predict(1, 0, 2)")
    close(sub.half_squared_error(2.0, TARGET), 8.0, what="half_squared_error(2, 6)")


@test("lesson-gradients")
def lesson_gradients(sub):
    dL_dw, dL_db = sub.gradients(1.0, 0.0, X, TARGET)
    close(dL_dw, -8.0, what="dL_dw at w=1, b=0, x=2, target=6")
    close(dL_db, -4.0, what="dL_db at w=1, b=0, x=2, target=6")


@test("lesson-update")
def lesson_update(sub, rng):
    w, b = sub.sgd_step(1.0, 0.0, -8.0, -4.0, 0.1)
    close(w, 1.8, what="the new w after sgd_step(1, 0, -8, -4, 0.1)")
    close(b, 0.4, what="the new b after sgd_step(1, 0, -8, -4, 0.1)")
    w0, b0, grad_w, grad_b = draw(rng, -3, 3), draw(rng, -3, 3), draw(rng, -9, 9), draw(rng, -9, 9)
    learning_rate = draw(rng, 0.05, 0.5)
    call = f"sgd_step({w0:g}, {b0:g}, {grad_w:g}, {grad_b:g}, {learning_rate:g})"
    w, b = sub.sgd_step(w0, b0, grad_w, grad_b, learning_rate)
    close(w, w0 - learning_rate * grad_w, what=f"the new w after {call}")
    close(b, b0 - learning_rate * grad_b, what=f"the new b after {call}")


@test("update-direction")
def update_direction(sub, rng):
    w, b = sub.sgd_step(0.5, -1.0, 3.0, -2.0, 0.25)
    close(w, -0.25, what="w after a step against a positive gradient (0.5 - 0.25 * 3)")
    close(b, -0.5, what="b after a step against a negative gradient (-1 - 0.25 * -2)")
    # the signs swapped: now w's gradient is negative and b's positive
    w0, b0, grad_w, grad_b = draw(rng, -3, 3), draw(rng, -3, 3), -draw(rng, 0.5, 5), draw(rng, 0.5, 5)
    learning_rate = draw(rng, 0.05, 0.5)
    w, b = sub.sgd_step(w0, b0, grad_w, grad_b, learning_rate)
    close(w, w0 - learning_rate * grad_w,
          what=f"w after a step against a negative gradient ({w0:g} - {learning_rate:g} * {grad_w:g})")
    close(b, b0 - learning_rate * grad_b,
          what=f"b after a step against a positive gradient ({b0:g} - {learning_rate:g} * {grad_b:g})")


@test("loss-after-update")
def loss_after_update(sub, rng):
    dL_dw, dL_db = sub.gradients(1.0, 0.0, X, TARGET)
    w, b = sub.sgd_step(1.0, 0.0, dL_dw, dL_db, 0.1)
    prediction = sub.predict(w, b, X)
    close(prediction, 4.0, what="the prediction after one update")
    close(sub.half_squared_error(prediction, TARGET), 2.0, what="the loss after one update")
    w0, b0, x, target = shipment(rng)
    learning_rate = draw(rng, 0.02, 0.2)
    where = f"from w = {w0:g}, b = {b0:g} on x = {x:g}, target = {target:g} at learning rate {learning_rate:g}"
    dL_dw, dL_db = sub.gradients(w0, b0, x, target)
    w, b = sub.sgd_step(w0, b0, dL_dw, dL_db, learning_rate)
    prediction = sub.predict(w, b, x)
    error = w0 * x + b0 - target
    expected = (w0 - learning_rate * error * x) * x + b0 - learning_rate * error
    close(prediction, expected, what=f"the prediction after one update {where}")
    close(sub.half_squared_error(prediction, target), 0.5 * (expected - target) ** 2,
          what=f"the loss after one update {where}")


@test("five-steps")
def five_steps(sub, rng):
    w, b = 1.0, 0.0
    for step, expected in enumerate([8.0, 2.0, 0.5, 0.125, 0.03125]):
        loss = sub.half_squared_error(sub.predict(w, b, X), TARGET)
        close(loss, expected, what=f"the loss at step {step}")
        dL_dw, dL_db = sub.gradients(w, b, X, TARGET)
        w, b = sub.sgd_step(w, b, dL_dw, dL_db, 0.1)
    w0, b0, x, target = shipment(rng)
    learning_rate = draw(rng, 0.02, 0.2)
    where = f"from w = {w0:g}, b = {b0:g} on x = {x:g}, target = {target:g} at learning rate {learning_rate:g}"
    w, b = expected_w, expected_b = w0, b0
    for step in range(5):
        error = expected_w * x + expected_b - target
        loss = sub.half_squared_error(sub.predict(w, b, x), target)
        close(loss, 0.5 * error ** 2, what=f"the loss at step {step} {where}")
        dL_dw, dL_db = sub.gradients(w, b, x, target)
        w, b = sub.sgd_step(w, b, dL_dw, dL_db, learning_rate)
        expected_w, expected_b = expected_w - learning_rate * error * x, expected_b - learning_rate * error

"""Tests of exercise 01: the lesson's shipment, x = 2, y = 6, w = 1, b = 0, learning rate 0.1."""

from gradlab.testing import close, test

X, TARGET = 2.0, 6.0


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
def lesson_update(sub):
    w, b = sub.sgd_step(1.0, 0.0, -8.0, -4.0, 0.1)
    close(w, 1.8, what="the new w after sgd_step(1, 0, -8, -4, 0.1)")
    close(b, 0.4, what="the new b after sgd_step(1, 0, -8, -4, 0.1)")


@test("update-direction")
def update_direction(sub):
    w, b = sub.sgd_step(0.5, -1.0, 3.0, -2.0, 0.25)
    close(w, -0.25, what="w after a step against a positive gradient (0.5 - 0.25 * 3)")
    close(b, -0.5, what="b after a step against a negative gradient (-1 - 0.25 * -2)")


@test("loss-after-update")
def loss_after_update(sub):
    dL_dw, dL_db = sub.gradients(1.0, 0.0, X, TARGET)
    w, b = sub.sgd_step(1.0, 0.0, dL_dw, dL_db, 0.1)
    prediction = sub.predict(w, b, X)
    close(prediction, 4.0, what="the prediction after one update")
    close(sub.half_squared_error(prediction, TARGET), 2.0, what="the loss after one update")


@test("five-steps")
def five_steps(sub):
    w, b = 1.0, 0.0
    for step, expected in enumerate([8.0, 2.0, 0.5, 0.125, 0.03125]):
        loss = sub.half_squared_error(sub.predict(w, b, X), TARGET)
        close(loss, expected, what=f"the loss at step {step}")
        dL_dw, dL_db = sub.gradients(w, b, X, TARGET)
        w, b = sub.sgd_step(w, b, dL_dw, dL_db, 0.1)

"""Repeat the lesson's update five times and log each step's loss to the training panel.

Run it after the checks pass: the losses should read 8.0, 2.0, 0.5, 0.125, 0.031. w and b are logged
too, so the panel can place each step on the loss landscape.
"""

import gradlab

from one_update import gradients, half_squared_error, predict, sgd_step

X, TARGET = 2.0, 6.0
LEARNING_RATE = 0.1
STEPS = 5


def main():
    w, b = 1.0, 0.0
    for step in range(STEPS):
        loss = half_squared_error(predict(w, b, X), TARGET)
        gradlab.log(step=step, train_loss=loss, w=w, b=b)
        print(f"step {step}: w={w:.3f} b={b:.3f} loss={loss:.3f}")
        grad_w, grad_b = gradients(w, b, X, TARGET)
        w, b = sgd_step(w, b, grad_w, grad_b, LEARNING_RATE)


if __name__ == "__main__":
    main()

"""Repeat the lesson's update five times and log each step's loss to the training panel.

Run it after the checks pass: the losses should read 8.0, 2.0, 0.5, 0.125, 0.031. w and b are logged
too, so the panel can place each step on the loss landscape.

    python train_one_update.py                  # the lesson's five steps at learning rate 0.1
    python train_one_update.py --lr 0.5         # the step that overshoots
"""

import argparse

import gradlab

from one_update import gradients, half_squared_error, predict, sgd_step

X, TARGET = 2.0, 6.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()

    w, b = 1.0, 0.0
    with gradlab.run("train_one_update", config={"learning_rate": args.lr, "steps": args.steps}):
        for step in range(args.steps):
            loss = half_squared_error(predict(w, b, X), TARGET)
            gradlab.log(step=step, train_loss=loss, w=w, b=b)
            print(f"step {step}: w={w:.3f} b={b:.3f} loss={loss:.3f}")
            grad_w, grad_b = gradients(w, b, X, TARGET)
            w, b = sgd_step(w, b, grad_w, grad_b, args.lr)


if __name__ == "__main__":
    main()

"""The lesson's 1-64-1 network on 200 noisy points of sin(x), trained twice from the same start:
plain SGD and Adam, both at learning rate 0.01. The training panel overlays the two runs."""

import numpy as np

import gradlab

from nn import Linear, ReLU, Sequential, train
from optim import SGD, Adam

STEPS = 2000
LEARNING_RATE = 0.01
LOG_EVERY = 20


def make_model(seed):
    rng = np.random.default_rng(seed)
    return Sequential(Linear(1, 64, rng), ReLU(), Linear(64, 1, rng))


def main():
    rng = np.random.default_rng(0)
    x = np.linspace(-np.pi, np.pi, 200).reshape(-1, 1)
    y = np.sin(x) + 0.1 * rng.normal(size=x.shape)
    for name, optimizer_class in (("SGD", SGD), ("Adam", Adam)):
        model = make_model(1)
        optimizer = optimizer_class(model.parameters(), lr=LEARNING_RATE)
        with gradlab.run(f"{name} lr={LEARNING_RATE}", config={"optimizer": name, "learning_rate": LEARNING_RATE}):
            for step in range(0, STEPS, LOG_EVERY):
                losses = train(model, x, y, optimizer, LOG_EVERY)
                gradlab.log(step=step, train_loss=losses[0])
            gradlab.snapshot_fit(x.ravel(), y.ravel(), model.forward(x).ravel(), y_func=np.sin)
        print(f"{name:4s}: loss after {STEPS} steps {losses[-1]:.4f}")


if __name__ == "__main__":
    main()

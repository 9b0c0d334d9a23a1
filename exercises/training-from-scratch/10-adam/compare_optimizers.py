"""The lesson's 1-64-1 network on 200 noisy points of sin(x), trained twice from the same start:
plain SGD and Adam, both at learning rate 0.01. The training panel overlays the two runs.

    python compare_optimizers.py                        # SGD, then Adam
    python compare_optimizers.py --optimizer Adam --lr 0.001
"""

import argparse

import numpy as np

import gradlab

from nn import Linear, ReLU, Sequential, train
from optim import SGD, Adam

OPTIMIZERS = {"SGD": SGD, "Adam": Adam}
LOG_EVERY = 20


def make_model(seed):
    rng = np.random.default_rng(seed)
    return Sequential(Linear(1, 64, rng), ReLU(), Linear(64, 1, rng))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--optimizer", choices=sorted(OPTIMIZERS), help="train with this one only (default: both)")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1, help="the model's initial weights")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = np.linspace(-np.pi, np.pi, 200).reshape(-1, 1)
    y = np.sin(x) + 0.1 * rng.normal(size=x.shape)
    for name in ("SGD", "Adam") if args.optimizer is None else (args.optimizer,):
        model = make_model(args.seed)
        optimizer = OPTIMIZERS[name](model.parameters(), lr=args.lr)
        config = {"optimizer": name, "learning_rate": args.lr, "steps": args.steps, "seed": args.seed}
        with gradlab.run(f"{name} lr={args.lr}", config=config):
            for step in range(0, args.steps, LOG_EVERY):
                losses = train(model, x, y, optimizer, LOG_EVERY)
                gradlab.log(step=step, train_loss=losses[0])
            gradlab.snapshot_fit(x.ravel(), y.ravel(), model.forward(x).ravel(), y_func=np.sin)
        print(f"{name:4s}: loss after {args.steps} steps {losses[-1]:.4f}")


if __name__ == "__main__":
    main()

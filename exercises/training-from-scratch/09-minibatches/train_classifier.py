"""Train the 2-8-1 network with your mini-batches on XOR, circle or spiral, and watch the decision
boundary form in the training panel.

    python train_classifier.py                      # XOR, learning rate 0.05, 500 epochs
    python train_classifier.py spiral --lr 0.02 --epochs 2000
    python train_classifier.py --no-shuffle         # class 0 first, then class 1, batches in that order

80% of the points train the network, 20% are held out for the validation loss.
"""

import argparse

import numpy as np

import gradlab

from minibatches import train
from network import accuracy, bce, forward, init_params, make_circle, make_spiral, make_xor

DATASETS = {"xor": make_xor, "circle": make_circle, "spiral": make_spiral}


def split(rng, X, y, val_fraction=0.2):
    order = rng.permutation(len(X))
    n_val = int(len(X) * val_fraction)
    return X[order[n_val:]], y[order[n_val:]], X[order[:n_val]], y[order[:n_val]]


class InOrder:
    """Stands in for the generator train() shuffles with: every permutation is the identity and shuffling does
    nothing, so the batches come in the data's own order."""

    def permutation(self, n):
        return np.arange(n)

    def shuffle(self, values):
        pass


def main():
    """Train, and return the trained parameters."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", default="xor", choices=sorted(DATASETS))
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-shuffle", action="store_true", help="sort the training data by class, never shuffle")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    X, y = DATASETS[args.dataset](rng)
    X_train, y_train, X_val, y_val = split(rng, X, y)
    if args.no_shuffle:
        by_class = np.argsort(y_train, kind="stable")
        X_train, y_train = X_train[by_class], y_train[by_class]
    batches_rng = InOrder() if args.no_shuffle else rng
    params = init_params(rng)
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    bounds = (low[0], high[0], low[1], high[1])
    config = {"dataset": args.dataset, "learning_rate": args.lr, "epochs": args.epochs,
              "batch_size": args.batch_size, "seed": args.seed, "no_shuffle": args.no_shuffle}
    with gradlab.run(f"{args.dataset} lr={args.lr}", config=config):
        for epoch in range(args.epochs):
            params, losses = train(params, X_train, y_train, batches_rng, args.lr, epochs=1, batch_size=args.batch_size)
            val_loss = bce(forward(params, X_val)[0], y_val)
            gradlab.log(step=epoch, train_loss=losses[0], val_loss=val_loss,
                        accuracy=accuracy(params, X_val, y_val))
            if epoch % 10 == 0 or epoch == args.epochs - 1:
                gradlab.snapshot_boundary(lambda grid: forward(params, grid)[0], bounds, 40,
                                          points=X_train, labels=y_train)
            if epoch % 100 == 0:
                print(f"epoch {epoch:4d} train_loss={losses[0]:.4f} val_loss={val_loss:.4f}")
    print(f"validation accuracy {accuracy(params, X_val, y_val):.3f}")
    return params


if __name__ == "__main__":
    main()

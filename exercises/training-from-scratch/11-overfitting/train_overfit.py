"""Overfit the lesson's 5-hidden-layer, 128-wide MLP on a few noisy points of sin(x), then fix it.

    python train_overfit.py --reg none       # train loss keeps falling, validation turns and climbs
    python train_overfit.py --reg l2         # weight decay 0.01 (--weight-decay to change it)
    python train_overfit.py --reg dropout    # dropout 0.2 on every hidden layer (--dropout to change it)
    python train_overfit.py --reg early      # stop after 20 checks (200 epochs) without a better validation loss

Full-batch Adam (exercise 10's update) at learning rate 0.001 for up to 3,000 epochs; the losses and
the fitted curve are logged every 10 epochs. Run all four and compare them in the training panel
(log scale helps).
"""

import argparse

import numpy as np

import gradlab

from regularize import EarlyStopping, forward, init_params, mse_loss, objective

WEIGHT_DECAY = 0.01
DROPOUT = 0.2
PATIENCE = 20
CHECK_EVERY = 10


def noisy_sine(rng, n, noise=0.3):
    x = np.sort(rng.uniform(-3.0, 3.0, size=(n, 1)), axis=0)
    return x, np.sin(x) + noise * rng.normal(size=x.shape)


class Adam:
    """Exercise 10's update, for a dict of arrays."""

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8):
        self.lr, (self.beta1, self.beta2), self.eps, self.t = lr, betas, eps, 0
        self.m = {name: np.zeros_like(value) for name, value in params.items()}
        self.v = {name: np.zeros_like(value) for name, value in params.items()}

    def step(self, params, grads):
        self.t += 1
        for name, grad in grads.items():
            self.m[name] = self.beta1 * self.m[name] + (1 - self.beta1) * grad
            self.v[name] = self.beta2 * self.v[name] + (1 - self.beta2) * grad ** 2
            m_hat = self.m[name] / (1 - self.beta1 ** self.t)
            v_hat = self.v[name] / (1 - self.beta2 ** self.t)
            params[name] = params[name] - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def main():
    """Train, and return the parameters kept (with early stopping, the best ones)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reg", choices=("none", "l2", "dropout", "early"), default="none")
    parser.add_argument("--epochs", type=int, default=3000)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weight-decay", type=float, default=WEIGHT_DECAY, help="the L2 strength, with --reg l2")
    parser.add_argument("--dropout", type=float, default=DROPOUT, help="the chance a unit drops, with --reg dropout")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    x_train, y_train = noisy_sine(rng, 30)
    x_val, y_val = noisy_sine(rng, 100)
    params = init_params([1] + [args.width] * 5 + [1], rng)
    optimizer = Adam(params, args.lr)
    weight_decay = args.weight_decay if args.reg == "l2" else 0.0
    dropout_p = args.dropout if args.reg == "dropout" else 0.0
    stopper = EarlyStopping(PATIENCE) if args.reg == "early" else None
    best_params = params

    config = {"reg": args.reg, "epochs": args.epochs, "width": args.width, "learning_rate": args.lr, "seed": args.seed,
              "weight_decay": args.weight_decay, "dropout": args.dropout}
    with gradlab.run(f"overfit reg={args.reg}", config=config):
        for epoch in range(args.epochs):
            _, grads = objective(params, x_train, y_train, weight_decay, dropout_p, rng)
            optimizer.step(params, grads)
            if epoch % CHECK_EVERY:
                continue
            train_loss = mse_loss(forward(params, x_train)[0], y_train)
            val_loss = mse_loss(forward(params, x_val)[0], y_val)
            gradlab.log(step=epoch, train_loss=train_loss, val_loss=val_loss)
            gradlab.snapshot_fit(x_train.ravel(), y_train.ravel(), forward(params, x_train)[0].ravel(), y_func=np.sin)
            if stopper is not None:
                stop = stopper.should_stop(val_loss)
                if stopper.checks_since_best == 0:
                    best_params = dict(params)
                if stop:
                    print(f"early stop at epoch {epoch}: best validation loss {stopper.best_loss:.4f} "
                          f"at epoch {stopper.best_step * CHECK_EVERY}")
                    break
            if epoch % 500 == 0:
                print(f"epoch {epoch:5d} train_loss={train_loss:.4f} val_loss={val_loss:.4f}")
    final = best_params if stopper is not None else params
    print(f"validation loss of the kept parameters: {mse_loss(forward(final, x_val)[0], y_val):.4f}")
    return final


if __name__ == "__main__":
    main()

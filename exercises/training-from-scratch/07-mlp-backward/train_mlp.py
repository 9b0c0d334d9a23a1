"""Train the lesson's 1-64-1 ReLU network on 200 noisy points of sin(x) with your backward(),
by plain gradient descent: learning rate 0.01, 2,001 steps, seed 0.

    python train_mlp.py                       # the lesson's run
    python train_mlp.py --lr 0.05 --steps 501
    python train_mlp.py --width 8             # a narrower hidden layer

The training panel shows the train and validation losses and, every 100 steps, the fitted curve.
"""

import argparse

import numpy as np

import gradlab

from mlp import backward, forward, init_params, mse_loss

NOISE = 0.1


def noisy_sine(rng, n):
    x = np.linspace(-np.pi, np.pi, n).reshape(-1, 1)
    return x, np.sin(x) + NOISE * rng.normal(size=x.shape)


def main():
    """Train, and return the trained parameters."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--steps", type=int, default=2001)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--width", type=int, default=64, help="hidden units")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    x, y = noisy_sine(rng, 200)
    x_val, y_val = noisy_sine(rng, 50)
    params = init_params(1, args.width, 1, rng)
    config = {"learning_rate": args.lr, "steps": args.steps, "seed": args.seed, "width": args.width}
    with gradlab.run(f"sine lr={args.lr}", config=config):
        for step in range(args.steps):
            out, cache = forward(params, x)
            loss = mse_loss(out, y)
            grads = backward(params, cache, out, y)
            for name in params:
                params[name] -= args.lr * grads[name]
            if step % 10 == 0:
                val_loss = mse_loss(forward(params, x_val)[0], y_val)
                gradlab.log(step=step, train_loss=loss, val_loss=val_loss)
            if step % 100 == 0:
                gradlab.snapshot_fit(x.ravel(), y.ravel(), out.ravel(), y_func=np.sin)
            if step % 500 == 0:
                print(f"step {step:5d} loss={loss:.6f}")
    return params


if __name__ == "__main__":
    main()

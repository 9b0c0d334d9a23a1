"""Which learning rate? A batched sweep of the overfitting experiment answers it in one run.

K configurations (learning rates x seeds) of the 5-hidden-layer, 128-wide ReLU MLP on a noisy sine are trained as
ONE computation: each layer's weights are stacked into a (K, fan_in, fan_out) array and every step is a handful of
batched matrix products, so K models cost far less than K separate loops. Each configuration is logged as its own
run (same ``group``), so the training panel draws K train/val curves side by side.

The arithmetic is written once against an array namespace and runs on NumPy (CPU), CuPy (GPU) or PyTorch (CPU or
CUDA), chosen like ``gradlab.array_module()`` / ``gradlab.device()`` from GRADLAB_DEVICE.

    python -m gradlab.sweep --lr 0.0003 0.001 0.003 0.01 --seeds 0 1 --steps 3000

"""

import argparse
import itertools
import math
import uuid

DEPTH = 5
WIDTH = 128
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


def noisy_sine(n_train=200, n_val=100, noise=0.3, seed=0):
    """x uniform on [-pi, pi], y = sin(x) + noise: train and validation sets as (n, 1) float64 NumPy arrays."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.uniform(-np.pi, np.pi, size=(n_train + n_val, 1))
    y = np.sin(x) + noise * rng.standard_normal(x.shape)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def layer_sizes(depth=DEPTH, width=WIDTH):
    return [1] + [width] * depth + [1]


def init_params(seed, sizes):
    """He-initialised weights (fan_in, fan_out) and zero biases (1, fan_out) for one model, from its seed."""
    import numpy as np

    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(rng.standard_normal((fan_in, fan_out)) * math.sqrt(2.0 / fan_in))
        params.append(np.zeros((1, fan_out)))
    return params


class Arrays:
    """The few operations whose spelling differs between NumPy/CuPy and PyTorch; everything else is shared."""

    def __init__(self, xp, torch_device=None, dtype="float64"):
        self.xp = xp
        self.torch_device = torch_device
        self.is_torch = torch_device is not None
        self.dtype = getattr(xp, dtype)

    def asarray(self, values):
        if self.is_torch:
            return self.xp.as_tensor(values, dtype=self.dtype, device=self.torch_device)
        return self.xp.asarray(values, dtype=self.dtype)

    def to_numpy(self, values):
        if self.is_torch:
            return values.detach().cpu().numpy()
        return values.get() if hasattr(values, "get") else values

    def zeros_like(self, values):
        return self.xp.zeros_like(values)

    def sqrt(self, values):
        return self.xp.sqrt(values)


class BatchedMLP:
    """K ReLU MLPs with the same shape, trained together by full-batch gradient descent (Adam or plain SGD)."""

    def __init__(self, arrays, models, learning_rates, optimizer="adam"):
        import numpy as np

        if optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
        self.a = arrays
        self.k = len(models)
        # params[i] stacks the i-th tensor of every model: (K, fan_in, fan_out) or (K, 1, fan_out).
        self.params = [arrays.asarray(np.stack(group)) for group in zip(*models)]
        self.lr = arrays.asarray(np.asarray(learning_rates, dtype=float).reshape(-1, 1, 1))
        self.optimizer = optimizer
        self.moments = [(arrays.zeros_like(p), arrays.zeros_like(p)) for p in self.params]
        self.updates = 0

    def forward(self, x):
        """Predictions (K, N, 1) and the activations the backward pass needs."""
        activations, pre = [x], []
        last = len(self.params) // 2 - 1
        for layer in range(last + 1):
            z = activations[-1] @ self.params[2 * layer] + self.params[2 * layer + 1]
            if layer == last:
                return z, activations, pre
            pre.append(z)
            activations.append(z * (z > 0))

    def losses(self, x, y):
        """Mean squared error of each model, shape (K,)."""
        error = self.forward(x)[0] - y
        return (error * error).sum(2).sum(1) / x.shape[0]

    def step(self, x, y):
        """One update of every model on (x, y); returns each model's loss and gradient norm before the update."""
        out, activations, pre = self.forward(x)
        n = x.shape[0]
        error = out - y
        losses = (error * error).sum(2).sum(1) / n
        delta = 2.0 * error / n
        grads = [None] * len(self.params)
        for layer in reversed(range(len(self.params) // 2)):
            grads[2 * layer] = activations[layer].swapaxes(-1, -2) @ delta
            grads[2 * layer + 1] = delta.sum(1)[:, None, :]
            if layer > 0:
                back = delta @ self.params[2 * layer].swapaxes(-1, -2)
                delta = back * (pre[layer - 1] > 0)
        squares = sum((g * g).sum(2).sum(1) for g in grads)
        self._apply(grads)
        return losses, self.a.sqrt(squares)

    def _apply(self, grads):
        self.updates += 1
        if self.optimizer == "sgd":
            for p, g in zip(self.params, grads):
                p -= self.lr * g
            return
        beta1, beta2 = ADAM_BETAS
        correction1 = 1 - beta1**self.updates
        correction2 = 1 - beta2**self.updates
        for p, g, (m, v) in zip(self.params, grads, self.moments):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            # The same order of operations as torch.optim.Adam, so the two agree to rounding.
            denominator = self.a.sqrt(v) / math.sqrt(correction2) + ADAM_EPS
            p -= (self.lr / correction1) * m / denominator


class SweepResult:
    """The logged curves as NumPy arrays of shape (len(steps), K), one column per configuration."""

    def __init__(self, configs, steps, train_loss, val_loss, grad_norm, backend, device):
        self.configs = configs
        self.steps = steps
        self.train_loss = train_loss
        self.val_loss = val_loss
        self.grad_norm = grad_norm
        self.backend = backend
        self.device = device


def configurations(learning_rates, seeds):
    return [{"lr": float(lr), "seed": int(seed)} for lr, seed in itertools.product(learning_rates, seeds)]


def choose_arrays(use_torch=False, dtype="float64"):
    """NumPy or CuPy via gradlab.array_module(), or PyTorch on gradlab.device(); both honour GRADLAB_DEVICE."""
    from . import backend

    if use_torch:
        import torch

        arrays = Arrays(torch, torch_device=backend.device(), dtype=dtype)
    else:
        arrays = Arrays(backend.array_module(), dtype=dtype)
    chosen = backend.describe()
    return arrays, chosen["backend"], chosen["device"]


def train_sweep(
    learning_rates,
    seeds,
    steps,
    *,
    optimizer="adam",
    use_torch=False,
    dtype="float64",
    log_every=10,
    data=None,
    log_runs=True,
    name="sweep",
):
    """Train every (learning rate, seed) pair for ``steps`` full-batch updates in one batched computation.

    Returns a SweepResult; with ``log_runs`` each configuration is also a gradlab run (train_loss, val_loss,
    grad_norm, lr every ``log_every`` steps and at the last step).
    """
    import numpy as np

    configs = configurations(learning_rates, seeds)
    arrays, backend_name, device_name = choose_arrays(use_torch, dtype)
    x_train, y_train, x_val, y_val = data if data is not None else noisy_sine()
    x_train, y_train, x_val, y_val = (arrays.asarray(v) for v in (x_train, y_train, x_val, y_val))
    sizes = layer_sizes()
    models = [init_params(c["seed"], sizes) for c in configs]
    mlp = BatchedMLP(arrays, models, [c["lr"] for c in configs], optimizer)

    runs = []
    if log_runs:
        from .runs import Run

        group = f"{name}-{uuid.uuid4().hex[:8]}"
        for c in configs:
            config = dict(c, optimizer=optimizer, steps=steps, depth=DEPTH, width=WIDTH, dtype=dtype)
            runs.append(Run(f"lr={c['lr']:g} seed={c['seed']}", config, group=group, current=False))

    logged_steps, train_curve, val_curve, norm_curve = [], [], [], []
    for step in range(steps):
        logging = step % log_every == 0 or step == steps - 1
        val = arrays.to_numpy(mlp.losses(x_val, y_val)) if logging else None
        train, norms = mlp.step(x_train, y_train)
        if not logging:
            continue
        train, norms = arrays.to_numpy(train), arrays.to_numpy(norms)
        logged_steps.append(step)
        train_curve.append(train)
        val_curve.append(val)
        norm_curve.append(norms)
        for k, run in enumerate(runs):
            run.log(step, train_loss=train[k], val_loss=val[k], grad_norm=norms[k], lr=configs[k]["lr"])
    for run in runs:
        run.end("ok")
    return SweepResult(
        configs,
        np.asarray(logged_steps),
        np.asarray(train_curve),
        np.asarray(val_curve),
        np.asarray(norm_curve),
        backend_name,
        device_name,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gradlab.sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lr", type=float, nargs="+", default=[3e-4, 1e-3, 3e-3, 1e-2], help="learning rates")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="initialisation seeds")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--log-every", type=int, default=10)
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--torch", action="store_true", help="compute with PyTorch instead of NumPy/CuPy")
    parser.add_argument("--float32", action="store_true", help="single precision (the usual choice on a GPU)")
    args = parser.parse_args(argv)
    result = train_sweep(
        args.lr,
        args.seeds,
        args.steps,
        optimizer=args.optimizer,
        use_torch=args.torch,
        dtype="float32" if args.float32 else "float64",
        log_every=args.log_every,
    )
    print(f"{len(result.configs)} configurations on {result.backend} ({result.device})")
    best = result.val_loss.argmin(axis=0)
    for k, config in enumerate(result.configs):
        print(
            f"lr={config['lr']:<8g} seed={config['seed']:<3d} final train={result.train_loss[-1, k]:.4f} "
            f"val={result.val_loss[-1, k]:.4f}  best val={result.val_loss[best[k], k]:.4f} "
            f"at step {result.steps[best[k]]}"
        )


if __name__ == "__main__":
    main()

"""Gradient-check cost against parameter count: Gradient Lab's full and randomised checks, and
torch.autograd.gradcheck with fast_mode False and True on the same functions where PyTorch is installed.

    PYTHONPATH=runtime /usr/bin/python3 bench/gradcheck.py [--repeat 5] [--budget 30]

Models are ReLU MLPs on the lessons' 200 noisy sine points under the mean squared error, from the 1-64-1
network (193 parameters) to the 5x128 one (66,433). Times include computing the analytic gradient (a
NumPy backward for ours, autograd for torch) and are the best of --repeat runs (the least disturbed by
other work on the machine); a full check that would take longer than --budget seconds is not run, and
its time is estimated from the loss evaluation's time. BLAS and PyTorch run on one thread each, so both
sides get the same machine (set OPENBLAS_NUM_THREADS to change that for NumPy).
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads its BLAS

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "runtime"))

from gradlab.checks import gradcheck  # noqa: E402
from gradlab.numerics import fd  # noqa: E402
from gradlab.numerics.layout import Layout  # noqa: E402

MODELS = [("1-64-1", [1, 64, 1]), ("1-256-1", [1, 256, 1]), ("2x64", [1, 64, 64, 1]),
          ("3x128", [1, 128, 128, 128, 1]), ("5x128", [1, 128, 128, 128, 128, 128, 1])]
SAMPLES = 200


def problem(sizes, seed=0):
    rng = np.random.default_rng(seed)
    X = np.linspace(-np.pi, np.pi, SAMPLES).reshape(-1, 1)
    y = np.sin(X) + 0.1 * rng.normal(size=X.shape)
    params = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), 1):
        params[f"W{i}"] = rng.normal(size=(n_in, n_out)) * np.sqrt(2 / n_in)
        params[f"b{i}"] = np.zeros((1, n_out))
    return X, y, params


def numpy_model(X, y, layers):
    def forward(p):
        A, cache = X, []
        for i in range(1, layers + 1):
            Z = A @ p[f"W{i}"] + p[f"b{i}"]
            cache.append((A, Z))
            A = np.maximum(0, Z) if i < layers else Z
        return A, cache

    def loss(point):
        return float(np.mean((forward(point["params"])[0] - y) ** 2))

    def gradient(p, mask=True):
        out, cache = forward(p)
        d = 2 * (out - y) / len(y)
        grads = {}
        for i in range(layers, 0, -1):
            A, _Z = cache[i - 1]
            grads[f"W{i}"], grads[f"b{i}"] = A.T @ d, d.sum(axis=0, keepdims=True)
            if i > 1:
                d = d @ p[f"W{i}"].T
                if mask:
                    d = d * (cache[i - 2][1] > 0)
        return grads

    return loss, gradient


def timed(run, repeat):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def ours(params, loss, gradient, mode, repeat, mask=True):
    def run():
        oracle = fd.CountingOracle(fd.local_oracle(loss))
        verdict = gradcheck.judge({"params": params}, {"params": gradient(params, mask)}, oracle, mode=mode)
        return verdict, oracle.evaluations

    seconds, (verdict, evaluations) = timed(run, repeat)
    return seconds, evaluations, verdict


def torch_side(X, y, params, layers):
    import torch

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    names = list(params)
    calls = [0]

    def loss(*tensors):
        calls[0] += 1
        p = dict(zip(names, tensors))
        A = Xt
        for i in range(1, layers + 1):
            Z = A @ p[f"W{i}"] + p[f"b{i}"]
            A = torch.relu(Z) if i < layers else Z
        return ((A - yt) ** 2).mean()

    inputs = tuple(torch.from_numpy(params[n].copy()).requires_grad_(True) for n in names)
    return torch, loss, inputs, calls


def torch_check(torch_parts, fast, repeat):
    torch, loss, inputs, calls = torch_parts

    def run():
        calls[0] = 0
        ok = torch.autograd.gradcheck(loss, inputs, fast_mode=fast, atol=1e-5, rtol=1e-3)
        return ok, calls[0]

    seconds, (ok, evaluations) = timed(run, repeat)
    return seconds, evaluations, ok


def per_evaluation(run, count=10, rounds=5):
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            run()
        best = min(best, (time.perf_counter() - start) / count)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=30.0,
                        help="seconds a full check may take before it is estimated instead of run")
    args = parser.parse_args()
    try:
        import torch
        torch.set_num_threads(1)
        torch_version = torch.__version__
    except ImportError:
        torch_version = None
    print(f"numpy {np.__version__} (OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}), torch "
          f"{torch_version or 'not installed'} (1 thread), {SAMPLES} samples, best of {args.repeat}; "
          "~ marks an estimate (2 loss evaluations per parameter)")
    header = f"{'model':8} {'params':>7}  {'check':28} {'ours ms':>10} {'evals':>7}  {'torch ms':>10} {'evals':>7}"
    print(header)
    print("-" * len(header))
    for name, sizes in MODELS:
        X, y, params = problem(sizes)
        layers = len(sizes) - 1
        loss, gradient = numpy_model(X, y, layers)
        size = sum(v.size for v in params.values())
        parts = torch_side(X, y, params, layers) if torch_version else None

        # a loss evaluation as the full check makes it: a perturbed copy of the parameters, then the loss
        layout, oracle = Layout.of({"params": params}), fd.local_oracle(loss)
        probes = [(o, d, (1e-6, -1e-6)) for o, d in fd.element_probes(0, range(10))]
        one = per_evaluation(lambda: oracle(layout, {"params": params}, probes), count=1) / 20
        estimate = 2 * size * one
        if estimate <= args.budget:
            seconds, evaluations, verdict = ours(params, loss, gradient, "full", 1)
            assert verdict.passed, verdict.diagnosis
            ours_full = f"{seconds * 1e3:10.1f} {evaluations:7d}"
        else:
            ours_full = f"{'~' + format(estimate * 1e3, ',.0f'):>10} {2 * size:7d}"
        if parts:
            torch_one = per_evaluation(lambda: parts[1](*parts[2]))
            if 2 * size * torch_one <= args.budget:
                seconds, evaluations, ok = torch_check(parts, False, 1)
                torch_full = f"{seconds * 1e3:10.1f} {evaluations:7d}"
            else:
                torch_full = f"{'~' + format(2 * size * torch_one * 1e3, ',.0f'):>10} {2 * size:7d}"
        else:
            torch_full = f"{'-':>10} {'-':>7}"
        print(f"{name:8} {size:7,d}  {'full (fast_mode=False)':28} {ours_full}  {torch_full}")

        seconds, evaluations, verdict = ours(params, loss, gradient, "fast", args.repeat)
        assert verdict.passed, verdict.diagnosis
        if parts:
            t_seconds, t_evaluations, _ok = torch_check(parts, True, args.repeat)
            torch_fast = f"{t_seconds * 1e3:10.1f} {t_evaluations:7d}"
        else:
            torch_fast = f"{'-':>10} {'-':>7}"
        print(f"{'':8} {'':7}  {'randomised (fast_mode=True)':28} {seconds * 1e3:10.1f} {evaluations:7d}  {torch_fast}")

        seconds, evaluations, verdict = ours(params, loss, gradient, "fast", args.repeat, mask=False)
        assert not verdict.passed
        print(f"{'':8} {'':7}  {'randomised, no ReLU mask':28} {seconds * 1e3:10.1f} {evaluations:7d}  "
              f"{'(wrong tensors named, rows sampled)':>18}")


if __name__ == "__main__":
    main()

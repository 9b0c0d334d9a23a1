"""Training speed of the overfitting experiment's model, the 5-hidden-layer 128-wide MLP on 200 noisy-sine points.

    PYTHONPATH=runtime /usr/bin/python3 bench/core.py [--steps 300] [--k 64] [--torch] [--gpu]

Prints full-batch Adam steps per second of one model and of a K-configuration batched sweep (gradlab.sweep), on
NumPy (CPU) and, with --torch, PyTorch on the CPU; with --gpu also PyTorch CUDA / CuPy when present, and the largest
difference between CPU and GPU loss curves (float32). It says which BLAS NumPy uses: the reference BLAS is ten
times slower than OpenBLAS for this model.
"""

import argparse
import os
import time

import numpy as np

from gradlab import sweep


def blas_name():
    try:
        config = np.show_config(mode="dicts")  # NumPy >= 1.25
        return config["Build Dependencies"]["blas"]["name"]
    except TypeError:
        pass
    maps = open(f"/proc/{os.getpid()}/maps", encoding="utf-8").read()
    for name in ("openblas", "mkl", "blis", "atlas"):
        if name in maps:
            return name
    return "reference BLAS (libblas)" if "libblas" in maps else "unknown"


def steps_per_second(k, steps, use_torch, dtype, device_env):
    os.environ["GRADLAB_DEVICE"] = device_env
    lrs = list(np.geomspace(1e-4, 1e-2, max(1, k // 2)))
    seeds = [0, 1] if k > 1 else [0]
    lrs = lrs[: max(1, k // len(seeds))]
    sweep.train_sweep(lrs, seeds, 3, use_torch=use_torch, dtype=dtype, log_runs=False)  # warm up (imports, allocations)
    started = time.perf_counter()
    result = sweep.train_sweep(lrs, seeds, steps, use_torch=use_torch, dtype=dtype, log_every=steps, log_runs=False)
    elapsed = time.perf_counter() - started
    return steps / elapsed, len(result.configs), result


def report(label, k, steps, use_torch, dtype, device_env):
    rate, models, result = steps_per_second(k, steps, use_torch, dtype, device_env)
    print(
        f"{label:<34} K={models:<3d} {rate:8.1f} steps/s  ({rate * models:9.1f} model-steps/s)  "
        f"on {result.backend} {result.device}"
    )
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--torch", action="store_true", help="also PyTorch on the CPU")
    parser.add_argument("--gpu", action="store_true", help="also the GPU (PyTorch CUDA, CuPy) and CPU/GPU agreement")
    args = parser.parse_args()

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset (OpenBLAS uses every core)")
    print(f"5x128 MLP (66,433 parameters), 200 training points, full-batch Adam; NumPy {np.__version__} with "
          f"{blas_name()}, OPENBLAS_NUM_THREADS={threads}")
    report("NumPy float64, one model", 1, args.steps, False, "float64", "cpu")
    report("NumPy float32, one model", 1, args.steps, False, "float32", "cpu")
    report("NumPy float32, batched sweep", args.k, max(20, args.steps // 10), False, "float32", "cpu")
    if args.torch or args.gpu:
        report("PyTorch CPU float32, one model", 1, args.steps, True, "float32", "cpu")
        report("PyTorch CPU float32, batched sweep", args.k, max(20, args.steps // 10), True, "float32", "cpu")
    if args.gpu:
        import torch

        if not torch.cuda.is_available():
            print("no CUDA GPU visible to PyTorch: GPU figures skipped")
            return
        report("PyTorch CUDA float32, one model", 1, args.steps, True, "float32", "gpu")
        gpu = report("PyTorch CUDA float32, batched sweep", args.k, args.steps, True, "float32", "gpu")
        os.environ["GRADLAB_DEVICE"] = "cpu"
        cpu = sweep.train_sweep(
            [c["lr"] for c in gpu.configs[:: len({c["seed"] for c in gpu.configs})]],
            sorted({c["seed"] for c in gpu.configs}),
            args.steps,
            dtype="float32",
            log_every=1,
            log_runs=False,
        )
        os.environ["GRADLAB_DEVICE"] = "gpu"
        gpu_curves = sweep.train_sweep(
            [c["lr"] for c in cpu.configs[:: len({c["seed"] for c in cpu.configs})]],
            sorted({c["seed"] for c in cpu.configs}),
            args.steps,
            use_torch=True,
            dtype="float32",
            log_every=1,
            log_runs=False,
        )
        difference = np.abs(cpu.train_loss - gpu_curves.train_loss) / np.maximum(np.abs(cpu.train_loss), 1e-12)
        print(f"CPU (NumPy) vs GPU (CUDA) float32 train-loss curves, K={len(cpu.configs)}: largest relative "
              f"difference {difference.max():.2e}")
        try:
            import cupy  # noqa: F401

            report("CuPy float32, batched sweep", args.k, args.steps, False, "float32", "gpu")
        except ImportError:
            print("CuPy is not installed: its figures skipped")


if __name__ == "__main__":
    main()

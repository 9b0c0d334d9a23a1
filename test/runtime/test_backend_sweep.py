"""The batched sweep (gradlab.sweep) against an independent oracle: each configuration trained alone by PyTorch's
autograd and torch.optim, from the same initial weights. The K batched curves must match the K separate runs."""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import numpy as np

from gradlab import backend, sweep

try:
    import torch
except ImportError:
    torch = None

RUNTIME = os.path.dirname(os.path.dirname(sweep.__file__))
LEARNING_RATES = [1e-3, 1e-2]
SEEDS = [0, 3]
STEPS = 12


def small_data():
    return sweep.noisy_sine(n_train=40, n_val=20, seed=1)


def train_alone_with_autograd(config, data, optimizer_name):
    """One model, unbatched, gradients from autograd: the reference a batched step must agree with."""
    x_train, y_train, x_val, y_val = (torch.as_tensor(v) for v in data)
    params = [torch.tensor(p, requires_grad=True) for p in sweep.init_params(config["seed"], sweep.layer_sizes())]
    optimizer_class = torch.optim.Adam if optimizer_name == "adam" else torch.optim.SGD
    optimizer = optimizer_class(params, lr=config["lr"])

    def predict(x):
        for layer in range(len(params) // 2):
            x = x @ params[2 * layer] + params[2 * layer + 1]
            if layer < len(params) // 2 - 1:
                x = torch.relu(x)
        return x

    train_curve, val_curve = [], []
    for _ in range(STEPS):
        with torch.no_grad():
            val_curve.append(torch.mean((predict(x_val) - y_val) ** 2).item())
        loss = torch.mean((predict(x_train) - y_train) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_curve.append(loss.item())
    return np.array(train_curve), np.array(val_curve)


@unittest.skipIf(torch is None, "the oracle needs PyTorch")
class SweepMatchesSeparateRunsTest(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.dict(os.environ, {backend.DEVICE_ENV: "cpu"})
        patcher.start()
        self.addCleanup(patcher.stop)

    def check_against_oracle(self, optimizer, use_torch, learning_rates=LEARNING_RATES):
        data = small_data()
        result = sweep.train_sweep(
            learning_rates, SEEDS, STEPS, optimizer=optimizer, use_torch=use_torch, log_every=1, data=data,
            log_runs=False)
        self.assertEqual(len(result.configs), len(learning_rates) * len(SEEDS))
        self.assertTrue(np.isfinite(result.train_loss).all(), "a diverged run would compare NaN with NaN")
        self.assertEqual(result.train_loss.shape, (STEPS, len(result.configs)))
        for k, config in enumerate(result.configs):
            train, val = train_alone_with_autograd(config, data, optimizer)
            np.testing.assert_allclose(result.train_loss[:, k], train, rtol=1e-9, err_msg=f"train loss of {config}")
            np.testing.assert_allclose(result.val_loss[:, k], val, rtol=1e-9, err_msg=f"val loss of {config}")
        return result

    def test_numpy_adam_sweep_equals_separate_autograd_runs(self):
        result = self.check_against_oracle("adam", use_torch=False)
        self.assertEqual((result.backend, result.device), ("numpy", "cpu"))
        # the configurations really differ: otherwise equal curves would prove nothing
        self.assertGreater(np.abs(result.train_loss[-1, 0] - result.train_loss[-1, -1]), 1e-6)

    def test_numpy_sgd_sweep_equals_separate_autograd_runs(self):
        self.check_against_oracle("sgd", use_torch=False, learning_rates=[1e-4, 1e-3])

    def test_torch_adam_sweep_equals_separate_autograd_runs(self):
        result = self.check_against_oracle("adam", use_torch=True)
        self.assertEqual(result.backend, "torch")

    def test_gradient_norm_is_the_norm_of_the_autograd_gradient(self):
        data = small_data()
        config = {"lr": 1e-3, "seed": 0}
        result = sweep.train_sweep([config["lr"]], [config["seed"]], 1, data=data, log_runs=False)
        params = [torch.tensor(p, requires_grad=True) for p in sweep.init_params(0, sweep.layer_sizes())]
        x, y = torch.as_tensor(data[0]), torch.as_tensor(data[1])
        for layer in range(len(params) // 2):
            x = x @ params[2 * layer] + params[2 * layer + 1]
            x = torch.relu(x) if layer < len(params) // 2 - 1 else x
        torch.mean((x - y) ** 2).backward()
        expected = torch.sqrt(sum((p.grad**2).sum() for p in params)).item()
        self.assertAlmostEqual(result.grad_norm[0, 0], expected, places=10)


class SweepLoggingTest(unittest.TestCase):
    def test_the_command_line_logs_each_configuration_as_a_run_of_one_group(self):
        with tempfile.TemporaryDirectory() as tmp:
            history = os.path.join(tmp, "sweep.jsonl")
            env = dict(os.environ, GRADLAB_HISTORY=history, PYTHONPATH=RUNTIME)
            env[backend.DEVICE_ENV] = "cpu"
            args = ["--lr", "0.001", "0.003", "--seeds", "0", "--steps", "7", "--log-every", "3"]
            done = subprocess.run(
                [sys.executable, "-m", "gradlab.sweep", *args], env=env, capture_output=True, text=True, timeout=120
            )
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(history, encoding="utf-8") as f:
                records = [json.loads(line) for line in f]
        lines = done.stdout.splitlines()
        self.assertEqual(lines[0], "2 configurations on numpy (cpu)")
        self.assertTrue(lines[2].startswith("lr=0.003"), lines)

        with mock.patch.dict(os.environ, {backend.DEVICE_ENV: "cpu"}):
            expected = sweep.train_sweep([0.001, 0.003], [0], 7, log_every=3, log_runs=False)
        starts = [r for r in records if r["type"] == "run-start"]
        self.assertEqual([s["name"] for s in starts], ["lr=0.001 seed=0", "lr=0.003 seed=0"])
        self.assertEqual(len({s["group"] for s in starts}), 1)
        self.assertEqual(starts[1]["config"]["lr"], 0.003)
        self.assertEqual(starts[1]["backend"], "numpy")
        for k, start in enumerate(starts):
            metrics = [r for r in records if r["type"] == "metric" and r["run"] == start["run"]]
            self.assertEqual([m["step"] for m in metrics], [0, 3, 6])
            self.assertEqual([m["metrics"]["train_loss"] for m in metrics], list(expected.train_loss[:, k]))
            self.assertEqual(set(metrics[0]["metrics"]), {"train_loss", "val_loss", "grad_norm", "lr"})
        ends = [r for r in records if r["type"] == "run-end"]
        self.assertEqual([e["status"] for e in ends], ["ok", "ok"])


if __name__ == "__main__":
    unittest.main()

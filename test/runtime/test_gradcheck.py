"""The gradcheck kind: the numerics without a sandbox (judge with an in-process loss), and the sandbox
plumbing through the in-process double."""

import tempfile
import textwrap
import unittest
from pathlib import Path

import numpy as np

from gradlab.checks import CheckError, gradcheck
from gradlab.numerics import fd
from gradlab.numerics.layout import Layout, LayoutError

from .local_sandbox import LocalContext, LocalSandbox


def mlp(sizes, seed=0, samples=64):
    """A ReLU MLP on noisy sine data: (params, loss(params), gradient(params), relu inputs of layer 1)."""
    rng = np.random.default_rng(seed)
    X = np.linspace(-np.pi, np.pi, samples).reshape(-1, 1)
    y = np.sin(X) + 0.1 * rng.normal(size=X.shape)
    params = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), 1):
        params[f"W{i}"] = rng.normal(size=(n_in, n_out)) * np.sqrt(2 / n_in)
        params[f"b{i}"] = rng.uniform(-1, 1, size=(1, n_out))
    layers = len(sizes) - 1

    def forward(p):
        A, cache = X, []
        for i in range(1, layers + 1):
            Z = A @ p[f"W{i}"] + p[f"b{i}"]
            cache.append((A, Z))
            A = np.maximum(0, Z) if i < layers else Z
        return A, cache

    def loss(p):
        return float(np.mean((forward(p)[0] - y) ** 2))

    def gradient(p, mask=True, broken_layer=None):
        out, cache = forward(p)
        d = 2 * (out - y) / len(y)
        grads = {}
        for i in range(layers, 0, -1):
            A, Z = cache[i - 1]
            grads[f"W{i}"], grads[f"b{i}"] = A.T @ d, d.sum(axis=0, keepdims=True)
            if i > 1:
                d = d @ p[f"W{i}"].T
                A_prev, Z_prev = cache[i - 2]
                if mask and broken_layer != i - 1:
                    d = d * (Z_prev > 0)
        return grads

    return params, loss, gradient, (lambda p: forward(p)[1][0][1])


def nested(loss):
    """The loss of a check whose one wrt name, "params", holds the dict of arrays."""
    return fd.local_oracle(lambda point: loss(point["params"]))


class JudgeTest(unittest.TestCase):
    def test_a_right_gradient_passes_in_both_modes_with_the_promised_cost(self):
        params, loss, gradient, _ = mlp([1, 16, 1])
        for mode, evaluations in (("full", 2 * 49), ("fast", 2 * 4)):
            with self.subTest(mode=mode):
                oracle = fd.CountingOracle(nested(loss))
                verdict = gradcheck.judge({"params": params}, {"params": gradient(params)}, oracle, mode=mode)
                self.assertTrue(verdict.passed, verdict.diagnosis)
                self.assertEqual(oracle.evaluations, evaluations)

    def test_a_mean_over_the_rows_of_a_wide_output_is_told_apart_from_a_doubled_factor(self):
        # two outputs per sample: the loss averages all N x 2 elements, lesson 001's d_out = 2 (out - y) / N
        # averages the N rows only, which makes the gradient twice the numeric one for a reason of its own
        rng = np.random.default_rng(5)
        X, y, W = rng.normal(size=(10, 3)), rng.normal(size=(10, 2)), rng.normal(size=(3, 2))
        rows = 2 * X.T @ (X @ W - y) / len(X)
        oracle = fd.local_oracle(lambda p: float(np.mean((X @ p["W"] - y) ** 2)))
        verdict = gradcheck.judge({"W": W}, {"W": rows}, oracle, labels={"W": "dW"},
                                  samples_n=gradcheck.DataSizes([10], [3, 2]))
        self.assertFalse(verdict.passed)
        self.assertEqual(verdict.diagnosis, "dW is 2 times the numeric gradient, and every sample has 2 values: the "
                                            "loss averages all N x 2 elements, so the gradient divides by that "
                                            "(out.size), not by the N rows (or is a factor 2 applied twice?).")

    def test_a_sum_over_every_element_of_a_wide_output_is_named_as_such(self):
        rng = np.random.default_rng(6)
        X, y, W = rng.normal(size=(10, 3)), rng.normal(size=(10, 2)), rng.normal(size=(3, 2))
        summed = 2 * X.T @ (X @ W - y)
        oracle = fd.local_oracle(lambda p: float(np.mean((X @ p["W"] - y) ** 2)))
        verdict = gradcheck.judge({"W": W}, {"W": summed}, oracle, labels={"W": "dW"},
                                  samples_n=gradcheck.DataSizes([10], [3, 2]))
        self.assertEqual(verdict.diagnosis, "dW is N x 2 = 20 times the numeric gradient: it sums over all N x 2 "
                                            "elements of the loss where the loss takes their mean (divide by "
                                            "out.size, or use .mean()).")

    def test_auto_is_full_up_to_2000_parameters_and_randomised_above(self):
        for width, full in ((42, True), (43, False)):  # 1-w-w-1 MLPs: w*w + 4w + 1 parameters (1,933 and 2,022)
            params, loss, gradient, _ = mlp([1, width, width, 1])
            size = Layout.of(params).size
            oracle = fd.CountingOracle(fd.local_oracle(loss))
            verdict = gradcheck.judge(params, gradient(params), oracle)
            self.assertTrue(verdict.passed)
            self.assertEqual(size <= gradcheck.FAST_ABOVE, full)
            self.assertEqual(oracle.evaluations == 2 * size, full, (size, oracle.evaluations))

    def test_randomised_mode_names_the_wrong_tensor_and_some_of_its_elements(self):
        params, loss, gradient, _ = mlp([1, 32, 32, 32, 1])
        wrong = gradient(params, broken_layer=2)  # the mask of the second hidden layer is missing
        oracle = fd.CountingOracle(nested(loss))
        verdict = gradcheck.judge({"params": params}, {"params": wrong}, oracle, mode="fast",
                                  labels={k: f"d{k}" for k in params})
        self.assertFalse(verdict.passed)
        # the missing mask of hidden layer 2 spoils every gradient below it, none above
        self.assertEqual(verdict.diagnosis, "dW3, db3, dW4 and db4 are right, dW1, db1, dW2 and db2 are wrong.")
        self.assertRegex(verdict.message, r"dW[12]\[\d+, \d+\]: yours")
        self.assertNotRegex(verdict.message, r"dW[34]\[")
        # 4 directions through everything, 4 per tensor (8 tensors), a few elements of a few wrong tensors
        budget = 2 * 4 + 2 * 4 * 8 + 2 * gradcheck.ROW_BUDGET * gradcheck.SAMPLED_TENSORS
        self.assertLessEqual(oracle.evaluations, budget)

    def test_at_least_four_directions(self):
        params, loss, gradient, _ = mlp([1, 64, 64, 1])
        oracle = fd.CountingOracle(fd.local_oracle(loss))
        gradcheck.judge(params, gradient(params), oracle, mode="fast", directions=1)
        self.assertEqual(oracle.evaluations, 8)

    def test_a_missing_relu_mask_is_named_from_the_units_it_leaves_right(self):
        params, loss, gradient, z1 = mlp([1, 64, 1], samples=200)
        params["b1"] = np.random.default_rng(3).uniform(-4, 4, size=(1, 64))
        relu = {"preactivation": lambda: z1(params), "params": ["W1", "b1"], "name": "Z1"}
        for mode in ("full", "fast"):
            with self.subTest(mode=mode):
                verdict = gradcheck.judge({"params": params}, {"params": gradient(params, mask=False)},
                                          nested(loss), mode=mode, relu=relu)
                self.assertIn("wrong only where the ReLU input is negative", verdict.diagnosis)
                self.assertIn("multiply the gradient flowing back through the ReLU by (Z1 > 0)", verdict.diagnosis)

    def test_tiny_gradients_do_not_raise_false_alarms(self):
        w = np.array([3.0, -2.0, 1e-9, -3e-10])
        loss = lambda p: float(0.5 * np.sum(p["w"] ** 2) + 10.0)
        verdict = gradcheck.judge({"w": w}, {"w": w.copy()}, fd.local_oracle(loss), mode="full")
        self.assertTrue(verdict.passed, verdict.message)
        bare = fd.Tolerance(atol=0.0, noise_factor=0.0)
        verdict = gradcheck.judge({"w": w}, {"w": w.copy()}, fd.local_oracle(loss), mode="full", tolerance=bare)
        self.assertFalse(verdict.passed, "relative error alone should have flagged the tiny elements")

    def test_a_step_across_a_relu_kink_is_measured_again_with_a_finer_step(self):
        w = np.array([3e-7, 0.5, -0.7])
        loss = lambda p: float(np.sum(np.maximum(p["w"], 0.0)))
        verdict = gradcheck.judge({"w": w}, {"w": (w > 0).astype(float)}, fd.local_oracle(loss), mode="full")
        self.assertTrue(verdict.passed, verdict.message)

    def test_float32_gradients_pass_with_a_warning(self):
        params, loss, gradient, _ = mlp([1, 8, 1])
        grads = {k: v.astype(np.float32) for k, v in gradient(params).items()}
        verdict = gradcheck.judge({"params": params}, {"params": grads}, nested(loss))
        self.assertTrue(verdict.passed, verdict.diagnosis)
        self.assertEqual(len(verdict.warnings), 1)
        self.assertIn("float32", verdict.warnings[0])

    def test_a_float32_loss_is_differentiated_with_a_larger_step(self):
        w = np.array([0.3, -1.2, 2.0])
        loss = lambda p: np.float32(np.sum(np.sin(p["w"].astype(np.float32))))
        verdict = gradcheck.judge({"w": w}, {"w": np.cos(w)}, fd.local_oracle(loss), mode="full")
        self.assertTrue(verdict.passed, verdict.message)
        self.assertIn("The loss came back as float32", verdict.warnings[0])
        verdict = gradcheck.judge({"w": w}, {"w": 0.5 * np.cos(w)}, fd.local_oracle(loss), mode="full")
        self.assertIn("exactly half", verdict.diagnosis)

    def test_a_loss_that_is_not_a_number_is_reported(self):
        with self.assertRaises(fd.LossNotANumber):
            gradcheck.judge({"w": 1.0}, {"w": 1.0}, fd.local_oracle(lambda p: float("nan")))
        with self.assertRaises(fd.LossNotANumber):
            gradcheck.judge({"w": 1.0}, {"w": 1.0}, fd.local_oracle(lambda p: "low"))

    def test_layout_rejects_what_cannot_be_differentiated(self):
        for bad in ([1.0, 2.0], {"W": "x"}, np.array([True]), {}):
            with self.subTest(value=bad), self.assertRaises(LayoutError):
                Layout.of({"w": bad})

    def test_layout_round_trips_floats_arrays_and_dicts(self):
        values = {"w": 1.5, "p": {"A": np.arange(6.0).reshape(2, 3), "c": np.array([[7.0]])}}
        layout = Layout.of(values)
        back = layout.unflatten(layout.flatten(values))
        self.assertEqual(back["w"], 1.5)
        np.testing.assert_array_equal(back["p"]["A"], values["p"]["A"])
        self.assertEqual(layout.slots[1].element(4), "[1, 1]")


LEARNER = """
import numpy as np


def mse_loss(w, b, x, y):
    return float(np.mean((w * x + b - y) ** 2))


def grad_w(w, b, x, y):
    return float(2 * np.mean((w * x + b - y) * x))


def grad_b(w, b, x, y):
    return float(2 * np.mean(w * x + b - y))
"""

SPEC = {"id": "fd", "inputs": {"w": "rng.normal()", "b": "rng.normal()", "x": "rng.normal(size=12)",
                               "y": "rng.normal(size=12)"},
        "loss": "mse_loss(w, b, x, y)", "gradient": "(grad_w(w, b, x, y), grad_b(w, b, x, y))", "wrt": ["w", "b"],
        "labels": {"w": "grad_w", "b": "grad_b"}}


class SandboxCheckTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)

    def learner(self, source=LEARNER, name="linear_mse.py") -> LocalSandbox:
        path = Path(self.folder.name) / name
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return LocalSandbox([path])

    def context(self, mode="auto"):
        """The pack's given code is the unedited file: the loss and the points come from there."""
        self.given = self.learner(name="given_linear_mse.py")
        return LocalContext(mode, given=self.given)

    def test_the_learner_is_asked_for_the_gradient_only(self):
        sb = self.learner()
        verdict = gradcheck.check(sb, SPEC, self.context())
        self.assertTrue(verdict.passed, verdict.diagnosis)
        self.assertIn("at 3 random points", verdict.message)
        self.assertEqual(sb.calls, 3)  # the gradient at each random point
        self.assertEqual(self.given.calls, 2 * 3)  # the point, then every loss evaluation in one go

    def test_each_trial_draws_new_inputs_and_the_same_trial_the_same(self):
        sb = self.learner()
        first, again, second = (gradcheck._inputs(sb, SPEC, t) for t in (0, 0, 1))
        fresh = gradcheck._inputs(sb, SPEC, 0, seed=12345)
        self.assertNotEqual(first["w"], fresh["w"])  # a grading run's own seed draws other points
        self.assertEqual(first["w"], again["w"])
        self.assertNotEqual(first["w"], second["w"])
        self.assertNotEqual(first["w"], first["b"])  # one generator runs through the inputs in order

    def test_the_gradient_must_give_one_value_per_parameter(self):
        spec = dict(SPEC, gradient="grad_w(w, b, x, y)")
        verdict = gradcheck.check(self.learner(), spec, self.context())
        self.assertFalse(verdict.passed)
        self.assertIn("should give one value for each of grad_w and grad_b", verdict.message)
        verdict = gradcheck.check(self.learner(), dict(SPEC, gradient="(grad_w(w, b, x, y),)"), self.context())
        self.assertIn("gave 1 values; it should give 2", verdict.message)

    def test_a_loss_that_breaks_is_a_failed_check_not_a_crash(self):
        verdict = gradcheck.check(self.learner(), dict(SPEC, loss="mse_loss(w, b, x, y) + np.nan"),
                                  self.context())
        self.assertFalse(verdict.passed)
        self.assertIn("cannot be differentiated numerically", verdict.message)

    def test_the_spec_mode_overrides_the_host_setting(self):
        sb = self.learner()
        verdict = gradcheck.check(sb, dict(SPEC, mode="fast"), self.context("full"))
        self.assertIn("random directions", verdict.message)

    def test_a_tolerance_from_the_check_is_used(self):
        source = LEARNER.replace("return float(2 * np.mean(w * x + b - y))",
                                 "return float(2 * np.mean(w * x + b - y)) * 1.001")
        self.assertFalse(gradcheck.check(self.learner(source), SPEC, self.context()).passed)
        self.assertTrue(gradcheck.check(self.learner(source), dict(SPEC, tolerance={"rtol": 1e-2}),
                                        self.context()).passed)

    def test_spec_mistakes_are_not_blamed_on_the_learner(self):
        with self.assertRaises(CheckError):
            gradcheck.check(self.learner(), dict(SPEC, wrt=["w", "z"]), self.context())
        with self.assertRaises(CheckError):
            gradcheck.check(self.learner(), dict(SPEC, inputs=dict(SPEC["inputs"], w="[1.0, 2.0]")), self.context())


if __name__ == "__main__":
    unittest.main()

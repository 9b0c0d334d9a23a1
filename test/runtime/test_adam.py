"""Adam's usual variants (gradlab.numerics.adam) and the training-loop check that names them, on the built-in pack's
exercise 10: its solution in other correct forms passes, each usual mistake is named word for word."""

import json
import tempfile
import unittest
from pathlib import Path

import numpy as np

from gradlab.checks import trainloop
from gradlab.numerics import adam

from .corpus import edited
from .local_sandbox import LocalContext, LocalSandbox

EXERCISE = Path(__file__).resolve().parents[2] / "exercises" / "training-from-scratch" / "10-adam"
SPEC = next(check for exercise in json.loads((EXERCISE.parent / "pack.json").read_text(encoding="utf-8"))["exercises"]
            if exercise["id"] == "10-adam" for check in exercise["checks"] if check["id"] == "adam-trajectory")
# the authoring file runs as the solution: its starter block comes after a return
SOLUTION = (EXERCISE / "optim.py").read_text(encoding="utf-8")

UPDATE = ("            m_hat = m / correction1\n            v_hat = v / correction2\n"
          "            p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)\n")
AVERAGES = ("            m[...] = self.beta1 * m + (1.0 - self.beta1) * p.grad\n"
            "            v[...] = self.beta2 * v + (1.0 - self.beta2) * p.grad ** 2\n")
COUNT = ("        self.t += 1\n        correction1 = 1.0 - self.beta1 ** self.t\n"
         "        correction2 = 1.0 - self.beta2 ** self.t\n"
         "        for p, m, v in zip(self.parameters, self.m, self.v):\n")
FORMS = {
    "paper": (UPDATE, "            lr_t = self.lr * np.sqrt(correction2) / correction1\n"
                      "            p.data -= lr_t * m / (np.sqrt(v) + self.eps)\n"),
    "torch": (UPDATE, "            denominator = np.sqrt(v) / np.sqrt(correction2) + self.eps\n"
                      "            p.data -= (self.lr / correction1) * m / denominator\n"),
}
MISTAKES = {
    "no-bias-correction": (UPDATE, "            p.data -= self.lr * m / (np.sqrt(v) + self.eps)\n"),
    "only-m-corrected": (UPDATE, "            p.data -= self.lr * (m / correction1) / (np.sqrt(v) + self.eps)\n"),
    "eps-inside-sqrt": (UPDATE, "            p.data -= self.lr * (m / correction1) / "
                                "np.sqrt(v / correction2 + self.eps)\n"),
    "corrected-twice": (UPDATE, "            lr_t = self.lr * np.sqrt(correction2) / correction1\n"
                                "            p.data -= lr_t * (m / correction1) / "
                                "(np.sqrt(v / correction2) + self.eps)\n"),
    "betas-swapped": (AVERAGES, "            m[...] = self.beta2 * m + (1.0 - self.beta2) * p.grad\n"
                                "            v[...] = self.beta1 * v + (1.0 - self.beta1) * p.grad ** 2\n"),
    "state-reset": (AVERAGES, "            m = (1.0 - self.beta1) * p.grad\n"
                              "            v = (1.0 - self.beta2) * p.grad ** 2\n"),
    "t-per-parameter": (COUNT, "        for p, m, v in zip(self.parameters, self.m, self.v):\n            self.t += 1\n"
                               "            correction1 = 1.0 - self.beta1 ** self.t\n"
                               "            correction2 = 1.0 - self.beta2 ** self.t\n"),
}


class VariantsTest(unittest.TestCase):
    def test_the_bias_corrected_form_gives_the_hand_checked_first_step(self):
        [[move]] = adam.moves("adam", "adam", [[np.array([0.5, -100.0, 1e-3])]], adam.Settings(lr=0.1))
        np.testing.assert_allclose(np.array([1.0, -2.0, 3.0]) + move, [0.900000002, -1.90000000001, 2.90000099999],
                                   rtol=1e-12)

    def test_the_papers_form_differs_only_by_how_eps_is_scaled(self):
        gradients = [[np.array([0.5, -100.0, 1e-3])], [np.array([0.2, 3.0, -1e-3])]]
        standard = adam.moves("adam", "adam", gradients, adam.Settings(lr=0.1))
        paper = adam.moves("paper", "adam", gradients, adam.Settings(lr=0.1))
        without_eps = adam.moves("paper", "adam", gradients, adam.Settings(lr=0.1, eps=1e-300))
        for a, b, c in zip(standard, paper, without_eps):  # eps / sqrt(v) is at most 3e-4 here
            np.testing.assert_allclose(a[0], c[0], rtol=1e-3)
            np.testing.assert_allclose(b[0], c[0], rtol=1e-3)
            self.assertFalse(np.allclose(a[0], b[0], rtol=1e-9, atol=0))

    def test_every_variant_is_told_from_the_others_by_its_own_moves(self):
        rng = np.random.default_rng(4)
        gradients = [[rng.normal(size=(3,)) * 10.0 ** rng.uniform(-6, 1, size=3), rng.normal(size=(2, 2))]
                     for _ in range(4)]
        settings = adam.Settings(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6)
        for averaging in adam.AVERAGINGS:
            for update in adam.UPDATES:
                if averaging != "adam" and update != "adam":
                    continue
                with self.subTest(update=update, averaging=averaging):
                    moved = adam.moves(update, averaging, gradients, settings)
                    self.assertEqual(adam.identify(moved, gradients, settings), (update, averaging))

    def test_accepted_forms_have_no_words_and_mistakes_have_a_fix(self):
        self.assertTrue(adam.accepted(("paper", "adam")))
        self.assertIsNone(adam.words(("adam", "adam")))
        self.assertFalse(adam.accepted(("no-bias-correction", "adam")))
        self.assertEqual(adam.words(("adam", "state-reset"))[0], "m and v start again from zero at every step")
        self.assertIsNone(adam.identify([[np.array([9.0])]], [[np.array([1.0])]], adam.Settings(lr=0.1)))


class AdamTrajectoryTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)
        self.reference = trainloop.reference(self.sandbox(SOLUTION), SPEC)

    def sandbox(self, text):
        path = Path(self.folder.name) / "optim.py"
        path.write_text(text, encoding="utf-8")
        return LocalSandbox([EXERCISE / "nn.py", path])

    def verdict(self, edit):
        return trainloop.check(self.sandbox(edited(SOLUTION, [edit])), SPEC, LocalContext(reference=self.reference))

    def test_the_papers_form_and_pytorchs_pass(self):
        paper = self.verdict(FORMS["paper"])
        self.assertTrue(paper.passed, paper.message)
        self.assertEqual(paper.message, "train(model, x, y, optimizer, 10) is Adam in the paper's lr_t form at each of "
                                        "its 10 steps: every step moves the parameters as that form does with the "
                                        "gradients it received (the reference adds eps to sqrt(v_hat) instead, which "
                                        "differs only in how eps is scaled).")
        torch = self.verdict(FORMS["torch"])
        self.assertTrue(torch.passed, torch.message)
        self.assertIn("follows the reference trajectory", torch.message)

    def test_each_usual_mistake_is_named(self):
        for name, edit in MISTAKES.items():
            with self.subTest(mistake=name):
                verdict = self.verdict(edit)
                self.assertFalse(verdict.passed)
                what, fix = adam.words(("adam", name) if name in adam.AVERAGINGS else (name, "adam"))
                self.assertIn(f"exactly as an Adam in which {what} would.", verdict.message)
                self.assertEqual(verdict.diagnosis, f"In this Adam {what}: {fix}.")

    def test_the_words_for_a_missing_bias_correction(self):
        verdict = self.verdict(MISTAKES["no-bias-correction"])
        self.assertEqual(verdict.message, "At step 1, optimizer.step() moved the parameters exactly as an Adam in "
                                          "which m and v are used without their bias correction would.")
        self.assertEqual(verdict.diagnosis,
                         "In this Adam m and v are used without their bias correction: divide m by (1 - beta1**t) and "
                         "v by (1 - beta2**t), with t the number of steps so far (without it the first steps are "
                         "sqrt(1 - beta2) / (1 - beta1) times too large, about 3 with the default betas).")

    def test_eps_inside_the_root_shows_only_as_a_drift_and_is_traced_back(self):
        verdict = self.verdict(MISTAKES["eps-inside-sqrt"])
        self.assertEqual(verdict.message, "At step 10, the gradients differ from the reference's because the "
                                          "parameters do: from step 1 on, optimizer.step() moved them exactly as an "
                                          "Adam in which eps is inside the square root would.")

    def test_a_step_of_no_known_variant_keeps_the_generic_words(self):
        verdict = self.verdict((UPDATE, "            p.data -= self.lr * np.sign(p.grad) * np.sqrt(np.abs(m))\n"))
        self.assertFalse(verdict.passed)
        self.assertIn("differ from the reference solution's although the gradients agreed", verdict.message)


if __name__ == "__main__":
    unittest.main()

"""The `run` check kind: the pack's training script trains with the learner's functions, and the conditions are
judged on metrics the pack's given code computes from what it trained, never on what it logged."""

import math
import os
import unittest

from gradlab.checks import CheckError
from gradlab.checks.training_run import judge
from test.runtime.worker_client import SUBMISSIONS, WorkerProcess, remove, submission_with


class Conditions(unittest.TestCase):
    def test_below_and_finite_say_what_the_numbers_are(self):
        verdict = judge({"loss": 0.004}, [{"metric": "loss", "below": 0.01}, {"metric": "loss", "finite": True}],
                        "train.py")
        self.assertTrue(verdict.passed)
        self.assertEqual(verdict.message, "passed: `loss` of what train.py trained is 0.004, below 0.01; `loss` of "
                                          "what train.py trained is finite")

    def test_a_value_over_the_bar_is_named(self):
        verdict = judge({"loss": 0.5}, [{"metric": "loss", "below": 0.1}], "train.py")
        self.assertEqual(verdict.message, "`loss` of what train.py trained is 0.5, not below 0.1")
        verdict = judge({"accuracy": 0.5}, [{"metric": "accuracy", "above": 0.9}], "train.py")
        self.assertEqual(verdict.message, "`accuracy` of what train.py trained is 0.5, not above 0.9")

    def test_a_diverged_training_is_said_once(self):
        verdict = judge({"loss": math.nan}, [{"metric": "loss", "below": 0.1}, {"metric": "loss", "finite": True}],
                        "train.py")
        self.assertFalse(verdict.passed)
        self.assertEqual(verdict.message, "`loss` of what train.py trained is nan (not a finite number): the "
                                          "training diverged")

    def test_a_condition_on_an_undefined_metric_is_the_packs_mistake(self):
        with self.assertRaises(CheckError):
            judge({"loss": 1.0}, [{"metric": "val_loss", "below": 1}], "train.py")


class ThroughTheWorker(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess()

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()

    def run_check(self, source, script=None):
        folder = submission_with(source)
        if script is not None:
            with open(os.path.join(folder, "train_scale.py"), "w", encoding="utf-8") as file:
                file.write(script)
        try:
            return self.worker.check(folder, only=["fit-falls"])["result"]["checks"][0]
        finally:
            remove(folder)

    def solution(self):
        with open(os.path.join(SUBMISSIONS, "solution", "scale.py"), encoding="utf-8") as solution:
            return solution.read()

    def test_the_solution_trains_a_w_with_a_small_loss(self):
        check = self.run_check(self.solution())
        self.assertEqual(check["status"], "passed", check["message"])

    def test_a_diverging_gradient_fails_the_condition(self):
        check = self.run_check(self.solution().replace("return 2 * (w * x - y) * x", "return -2 * (w * x - y) * x"))
        self.assertEqual(check["status"], "failed")
        self.assertIn("`loss` of what train_scale.py trained is", check["message"])
        self.assertIn("not below 0.01", check["message"])

    def test_a_crash_in_the_script_points_at_the_learner_line(self):
        check = self.run_check(self.solution().replace("return 2 * (w * x - y) * x", "return w.grad"))
        self.assertEqual(check["status"], "failed")
        self.assertEqual(check["message"], "AttributeError: 'float' object has no attribute 'grad' (scale.py, "
                                           "line 16, in grad)")
        self.assertEqual((check["file"], check["line"]), ("scale.py", 16))

    def test_an_edited_script_in_the_submission_changes_nothing(self):
        # the learner's copy logs a perfect loss and returns the answer; the pack's script is the one that runs
        check = self.run_check(self.solution().replace("return 2 * (w * x - y) * x", "return 0.0"),
                               script="import gradlab\n\ndef main():\n    gradlab.log(step=0, loss=0.0)\n"
                                      "    return 2.0\n")
        self.assertEqual(check["status"], "failed")
        self.assertIn("`loss` of what train_scale.py trained is 9, not below 0.01", check["message"])

    def test_logged_metrics_buy_nothing(self):
        # no gradient at all, and a gradlab.log that reports a perfect loss whatever it is given
        faked = self.solution().replace("return 2 * (w * x - y) * x", "return 0.0") + (
            "\n\nimport gradlab\n_log = gradlab.log\ngradlab.log = lambda step=None, **m: _log(step=step, loss=0.0)\n")
        check = self.run_check(faked)
        self.assertEqual(check["status"], "failed")
        self.assertIn("is 9, not below 0.01", check["message"])


if __name__ == "__main__":
    unittest.main()

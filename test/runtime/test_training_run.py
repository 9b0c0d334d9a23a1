"""The `run` check kind: conditions judged on the metrics a training script logged with gradlab.log."""

import json
import os
import tempfile
import unittest

from gradlab.checks.training_run import horizon, judge, read_metrics
from test.runtime.worker_client import SUBMISSIONS, WorkerProcess, remove, submission_with


def history(*records):
    handle, path = tempfile.mkstemp(suffix=".jsonl")
    with os.fdopen(handle, "w") as file:
        for record in records:
            file.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


def metric(step, **values):
    return {"type": "metric", "run": "r", "step": step, "t": 0.1, "metrics": values}


class Conditions(unittest.TestCase):
    def judge(self, records, *conditions):
        path = history(*records)
        try:
            return judge(read_metrics(path), list(conditions), "train.py")
        finally:
            os.remove(path)

    def test_below_by_step_passes_at_the_first_step_under_the_bar(self):
        verdict = self.judge([metric(0, loss=1.0), metric(10, loss=0.05), metric(20, loss=0.001)],
                             {"metric": "loss", "below": 0.1, "byStep": 15})
        self.assertTrue(verdict.passed)
        self.assertEqual(verdict.message, "passed: `loss` fell below 0.1 at step 10")

    def test_below_too_late_names_the_lowest_value_in_time(self):
        verdict = self.judge([metric(0, loss=1.0), metric(10, loss=0.5), metric(20, loss=0.001)],
                             {"metric": "loss", "below": 0.1, "byStep": 15})
        self.assertEqual(verdict.message, "`loss` never fell below 0.1 by step 15 (lowest: 0.5 at step 10)")

    def test_a_metric_never_logged_says_how_to_log_it(self):
        verdict = self.judge([metric(0, loss=1.0)], {"metric": "val_loss", "below": 1})
        self.assertEqual(verdict.message, "train.py never logged `val_loss`; log it with "
                                          "gradlab.log(step=..., val_loss=...)")

    def test_finite_after_a_step(self):
        records = [metric(0, loss=None), metric(5, loss=1.0),
                   {"type": "metric", "run": "r", "step": 9, "metrics": {"loss": None}, "nonFinite": {"loss": "nan"}}]
        self.assertTrue(self.judge(records[:2], {"metric": "loss", "finite": True, "afterStep": 1}).passed)
        verdict = self.judge(records, {"metric": "loss", "finite": True, "afterStep": 1})
        self.assertIn("`loss` stopped being a finite number at step 9", verdict.message)

    def test_lines_that_are_not_metric_records_are_skipped(self):
        path = history("not json", {"type": "run-start", "run": "r"}, {"type": "metric", "step": "3"},
                       metric(2, loss=0.5, label="text"))
        try:
            self.assertEqual(read_metrics(path), {"loss": [(2, 0.5)]})
        finally:
            os.remove(path)


class Horizon(unittest.TestCase):
    def test_the_run_is_watched_up_to_the_last_step_a_condition_names(self):
        self.assertEqual(horizon([{"metric": "a", "below": 1, "byStep": 500}, {"metric": "a", "finite": True},
                                  {"metric": "b", "below": 2, "byStep": 900}]), 900)
        self.assertEqual(horizon([{"metric": "a", "finite": True, "afterStep": 40}]), 40)

    def test_an_unbounded_condition_watches_the_whole_run(self):
        self.assertIsNone(horizon([{"metric": "a", "below": 1, "byStep": 500}, {"metric": "b", "below": 2}]))
        self.assertIsNone(horizon([{"metric": "a", "finite": True}]))


class ThroughTheWorker(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess()

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()

    def test_a_diverging_gradient_fails_the_condition(self):
        with open(os.path.join(SUBMISSIONS, "solution", "scale.py"), encoding="utf-8") as solution:
            flipped = solution.read().replace("return 2 * (w * x - y) * x", "return -2 * (w * x - y) * x")
            folder = submission_with(flipped)
        try:
            check = self.worker.check(folder, only=["fit-falls"])["result"]["checks"][0]
        finally:
            remove(folder)
        self.assertEqual(check["status"], "failed")
        self.assertIn("`loss` never fell below 0.01 by step 30 (lowest: 9 at step 0)", check["message"])

    def test_a_crash_in_the_script_points_at_the_learner_line(self):
        with open(os.path.join(SUBMISSIONS, "solution", "scale.py"), encoding="utf-8") as solution:
            folder = submission_with(solution.read().replace("return 2 * (w * x - y) * x", "return w.grad"))
        try:
            check = self.worker.check(folder, only=["fit-falls"])["result"]["checks"][0]
        finally:
            remove(folder)
        self.assertEqual(check["status"], "failed")
        self.assertEqual(check["message"], "AttributeError: 'float' object has no attribute 'grad' (scale.py, "
                                           "line 16, in grad)")
        self.assertEqual((check["file"], check["line"]), ("scale.py", 16))

    def test_an_edited_script_in_the_submission_is_the_one_that_runs(self):
        with open(os.path.join(SUBMISSIONS, "solution", "scale.py"), encoding="utf-8") as solution:
            folder = submission_with(solution.read())
        with open(os.path.join(folder, "train_scale.py"), "w", encoding="utf-8") as script:
            script.write("import gradlab\nfor step in range(3):\n    gradlab.log(step=step, loss=1.0)\n")
        try:
            check = self.worker.check(folder, only=["fit-falls"])["result"]["checks"][0]
        finally:
            remove(folder)
        self.assertEqual(check["message"], "`loss` never fell below 0.01 by step 30 (lowest: 1 at step 0)")

    def test_a_script_is_stopped_once_it_logs_past_the_horizon(self):
        with open(os.path.join(SUBMISSIONS, "solution", "scale.py"), encoding="utf-8") as solution:
            folder = submission_with(solution.read())
        # Endless after step 30: only stopping at the horizon lets this check end well inside its time limit.
        with open(os.path.join(folder, "train_scale.py"), "w", encoding="utf-8") as script:
            script.write("import gradlab, itertools\nfor step in itertools.count():\n"
                         "    gradlab.log(step=step, loss=0.5 ** step)\n")
        try:
            check = self.worker.check(folder, only=["fit-falls"])["result"]["checks"][0]
        finally:
            remove(folder)
        self.assertEqual(check["status"], "passed", check["message"])


if __name__ == "__main__":
    unittest.main()

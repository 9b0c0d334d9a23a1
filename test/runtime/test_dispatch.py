"""Dispatch by check kind, and CheckResults: what each kind is given, what a missing kind says, how hidden
checks are reduced to their verdict."""

import os
import sys
import types
import unittest

from gradlab import checks
from gradlab.checks.base import LearnerError, Verdict
from test.runtime.worker_client import SUBMISSIONS, WorkerProcess, fixture_exercise


class Context:
    gradcheck_mode = "fast"

    def __init__(self):
        self.references = []

    def reference(self, spec):
        self.references.append(spec["id"])
        return {"baked": spec["id"]}


class FakeKinds(unittest.TestCase):
    def install(self, name, check):
        module = types.ModuleType(name)
        module.check = check
        previous = sys.modules.get(name)
        sys.modules[name] = module
        self.addCleanup(lambda: sys.modules.__setitem__(name, previous) if previous else sys.modules.pop(name))

    def test_each_kind_gets_the_sandbox_its_spec_and_the_context(self):
        calls = []
        for kind, name in (("gradcheck", "gradlab.checks.gradcheck"), ("value-graph", "gradlab.checks.valuegraph"),
                           ("training-loop", "gradlab.checks.trainloop")):
            self.install(name, lambda sb, spec, context, kind=kind: calls.append((kind, sb, spec["id"], context))
                         or Verdict(kind != "training-loop", "ok"))
        context = Context()
        self.assertTrue(checks.evaluate("sb", {"id": "g", "kind": "gradcheck", "tolerance": {"rtol": 1e-3}},
                                        context).passed)
        self.assertTrue(checks.evaluate("sb", {"id": "v", "kind": "value-graph"}, context).passed)
        self.assertFalse(checks.evaluate("sb", {"id": "t", "kind": "training-loop"}, context).passed)
        self.assertEqual(calls, [("gradcheck", "sb", "g", context), ("value-graph", "sb", "v", context),
                                 ("training-loop", "sb", "t", context)])

    def test_the_spec_mode_wins_over_the_hosts(self):
        from gradlab.checks.gradcheck import mode_of

        self.assertEqual([mode_of({"mode": "full"}, Context()), mode_of({}, Context())], ["full", "fast"])

    def test_a_missing_or_unknown_kind_is_a_check_error(self):
        previous = sys.modules.get("gradlab.checks.trainloop")
        sys.modules["gradlab.checks.trainloop"] = None  # as if the module did not exist
        self.addCleanup(lambda: sys.modules.__setitem__("gradlab.checks.trainloop", previous) if previous
                        else sys.modules.pop("gradlab.checks.trainloop"))
        with self.assertRaises(checks.CheckError) as missing:
            checks.evaluate("sb", {"id": "t", "kind": "training-loop"}, Context())
        self.assertEqual(str(missing.exception), "the `training-loop` check kind is not installed in this Gradient "
                                                 "Lab runtime (gradlab.checks.trainloop is missing)")
        with self.assertRaises(checks.CheckError) as unknown:
            checks.evaluate("sb", {"id": "x", "kind": "quiz"}, Context())
        self.assertIn("unknown check kind 'quiz'", str(unknown.exception))

    def test_a_kind_must_return_a_verdict(self):
        self.install("gradlab.checks.valuegraph", lambda sb, spec, context: True)
        with self.assertRaises(TypeError):
            checks.evaluate("sb", {"id": "v", "kind": "value-graph"}, Context())


class Results(unittest.TestCase):
    spec = {"id": "c", "title": "C", "kind": "test", "points": 3}

    def test_a_passed_check_scores_its_points_and_keeps_details(self):
        verdict = Verdict(True, "fine", diagnosis="d", warnings=["float32"])
        entry = checks.result(self.spec, status="passed", message="fine", location={"file": "a.py", "line": None},
                              duration_ms=1.234, verdict=verdict, output=("hi\n", True))
        self.assertEqual((entry["points"], entry["maxPoints"], entry["durationMs"]), (3, 3, 1.2))
        self.assertEqual((entry["diagnosis"], entry["warnings"], entry["output"]), ("d", ["float32"], "hi\n"))
        self.assertTrue(entry["outputTruncated"])
        self.assertEqual(entry["file"], "a.py")
        self.assertNotIn("line", entry)

    def test_a_hidden_check_keeps_only_its_verdict(self):
        hidden = dict(self.spec, hidden=True)
        verdict = Verdict(False, "expected -6, got 2.5", diagnosis="x", expected="-6", actual="2.5")
        entry = checks.result(hidden, status="failed", message=verdict.message, location={}, duration_ms=1,
                              verdict=verdict, output=("printed inputs -1.5 4\n", False))
        self.assertEqual(entry["message"], checks.HIDDEN_FAILED + checks.PRACTICE)  # a learner release's
        for field in ("diagnosis", "expected", "actual", "output", "instructor"):
            self.assertNotIn(field, entry)

    def test_a_hidden_check_says_the_kind_of_mistake_it_found_and_nothing_else(self):
        hidden = dict(self.spec, hidden=True)
        verdict = Verdict(False, "expected -6, got 2.5", diagnosis="at -1.5: 2.5", expected="-6", actual="2.5",
                          kind="the result is exactly half the right answer")
        entry = checks.result(hidden, status="failed", message=verdict.message, location={}, duration_ms=1,
                              verdict=verdict)
        self.assertEqual(entry["message"], "failed — this check is hidden, so its inputs and expected values are "
                                           "not shown, but what it found is this: the result is exactly half the "
                                           "right answer" + checks.PRACTICE)
        for field in ("diagnosis", "expected", "actual"):
            self.assertNotIn(field, entry)

    def test_graded_with_the_authoring_pack_a_hidden_failure_tells_the_instructor_everything(self):
        hidden = dict(self.spec, hidden=True, inputs={"w": "rng.normal()"})
        verdict = Verdict(False, "expected -6, got 2.5", diagnosis="the sign is flipped", expected="-6", actual="2.5")
        entry = checks.result(hidden, status="failed", message=verdict.message, location={}, duration_ms=1,
                              verdict=verdict, output=("printed -1.5\n", False), for_instructor=True)
        self.assertEqual(entry["message"], checks.HIDDEN_FAILED)
        self.assertEqual(entry["instructor"], {"message": "expected -6, got 2.5", "diagnosis": "the sign is flipped",
                                               "expected": "-6", "actual": "2.5", "output": "printed -1.5\n",
                                               "inputs": {"w": "rng.normal()"}})
        for field in ("diagnosis", "expected", "actual", "output"):
            self.assertNotIn(field, entry)

    def test_a_hidden_check_that_passed_carries_no_details_even_for_the_instructor(self):
        hidden = dict(self.spec, hidden=True)
        entry = checks.result(hidden, status="passed", message="ok", location={}, duration_ms=1,
                              verdict=Verdict(True, "ok"), for_instructor=True)
        self.assertNotIn("instructor", entry)

    def test_hidden_learner_errors_say_what_kind_without_values(self):
        cases = [(LearnerError("exception", "ValueError: shapes (3,) and (4,) not aligned (a.py, line 2)"),
                  "failed: the code raised ValueError on this hidden check's inputs"),
                 (LearnerError("timeout", "stopped after 10 s"), "stopped after 10 s"),
                 (LearnerError("memory", "ran out of memory: 1024 MiB"),
                  "failed: the code ran out of memory on this hidden check's inputs")]
        for error, expected in cases:
            self.assertEqual(checks.hidden_message(checks.learner_status(error), error.message, error), expected)

    def test_statuses_of_learner_errors(self):
        self.assertEqual([checks.learner_status(LearnerError(kind, "m")) for kind in
                          ("syntax", "missing-name", "timeout", "exception", "exit", "memory", "forbidden")],
                         ["errored", "errored", "timeout", "failed", "failed", "failed", "failed"])


class LinkedCauses(unittest.TestCase):
    def test_a_failure_without_a_diagnosis_points_to_the_gradient_check_that_found_the_cause(self):
        from gradlab.grading import link_causes

        specs = [{"id": "fd", "kind": "gradcheck"}, {"id": "run", "kind": "run"}, {"id": "t", "kind": "test"},
                 {"id": "other", "kind": "test"}, {"id": "fd2", "kind": "gradcheck"}]
        results = [dict(id="fd", passed=False, hidden=False, status="failed", function="backward", message="m",
                        diagnosis="it sums where the mean belongs"),
                   dict(id="run", passed=False, hidden=False, status="failed", message="the training diverged"),
                   dict(id="t", passed=False, hidden=True, status="failed", function="backward", message="hidden"),
                   dict(id="other", passed=False, hidden=False, status="failed", function="forward", message="o"),
                   dict(id="fd2", passed=False, hidden=True, status="failed", function="backward", message="h"),
                   dict(id="own", passed=False, hidden=False, status="failed", function="backward",
                        message="the steps are those of an Adam without bias correction")]
        specs.append({"id": "own", "kind": "test"})
        link_causes(results, specs, named={"own"})
        said = {r["id"]: r["message"] for r in results}
        self.assertEqual(said["run"], "the training diverged — this follows from what `fd` found: it sums where the "
                                      "mean belongs")
        self.assertTrue(said["t"].endswith("— this follows from what `fd` found: it sums where the mean belongs"))
        self.assertEqual((said["other"], said["fd2"], said["fd"]), ("o", "h", "m"))
        self.assertEqual(said["own"], "the steps are those of an Adam without bias correction")


class GradcheckThroughTheWorker(unittest.TestCase):
    """The real gradcheck kind, in the learner's sandbox, from a CheckParams."""

    def test_a_dropped_factor_two_is_caught_and_the_solution_passes(self):
        exercise = fixture_exercise()
        exercise["checks"] = [{"id": "grad-fd", "kind": "gradcheck", "title": "grad matches finite differences",
                               "function": "grad", "inputs": {"w": "rng.normal()", "x": "rng.normal()",
                                                              "y": "rng.normal()"},
                               "loss": "square(w * x - y)", "gradient": "grad(w, x, y)", "wrt": ["w"]}]
        worker = WorkerProcess()
        try:
            solution = worker.check(os.path.join(SUBMISSIONS, "solution"), exercise=exercise)["result"]
            wrong = worker.check(os.path.join(SUBMISSIONS, "wrong"), exercise=exercise)["result"]["checks"][0]
        finally:
            worker.close()
        self.assertTrue(solution["passed"], solution)
        self.assertEqual((wrong["status"], wrong["line"]), ("failed", 13))
        self.assertIn("half", wrong["diagnosis"])


if __name__ == "__main__":
    unittest.main()

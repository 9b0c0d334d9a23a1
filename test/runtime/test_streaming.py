"""A check request streams: each check's result is a ``result`` notification sent the moment it is known, cheapest
and most telling first, and the response closes the request with the whole report in the pack's order."""

import json
import os
import shutil
import tempfile
import time
import unittest

from gradlab.grading import TYPICAL_MS, run_order
from test.runtime.worker_client import (FIXTURE_PACK, GIVEN, SUBMISSIONS, WorkerProcess, fixture_exercise,
                                        submission_with)

SOLUTION = os.path.join(SUBMISSIONS, "solution", "scale.py")
PACK_ORDER = ["scale-basic", "grad-lesson", "scale-hidden", "fit-falls"]


def solution_with(old, new):
    with open(SOLUTION, encoding="utf-8") as file:
        source = file.read()
    assert old in source
    return submission_with(source.replace(old, new))


class Streaming(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess()

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()

    def last_id(self):
        return self.worker.next_id - 1

    def test_every_result_arrives_before_the_response_which_holds_them_all_in_the_packs_order(self):
        report = self.worker.check(os.path.join(SUBMISSIONS, "solution"))["result"]
        streamed = self.worker.streamed(self.last_id())
        self.assertEqual([s["result"]["id"] for s in streamed], PACK_ORDER)  # the run is the costliest: last
        self.assertEqual([s["remaining"] for s in streamed], [3, 2, 1, 0])
        self.assertEqual([c["id"] for c in report["checks"]], PACK_ORDER)
        self.assertEqual([s["result"] for s in streamed], report["checks"])

    def test_the_checks_of_the_function_just_edited_come_first(self):
        report = self.worker.check(os.path.join(SUBMISSIONS, "wrong"), focus=["grad"])["result"]
        streamed = [s["result"]["id"] for s in self.worker.streamed(self.last_id())]
        self.assertEqual(streamed, ["grad-lesson", "scale-basic", "scale-hidden", "fit-falls"])
        self.assertEqual([c["id"] for c in report["checks"]], PACK_ORDER)
        self.assertEqual(report["checks"][1]["message"], "grad(1, 2, 6): expected -16, got -8")

    def test_only_streams_the_named_checks(self):
        self.worker.check(os.path.join(SUBMISSIONS, "solution"), only=["fit-falls", "scale-basic"])
        streamed = self.worker.streamed(self.last_id())
        self.assertEqual([(s["result"]["id"], s["remaining"]) for s in streamed], [("scale-basic", 1),
                                                                                   ("fit-falls", 0)])

    def test_a_check_that_never_ends_keeps_the_results_of_those_that_finished_and_cancel_ends_it(self):
        folder = solution_with("    return 2 * (w * x - y) * x", "    while True:\n        pass")
        try:
            request_id = self.worker.start("check", {
                "pack": {"dir": FIXTURE_PACK, "form": "authoring"}, "exercise": fixture_exercise(),
                "submission": folder, "given": GIVEN, "limits": {"timeoutS": 30, "memoryMb": 256, "outputKb": 64},
                "gradcheck": "auto"})
            deadline = time.monotonic() + 20
            while not self.worker.streamed(request_id) and time.monotonic() < deadline:
                self.worker.notifications.append(self.worker.read_message(deadline))
            first = self.worker.streamed(request_id)
            self.assertEqual([(s["result"]["id"], s["result"]["status"]) for s in first], [("scale-basic", "passed")])
            time.sleep(0.3)  # grad-lesson is looping now
            self.worker.send({"method": "cancel", "params": {"id": request_id}})
            reply = self.worker.response(request_id, timeout=10)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self.assertEqual(reply["error"]["code"], "cancelled")
        self.assertEqual([s["result"]["id"] for s in self.worker.streamed(request_id)], ["scale-basic"])
        # the next request gets a full, correct report
        report = self.worker.check(os.path.join(SUBMISSIONS, "solution"))["result"]
        self.assertTrue(report["passed"], json.dumps(report, indent=1))
        self.assertEqual(len(self.worker.streamed(self.last_id())), 4)


class Exercise:
    """run_order's view of an exercise: the costs measured when its release was built."""

    def __init__(self, costs=None):
        self.costs = costs or {}

    def expected_costs(self):
        return self.costs


CHECKS = [{"id": "loss-falls", "kind": "run"}, {"id": "grad-w", "kind": "gradcheck", "function": "grad_w"},
          {"id": "graph", "kind": "value-graph", "function": "backward"},
          {"id": "test-w", "kind": "test", "function": "grad_w"}, {"id": "test-b", "kind": "test", "function": "b"}]


def ids(specs):
    return [spec["id"] for spec in specs]


class RunOrder(unittest.TestCase):
    def test_without_measured_costs_the_typical_cost_of_each_kind_orders_them_ties_in_the_packs_order(self):
        self.assertLess(TYPICAL_MS["gradcheck"], TYPICAL_MS["run"])
        self.assertEqual(ids(run_order(CHECKS, Exercise())), ["grad-w", "test-w", "test-b", "graph", "loss-falls"])

    def test_measured_costs_win_over_the_typical_ones(self):
        costs = {"loss-falls": 1.0, "grad-w": 9.0, "graph": 3.0, "test-w": 2.0, "test-b": 2.0}
        self.assertEqual(ids(run_order(CHECKS, Exercise(costs))), ["loss-falls", "test-w", "test-b", "graph",
                                                                   "grad-w"])

    def test_the_edited_functions_gradient_level_checks_lead_then_its_other_checks(self):
        costs = {"test-w": 1.0, "grad-w": 9.0}
        self.assertEqual(ids(run_order(CHECKS, Exercise(costs), focus=["grad_w"])),
                         ["grad-w", "test-w", "test-b", "graph", "loss-falls"])
        self.assertEqual(ids(run_order(CHECKS, Exercise(), focus=["backward", "b"]))[:2], ["graph", "test-b"])

    def test_every_check_runs_once_whatever_the_focus(self):
        for focus in (None, [], ["grad_w"], ["nothing"]):
            self.assertEqual(sorted(ids(run_order(CHECKS, Exercise(), focus))), sorted(ids(CHECKS)))


class ReleaseCosts(unittest.TestCase):
    def test_a_release_keeps_its_costs_in_costs_json_and_an_authoring_pack_has_none(self):
        from gradlab.grading import COSTS
        from gradlab.grading import Exercise as Graded

        spec = fixture_exercise()
        self.assertEqual(Graded({"dir": FIXTURE_PACK, "form": "authoring"}, spec).expected_costs(), {})
        release = tempfile.mkdtemp(prefix="gradlab-test-release-")
        try:
            shutil.copytree(os.path.join(FIXTURE_PACK, "01-scale"), os.path.join(release, "01-scale"))
            exercise = Graded({"dir": release, "form": "release"}, spec)
            self.assertEqual(exercise.expected_costs(), {})
            with open(os.path.join(release, "01-scale", COSTS), "w", encoding="utf-8") as file:
                json.dump({"fit-falls": 1.5, "scale-basic": 4.0}, file)
            self.assertEqual(Graded({"dir": release, "form": "release"}, spec).expected_costs(),
                             {"fit-falls": 1.5, "scale-basic": 4.0})
        finally:
            shutil.rmtree(release, ignore_errors=True)

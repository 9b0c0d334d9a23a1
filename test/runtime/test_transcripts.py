"""Hidden tests in a release: `record` captures them against the reference solution, and a release pack replays
the transcript against a submission without any test source."""

import json
import os
import shutil
import tempfile
import unittest

from test.runtime.worker_client import (FIXTURE_PACK, GIVEN, SUBMISSIONS, WorkerProcess, fixture_exercise, remove,
                                        submission_with)


class RecordAndReplay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess()
        reply = cls.worker.request("record", {
            "pack": {"dir": FIXTURE_PACK, "form": "authoring"}, "exercise": fixture_exercise(),
            "reference": os.path.join(SUBMISSIONS, "solution"), "given": GIVEN,
            "limits": {"timeoutS": 5, "memoryMb": 256, "outputKb": 64}})
        cls.recorded = reply.get("result")
        # a release: the exercise folder with hidden.json, and a tests.py that has lost its hidden test
        cls.release = tempfile.mkdtemp(prefix="gradlab-release-")
        folder = os.path.join(cls.release, "01-scale")
        shutil.copytree(os.path.join(FIXTURE_PACK, "01-scale"), folder)
        with open(os.path.join(folder, "tests.py"), encoding="utf-8") as tests:
            public = tests.read().split('@test("scale-hidden")')[0]
        with open(os.path.join(folder, "tests.py"), "w", encoding="utf-8") as tests:
            tests.write(public)
        with open(os.path.join(folder, "hidden.json"), "w", encoding="utf-8") as hidden:
            json.dump(cls.recorded["transcripts"], hidden)

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()
        remove(cls.release)

    def test_recording_measures_each_check_on_the_reference_and_a_release_runs_the_cheapest_first(self):
        costs = self.recorded["costs"]
        self.assertEqual(sorted(costs), sorted(c["id"] for c in fixture_exercise()["checks"]))
        self.assertTrue(all(isinstance(ms, (int, float)) and ms > 0 for ms in costs.values()), costs)
        folder = os.path.join(self.release, "01-scale")
        order = sorted(costs, key=costs.get)
        try:
            with open(os.path.join(folder, "costs.json"), "w", encoding="utf-8") as file:
                json.dump({check: float(rank) for rank, check in enumerate(reversed(order))}, file)
            self.release_check(os.path.join(SUBMISSIONS, "solution"))
            streamed = [s["result"]["id"] for s in self.worker.streamed(self.worker.next_id - 1)]
        finally:
            os.remove(os.path.join(folder, "costs.json"))
        self.assertEqual(streamed, list(reversed(order)))

    def release_check(self, submission):
        return self.worker.check(submission, form="release", pack=self.release)["result"]

    def test_record_returns_the_hidden_test_calls_with_the_reference_answers(self):
        self.assertIsNotNone(self.recorded)
        transcripts = self.recorded["transcripts"]
        self.assertEqual(transcripts["formatVersion"], 1)
        self.assertEqual(list(transcripts["tests"]), ["scale-hidden"])
        calls = transcripts["tests"]["scale-hidden"]["calls"]
        self.assertEqual([c["request"]["op"] for c in calls], ["call", "eval", "call"])
        x, k = drawn(None)
        self.assertEqual([c["reply"] for c in calls], [{"ok": -6.0}, {"ok": 0.25}, {"ok": x * k}])
        self.assertNotIn("close(", json.dumps(transcripts))
        self.assertEqual(self.recorded["references"], {})

    def test_the_release_passes_the_solution_and_fails_a_wrong_answer_without_the_test_source(self):
        self.assertTrue(self.release_check(os.path.join(SUBMISSIONS, "solution"))["passed"])
        wrong = {c["id"]: c for c in self.release_check(os.path.join(SUBMISSIONS, "wrong"))["checks"]}
        self.assertEqual(wrong["scale-hidden"]["status"], "failed")
        self.assertNotIn("-6", wrong["scale-hidden"]["message"])
        self.assertEqual(wrong["scale-basic"]["message"], "scale(2, 3): expected 6, got 5")

    def test_replay_needs_the_same_answers_within_tolerance(self):
        nearly = submission_with("def scale(x, k):\n    return x * k * (1 + 1e-9)\n")
        handle = submission_with("class Box:\n    pass\n\ndef scale(x, k):\n    return Box()\n")
        crash = submission_with("def scale(x, k):\n    return 1 / 0\n")
        try:
            by_id = lambda folder: {c["id"]: c for c in self.release_check(folder)["checks"]}
            self.assertTrue(by_id(nearly)["scale-hidden"]["passed"])
            self.assertEqual(by_id(handle)["scale-hidden"]["status"], "failed")
            self.assertEqual(by_id(crash)["scale-hidden"]["message"],
                             "failed: the code raised ZeroDivisionError on this hidden check's inputs (practice: "
                             "the graded run asks this hidden check again, with new inputs)")
        finally:
            for folder in (nearly, handle, crash):
                remove(folder)

    def test_a_release_without_transcripts_errs_with_the_way_out(self):
        os.rename(os.path.join(self.release, "01-scale", "hidden.json"), os.path.join(self.release, "hidden.bak"))
        try:
            check = {c["id"]: c for c in self.release_check(os.path.join(SUBMISSIONS, "solution"))["checks"]}
        finally:
            os.rename(os.path.join(self.release, "hidden.bak"), os.path.join(self.release, "01-scale", "hidden.json"))
        self.assertEqual(check["scale-hidden"]["status"], "errored")
        self.assertIn("rebuild it with `gradlab build`", check["scale-hidden"]["message"])

    def test_answers_a_release_ships_buy_nothing_in_a_graded_run(self):
        # a submission that is wrong everywhere but answers each recorded hidden call from the release's hidden.json
        answers = {}
        for call in self.recorded["transcripts"]["tests"]["scale-hidden"]["calls"]:
            request = call["request"]
            if request["op"] == "call":
                answers[tuple(request["args"])] = call["reply"]["ok"]
            else:  # scale(x, x)
                answers[(request["bindings"]["x"],) * 2] = call["reply"]["ok"]
        lookup = submission_with(f"ANSWERS = {answers!r}\n\n\ndef scale(x, k):\n"
                                 "    return ANSWERS.get((x, k), x + k)\n")
        try:
            practice = {c["id"]: c for c in self.release_check(lookup)["checks"]}
            graded = {c["id"]: c for c in self.worker.check(lookup, seed=20261203)["result"]["checks"]}
        finally:
            remove(lookup)
        self.assertTrue(practice["scale-hidden"]["passed"])  # the release's hidden checks are practice
        self.assertEqual(graded["scale-hidden"]["status"], "failed")
        self.assertNotEqual(drawn(20261203), drawn(None))

    def test_recording_against_a_failing_reference_is_a_pack_error(self):
        reply = self.worker.request("record", {
            "pack": {"dir": FIXTURE_PACK, "form": "authoring"}, "exercise": fixture_exercise(),
            "reference": os.path.join(SUBMISSIONS, "wrong"), "given": GIVEN,
            "limits": {"timeoutS": 5, "memoryMb": 256, "outputKb": 64}})
        self.assertEqual(reply["error"]["code"], "pack")
        self.assertEqual(reply["error"]["message"], "the hidden test `scale-hidden` fails against the reference "
                                                    "solution: scale(-1.5, 4): expected -6, got 2.5")


def drawn(seed):
    """The inputs scale-hidden draws from its ``rng`` (gradlab.checks.pack_test.arguments)."""
    import zlib

    import numpy

    rng = numpy.random.default_rng([0 if seed is None else seed, zlib.crc32(b"scale-hidden")])
    return tuple(round(float(value), 3) for value in rng.uniform(-5, 5, size=2))


if __name__ == "__main__":
    unittest.main()

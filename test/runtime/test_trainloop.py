"""The training-loop kind: baking the reference trajectory, and verdicts on loops beyond the corpus."""

import json
import tempfile
import unittest
from pathlib import Path

from gradlab.checks import CheckError, trainloop
from gradlab.checks.base import LearnerError

from .corpus import edited, given, load_corpus, reference
from .local_sandbox import LocalContext, LocalSandbox

SPEC = load_corpus()["06-zero-grad"]["checks"][0]
[LAYERS] = given("06-zero-grad")
OPTIM = reference("06-zero-grad")


class TrainLoopTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)
        self.baked = trainloop.reference(LocalSandbox([LAYERS, OPTIM]), SPEC)

    def learner(self, *edits) -> LocalSandbox:
        path = Path(self.folder.name) / "optim.py"
        path.write_text(edited(OPTIM.read_text(encoding="utf-8"), zip(edits[::2], edits[1::2])), encoding="utf-8")
        return LocalSandbox([LAYERS, path])

    def test_the_baked_reference_is_json_and_judges_like_the_live_one(self):
        baked = json.loads(json.dumps(self.baked))
        self.assertEqual(len(baked["grads"]), 5)
        self.assertEqual(len(baked["data"][0]), 2)
        self.assertEqual(len(baked["zeroed"]), 5)
        wrong = self.learner("        optimizer.zero_grad()\n", "")
        live = trainloop.check(wrong, SPEC, LocalContext(reference=LocalSandbox([LAYERS, OPTIM])))
        self.assertEqual(trainloop.check(wrong, SPEC, LocalContext(reference=baked)), live)
        self.assertTrue(trainloop.check(self.learner(), SPEC, LocalContext(reference=baked)).passed)

    def test_a_loop_that_never_steps(self):
        verdict = trainloop.check(self.learner("        optimizer.step()\n", ""), SPEC,
                                  LocalContext(reference=self.baked))
        self.assertIn("never called optimizer.step()", verdict.message)

    def test_a_loop_that_steps_twice_per_epoch(self):
        verdict = trainloop.check(self.learner("        optimizer.step()\n",
                                               "        optimizer.step()\n        optimizer.step()\n"),
                                  SPEC, LocalContext(reference=self.baked))
        self.assertFalse(verdict.passed)
        self.assertIn("exactly once per epoch", verdict.diagnosis)

    def test_one_parameter_never_updated(self):
        verdict = trainloop.check(self.learner("        for p in self.parameters:\n            p.data -=",
                                               "        for p in self.parameters[:1]:\n            p.data -="),
                                  SPEC, LocalContext(reference=self.baked))
        self.assertIn("left parameter 2 (shape (1, 1)) unchanged at step 1", verdict.message)
        self.assertIn("Parameter 2 (shape (1, 1)) is never updated", verdict.diagnosis)

    def test_a_crash_that_is_not_about_zero_grad_keeps_its_location(self):
        sb = self.learner("        loss, grad_pred = mse(pred, y)\n",
                          "        loss, grad_pred = mse(pred, y)\n        grad_pred = grad_pred.T @ grad_pred\n")
        with self.assertRaises(LearnerError) as caught:
            trainloop.check(sb, SPEC, LocalContext(reference=self.baked))
        self.assertIn("raised ValueError", caught.exception.message)
        self.assertEqual(caught.exception.file, "layers.py")

    def test_the_returned_losses_are_compared(self):
        verdict = trainloop.check(self.learner("    return losses", "    return losses[:-1]"), SPEC,
                                  LocalContext(reference=self.baked))
        self.assertIn("returned 4 losses; the reference returns 5", verdict.message)
        verdict = trainloop.check(self.learner("    return losses", "    return None"), SPEC,
                                  LocalContext(reference=self.baked))
        self.assertIn("returned None", verdict.message)

    def test_a_reference_that_crashes_is_the_pack_authors_problem(self):
        broken = dict(self.baked, error=["TypeError", "boom", "optim.py", 3, "train"])
        with self.assertRaises(CheckError):
            trainloop.check(self.learner(), SPEC, LocalContext(reference=broken))
        with self.assertRaises(CheckError):
            trainloop.check(self.learner(), dict(SPEC, setup=dict(SPEC["setup"], model="Linear(1)")),
                            LocalContext(reference=LocalSandbox([LAYERS, OPTIM])))


if __name__ == "__main__":
    unittest.main()

"""The wrong-submission corpus (test/fixtures/submissions/corpus.json): every wrong submission fails its
exercise's checks with the diagnosis the table names, every correct alternative passes."""

import tempfile
import unittest
from pathlib import Path

from gradlab import checks
from gradlab.checks.base import LearnerError

from .corpus import ROOT, CorpusError, edited, given, load_corpus, reference, source, write
from .local_sandbox import LocalContext, LocalSandbox


def sandbox(exercise: str, learner: Path) -> LocalSandbox:
    return LocalSandbox(given(exercise) + [learner])


def run_check(exercise: str, spec: dict, learner: Path):
    """The verdict of one check on one learner file, as the worker would dispatch it."""
    sb = sandbox(exercise, learner)
    if spec["kind"] not in ("gradcheck", "value-graph", "training-loop"):
        raise ValueError(f"no check kind {spec['kind']} in the corpus")
    pack = sandbox(exercise, reference(exercise))  # the pack's own code: given functions, the reference solution
    return checks.evaluate(sb, spec, LocalContext(reference=pack, given=pack))


class CorpusTest(unittest.TestCase):
    def test_the_references_pass_every_check(self):
        for exercise, entry in load_corpus().items():
            for spec in entry["checks"]:
                with self.subTest(exercise=exercise, check=spec["id"]):
                    verdict = run_check(exercise, spec, reference(exercise))
                    self.assertTrue(verdict.passed, verdict.diagnosis or verdict.message)
                    self.assertEqual(verdict.warnings, [])

    def test_every_submission_gets_its_verdict(self):
        for exercise, entry in load_corpus().items():
            for name, case in entry["cases"].items():
                with self.subTest(exercise=exercise, submission=name), tempfile.TemporaryDirectory() as folder:
                    path = write(exercise, name, folder)
                    for spec in entry["checks"]:
                        with self.subTest(check=spec["id"]):
                            self._assert_case(exercise, spec, path, name, case["expect"])

    def _assert_case(self, exercise, spec, path, name, expect):
        if isinstance(expect, dict) and "error" in expect:
            with self.assertRaises(LearnerError) as caught:
                run_check(exercise, spec, path)
            self.assertEqual(caught.exception.kind, expect["error"])
            for field in ("file", "function"):
                if field in expect:
                    self.assertEqual(getattr(caught.exception, field), expect[field])
            return
        verdict = run_check(exercise, spec, path)
        if expect == "pass" or isinstance(expect, dict):
            self.assertTrue(verdict.passed, verdict.diagnosis or verdict.message)
            if isinstance(expect, dict):
                self.assertTrue(any(expect["warning"] in w for w in verdict.warnings), verdict.warnings)
            else:
                self.assertEqual(verdict.warnings, [])
            return
        self.assertFalse(verdict.passed, verdict.message)
        words = f"{verdict.diagnosis} {verdict.message}".lower()
        for phrase in expect:
            self.assertIn(phrase.lower(), words, f"{name}: {verdict.diagnosis}")

    def test_every_file_is_used_and_there_are_enough_mistakes(self):
        corpus = load_corpus()
        used = {reference(exercise) for exercise in corpus} | {g for exercise in corpus for g in given(exercise)}
        self.assertEqual(set(ROOT.rglob("*.py")), used, "a file in the corpus folder that no exercise uses")
        expects = [case["expect"] for entry in corpus.values() for case in entry["cases"].values()]
        wrong = sum(1 for e in expects if isinstance(e, list) or (isinstance(e, dict) and "error" in e))
        self.assertGreaterEqual(wrong, 25)

    def test_every_case_changes_its_reference_beyond_the_docstring(self):
        for exercise, entry in load_corpus().items():
            body = reference(exercise).read_text(encoding="utf-8").split("\n", 1)[1]
            for name in entry["cases"]:
                with self.subTest(exercise=exercise, submission=name):
                    self.assertNotEqual(source(exercise, name).split("\n", 1)[1], body)


class LoaderTest(unittest.TestCase):
    def test_edits_apply_in_order(self):
        self.assertEqual(edited("a = 1\nb = 2\n", [["a = 1", "a = 3"], ["a = 3\nb", "b"]]), "b = 2\n")

    def test_an_edit_whose_old_text_is_missing_or_repeated_fails_loudly(self):
        for text in ("b = 2\n", "a = 1\na = 1\n"):
            with self.subTest(text=text), self.assertRaises(CorpusError) as caught:
                edited(text, [["a = 1", "a = 3"]], "02-grad-w/case")
            self.assertIn("02-grad-w/case", str(caught.exception))
            self.assertIn("exactly once, found it", str(caught.exception))


if __name__ == "__main__":
    unittest.main()

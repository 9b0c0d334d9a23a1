"""The wrong-submission corpus (test/fixtures/submissions/corpus.json): every wrong file fails its
exercise's checks with the diagnosis the table names, every correct alternative passes."""

import json
import unittest
from pathlib import Path

from gradlab.checks import gradcheck, trainloop, valuegraph
from gradlab.checks.base import LearnerError

from .local_sandbox import LocalSandbox

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"


def load_corpus() -> dict:
    return json.loads((ROOT / "corpus.json").read_text(encoding="utf-8"))["exercises"]


def sandbox(exercise: str, learner: Path) -> LocalSandbox:
    entry = load_corpus()[exercise]
    given = [ROOT / exercise / "_given" / name for name in entry["given"]]
    return LocalSandbox(given + [learner])


def reference(exercise: str) -> Path:
    return ROOT / exercise / "_reference" / load_corpus()[exercise]["learner"]


def run_check(exercise: str, spec: dict, learner: Path):
    """The verdict of one check on one learner file, as the worker would dispatch it."""
    sb = sandbox(exercise, learner)
    if spec["kind"] == "gradcheck":
        return gradcheck.check(sb, spec, "auto", spec.get("tolerance"))
    if spec["kind"] == "value-graph":
        return valuegraph.check(sb, spec)
    if spec["kind"] == "training-loop":
        return trainloop.check(sb, spec, sandbox(exercise, reference(exercise)))
    raise ValueError(f"no check kind {spec['kind']} in the corpus")


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
            for name, expect in entry["cases"].items():
                for spec in entry["checks"]:
                    with self.subTest(exercise=exercise, submission=name, check=spec["id"]):
                        self._assert_case(exercise, spec, ROOT / exercise / name, expect)

    def _assert_case(self, exercise, spec, path, expect):
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
            self.assertIn(phrase.lower(), words, f"{path.name}: {verdict.diagnosis}")

    def test_the_table_covers_every_file_and_enough_mistakes(self):
        corpus = load_corpus()
        wrong = 0
        for exercise, entry in corpus.items():
            files = {p.name for p in (ROOT / exercise).glob("*.py")}
            self.assertEqual(files, set(entry["cases"]), exercise)
            wrong += sum(1 for expect in entry["cases"].values()
                         if isinstance(expect, list) or (isinstance(expect, dict) and "error" in expect))
        self.assertGreaterEqual(wrong, 25)


if __name__ == "__main__":
    unittest.main()

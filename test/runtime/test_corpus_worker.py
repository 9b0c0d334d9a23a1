"""The same corpus through the real worker: `python -m gradlab.worker`, its forked sandbox and value codec,
on a pack built from corpus.json. Each submission must end with the status and diagnosis the table names."""

import ast
import os
import shutil
import tempfile
import unittest

from gradlab.protocol import SANDBOX_VARIABLE
from gradlab.sandbox import choice

from .corpus import given, load_corpus, write
from .worker_client import WorkerProcess


def build_pack(folder):
    """An authoring pack with one exercise per corpus entry (the reference as the learner file)."""
    specs = {}
    for exercise, entry in load_corpus().items():
        target = os.path.join(folder, exercise)
        os.makedirs(target)
        with open(os.path.join(target, "README.md"), "w", encoding="utf-8") as readme:
            readme.write(f"# {exercise}\n")
        for path in given(exercise):
            shutil.copy(path, os.path.join(target, path.name))
        write(exercise, None, target)
        files = [{"path": entry["learner"], "role": "learner"}] + [{"path": g, "role": "given"} for g in entry["given"]]
        specs[exercise] = {"id": exercise, "title": exercise, "lesson": "corpus", "order": 1,
                           "instructions": "README.md", "requires": ["numpy"], "files": files,
                           "checks": entry["checks"]}
    return specs


def lines_of(path, function):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    return range(node.lineno, node.end_lineno + 1)


class WorkerCorpusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="gradlab-corpus-")
        cls.pack = os.path.join(cls.folder, "pack")
        cls.specs = build_pack(cls.pack)
        cls.worker = WorkerProcess()

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()
        shutil.rmtree(cls.folder, ignore_errors=True)

    def test_every_submission_through_the_worker(self):
        for exercise, entry in load_corpus().items():
            references = tempfile.mkdtemp(dir=self.folder)
            write(exercise, None, references)
            for name, case in entry["cases"].items():
                with self.subTest(exercise=exercise, submission=name):
                    submission = tempfile.mkdtemp(dir=self.folder)
                    path = write(exercise, name, submission)
                    reply = self.worker.check(submission, exercise=self.specs[exercise], pack=self.pack,
                                              reference=references, given=references, limits={"timeoutS": 30},
                                              timeout=120)
                    self.assertNotIn("error", reply, reply.get("error"))
                    for result in reply["result"]["checks"]:
                        with self.subTest(check=result["id"]):
                            self.assert_result(result, case["expect"], path)

    def test_the_worker_runs_numpy_on_one_thread(self):
        # the gradient checks above used NumPy in the worker: an OpenBLAS thread pool there only spins idle
        references = tempfile.mkdtemp(dir=self.folder)
        write("02-grad-w", None, references)
        self.worker.check(tempfile.mkdtemp(dir=self.folder), exercise=self.specs["02-grad-w"], pack=self.pack,
                          given=references)
        threads = os.listdir(f"/proc/{self.worker.process.pid}/task")
        pools = 2 if choice.resolve(os.environ.get(SANDBOX_VARIABLE)) == "spawn" else 0  # the spawn sandboxes' refill
        self.assertEqual(len(threads), 2 + pools, "the request thread, the reader and the spawn pools' threads")

    def test_a_changed_reference_solution_is_run_again(self):
        # reference trajectories are remembered between requests: only while the reference files stay the same
        references, submission = tempfile.mkdtemp(dir=self.folder), tempfile.mkdtemp(dir=self.folder)
        write("06-zero-grad", None, references)
        write("06-zero-grad", None, submission)

        def status():
            reply = self.worker.check(submission, exercise=self.specs["06-zero-grad"], pack=self.pack,
                                      reference=references, given=references, limits={"timeoutS": 30},
                                      timeout=120)
            return [check["status"] for check in reply["result"]["checks"]]

        self.assertEqual(status(), ["passed"])
        self.assertEqual(status(), ["passed"])
        write("06-zero-grad", "no_zero_grad", references)
        self.assertEqual(status(), ["failed"])

    def assert_result(self, result, expect, source):
        words = f"{result.get('diagnosis', '')} {result['message']}".lower()
        if isinstance(expect, dict) and "error" in expect:
            self.assertEqual(result["status"], "errored" if expect["error"] == "missing-name" else "failed", words)
            if "function" in expect:  # the location is the line in the learner's function that raised
                self.assertEqual(result.get("file"), expect["file"])
                self.assertIn(result.get("line"), lines_of(source, expect["function"]))
            return
        if expect == "pass" or isinstance(expect, dict):
            self.assertEqual(result["status"], "passed", words)
            if isinstance(expect, dict):
                self.assertTrue(any(expect["warning"] in w for w in result.get("warnings", [])), result)
            return
        self.assertEqual(result["status"], "failed", words)
        for phrase in expect:
            self.assertIn(phrase.lower(), words)


if __name__ == "__main__":
    unittest.main()

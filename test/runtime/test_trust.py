"""Verdicts nobody can fake (issue 12): a determined student's submissions against the real worker, each written
to get points without the work or to reach outside its sandbox. Each asserts the verdict the honest code would get
(or the failure the cheat was meant to hide), that the pack's files are unchanged, and that nothing is left
running. The attacks that only OS-level isolation stops run isolated, as `gradlab grade` does."""

import hashlib
import json
import os
import shutil
import tempfile
import textwrap
import time
import unittest

from .corpus import load_corpus, write
from .test_corpus_worker import build_pack
from .worker_client import FIXTURE_PACK, GIVEN, RUNTIME, WorkerProcess, remove, submission_with


def folder_hash(folder):
    digest = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            digest.update(os.path.relpath(path, folder).encode())
            with open(path, "rb") as file:
                digest.update(file.read())
    return digest.hexdigest()


def descendants(pid):
    """Every live process below ``pid``, from /proc (the host's view, namespaces included); zombies, already dead
    and waiting for their parent to reap them, are left out."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                if fields[0] != b"Z":
                    children.setdefault(int(fields[1]), []).append(int(name))
            except (OSError, IndexError, ValueError):
                continue
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def learner_processes(worker):
    """The processes below the worker that work in a check's folder: those that ran learner code (and whatever they
    started). The sandboxes' own processes (zygotes, the spawn pool's idle ones) work elsewhere, and the trusted ones
    cannot even be read."""
    found = set()
    for pid in descendants(worker.process.pid):
        try:
            if "gradlab-check-" in os.readlink(f"/proc/{pid}/cwd"):
                found.add(pid)
        except OSError:
            continue
    return found


def outliving(worker, timeout=5.0):
    """The learner processes still there once none is left (or at the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        left = learner_processes(worker)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


class CorpusPack(unittest.TestCase):
    """Exercises 02, 04, 06 and 07 of the corpus as an authoring pack; the learner file lists the functions the
    learner writes, so that everything else in it is the pack's given code."""

    FUNCTIONS = {"02-grad-w": ["grad_w", "grad_b"], "04-value-mul": ["Value"], "06-zero-grad": ["SGD", "train"],
                 "07-mlp-backward": ["backward"]}

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="gradlab-trust-")
        cls.pack = os.path.join(cls.folder, "pack")
        cls.specs = build_pack(cls.pack)
        for exercise, functions in cls.FUNCTIONS.items():
            cls.specs[exercise]["files"][0]["functions"] = functions
        cls.references = {}
        for exercise in cls.FUNCTIONS:
            cls.references[exercise] = tempfile.mkdtemp(dir=cls.folder)
            write(exercise, None, cls.references[exercise])
        cls.before = folder_hash(cls.pack)
        cls.worker = WorkerProcess()
        assert cls.worker.request("hello", {})["result"]["isolation"]["isolated"], \
            "these tests need bubblewrap (apt install bubblewrap) and unprivileged user namespaces"

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()
        shutil.rmtree(cls.folder, ignore_errors=True)

    def tearDown(self):
        self.assertEqual(folder_hash(self.pack), self.before, "the pack's files changed")

    def check(self, exercise, source):
        submission = tempfile.mkdtemp(dir=self.folder)
        with open(os.path.join(submission, load_corpus()[exercise]["learner"]), "w", encoding="utf-8") as file:
            file.write(textwrap.dedent(source))
        references = self.references[exercise]
        reply = self.worker.check(submission, exercise=self.specs[exercise], pack=self.pack, reference=references,
                                  given=references, limits={"timeoutS": 20}, timeout=120)
        self.assertIn("result", reply, reply)
        return reply["result"]

    def reference(self, exercise):
        with open(os.path.join(self.references[exercise], load_corpus()[exercise]["learner"]), encoding="utf-8") as f:
            return f.read()


class GivenCodeAndInputs(CorpusPack):
    def test_a_halved_loss_does_not_excuse_a_halved_gradient(self):
        cheat = self.reference("02-grad-w").replace("return float(np.mean((w * x + b - y) ** 2))",
                                                    "return float(np.mean((w * x + b - y) ** 2)) / 2")
        cheat = cheat.replace("return float(2 * np.mean(error * x))", "return float(np.mean(error * x))")
        report = self.check("02-grad-w", cheat)
        check = report["checks"][0]
        self.assertEqual(check["status"], "failed")
        self.assertIn("half", check["diagnosis"])
        self.assertEqual(report["notes"][0]["message"], "`mse_loss` in linear_mse.py is given by the exercise: "
                                                        "grading uses the pack's version, so your changes to it "
                                                        "have no effect.")
        self.assertEqual(report["notes"][0]["line"], 6)

    def test_a_patched_random_generator_does_not_move_the_points(self):
        # every point at zero, where this wrong gradient (no factor x in grad_w) happens to be right
        cheat = self.reference("02-grad-w").replace("return float(2 * np.mean(error * x))",
                                                    "return float(2 * np.mean(error))") + textwrap.dedent("""
            class _Zero:
                def __getattr__(self, name):
                    return lambda *args, size=None, **kwargs: np.zeros(size) if size else 0.0

            np.random.default_rng = lambda *args, **kwargs: _Zero()
            """)
        check = self.check("02-grad-w", cheat)["checks"][0]
        self.assertEqual(check["status"], "failed")
        self.assertIn("grad_w", check["message"])

    def test_a_forward_pass_edited_to_match_a_wrong_backward_changes_nothing(self):
        # backward without the ReLU mask, and a given forward edited to have no ReLU: consistent with each other
        cheat = self.reference("07-mlp-backward").replace("np.maximum(0, Z1)", "Z1")
        cheat = cheat.replace(" * (cache[\"Z1\"] > 0)", "")
        self.assertNotEqual(cheat, self.reference("07-mlp-backward"))
        report = self.check("07-mlp-backward", cheat)
        self.assertEqual([c["status"] for c in report["checks"]], ["failed", "failed"])
        self.assertIn("`forward`", report["notes"][0]["message"])


class TrainingLoopRecord(CorpusPack):
    def test_an_emptied_record_of_the_loop_is_refused(self):
        # no zero_grad at all (gradients accumulate), and the grader's record emptied at the end of train()
        cheat = self.reference("06-zero-grad").replace("        optimizer.zero_grad()\n", "") + textwrap.dedent("""
            _train = train

            def train(model, x, y, optimizer, epochs):
                import gc
                losses = _train(model, x, y, optimizer, epochs)
                for found in gc.get_objects():
                    if isinstance(found, dict) and "grads" in found and "zeroed" in found:
                        found["grads"] = [[] for _ in found["grads"]]
                        found["data"] = [[] for _ in found["data"]]
                return losses
            """)
        check = self.check("06-zero-grad", cheat)["checks"][0]
        self.assertEqual(check["status"], "failed")
        self.assertIn("was changed from inside it", check["message"])

    def test_parameters_moved_outside_the_optimizer_are_seen_at_the_end(self):
        cheat = self.reference("06-zero-grad").replace("    return losses", "    for p in optimizer.parameters:\n"
                                                                            "        p.data *= 1.01\n"
                                                                            "    return losses")
        check = self.check("06-zero-grad", cheat)["checks"][0]
        self.assertEqual(check["status"], "failed")
        self.assertIn("outside optimizer.step()", check["diagnosis"])


class ValueGraphs(CorpusPack):
    def test_an_engine_cannot_talk_its_way_out_of_the_random_graphs(self):
        # a product of two computed nodes passes back the wrong gradient, and every value computed from nudged
        # leaves (more than three decimals) jitters, so that the grader's old kink test skipped those graphs
        cheat = self.reference("04-value-mul") + textwrap.dedent("""
            _mul = Value.__mul__

            def _hostile_mul(self, other):
                out = _mul(self, other)
                if isinstance(other, Value) and self._prev and other._prev:
                    backward = out._backward

                    def _backward():
                        backward()
                        self.grad += 0.1 * out.grad
                    out._backward = _backward
                if round(out.data, 3) != out.data:
                    out.data += 1e-3
                return out

            Value.__mul__ = _hostile_mul
            """)
        check = self.check("04-value-mul", cheat)["checks"][0]
        self.assertEqual(check["status"], "failed", check["message"])


ESCAPES = {
    # each returns the right answer only if it could read the pack's tests.py; the verdict must stay failed
    "dir_fd": """
        import os

        def scale(x, k):
            root = os.open("/", os.O_RDONLY)
            try:
                fd = os.open(PACK.lstrip("/") + "/01-scale/tests.py", os.O_RDONLY, dir_fd=root)
                return x * k if b"scale-basic" in os.read(fd, 1 << 16) else x + k
            except OSError:
                return x + k
        """,
    "listdir_fd": """
        import os

        def scale(x, k):
            try:
                root = os.open("/", os.O_RDONLY)
                fd = os.open(PACK.lstrip("/") + "/01-scale", os.O_RDONLY | os.O_DIRECTORY, dir_fd=root)
                return x * k if "tests.py" in os.listdir(fd) else x + k
            except OSError:
                return x + k
        """,
    "ctypes_open": """
        import ctypes

        def scale(x, k):
            libc = ctypes.CDLL(None)
            fd = libc.open((PACK + "/01-scale/tests.py").encode(), 0)
            if fd < 0:
                return x + k
            buffer = ctypes.create_string_buffer(1 << 16)
            count = libc.read(fd, buffer, 1 << 16)
            return x * k if b"scale-basic" in buffer.raw[:count] else x + k
        """,
    "policy_off": """
        import sys

        def scale(x, k):
            frame = sys._getframe()  # up the stack to the sandbox's own objects, and its audit policy's guard
            while frame is not None:
                policy = getattr(frame.f_locals.get("self"), "policy", None)
                if policy is not None:
                    policy._busy.append(True)  # the hook now lets everything through
                frame = frame.f_back
            try:
                with open(PACK + "/01-scale/tests.py") as tests:
                    return x * k if "scale-basic" in tests.read() else x + k
            except OSError:
                return x + k
        """,
    "proc_worker": """
        import os

        def scale(x, k):
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        if b"gradlab.worker" in cmdline.read():
                            open(f"/proc/{pid}/mem", "rb").close()
                            return x * k
                except OSError:
                    pass
            return x + k
        """,
}


class Escapes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.before = folder_hash(FIXTURE_PACK)
        cls.worker = WorkerProcess()
        assert cls.worker.request("hello", {})["result"]["isolation"]["isolated"], \
            "these tests need bubblewrap (apt install bubblewrap) and unprivileged user namespaces"
        cls.worker.check(os.path.join(FIXTURE_PACK, "submissions", "solution"), only=["scale-basic"])

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()

    def tearDown(self):
        self.assertEqual(folder_hash(FIXTURE_PACK), self.before, "the pack's files changed")

    def grade(self, source):
        folder = submission_with(f"PACK = {FIXTURE_PACK!r}\n" + textwrap.dedent(source))
        try:
            return self.worker.check(folder, only=["scale-basic"], limits={"timeoutS": 5})["result"]["checks"][0]
        finally:
            remove(folder)

    def test_reading_the_pack_around_the_audit_hook_finds_nothing(self):
        for name, source in ESCAPES.items():
            with self.subTest(attack=name):
                check = self.grade(source)
                self.assertEqual(check["message"], "scale(2, 3): expected 6, got 5")

    def test_a_daemon_that_leaves_its_session_dies_with_its_check(self):
        check = self.grade("""
            import ctypes, os, time

            def scale(x, k):
                libc = ctypes.CDLL(None)
                if libc.fork() == 0:
                    libc.setsid()
                    if libc.fork() == 0:
                        while True:
                            time.sleep(0.05)
                    os._exit(0)
                return x + k
            """)
        self.assertEqual(check["status"], "failed")
        self.assertEqual(outliving(self.worker), set(), "a process outlived its check")

    def test_processes_started_while_loading_die_with_the_request(self):
        check = self.grade("""
            import ctypes, time

            libc = ctypes.CDLL(None)
            if libc.fork() == 0:
                libc.setsid()
                while True:
                    time.sleep(0.05)

            def scale(x, k):
                return x + k
            """)
        self.assertEqual(check["status"], "failed")
        self.assertEqual(outliving(self.worker), set(), "a process outlived its request")


class WithoutIsolation(unittest.TestCase):
    def test_the_audit_hook_alone_is_bypassed_which_is_why_grading_requires_isolation(self):
        # the same attacks against a worker told not to isolate: the hook explains refusals in words, but these go
        # around it (docs/security.md says what holds where bubblewrap cannot run)
        worker = WorkerProcess(env={"GRADLAB_ISOLATION": "off"})
        try:
            self.assertFalse(worker.request("hello", {})["result"]["isolation"]["isolated"])
            for name, source in ESCAPES.items():
                with self.subTest(attack=name):
                    folder = submission_with(f"PACK = {FIXTURE_PACK!r}\n" + textwrap.dedent(source))
                    try:
                        check = worker.check(folder, only=["scale-basic"])["result"]["checks"][0]
                    finally:
                        remove(folder)
                    self.assertEqual(check["status"], "passed")
        finally:
            worker.close()


class WorkingFolder(unittest.TestCase):
    def test_a_gradlab_package_in_the_working_folder_does_not_replace_the_graders(self):
        folder = tempfile.mkdtemp(prefix="gradlab-cwd-")
        os.makedirs(os.path.join(folder, "gradlab"))
        with open(os.path.join(folder, "gradlab", "__init__.py"), "w", encoding="utf-8") as hijack:
            hijack.write("raise SystemExit('the workspace gradlab package was imported')\n")
        worker = WorkerProcess(cwd=folder)
        try:
            hello = worker.request("hello", {})["result"]
            report = worker.check(os.path.join(FIXTURE_PACK, "submissions", "solution"))["result"]
        finally:
            worker.close()
            shutil.rmtree(folder, ignore_errors=True)
        with open(os.path.join(RUNTIME, "gradlab", "__init__.py"), encoding="utf-8") as init:
            self.assertIn(f'__version__ = "{hello["runtimeVersion"]}"', init.read())
        self.assertTrue(report["passed"], json.dumps(report))


class GivenFolderIsTheStarter(unittest.TestCase):
    def test_the_given_code_process_loads_the_starter_not_the_solution(self):
        # a loss written with the learner's own function: the pack's process has only the starter's stub for it,
        # so the check errs as the pack's problem instead of trusting any implementation
        worker = WorkerProcess()
        try:
            spec = {"id": "01-scale", "title": "t", "lesson": "scale", "order": 1, "instructions": "README.md",
                    "requires": ["numpy"], "files": [{"path": "helpers.py", "role": "given"},
                                                     {"path": "scale.py", "role": "learner",
                                                      "functions": ["scale", "squared_error", "grad"]}],
                    "checks": [{"id": "grad-fd", "kind": "gradcheck", "title": "t", "function": "grad",
                                "inputs": {"w": "rng.normal()", "x": "rng.normal()", "y": "rng.normal()"},
                                "loss": "squared_error(w, x, y)", "gradient": "grad(w, x, y)", "wrt": ["w"]}]}
            check = worker.check(os.path.join(FIXTURE_PACK, "submissions", "solution"), exercise=spec,
                                 given=GIVEN)["result"]["checks"][0]
        finally:
            worker.close()
        self.assertEqual(check["status"], "errored")
        self.assertIn("the exercise pack's own code failed while grading (NotImplementedError: squared_error",
                      check["message"])


if __name__ == "__main__":
    unittest.main()

"""ProcessSandbox, the Sandbox the check kinds use: expressions and programs in the learner's namespace, handles
whose operators run in the learner's process, learner errors in plain words, limits."""

import os
import time
import unittest

from gradlab.checks.base import LearnerError
from gradlab.protocol import Cancelled
from gradlab.sandbox.cancel import CancelToken
from gradlab.sandbox.handles import Handle
from gradlab.sandbox.process import ProcessSandbox, seed_for
from gradlab.sandbox.workdir import Workdir, exercise_folder, locate
from gradlab.sandbox.zygote import Zygote
from test.runtime.worker_client import FIXTURE_PACK, SUBMISSIONS, fixture_exercise, remove, submission_with

LIMITS = {"timeoutS": 5, "memoryMb": 256, "outputKb": 4}

ENGINE = '''\
from helpers import square


class Value:
    def __init__(self, data):
        self.data, self.grad, self._backward, self._parents = data, 0.0, lambda: None, ()

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data)
        out._parents = (self, other)

        def backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = backward
        return out

    __rmul__ = __mul__

    def backward(self):
        self.grad = 1.0
        for node in (self,) + self._parents:
            node._backward()


def scale(x, k):
    return x * k


def crash(x):
    return {"a": 1}[x]
'''


class SandboxCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.zygote = Zygote(lambda level, message: None)

    @classmethod
    def tearDownClass(cls):
        cls.zygote.close()

    def open(self, source=ENGINE, check_id="check", limits=LIMITS, numpy=True):
        folder = submission_with(source)
        self.addCleanup(remove, folder)
        exercise = fixture_exercise()
        sandbox = ProcessSandbox(self.zygote, Workdir(exercise, exercise_folder(FIXTURE_PACK, exercise), folder),
                                 limits=limits, seed=seed_for(check_id), cancel=CancelToken(), numpy=numpy,
                                 private=[FIXTURE_PACK], default_file="scale.py")
        self.addCleanup(sandbox.close)
        return sandbox


class Evaluation(SandboxCase):
    def test_eval_and_run_see_the_learner_namespace_and_bindings(self):
        sandbox = self.open()
        self.assertEqual(sandbox.eval("scale(x, 3)", {"x": 2.0}), 6.0)
        self.assertEqual(sandbox.eval("square(4)"), 16)
        self.assertEqual(sandbox.run("total = sum(scale(i, k) for i in range(4))\nresult = total", {"k": 2}), 12)
        self.assertEqual(sandbox.run("answer = np.arange(3).sum()", result="answer"), 3)

    def test_each_process_starts_from_the_same_seeded_rng(self):
        first = self.open(check_id="a").eval("rng.normal(size=3)")
        again = self.open(check_id="a").eval("rng.normal(size=3)")
        other = self.open(check_id="b").eval("rng.normal(size=3)")
        self.assertEqual(first.tolist(), again.tolist())
        self.assertNotEqual(first.tolist(), other.tolist())

    def test_handles_forward_attributes_calls_and_operators(self):
        sandbox = self.open()
        a = sandbox.eval("Value(3.0)")
        self.assertIsInstance(a, Handle)
        self.assertEqual(repr(a), "<Value in the learner's process>")
        self.assertEqual((2 * a).data, 6.0)
        self.assertEqual((a * 2).data, 6.0)
        product = a * a
        product.backward()
        self.assertEqual(a.grad, 6.0)
        a.grad = 0.5
        self.assertEqual(sandbox.eval("v.grad", {"v": a}), 0.5)
        self.assertEqual(sandbox.eval("scale")(2, k=4), 8)
        with self.assertRaises(TypeError):
            float(a)

    def test_handles_of_a_closed_process_are_refused(self):
        sandbox = self.open()
        a = sandbox.eval("Value(1.0)")
        other = self.open()
        with self.assertRaises(TypeError):
            other.eval("v", {"v": a})

    def test_a_non_plain_binding_is_refused(self):
        with self.assertRaises(TypeError):
            self.open().eval("x", {"x": object()})

    def test_workdir_holds_the_given_file_from_the_pack_and_the_learners(self):
        exercise = fixture_exercise()
        workdir = Workdir(exercise, exercise_folder(FIXTURE_PACK, exercise), os.path.join(SUBMISSIONS, "wrong"))
        try:
            self.assertEqual(sorted(workdir.files), ["helpers.py", "scale.py", "train_scale.py"])
            self.assertEqual([m["name"] for m in workdir.modules], ["helpers", "scale"])
        finally:
            workdir.remove()
        self.assertFalse(os.path.exists(workdir.path))

    def test_locate_finds_functions_and_methods(self):
        folder = submission_with(ENGINE)
        self.addCleanup(remove, folder)
        self.assertEqual(locate(folder, "scale.py", "scale"), 27)
        self.assertEqual(locate(folder, "scale.py", "Value.backward"), 21)
        self.assertEqual(locate(folder, "scale.py", "backward"), 21)
        self.assertEqual(locate(folder, "scale.py", "__mul__"), 8)
        self.assertIsNone(locate(folder, "scale.py", "nothing"))


class LearnerErrors(SandboxCase):
    def error(self, sandbox, expr):
        with self.assertRaises(LearnerError) as caught:
            sandbox.eval(expr)
        return caught.exception

    def test_an_exception_names_type_message_and_learner_line(self):
        error = self.error(self.open(), "crash('b')")
        self.assertEqual((error.kind, error.file, error.line, error.function), ("exception", "scale.py", 32, "crash"))
        self.assertEqual(error.message, "KeyError: 'b' (scale.py, line 32, in crash)")

    def test_a_missing_name_asks_whether_it_was_renamed(self):
        error = self.error(self.open(), "grad_w(1.0)")
        self.assertEqual((error.kind, error.message),
                         ("missing-name", "`grad_w` is not defined in scale.py — was it renamed?"))

    def test_a_failure_while_loading_fails_every_request(self):
        sandbox = self.open("x = 1\nraise ValueError('bad data')\n")
        for _ in range(2):
            error = self.error(sandbox, "x")
            self.assertEqual(error.message, "ValueError: bad data (scale.py, line 2) while loading the file")

    def test_the_wall_clock_limit_stops_a_sleeping_process(self):
        sandbox = self.open("import time\ndef nap():\n    time.sleep(60)\n", limits=dict(LIMITS, timeoutS=0.5))
        started = time.monotonic()
        error = self.error(sandbox, "nap()")
        self.assertEqual(error.kind, "timeout")
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual(self.error(sandbox, "1").kind, "timeout")

    def test_cancel_kills_the_process_and_raises_cancelled(self):
        sandbox = self.open("import time\ndef nap():\n    time.sleep(60)\n")
        sandbox.eval("1")
        sandbox.cancel.set()
        with self.assertRaises(Cancelled):
            sandbox.eval("nap()")
        sandbox.cancel.close()

    def test_output_is_captured_and_bounded(self):
        sandbox = self.open("def talk():\n    print('x' * 10000)\n    return 1\n")
        self.assertEqual(sandbox.eval("talk()"), 1)
        output, truncated = sandbox.close()
        self.assertEqual((len(output), truncated), (4096, True))

    def test_a_dead_zygote_is_replaced_on_the_next_spawn(self):
        logged = []
        zygote = Zygote(lambda level, message: logged.append(message))
        self.addCleanup(zygote.close)
        zygote.numpy_info()
        zygote._process.kill()
        zygote._process.wait()
        exercise = fixture_exercise()
        sandbox = ProcessSandbox(zygote, Workdir(exercise, exercise_folder(FIXTURE_PACK, exercise),
                                                 os.path.join(SUBMISSIONS, "solution")),
                                 limits=LIMITS, seed=1, cancel=CancelToken(), numpy=True)
        self.addCleanup(sandbox.close)
        self.assertEqual(sandbox.eval("scale(2, 3)"), 6)
        self.assertEqual(logged, ["the sandbox's zygote process had stopped; starting a new one"])

    def test_without_numpy_there_is_no_np_or_rng(self):
        error = self.error(self.open(numpy=False), "np.zeros(1)")
        self.assertEqual(error.kind, "missing-name")


if __name__ == "__main__":
    unittest.main()

"""ProcessSandbox, the Sandbox the check kinds use: expressions and programs in the learner's namespace, handles
whose operators run in the learner's process, learner errors in plain words, limits; and the template processes
they are forked from: the files load once, and no check's process changes what the next one starts from."""

import os
import tempfile
import time
import unittest

import numpy

from gradlab.checks.base import LearnerError
from gradlab.protocol import Cancelled
from gradlab.sandbox.cancel import CancelToken
from gradlab.sandbox.handles import Handle
from gradlab.sandbox.process import ProcessSandbox, seed_for
from gradlab.system import is_child_of
from gradlab.sandbox.workdir import Workdir, exercise_folder, locate
from gradlab.protocol import PRELOAD_VARIABLE, SANDBOX_VARIABLE
from gradlab.sandbox import choice
from gradlab.sandbox.zygote_client import Zygote, ZygoteError
from test.runtime.worker_client import FIXTURE_PACK, SUBMISSIONS, fixture_exercise, remove, submission_with

LIMITS = {"timeoutS": 5, "memoryMb": 256, "outputKb": 4}
KIND = choice.resolve(os.environ.get(SANDBOX_VARIABLE))  # npm test runs this file under each sandbox
fork_only = unittest.skipUnless(KIND == "fork", "about the fork sandbox's zygote and template processes")

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
        cls.zygote = choice.start(KIND, lambda level, message: None)

    @classmethod
    def tearDownClass(cls):
        cls.zygote.close()

    def template(self, source=ENGINE, limits=LIMITS, numpy=True, private=(), zygote=None, log=None):
        folder = submission_with(source)
        self.addCleanup(remove, folder)
        exercise = fixture_exercise()
        template = (zygote or self.zygote).template(Workdir(exercise, exercise_folder(FIXTURE_PACK, exercise), folder),
                                                    limits=limits, seed=1, numpy=numpy,
                                                    private=[(FIXTURE_PACK, "inside the pack"), *private], log=log)
        self.addCleanup(template.close)
        return template

    def copy(self, template, check_id="check"):
        """A check's process forked from ``template``."""
        exercise = fixture_exercise()
        sandbox = ProcessSandbox(template, Workdir(exercise, exercise_folder(FIXTURE_PACK, exercise),
                                                   template.workdir.source),
                                 seed=seed_for(check_id), cancel=CancelToken(), default_file="scale.py")
        self.addCleanup(sandbox.close)
        return sandbox

    def open(self, source=ENGINE, check_id="check", limits=LIMITS, numpy=True):
        return self.copy(self.template(source, limits, numpy), check_id)


class Evaluation(SandboxCase):
    def test_eval_and_run_see_the_learner_namespace_and_bindings(self):
        sandbox = self.open()
        self.assertEqual(sandbox.eval("scale(x, 3)", {"x": 2.0}), 6.0)
        self.assertEqual(sandbox.eval("square(4)"), 16)
        self.assertEqual(sandbox.execute("total = sum(scale(i, k) for i in range(4))\nresult = total", {"k": 2}), 12)
        self.assertEqual(sandbox.execute("answer = np.arange(3).sum()", result="answer"), 3)

    def test_each_process_starts_from_the_same_seeded_rng(self):
        first = self.open(check_id="a").eval("rng.normal(size=3)")
        again = self.open(check_id="a").eval("rng.normal(size=3)")
        other = self.open(check_id="b").eval("rng.normal(size=3)")
        self.assertEqual(first.tolist(), again.tolist())
        self.assertNotEqual(first.tolist(), other.tolist())

    def test_rng_is_the_checks_generator_whatever_the_files_call_rng(self):
        sandbox = self.open(ENGINE + "\nrng = 'a name of the learner'\n", check_id="a")
        drawn = sandbox.eval("rng.normal(size=2)").tolist() + sandbox.execute("result = rng.normal(size=2)").tolist()
        self.assertEqual(drawn, numpy.random.default_rng(seed_for("a")).normal(size=4).tolist())
        self.assertEqual(sandbox.eval("rng", {"rng": 3}), 3)

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

    @fork_only
    def test_a_dead_zygote_is_replaced_on_the_next_spawn(self):
        logged = []
        zygote = Zygote(lambda level, message: logged.append(message))
        self.addCleanup(zygote.close)
        zygote.numpy_info()
        zygote._process.kill()
        zygote._process.wait()
        with open(os.path.join(SUBMISSIONS, "solution", "scale.py"), encoding="utf-8") as file:
            sandbox = self.copy(self.template(file.read(), zygote=zygote))
        self.assertEqual(sandbox.eval("scale(2, 3)"), 6)
        self.assertEqual(logged, ["the sandbox's zygote process had stopped; starting a new one"])

    @fork_only
    def test_packages_named_in_the_preload_variable_are_imported_before_any_template_asks(self):
        os.environ[PRELOAD_VARIABLE] = "colorsys,no_such_package_here"  # one the learner never imports, one absent
        try:
            zygote = Zygote(lambda level, message: None)
        finally:
            del os.environ[PRELOAD_VARIABLE]
        self.addCleanup(zygote.close)
        zygote.numpy_info()
        sandbox = self.copy(self.template(zygote=zygote))
        self.assertEqual(sandbox.eval("__import__('sys').modules.get('colorsys') is not None"), True)
        self.assertEqual(sandbox.eval("scale(2, 3)"), 6)
        plain = self.open()
        self.assertEqual(plain.eval("__import__('sys').modules.get('colorsys') is not None"), False)

    def test_without_numpy_there_is_no_np_or_rng(self):
        error = self.error(self.open(numpy=False), "np.zeros(1)")
        self.assertEqual(error.kind, "missing-name")


class Templates(SandboxCase):
    def test_a_check_starts_from_the_loaded_files_whatever_an_earlier_check_changed(self):
        counter = "\ncounter = [0]\n\n\ndef bump():\n    counter[0] += 1\n    return counter[0]\n"
        template = self.template(ENGINE + counter)
        first = self.copy(template)
        self.assertEqual(first.eval("bump()"), 1)
        first.execute("import builtins, numpy, scale as module\n"
                      "module.scale = lambda x, k: 0\nmodule.counter.append('left behind')\n"
                      "numpy.mean = lambda *args, **kwargs: 42.0\nbuiltins.abs = lambda value: -1\nresult = None")
        self.assertEqual(first.eval("bump()"), 2)
        self.assertEqual(first.eval("np.mean(np.ones(3))"), 42.0)
        second = self.copy(template)  # while the first is still alive, and after it is gone
        first.close()
        third = self.copy(template)
        for sandbox in (second, third):
            self.assertEqual(sandbox.eval("bump()"), 1)
            self.assertEqual(sandbox.execute("import scale as module\n"
                                             "result = (module.scale(2, 3), len(module.counter))"), (6, 1))
            self.assertEqual(sandbox.eval("np.mean(np.ones(3))"), 1.0)
            self.assertEqual(sandbox.eval("abs(-2)"), 2)

    @fork_only
    def test_the_files_load_once_and_each_check_shows_what_loading_printed(self):
        template = self.template(ENGINE + "\nimport os\nLOADED_IN = os.getpid()\nprint('loading')\n")
        first, second = self.copy(template), self.copy(template)
        loaded_in = {first.eval("LOADED_IN"), second.eval("LOADED_IN")}
        self.assertEqual(len(loaded_in), 1)
        self.assertNotIn(first.eval("__import__('os').getpid()"), loaded_in)
        first.eval("print('first')")
        self.assertEqual(first.close(), ("loading\nfirst\n", False))
        self.assertEqual(second.close(), ("loading\n", False))

    def test_each_check_works_in_its_own_folder(self):
        template = self.template()
        first = self.copy(template)
        first.execute("with open('note.txt', 'w') as note:\n    note.write('for the next check')\nresult = None")
        second = self.copy(template)
        self.assertFalse(second.eval("__import__('os').path.exists('note.txt')"))
        self.assertNotEqual(first.eval("__import__('os').getcwd()"), second.eval("__import__('os').getcwd()"))
        self.assertEqual(second.eval("__import__('os').getcwd()"), os.path.realpath(second.workdir.path))

    @fork_only
    def test_a_template_killed_by_a_check_is_replaced(self):
        logged = []
        template = self.template(log=lambda level, message: logged.append(message))
        with self.assertRaises(LearnerError):  # the check's process dies with its template
            self.copy(template).execute("import ctypes, os, signal, time\n"
                                        "ctypes.CDLL(None).kill(os.getppid(), signal.SIGKILL)\n"
                                        "time.sleep(5)\nresult = None")
        self.assertEqual(self.copy(template).eval("scale(2, 3)"), 6)
        self.assertEqual(logged, ["a template process had stopped; loading the exercise's files in a new one"])

    @fork_only
    def test_a_load_that_times_out_fails_every_check_without_loading_again(self):
        template = self.template("while True:\n    pass\n", limits=dict(LIMITS, timeoutS=0.5))
        with self.assertRaises(LearnerError) as first:
            self.copy(template).eval("1")
        started = time.monotonic()
        with self.assertRaises(LearnerError) as second:
            self.copy(template).eval("1")
        self.assertEqual((first.exception.kind, second.exception.kind), ("timeout", "timeout"))
        self.assertLess(time.monotonic() - started, 0.3)

    def test_files_that_close_the_templates_channel_while_loading_fail_with_that(self):
        template = self.template(ENGINE + "\nimport os\nos.closerange(3, 1024)\n")
        with self.assertRaises(LearnerError) as caught:
            self.copy(template).eval("scale(2, 3)")
        self.assertEqual(caught.exception.message, "the code closed the grader's channel to its process while being "
                                                   "graded")

    @fork_only
    def test_a_template_that_names_another_process_as_its_copy_is_not_believed(self):
        # the learner's code replaces, inside its template, how the template reports a new copy: it names the
        # zygote, which the grader would kill at the end of the check
        template = self.template(ENGINE + "\nimport os\nimport gradlab.sandbox.forking as forking\n"
                                 "_send = forking.send_message\n"
                                 "forking.send_message = lambda sock, message, fds=(): _send(\n"
                                 "    sock, dict(message, pid=os.getppid()) if message.get('event') == 'spawned'\n"
                                 "    else message, fds)\n")
        with self.assertRaises(ZygoteError):
            self.copy(template).eval("scale(2, 3)")
        self.assertIsNone(self.zygote._process.poll())

    @fork_only
    def test_child_of_trusts_only_a_child_of_the_template(self):
        self.assertFalse(is_child_of(os.getpid(), os.getpid()))
        self.assertFalse(is_child_of(1, os.getpid()))
        self.assertTrue(is_child_of(self.zygote._process.pid, os.getpid()))
        self.assertFalse(is_child_of(self.zygote._process.pid, self.zygote._process.pid))

    def test_private_folders_cannot_be_read_but_the_checks_own_files_can(self):
        kept = tempfile.mkdtemp()
        self.addCleanup(remove, kept)
        with open(os.path.join(kept, "grades.csv"), "w") as grades:
            grades.write("alice,10\n")
        # the whole temporary folder is private here, and the check's own folder lies inside it
        template = self.template(private=[(kept, "kept private"), (tempfile.gettempdir(), "kept private too")])
        sandbox = self.copy(template)
        self.assertEqual(sandbox.eval("open('scale.py').read()[:4]"), "from")
        with self.assertRaises(LearnerError) as caught:
            sandbox.eval(f"open({os.path.join(kept, 'grades.csv')!r}).read()")
        self.assertEqual(caught.exception.kind, "forbidden")
        self.assertIn("grades.csv, kept private", caught.exception.message)


if __name__ == "__main__":
    unittest.main()

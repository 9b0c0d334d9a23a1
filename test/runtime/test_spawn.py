"""The spawn sandbox's own bad input (gradlab.sandbox.spawning), whatever GRADLAB_SANDBOX says: a check that
starts processes, allocates 10 GiB, loops forever or writes 1 GB of output, and a pre-started process that dies
before it is used. Each gets a clear message, loses nothing, and the next check works; and each check gets a
process of its own that starts from the freshly loaded files."""

import os
import time

from gradlab.sandbox.spawning import SpawnSandbox
from test.runtime.test_sandbox import ENGINE, SandboxCase
from test.runtime.worker_client import SUBMISSIONS

LIMITS = {"timeoutS": 5, "memoryMb": 256, "outputKb": 4}


def solution():
    with open(os.path.join(SUBMISSIONS, "solution", "scale.py"), encoding="utf-8") as file:
        return file.read()


class SpawnCase(SandboxCase):
    @classmethod
    def setUpClass(cls):
        cls.logged = []
        cls.zygote = SpawnSandbox(lambda level, message: cls.logged.append(message))

    def assert_next_check_works(self):
        self.assertEqual(self.open(solution()).eval("scale(2, 3)"), 6)


class BadInput(SpawnCase):
    def test_starting_a_process_is_refused_and_nothing_is_left_running(self):
        sandbox = self.open(ENGINE + "\nimport subprocess\n\n\ndef run():\n"
                                     "    return subprocess.run(['sleep', '60'])\n")
        with self.assertRaises(Exception) as refused:
            sandbox.eval("run()")
        self.assertEqual(refused.exception.kind, "forbidden")
        self.assertIn("start another program", refused.exception.message)
        self.assert_next_check_works()

    def test_ten_gib_is_refused_as_memory(self):
        with self.assertRaises(Exception) as refused:
            self.open().eval("np.ones(10 * 2**30 // 8).sum()")
        self.assertEqual(refused.exception.kind, "memory")
        self.assertIn("ran out of memory", refused.exception.message)
        self.assert_next_check_works()

    def test_an_endless_loop_is_stopped_by_the_wall_clock(self):
        started = time.monotonic()
        with self.assertRaises(Exception) as stopped:
            self.open(limits=dict(LIMITS, timeoutS=1)).eval("[0 for _ in iter(int, 1)]")
        self.assertEqual(stopped.exception.kind, "timeout")
        self.assertLess(time.monotonic() - started, 4)
        self.assert_next_check_works()

    def test_a_gigabyte_of_output_is_bounded(self):
        sandbox = self.open(ENGINE + "\nimport os\n\n\ndef shout():\n    block = b'x' * (1 << 20)\n"
                                     "    for _ in range(1024):\n        os.write(1, block)\n    return 1\n",
                            limits=dict(LIMITS, timeoutS=60))
        self.assertEqual(sandbox.eval("shout()"), 1)
        output, truncated = sandbox.close()
        self.assertEqual((len(output), truncated), (4096, True))
        self.assert_next_check_works()


class Pool(SpawnCase):
    def test_a_pre_started_process_that_died_is_replaced_and_logged(self):
        self.zygote.numpy_info()
        with self.zygote._cond:
            idle = list(self.zygote._idle[()])
        for started in idle:
            started.process.kill()
            started.process.wait()
        self.assert_next_check_works()
        self.assertIn("a pre-started process of the sandbox had ended before it was used (signal 9); using another",
                      self.logged)

    def test_each_check_has_a_process_of_its_own_from_the_loaded_files(self):
        template = self.template(ENGINE + "\nimport os\nLOADED_IN = os.getpid()\ncounter = [0]\nprint('loading')\n")
        first, second = self.copy(template), self.copy(template)
        first.execute("counter.append(1)\nresult = None")
        self.assertNotEqual(first.eval("LOADED_IN"), second.eval("LOADED_IN"))
        self.assertEqual(second.eval("len(counter)"), 1)
        self.assertEqual(first.close()[0], "loading\n")
        self.assertEqual(second.close()[0], "loading\n")

    def test_a_process_killed_during_its_check_is_the_checks_failure_only(self):
        sandbox = self.open()
        with self.assertRaises(Exception) as ended:
            sandbox.eval("__import__('os')._exit(3)")
        self.assertIn("exit code 3", ended.exception.message)
        self.assertTrue(self.zygote.sweep())
        self.assert_next_check_works()

"""The tamper corpus (test/fixtures/tamper): every hostile submission ends failed, errored or timed out with a
message that says what it did, and the worker grades the next submission as if nothing happened."""

import os
import unittest

from test.runtime.worker_client import (FIXTURE_PACK, SUBMISSIONS, TAMPER, WorkerProcess, remove,
                                        submission_with)

# file -> (status, words the message must contain)
EXPECTED = {
    "patch_gradlab.py": ("failed", "scale(2, 3): expected 6, got 12"),  # its own process now reads 6.0 for every input
    "patch_numpy.py": ("failed", "scale(2, 3): expected 6, got 5"),
    "patch_builtins.py": ("failed", "scale(2, 3): expected 6, got 5"),
    "print_passed.py": ("failed", "scale(2, 3): expected 6, got 5"),
    "c_level_write.py": ("failed", "scale(2, 3): expected 6, got 5"),
    "huge_output.py": ("failed", "scale(2, 3): expected 6, got 5"),
    "os_exit.py": ("failed", "ended its own process (exit code 0)"),
    "sys_exit.py": ("failed", "called sys.exit() (or raised SystemExit) (scale.py, line 6, in scale)"),
    "system_exit_at_import.py": ("failed", "called sys.exit() (or raised SystemExit) (scale.py, line 8)"),
    "keyboard_interrupt.py": ("failed", "raised KeyboardInterrupt (scale.py, line 5, in scale)"),
    "lying_eq.py": ("failed", "expected a single number, got a Liar object"),
    "float_subclass.py": ("failed", "scale(2, 3): expected 6, got 5"),
    "array_subclass.py": ("failed", "scale(2, 3): expected 6, got 5"),
    "nan.py": ("failed", "scale(2, 3): expected 6, got nan"),
    "inf.py": ("failed", "scale(2, 3): expected 6, got inf"),
    "delete_function.py": ("errored", "`scale` is not defined in scale.py — was it renamed?"),
    "replace_function.py": ("failed", "TypeError: `scale` is None, not a function"),
    "infinite_recursion.py": ("failed", "RecursionError: a function called itself too many times (scale.py, line 5"),
    "read_missing_file.py": ("failed", "FileNotFoundError: [Errno 2] No such file or directory: 'data/factors.csv' "
                                       "(scale.py, line 5, in scale)"),
    "big_file.py": ("failed", "OSError: a file grew past the size grading allows (scale.py, line 8, in scale)"),
    "write_outside.py": ("failed", "outside the check's own working folder"),
    "subprocess_spawn.py": ("failed", "the code tried to start another program"),
    "fork.py": ("failed", "the code tried to create a new process (scale.py, line 6, in scale)"),
    "kill_grader.py": ("failed", "the code tried to send a signal to a process"),
    "network.py": ("failed", "the code tried to open a network connection"),
    "open_pack.py": ("failed", "inside the exercise pack or the reference solution"),
    "list_pack.py": ("failed", "inside the exercise pack or the reference solution"),
    "close_channel.py": ("failed", "closed the grader's channel"),
    "memory_bomb.py": ("failed", "ran out of memory (scale.py, line 5, in scale)"),
    "infinite_loop.py": ("timeout", "stopped after 1 s"),
    "ignore_cpu_limit.py": ("timeout", "stopped after 1 s"),
    "sleep_forever.py": ("timeout", "stopped after 1 s"),
    "syntax_error.py": ("errored", "SyntaxError in scale.py, line 4: expected ':'"),
    "missing_module.py": ("failed", "No module named 'gradlab_no_such_module' (scale.py, line 2) — that module is "
                                    "not installed"),
}


class TamperCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess()

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()

    def grade(self, name):
        with open(os.path.join(TAMPER, name), encoding="utf-8") as file:
            folder = submission_with(file.read().replace("__PACK__", FIXTURE_PACK))
        try:
            reply = self.worker.check(folder, only=["scale-basic"], limits={"timeoutS": 1, "memoryMb": 256})
        finally:
            remove(folder)
        self.assertIn("result", reply, reply)
        return reply["result"]["checks"][0]

    def test_the_corpus_is_complete(self):
        files = sorted(f for f in os.listdir(TAMPER) if f.endswith(".py"))
        self.assertEqual(files, sorted(EXPECTED))

    def test_every_attack_fails_with_its_own_message_and_the_next_check_runs(self):
        for name, (status, words) in sorted(EXPECTED.items()):
            with self.subTest(attack=name):
                check = self.grade(name)
                self.assertEqual(check["status"], status, check["message"])
                self.assertFalse(check["passed"])
                self.assertEqual(check["points"], 0)
                self.assertIn(words, check["message"])
                with open(os.path.join(TAMPER, name), encoding="utf-8") as file:
                    self.assertTrue(file.readline().startswith(f'"""{status}:'), "the docstring states the outcome")
        honest = self.worker.check(os.path.join(SUBMISSIONS, "solution"), only=["scale-basic"])
        self.assertTrue(honest["result"]["passed"], honest)

    def test_printed_verdicts_and_fake_frames_stay_in_the_captured_output(self):
        check = self.grade("print_passed.py")
        self.assertIn("scale-basic: passed", check["output"])
        self.assertIn('Content-Length: 42\r\n\r\n{"id": 2', check["output"])
        self.assertIn("all checks passed", check["output"])
        written = self.grade("c_level_write.py")
        self.assertIn("Content-Length: 2\r\n\r\n{}", written["output"])

    def test_a_flood_of_output_is_cut_at_the_limit_and_marked(self):
        check = self.grade("huge_output.py")
        self.assertTrue(check["outputTruncated"])
        self.assertLessEqual(len(check["output"].encode("utf-8")), 64 * 1024)
        self.assertTrue(check["output"].startswith("passed passed"))

    def test_refused_writes_leave_nothing_behind(self):
        self.assertEqual(self.grade("big_file.py")["line"], 8)
        self.grade("write_outside.py")
        self.assertFalse(os.path.exists(os.path.join(os.path.expanduser("~"), "gradlab-leak.txt")))


if __name__ == "__main__":
    unittest.main()

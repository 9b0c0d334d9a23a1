"""The worker as the host sees it: framing, hello, check round trips on the fixture exercise, limits, cancel,
and error replies for bad requests."""

import json
import os
import shutil
import tempfile
import threading
import time
import unittest

from gradlab.protocol import PROTOCOL_VERSION, SANDBOX_VARIABLE, FrameReader, MalformedFrame, WorkerError, encode_frame
from gradlab.sandbox import choice
from gradlab.worker import Worker
from test.runtime.worker_client import (FIXTURE_PACK, GIVEN, SUBMISSIONS, TAMPER, WorkerProcess, fixture_exercise,
                                        remove, submission_with)


def tamper_source(name):
    with open(os.path.join(TAMPER, name), encoding="utf-8") as file:
        return file.read()


class Framing(unittest.TestCase):
    def test_frames_survive_being_split_anywhere(self):
        messages = [{"id": 1, "method": "check", "params": {"text": "naïve ünïcode ✓", "n": 1.5}},
                    {"method": "cancel", "params": {"id": 1}}]
        data = b"".join(encode_frame(m) for m in messages)
        read_fd, write_fd = os.pipe()

        def dribble():
            for i in range(len(data)):
                os.write(write_fd, data[i:i + 1])
            os.close(write_fd)

        writer = threading.Thread(target=dribble)
        writer.start()
        reader = FrameReader(read_fd)
        self.assertEqual([reader.read(), reader.read(), reader.read()], messages + [None])
        writer.join()
        os.close(read_fd)

    def test_a_stream_without_headers_is_refused(self):
        read_fd, write_fd = os.pipe()
        os.write(write_fd, b"hello world\n" * 200)
        os.close(write_fd)
        with self.assertRaises(MalformedFrame):
            FrameReader(read_fd).read()
        os.close(read_fd)


class Hello(unittest.TestCase):
    def test_hello_describes_this_interpreter(self):
        worker = WorkerProcess()
        try:
            reply = worker.request("hello", {})["result"]
        finally:
            worker.close()
        self.assertEqual(reply["protocolVersion"], PROTOCOL_VERSION)
        self.assertEqual(reply["sandbox"], choice.resolve(os.environ.get(SANDBOX_VARIABLE)))
        self.assertEqual(reply["platform"], "linux")
        self.assertTrue(reply["python"]["executable"])
        self.assertTrue(reply["numpy"]["available"])
        self.assertRegex(reply["numpy"]["version"], r"^\d+\.\d+")
        self.assertIn("available", reply["torch"])

    def test_without_numpy_hello_says_so_and_numpy_exercises_are_refused(self):
        worker = WorkerProcess(flags=["-S"])  # no site-packages: NumPy cannot be imported
        try:
            hello = worker.request("hello", {})["result"]
            exercise = dict(fixture_exercise(), requires=["numpy"])
            error = worker.check(os.path.join(SUBMISSIONS, "solution"), exercise=exercise)["error"]
            report = worker.check(os.path.join(SUBMISSIONS, "solution"), only=["scale-basic"])["result"]
        finally:
            worker.close()
        self.assertFalse(hello["numpy"]["available"])
        self.assertIn("numpy", hello["numpy"]["error"])
        self.assertEqual((error["code"], error["missing"]), ("missing-dependency", ["numpy"]))
        self.assertIn("needs NumPy", error["message"])
        self.assertTrue(report["passed"], report)


class WithoutASandbox(unittest.TestCase):
    """A sandbox choice that cannot run (a misspelt GRADLAB_SANDBOX, fork where there is none) starts no sandbox:
    hello says so, and every check is refused with what to do."""

    def test_hello_and_check_with_an_unknown_sandbox(self):
        worker = WorkerProcess(env={SANDBOX_VARIABLE: "forked"})
        try:
            hello = worker.request("hello", {})["result"]
            error = worker.check(os.path.join(SUBMISSIONS, "solution"))["error"]
            report = worker.check(os.path.join(SUBMISSIONS, "solution"))
        finally:
            worker.close()
        self.assertIsNone(hello["sandbox"])
        self.assertEqual(error["code"], "unsupported-platform")
        self.assertIn("must be auto, fork or spawn, not 'forked'", error["message"])
        self.assertEqual(report["error"], error)  # the worker still answers, and says the same again

    def test_the_grader_refuses_without_a_sandbox(self):
        class Channel:
            def log(self, level, message):
                raise AssertionError(message)

        worker = Worker(Channel(), zygote=None, unavailable="Grading cannot start a sandbox: why.")
        self.assertIsNone(worker.dispatch(1, "hello", {})["sandbox"])
        with self.assertRaises(WorkerError) as refused:
            worker.dispatch(2, "check", {"pack": {"dir": FIXTURE_PACK, "form": "authoring"},
                                         "exercise": fixture_exercise(),
                                         "submission": os.path.join(SUBMISSIONS, "solution"), "given": GIVEN})
        self.assertEqual((refused.exception.code, refused.exception.message),
                         ("unsupported-platform", "Grading cannot start a sandbox: why."))


class Stopping(unittest.TestCase):
    def test_sigterm_in_the_middle_of_a_check_removes_every_temporary_folder(self):
        private = tempfile.mkdtemp(prefix="gradlab-test-tmp-")
        self.addCleanup(remove, private)
        folder = submission_with("import time\n\n\ndef scale(x, k):\n    time.sleep(30)\n")
        self.addCleanup(remove, folder)
        worker = WorkerProcess(env={"TMPDIR": private})
        try:
            worker.start("check", {"pack": {"dir": FIXTURE_PACK, "form": "authoring"}, "exercise": fixture_exercise(),
                                   "submission": folder, "given": GIVEN, "only": ["scale-basic"], "gradcheck": "auto",
                                   "limits": {"timeoutS": 30, "memoryMb": 256, "outputKb": 64}})
            deadline = time.monotonic() + 20
            while not any(name.startswith("gradlab-check-") for _root, dirs, _files in os.walk(private)
                          for name in dirs) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertTrue(os.listdir(private), "the check made its folders")
            worker.process.terminate()
            self.assertEqual(worker.process.wait(timeout=20), 128 + 15)
        finally:
            worker.close()
        self.assertEqual(os.listdir(private), [])


class WindowsLearnerFiles(unittest.TestCase):
    """A learner on Windows: CRLF line endings (an editor's or git's autocrlf) in a folder whose path has spaces and
    letters beyond ASCII. Same verdicts, messages and lines as the LF file in a plain folder."""

    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess()

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()

    def windows_copy(self, name):
        parent = tempfile.mkdtemp(prefix="gradlab-test-")
        self.addCleanup(remove, parent)
        folder = os.path.join(parent, "Zoë Müller's course", "gradlab 01 — scale")
        os.makedirs(folder)
        with open(os.path.join(SUBMISSIONS, name, "scale.py"), encoding="utf-8") as source:
            text = source.read()
        with open(os.path.join(folder, "scale.py"), "w", encoding="utf-8", newline="\r\n") as copy:
            copy.write(text)
        with open(os.path.join(folder, "scale.py"), "rb") as written:
            self.assertIn(b"\r\n", written.read())
        return folder

    def verdicts(self, submission):
        report = self.worker.check(submission)["result"]
        return [(c["id"], c["status"], c.get("message"), c.get("line"), c.get("points")) for c in report["checks"]]

    def test_crlf_files_in_a_path_with_spaces_and_accents_get_the_verdicts_of_lf_files(self):
        for name in ("solution", "starter", "wrong"):
            with self.subTest(submission=name):
                self.assertEqual(self.verdicts(self.windows_copy(name)), self.verdicts(os.path.join(SUBMISSIONS, name)))

    def test_the_crlf_wrong_answer_is_shown_at_its_function(self):
        scale, grad, _hidden, _run = self.worker.check(self.windows_copy("wrong"))["result"]["checks"]
        self.assertEqual((scale["line"], grad["line"]), (4, 13))
        self.assertEqual(scale["message"], "scale(2, 3): expected 6, got 5")


class CheckRoundTrip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess()

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()

    def test_the_solution_passes_every_check(self):
        report = self.worker.check(os.path.join(SUBMISSIONS, "solution"))["result"]
        self.assertTrue(report["passed"], json.dumps(report, indent=1))
        self.assertEqual((report["points"], report["maxPoints"]), (5, 5))
        self.assertEqual([c["id"] for c in report["checks"]], ["scale-basic", "grad-lesson", "scale-hidden",
                                                               "fit-falls"])
        run = report["checks"][3]
        self.assertEqual(run["output"], "w = 2.0000\n")
        self.assertIn("`loss` of what train_scale.py trained is 9.384e-13, below 0.01", run["message"])

    def test_the_starter_fails_at_the_raising_line(self):
        report = self.worker.check(os.path.join(SUBMISSIONS, "starter"))["result"]
        scale = report["checks"][0]
        self.assertEqual(scale["status"], "failed")
        self.assertEqual(scale["message"], "NotImplementedError: scale: return x times k (scale.py, line 6, in scale)")
        self.assertEqual((scale["file"], scale["function"], scale["line"]), ("scale.py", "scale", 6))
        self.assertEqual(report["points"], 0)

    def test_a_wrong_answer_names_expected_and_actual_except_in_hidden_checks(self):
        report = self.worker.check(os.path.join(SUBMISSIONS, "wrong"))["result"]
        scale, grad, hidden, run = report["checks"]
        self.assertEqual(scale["message"], "scale(2, 3): expected 6, got 5")
        self.assertEqual((scale["expected"], scale["actual"]), ("6", "5"))
        self.assertEqual((scale["line"], grad["line"]), (4, 13))
        self.assertEqual(grad["message"], "grad(1, 2, 6): expected -16, got -8")
        self.assertEqual(hidden["status"], "failed")
        self.assertNotIn("-6", hidden["message"])
        self.assertNotIn("expected", hidden)
        self.assertNotIn("actual", hidden)
        self.assertEqual((hidden["function"], hidden["line"]), ("scale", 4))
        self.assertTrue(run["passed"])
        self.assertEqual(report["points"], 1)

    def test_only_runs_the_named_checks(self):
        report = self.worker.check(os.path.join(SUBMISSIONS, "solution"), only=["grad-lesson"])["result"]
        self.assertEqual([c["id"] for c in report["checks"]], ["grad-lesson"])
        self.assertEqual(report["maxPoints"], 2)

    def test_a_syntax_error_is_reported_at_its_line_on_every_check(self):
        folder = submission_with(tamper_source("syntax_error.py"))
        try:
            report = self.worker.check(folder)["result"]
        finally:
            remove(folder)
        for check in report["checks"]:
            self.assertEqual(check["status"], "errored")
            self.assertEqual(check["line"], 4)
        self.assertEqual(report["checks"][0]["message"], "SyntaxError in scale.py, line 4: expected ':'")

    def test_prints_are_captured_per_check_and_never_reach_the_channel(self):
        folder = submission_with("import os, sys\nprint('loading')\n"
                                 "def scale(x, k):\n    print('scale', x, k)\n    os.write(1, b'raw fd 1\\n')\n"
                                 "    print('to stderr', file=sys.stderr)\n    return x * k\n")
        try:
            check = self.worker.check(folder, only=["scale-basic"])["result"]["checks"][0]
        finally:
            remove(folder)
        self.assertTrue(check["passed"])
        self.assertEqual(check["output"], "loading\nscale 2.0 3.0\nraw fd 1\nto stderr\n")

    def test_what_one_check_changes_in_its_process_does_not_reach_the_next(self):
        # right only on its first three calls in a process, and it breaks a given module and a built-in when called:
        # every check passes only if each starts from the freshly loaded files
        folder = submission_with("import builtins\nimport helpers\n\ncalls = []\n\n\n"
                                 "def scale(x, k):\n    calls.append(x)\n    helpers.square = lambda value: 0.0\n"
                                 "    builtins.abs = lambda value: 0.0\n"
                                 "    return x * k if len(calls) <= 3 else x + k\n\n\n"
                                 "def squared_error(w, x, y):\n    return helpers.square(w * x - y)\n\n\n"
                                 "def grad(w, x, y):\n    return 2 * (w * x - y) * x * helpers.square(1.0)\n")
        try:
            report = self.worker.check(folder, only=["scale-basic", "grad-lesson", "scale-hidden"])["result"]
        finally:
            remove(folder)
        self.assertEqual([c["status"] for c in report["checks"]], ["passed"] * 3, report)

    def test_a_private_folder_cannot_be_read(self):
        kept = tempfile.mkdtemp()
        with open(os.path.join(kept, "gradebook.csv"), "w") as gradebook:
            gradebook.write("student,points\n")
        gradebook_csv = os.path.join(kept, "gradebook.csv")
        folder = submission_with(f"def scale(x, k):\n    return len(open({gradebook_csv!r}).read())\n")
        try:
            params = {"pack": {"dir": FIXTURE_PACK, "form": "authoring"}, "exercise": fixture_exercise(),
                      "submission": folder, "given": GIVEN, "limits": {"timeoutS": 5, "memoryMb": 512, "outputKb": 64},
                      "gradcheck": "auto", "only": ["scale-basic"], "private": [kept]}
            check = self.worker.request("check", params)["result"]["checks"][0]
        finally:
            remove(folder)
            remove(kept)
        self.assertEqual(check["status"], "failed")
        self.assertIn("gradebook.csv, which grading keeps private", check["message"])
        self.assertIn("not allowed while grading", check["message"])

    def test_a_missing_learner_file_is_reported(self):
        folder = tempfile.mkdtemp()
        try:
            check = self.worker.check(folder, only=["scale-basic"])["result"]["checks"][0]
        finally:
            remove(folder)
        self.assertEqual(check["status"], "errored")
        self.assertIn("scale.py is not in the submission folder", check["message"])

    def test_edits_to_a_given_file_change_nothing(self):
        with open(os.path.join(SUBMISSIONS, "solution", "scale.py"), encoding="utf-8") as solution:
            folder = submission_with(solution.read())
        with open(os.path.join(folder, "helpers.py"), "w") as helpers:
            helpers.write("def square(value):\n    return 0\n")
        try:
            report = self.worker.check(folder, only=["fit-falls"])["result"]
        finally:
            remove(folder)
        self.assertTrue(report["passed"], report)

    def test_an_endless_loop_times_out_and_the_worker_serves_the_next_request(self):
        folder = submission_with(tamper_source("infinite_loop.py"))
        try:
            started = time.monotonic()
            check = self.worker.check(folder, only=["scale-basic"], limits={"timeoutS": 1})["result"]["checks"][0]
            elapsed = time.monotonic() - started
        finally:
            remove(folder)
        self.assertEqual(check["status"], "timeout")
        self.assertEqual(check["message"], "stopped after 1 s: the code did not finish in time — an endless loop, "
                                           "or far more work than the exercise needs?")
        self.assertLess(elapsed, 3)
        self.assertTrue(self.worker.check(os.path.join(SUBMISSIONS, "solution"))["result"]["passed"])

    def test_after_one_timeout_the_checks_of_the_same_function_are_not_run(self):
        folder = submission_with(tamper_source("infinite_loop.py"))
        try:
            started = time.monotonic()
            checks = self.worker.check(folder, only=["scale-basic", "scale-hidden"], limits={"timeoutS": 1})
            elapsed = time.monotonic() - started
        finally:
            remove(folder)
        first, second = checks["result"]["checks"]
        self.assertEqual(first["status"], "timeout")
        self.assertEqual((second["status"], second["passed"]), ("timeout", False))
        # (a hidden check of a release also says it is practice)
        self.assertTrue(second["message"].startswith("not run: scale-basic timed out in scale, which this check calls "
                                                     "too"), second["message"])
        self.assertLess(elapsed, 2.5, "one time limit, not two")

    def test_a_memory_bomb_gets_a_clear_message(self):
        folder = submission_with("import numpy as np\ndef scale(x, k):\n    big = np.ones((1 << 40,))\n"
                                 "    return x * k\n")
        try:
            check = self.worker.check(folder, only=["scale-basic"], limits={"memoryMb": 200})["result"]["checks"][0]
        finally:
            remove(folder)
        self.assertEqual(check["status"], "failed")
        self.assertEqual(check["message"], "ran out of memory (scale.py, line 3, in scale): a check may use 200 MiB "
                                           "more than the grader itself, and this code asked for more")

    def test_cancel_stops_a_running_check_at_once(self):
        folder = submission_with(tamper_source("sleep_forever.py"))
        try:
            request_id = self.worker.start("check", {
                "pack": {"dir": FIXTURE_PACK, "form": "authoring"}, "exercise": fixture_exercise(),
                "submission": folder, "given": GIVEN, "limits": {"timeoutS": 30, "memoryMb": 256, "outputKb": 64},
                "gradcheck": "auto"})
            time.sleep(0.5)
            cancelled_at = time.monotonic()
            self.worker.send({"method": "cancel", "params": {"id": request_id}})
            reply = self.worker.response(request_id, timeout=10)
            self.assertLess(time.monotonic() - cancelled_at, 1.0)
        finally:
            remove(folder)
        self.assertEqual(reply["error"]["code"], "cancelled")
        self.assertTrue(self.worker.check(os.path.join(SUBMISSIONS, "solution"))["result"]["passed"])

    def test_a_request_cancelled_before_it_starts_is_answered_cancelled(self):
        first = self.worker.start("check", {"pack": {"dir": FIXTURE_PACK, "form": "authoring"},
                                            "exercise": fixture_exercise(),
                                            "submission": os.path.join(SUBMISSIONS, "solution"), "given": GIVEN})
        second = self.worker.start("check", {"pack": {"dir": FIXTURE_PACK, "form": "authoring"},
                                             "exercise": fixture_exercise(),
                                             "submission": os.path.join(SUBMISSIONS, "solution"), "given": GIVEN})
        self.worker.send({"method": "cancel", "params": {"id": second}})
        self.assertIn("result", self.worker.response(first))
        self.assertEqual(self.worker.response(second)["error"]["code"], "cancelled")


def descendants(pid):
    """Every live process under ``pid`` (Linux)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as file:
            children = [int(child) for child in file.read().split()]
    except OSError:
        return []
    return children + [grandchild for child in children for grandchild in descendants(child)]


def running(pid):
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class WorkerDeath(unittest.TestCase):
    def test_a_checks_process_does_not_outlive_the_worker(self):
        worker = WorkerProcess()
        folder = submission_with("def scale(x, k):\n    while True:\n        pass\n")
        self.addCleanup(remove, folder)
        try:
            worker.start("check", {"pack": {"dir": FIXTURE_PACK, "form": "authoring"}, "exercise": fixture_exercise(),
                                   "submission": folder, "given": GIVEN, "only": ["scale-basic"], "gradcheck": "auto",
                                   "limits": {"timeoutS": 30, "memoryMb": 256, "outputKb": 64}})
            deadline = time.monotonic() + 20
            while len(descendants(worker.process.pid)) < 3:  # the zygote, the template and the check's copy
                self.assertLess(time.monotonic(), deadline, "the check never started")
                time.sleep(0.05)
            processes = descendants(worker.process.pid)
        finally:
            worker.process.kill()
            worker.process.wait()
            worker.close()
        deadline = time.monotonic() + 10
        while any(running(pid) for pid in processes) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual([pid for pid in processes if running(pid)], [])


class ErrorReplies(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess()

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()

    def params(self, **changes):
        params = {"pack": {"dir": FIXTURE_PACK, "form": "authoring"}, "exercise": fixture_exercise(),
                  "submission": os.path.join(SUBMISSIONS, "solution"), "given": GIVEN,
                  "limits": {"timeoutS": 5, "memoryMb": 256, "outputKb": 64}, "gradcheck": "auto"}
        params.update(changes)
        return params

    def test_an_unknown_method_is_a_bad_request(self):
        error = self.worker.request("grade-everything", {})["error"]
        self.assertEqual(error["code"], "bad-request")
        self.assertIn("grade-everything", error["message"])

    def test_malformed_params_are_a_bad_request(self):
        self.assertEqual(self.worker.request("check", "not an object")["error"]["code"], "bad-request")
        error = self.worker.request("check", self.params(limits={"timeoutS": -1}))["error"]
        self.assertEqual((error["code"], error["message"]),
                         ("bad-request", "`limits.timeoutS` must be a positive number"))
        error = self.worker.request("check", self.params(submission="/no/such/folder"))["error"]
        self.assertEqual(error["code"], "bad-request")

    def test_private_paths_must_be_absolute(self):
        error = self.worker.request("check", self.params(private=["gradebook"]))["error"]
        self.assertEqual((error["code"], error["message"]),
                         ("bad-request", "`private` must be a list of absolute paths"))

    def test_a_missing_exercise_folder_is_a_pack_error(self):
        exercise = dict(fixture_exercise(), dir="02-nowhere")
        error = self.worker.request("check", self.params(exercise=exercise))["error"]
        self.assertEqual(error["code"], "pack")
        self.assertIn("02-nowhere", error["message"])

    def test_a_tests_file_that_does_not_load_is_a_pack_error(self):
        pack = tempfile.mkdtemp()
        try:
            shutil.copytree(os.path.join(FIXTURE_PACK, "01-scale"), os.path.join(pack, "01-scale"))
            with open(os.path.join(pack, "01-scale", "tests.py"), "a") as tests:
                tests.write("\ndef broken(:\n")
            error = self.worker.request("check", self.params(pack={"dir": pack, "form": "authoring"}))["error"]
        finally:
            remove(pack)
        self.assertEqual(error["code"], "pack")
        self.assertIn("tests.py, line 21 could not be loaded: SyntaxError", error["message"])

    def test_a_check_without_its_test_function_errs_alone(self):
        exercise = fixture_exercise()
        exercise["checks"].append({"id": "not-written", "kind": "test", "title": "no code"})
        report = self.worker.request("check", self.params(exercise=exercise))["result"]
        self.assertEqual([c["status"] for c in report["checks"]], ["passed"] * 4 + ["errored"])
        self.assertEqual(report["checks"][4]["message"], "tests.py has no @test('not-written') for this check")

    def test_a_missing_package_is_named(self):
        exercise = dict(fixture_exercise(), requires=["gradlab_no_such_package"])
        error = self.worker.request("check", self.params(exercise=exercise))["error"]
        self.assertEqual(error["code"], "missing-dependency")
        self.assertEqual(error["missing"], ["gradlab_no_such_package"])
        self.assertIn("needs gradlab_no_such_package", error["message"])

    def test_a_frame_that_is_not_json_is_logged_and_the_worker_carries_on(self):
        self.worker.process.stdin.write(b"Content-Length: 9\r\n\r\nnot json!")
        self.worker.process.stdin.flush()
        self.assertIn("result", self.worker.request("hello", {}))
        self.assertTrue(any(n.get("method") == "log" and "not JSON" in n["params"]["message"]
                            for n in self.worker.notifications))

    def test_mutants_of_a_file_that_does_not_parse_is_a_pack_error(self):
        error = self.worker.request("mutants", {"source": "def f(:\n", "regions": [[1, 1]]})["error"]
        self.assertEqual(error["code"], "pack")
        self.assertIn("line 1", error["message"])
        self.assertEqual(self.worker.request("mutants", {"source": 3})["error"]["code"], "bad-request")

    def test_shutdown_answers_then_exits(self):
        worker = WorkerProcess()
        self.assertEqual(worker.request("shutdown", {}), {"id": 1, "result": None})
        self.assertEqual(worker.process.wait(timeout=5), 0)
        worker.close()


if __name__ == "__main__":
    unittest.main()

"""gradlab.log and the snapshots, as a training script uses them: each test runs a real script in a child interpreter
and reads the history file (and the live stream) it leaves behind."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

RUNTIME = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "runtime"))


def strict_json(line):
    """json.loads that refuses NaN and Infinity, which are not JSON."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(line, parse_constant=refuse)


class ScriptCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.history = os.path.join(self.tmp.name, "history.jsonl")

    def script(self, body, name="train.py"):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(body))
        return path

    def env(self, **extra):
        env = dict(os.environ)
        env["PYTHONPATH"] = RUNTIME
        env["GRADLAB_HISTORY"] = self.history
        env.pop("GRADLAB_STREAM_FD", None)
        env.pop("GRADLAB_DEVICE", None)
        env.update(extra)
        return env

    def run_script(self, body, **extra_env):
        path = self.script(body)
        return subprocess.run(
            [sys.executable, path], cwd=self.tmp.name, env=self.env(**extra_env), capture_output=True, text=True,
            timeout=60)

    def start_script(self, body, pass_fds=(), **extra_env):
        path = self.script(body)
        proc = subprocess.Popen(
            [sys.executable, path],
            cwd=self.tmp.name,
            env=self.env(**extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            pass_fds=pass_fds,
        )
        self.addCleanup(lambda: (proc.poll() is None and proc.kill(), proc.wait(), proc.stdout.close(),
                                 proc.stderr.close()))
        return proc

    def records(self, path=None):
        with open(path or self.history, encoding="utf-8") as f:
            return [strict_json(line) for line in f.read().splitlines()]

    def wait_for_lines(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.history):
                with open(self.history, encoding="utf-8") as f:
                    lines = f.read().splitlines()
                if len(lines) >= count:
                    return lines
            time.sleep(0.02)
        self.fail(f"the history did not reach {count} lines within {timeout} s")


class LoggingApiTest(ScriptCase):
    def test_log_writes_a_run_with_its_metrics_between_start_and_end(self):
        done = self.run_script(
            """
            import gradlab
            for step in range(3):
                gradlab.log(step=step, train_loss=1.0 / (step + 1), val_loss=2.0)
            """
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        records = self.records()
        self.assertEqual([r["type"] for r in records], ["run-start", "metric", "metric", "metric", "run-end"])
        start, end = records[0], records[-1]
        self.assertEqual(start["name"], "train")
        self.assertEqual(start["v"], 1)
        self.assertEqual(start["device"], "cpu")
        self.assertIn("backend", start)
        self.assertTrue(all(r["run"] == start["run"] for r in records))
        self.assertEqual([r["step"] for r in records[1:4]], [0, 1, 2])
        self.assertEqual(records[2]["metrics"], {"train_loss": 0.5, "val_loss": 2.0})
        self.assertTrue(all(isinstance(r["t"], float) for r in records[1:4]))
        self.assertEqual(end["status"], "ok")
        self.assertNotIn("error", end)

    def test_steps_default_to_one_after_the_previous_and_decreasing_steps_are_kept_as_given(self):
        self.run_script(
            """
            import gradlab
            gradlab.log(loss=1.0)
            gradlab.log(loss=0.9)
            gradlab.log(step=10, loss=0.8)
            gradlab.log(step=4, loss=0.7)
            gradlab.log(loss=0.6)
            """
        )
        steps = [r["step"] for r in self.records() if r["type"] == "metric"]
        self.assertEqual(steps, [0, 1, 10, 4, 5])

    def test_nan_and_infinities_are_null_with_a_flag_and_every_line_is_strict_json(self):
        self.run_script(
            """
            import gradlab
            gradlab.log(step=0, loss=float("nan"), up=float("inf"), down=float("-inf"), fine=0.25)
            gradlab.log(step=1, loss=0.5)
            """
        )
        metrics = [r for r in self.records() if r["type"] == "metric"]
        self.assertEqual(metrics[0]["metrics"], {"loss": None, "up": None, "down": None, "fine": 0.25})
        self.assertEqual(metrics[0]["nonFinite"], {"loss": "nan", "up": "inf", "down": "-inf"})
        self.assertNotIn("nonFinite", metrics[1])

    def test_numpy_and_torch_scalars_are_numbers_and_other_values_are_refused_with_the_metric_name(self):
        done = self.run_script(
            """
            import numpy as np, torch, gradlab
            gradlab.log(step=0, a=np.float32(0.5), b=np.array(2.0), c=torch.tensor(3.0, requires_grad=True) * 1,
                        d=np.int64(4), e=True)
            for bad in ("0.5", None, np.zeros(3)):
                try:
                    gradlab.log(step=1, accuracy=bad)
                except TypeError as error:
                    print(error)
            """
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        metric = [r for r in self.records() if r["type"] == "metric"]
        self.assertEqual(len(metric), 1)
        self.assertEqual(metric[0]["metrics"], {"a": 0.5, "b": 2.0, "c": 3.0, "d": 4.0, "e": 1.0})
        messages = done.stdout.splitlines()
        self.assertEqual(len(messages), 3)
        self.assertTrue(all("'accuracy'" in m for m in messages))
        self.assertIn("shape (3,)", messages[2])

    def test_float_subclasses_such_as_numpys_float64_are_written_as_plain_numbers(self):
        # NumPy 2's float64 is a float whose repr is np.float64(1.0); Tagged has such a repr under any NumPy.
        done = self.run_script(
            """
            import numpy as np, gradlab

            class Tagged(float):
                def __repr__(self):
                    return f"Tagged({float(self)})"

            with gradlab.run("r", config={"lr": np.float64(0.1), "eps": Tagged("inf")}):
                gradlab.log(step=0, val_loss=np.mean(np.array([0.5, 1.5])), tagged=Tagged(0.25), bad=Tagged("nan"))
            """
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        start = [r for r in self.records() if r["type"] == "run-start"]
        self.assertEqual(start[0]["config"], {"lr": 0.1, "eps": "inf"})
        metric = [r for r in self.records() if r["type"] == "metric"]
        self.assertEqual(metric[0]["metrics"], {"val_loss": 1.0, "tagged": 0.25, "bad": None})
        self.assertEqual(metric[0]["nonFinite"], {"bad": "nan"})

    def test_a_step_that_is_not_a_whole_number_is_refused(self):
        done = self.run_script(
            """
            import gradlab
            gradlab.log(step=1.5, loss=1.0)
            """
        )
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("step must be a whole number", done.stderr)

    def test_a_hundred_metrics_per_step_are_one_record(self):
        self.run_script(
            """
            import gradlab
            for step in range(5):
                gradlab.log(step=step, **{f"m{i:03d}": i * 0.5 + step for i in range(100)})
            """
        )
        metrics = [r for r in self.records() if r["type"] == "metric"]
        self.assertEqual(len(metrics), 5)
        self.assertEqual(len(metrics[4]["metrics"]), 100)
        self.assertEqual(metrics[4]["metrics"]["m099"], 99 * 0.5 + 4)

    def test_named_runs_carry_their_config_and_a_failing_block_marks_only_its_run_failed(self):
        done = self.run_script(
            """
            import gradlab
            with gradlab.run("good", config={"lr": 0.1, "sizes": (1, 64, 1), "eps": float("inf")}):
                gradlab.log(step=0, loss=1.0)
            try:
                with gradlab.run("bad", config={"lr": 0.5}) as run:
                    run.log(step=0, loss=2.0)
                    raise ValueError("diverged")
            except ValueError:
                pass
            """
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        records = self.records()
        starts = {r["name"]: r for r in records if r["type"] == "run-start"}
        ends = {r["run"]: r for r in records if r["type"] == "run-end"}
        self.assertEqual(set(starts), {"good", "bad"})
        self.assertEqual(starts["good"]["config"], {"lr": 0.1, "sizes": [1, 64, 1], "eps": "inf"})
        self.assertEqual(ends[starts["good"]["run"]]["status"], "ok")
        bad_end = ends[starts["bad"]["run"]]
        self.assertEqual(bad_end["status"], "failed")
        self.assertIn("ValueError: diverged", bad_end["error"])
        self.assertIn("train.py, line", bad_end["error"])

    def test_without_gradlab_history_the_file_goes_under_the_working_folder(self):
        path = self.script(
            """
            import gradlab
            gradlab.log(step=0, loss=1.0)
            """,
            name="train_sine.py",
        )
        env = self.env()
        del env["GRADLAB_HISTORY"]
        done = subprocess.run([sys.executable, path], cwd=self.tmp.name, env=env, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        folder = os.path.join(self.tmp.name, ".gradlab", "runs")
        files = os.listdir(folder)
        self.assertEqual(len(files), 1)
        self.assertRegex(files[0], r"^\d{8}-\d{6}-train_sine\.jsonl$")
        self.assertEqual(self.records(os.path.join(folder, files[0]))[1]["metrics"], {"loss": 1.0})

    def test_a_script_run_from_a_terminal_inside_a_workspace_writes_the_workspace_history(self):
        workspace = os.path.join(self.tmp.name, "workspace")
        exercise = os.path.join(workspace, "gradlab", "09-minibatches")
        os.makedirs(exercise)
        os.makedirs(os.path.join(workspace, ".gradlab"))
        path = os.path.join(exercise, "train_classifier.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write("import gradlab\ngradlab.log(step=0, loss=1.0)\n")
        env = self.env()
        del env["GRADLAB_HISTORY"]
        done = subprocess.run([sys.executable, path], cwd=exercise, env=env, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertFalse(os.path.exists(os.path.join(exercise, ".gradlab")), "the history stayed in the exercise")
        files = os.listdir(os.path.join(workspace, ".gradlab", "runs"))
        self.assertEqual(len(files), 1)
        self.assertRegex(files[0], r"^\d{8}-\d{6}-train_classifier\.jsonl$")


class SnapshotTest(ScriptCase):
    def test_fit_snapshot_holds_data_predictions_and_the_true_function(self):
        self.run_script(
            """
            import numpy as np, gradlab
            x = np.linspace(-1, 1, 5).reshape(-1, 1)
            gradlab.log(step=7, loss=1.0)
            gradlab.snapshot_fit(x, x * 2, np.full((5, 1), np.nan), y_func=np.sin)
            """
        )
        fit = next(r for r in self.records() if r["type"] == "fit")
        self.assertEqual(fit["step"], 7)
        self.assertEqual(fit["x"], [-1.0, -0.5, 0.0, 0.5, 1.0])
        self.assertEqual(fit["yTrue"], [-2.0, -1.0, 0.0, 1.0, 2.0])
        self.assertEqual(fit["yPred"], [None] * 5)
        self.assertAlmostEqual(fit["yFunc"][4], 0.8414709848078965)

    def test_fit_snapshot_with_mismatched_lengths_says_which_array(self):
        done = self.run_script(
            """
            import gradlab
            gradlab.snapshot_fit([1, 2, 3], [1, 2, 3], [1, 2])
            """
        )
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("y_pred has 2 values but x has 3", done.stderr)

    def test_boundary_snapshot_evaluates_the_grid_row_by_row_from_the_bottom(self):
        self.run_script(
            """
            import numpy as np, gradlab
            def predict(grid):
                assert grid.shape == (6, 2)
                p1 = (grid[:, 0] + grid[:, 1] > 0).astype(float)
                return np.stack([1 - p1, p1], axis=1)  # two-column class probabilities
            gradlab.snapshot_boundary(predict, (-1, 1, -2, 2), (3, 2), points=np.array([[0.5, 1.0], [-1, -1]]),
                                      labels=[1, 0], step=3)
            """
        )
        boundary = next(r for r in self.records() if r["type"] == "boundary")
        self.assertEqual(boundary["bounds"], [-1.0, 1.0, -2.0, 2.0])
        self.assertEqual((boundary["nx"], boundary["ny"], boundary["step"]), (3, 2, 3))
        # grid rows: y=-2 for x in (-1, 0, 1), then y=2
        self.assertEqual(boundary["values"], [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
        self.assertEqual(boundary["points"], [[0.5, 1.0], [-1.0, -1.0]])
        self.assertEqual(boundary["labels"], [1.0, 0.0])

    def test_boundary_snapshot_without_numpy_passes_plain_pairs(self):
        self.run_script(
            """
            import sys, gradlab
            assert "numpy" not in sys.modules
            gradlab.snapshot_boundary(lambda grid: [float(x > 0) for x, y in grid], (-1, 1, -1, 1), 2)
            """
        )
        boundary = next(r for r in self.records() if r["type"] == "boundary")
        self.assertEqual(boundary["values"], [0.0, 1.0, 0.0, 1.0])

    def test_landscape_snapshot_evaluates_the_loss_along_the_slice(self):
        self.run_script(
            """
            import gradlab
            gradlab.snapshot_landscape(lambda w: 0.5 * (2 * w - 6) ** 2, [1, 2, 3, 4], param="w", fixed={"b": 0})
            """
        )
        landscape = next(r for r in self.records() if r["type"] == "landscape")
        self.assertEqual(landscape["param"], "w")
        self.assertEqual(landscape["values"], [1.0, 2.0, 3.0, 4.0])
        self.assertEqual(landscape["losses"], [8.0, 2.0, 0.0, 2.0])
        self.assertEqual(landscape["fixed"], {"b": 0.0})


class CrashAndFlushTest(ScriptCase):
    def test_a_crash_mid_run_keeps_every_logged_step_and_marks_the_run_failed(self):
        done = self.run_script(
            """
            import gradlab
            for step in range(1000):
                gradlab.log(step=step, loss=1.0 / (step + 1))
            print(1 / 0)
            """
        )
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("ZeroDivisionError", done.stderr)  # the usual traceback still reaches the user
        records = self.records()
        self.assertEqual(len([r for r in records if r["type"] == "metric"]), 1000)
        end = records[-1]
        self.assertEqual((end["type"], end["status"]), ("run-end", "failed"))
        self.assertIn("ZeroDivisionError: division by zero", end["error"])
        self.assertIn("train.py, line 5", end["error"])

    def test_lines_reach_the_file_while_the_script_still_runs(self):
        proc = self.start_script(
            """
            import time, gradlab
            gradlab.log(step=0, loss=1.0)
            time.sleep(60)
            """
        )
        lines = self.wait_for_lines(2)
        self.assertIsNone(proc.poll(), "the line should arrive on the flush timer, not at exit")
        self.assertEqual(strict_json(lines[1])["metrics"], {"loss": 1.0})

    def test_a_killed_script_leaves_whole_lines_but_perhaps_the_last(self):
        proc = self.start_script(
            """
            import gradlab
            step = 0
            while True:
                gradlab.log(step=step, loss=0.5)
                step += 1
            """
        )
        self.wait_for_lines(1000)
        proc.kill()
        proc.wait()
        with open(self.history, encoding="utf-8") as f:
            lines = f.read().split("\n")
        *whole, last = lines
        records = [strict_json(line) for line in whole]  # every complete line parses
        self.assertGreaterEqual(len(records), 1000)
        if last:  # the kill cut the last write short: what is there is the start of a metric line
            prefix = '{"type":"metric"'
            self.assertTrue(last.startswith(prefix) or prefix.startswith(last), last[:80])
        self.assertNotIn("run-end", [r["type"] for r in records])

    def test_sigterm_marks_the_run_stopped_and_the_script_still_dies_of_the_signal(self):
        proc = self.start_script(
            """
            import time, gradlab
            gradlab.log(step=0, loss=1.0)
            time.sleep(60)
            """
        )
        self.wait_for_lines(2)
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=10), -signal.SIGTERM)
        end = self.records()[-1]
        self.assertEqual((end["type"], end["status"]), ("run-end", "stopped"))

    def test_keyboard_interrupt_marks_the_run_stopped(self):
        self.run_script(
            """
            import gradlab
            gradlab.log(step=0, loss=1.0)
            raise KeyboardInterrupt
            """
        )
        self.assertEqual(self.records()[-1]["status"], "stopped")


class StreamTest(ScriptCase):
    def test_the_stream_fd_carries_the_same_lines_as_the_file_while_the_script_runs(self):
        read_end, write_end = os.pipe()
        proc = self.start_script(
            """
            import time, gradlab
            for step in range(50):
                gradlab.log(step=step, loss=step * 0.5)
            time.sleep(60)
            """,
            pass_fds=(write_end,),
            GRADLAB_STREAM_FD=str(write_end),
        )
        os.close(write_end)
        received = b""
        with os.fdopen(read_end, "rb", buffering=0) as stream:
            while received.count(b"\n") < 51:
                chunk = stream.read(65536)
                self.assertTrue(chunk, "the stream closed early")
                received += chunk
            self.assertIsNone(proc.poll())
            proc.kill()
        streamed = received.decode().splitlines()
        self.assertEqual(streamed, self.wait_for_lines(51)[:51])
        self.assertEqual(strict_json(streamed[50])["metrics"], {"loss": 24.5})

    def test_a_stream_fd_that_is_not_an_inherited_pipe_is_ignored_and_each_line_is_written_once(self):
        # Windows passes extra fds to some programs only: the number may be free (the history file would take it)
        # or name another file, which must not receive the stream.
        other = os.path.join(self.tmp.name, "other.txt")
        with open(other, "wb") as f:
            other_fd = os.dup(f.fileno())
        self.addCleanup(os.close, other_fd)
        body = """
            import gradlab
            for step in range(3):
                gradlab.log(step=step, loss=1.0)
            """
        for fd, passed in ((3, ()), (other_fd, (other_fd,))):
            with self.subTest(fd=fd):
                if os.path.exists(self.history):
                    os.remove(self.history)
                done = subprocess.run([sys.executable, self.script(body)], env=self.env(GRADLAB_STREAM_FD=str(fd)),
                                      pass_fds=passed, capture_output=True, text=True, timeout=60)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn(f"GRADLAB_STREAM_FD={fd} is not an open pipe", done.stderr)
                self.assertEqual([r["step"] for r in self.records() if r["type"] == "metric"], [0, 1, 2])
        self.assertEqual(os.path.getsize(other), 0)

    def test_a_closed_stream_does_not_stop_training_or_the_history(self):
        read_end, write_end = os.pipe()
        os.close(read_end)  # nobody reads: writes fail with EPIPE
        path = self.script(
            """
            import gradlab
            for step in range(100):
                gradlab.log(step=step, loss=1.0)
            """
        )
        done = subprocess.run(
            [sys.executable, path],
            env=self.env(GRADLAB_STREAM_FD=str(write_end)),
            pass_fds=(write_end,),
            capture_output=True,
            text=True,
            timeout=60,
        )
        os.close(write_end)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("live stream to VS Code closed", done.stderr)
        self.assertEqual(len([r for r in self.records() if r["type"] == "metric"]), 100)
        self.assertEqual(self.records()[-1]["status"], "ok")


if __name__ == "__main__":
    unittest.main()

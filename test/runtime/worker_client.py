"""A small host for the runtime tests: starts ``python runtime/launch.py gradlab.worker`` like the extension does and
speaks its framed JSON (the Content-Length frames of src/protocol/worker.ts)."""

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNTIME = os.path.join(REPO, "runtime")
FIXTURE_PACK = os.path.join(REPO, "test", "fixtures", "worker-pack")
SUBMISSIONS = os.path.join(FIXTURE_PACK, "submissions")
GIVEN = os.path.join(SUBMISSIONS, "starter")  # the starter form: where the pack's given code comes from
TAMPER = os.path.join(REPO, "test", "fixtures", "tamper")


def fixture_exercise():
    with open(os.path.join(FIXTURE_PACK, "pack.json"), encoding="utf-8") as manifest:
        return json.load(manifest)["exercises"][0]


def submission_with(source):
    """A temporary submission folder holding ``source`` as scale.py; the caller removes it."""
    folder = tempfile.mkdtemp(prefix="gradlab-test-submission-")
    with open(os.path.join(folder, "scale.py"), "w", encoding="utf-8") as file:
        file.write(source)
    return folder


class WorkerProcess:
    def __init__(self, python=sys.executable, env=None, flags=(), cwd=None):
        environment = dict(os.environ)
        environment.update(env or {})
        self.process = subprocess.Popen([python, *flags, os.path.join(RUNTIME, "launch.py"), "gradlab.worker"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=environment, cwd=cwd)
        self.buffer = b""
        self.next_id = 1
        self.notifications = []

    def send(self, message):
        body = json.dumps(message).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method, params, timeout=30):
        request_id = self.start(method, params)
        return self.response(request_id, timeout)

    def start(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        self.send({"id": request_id, "method": method, "params": params})
        return request_id

    def response(self, request_id, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            message = self.read_message(deadline)
            if "id" in message and message["id"] == request_id:
                return message
            self.notifications.append(message)

    def read_message(self, deadline):
        fd = self.process.stdout.fileno()
        while b"\r\n\r\n" not in self.buffer or len(self.buffer) < self._frame_end():
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the worker did not answer in time")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise EOFError(f"the worker exited: {self.process.stderr.read().decode(errors='replace')}")
                self.buffer += chunk
        header, rest = self.buffer.split(b"\r\n\r\n", 1)
        if not header.startswith(b"Content-Length: "):
            raise AssertionError(f"corrupted channel: {self.buffer[:200]!r}")
        length = int(header.split(b":")[1])
        body, self.buffer = rest[:length], rest[length:]
        return json.loads(body)

    def _frame_end(self):
        header, _ = self.buffer.split(b"\r\n\r\n", 1)
        try:
            return len(header) + 4 + int(header.split(b":")[1])
        except ValueError:
            raise AssertionError(f"corrupted channel: {self.buffer[:200]!r}") from None

    def check(self, submission, only=None, limits=None, exercise=None, form="authoring", pack=FIXTURE_PACK,
              reference=None, given=GIVEN, timeout=60, seed=None, focus=None):
        params = {"pack": {"dir": pack, "form": form}, "exercise": exercise or fixture_exercise(),
                  "submission": submission, "given": given,
                  "limits": dict({"timeoutS": 5, "memoryMb": 512, "outputKb": 64}, **(limits or {})),
                  "gradcheck": "auto"}
        if only:
            params["only"] = only
        if reference:
            params["reference"] = reference
        if seed is not None:
            params["seed"] = seed
        if focus is not None:
            params["focus"] = focus
        return self.request("check", params, timeout)

    def streamed(self, request_id):
        """The ``result`` notifications of the request ``request_id`` received so far, in arrival order."""
        return [n["params"] for n in self.notifications
                if n.get("method") == "result" and n["params"]["id"] == request_id]

    def close(self):
        if self.process.poll() is None:
            try:
                self.request("shutdown", {}, timeout=10)
            except (EOFError, TimeoutError, BrokenPipeError):
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()


def remove(folder):
    shutil.rmtree(folder, ignore_errors=True)

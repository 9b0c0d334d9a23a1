"""The grader's side of one learner process: gradlab.checks.base.Sandbox over a check's process from a template
(gradlab.sandbox.template's fork of a process that loaded the exercise's files, or gradlab.sandbox.spawning's
pre-started interpreter that loads them itself).

One ``ProcessSandbox`` serves one check: it starts its process on first use, sends requests and waits for
answers while draining the process's output and watching the wall clock and the host's cancel, then kills the
whole process group on ``close()``. Every answer is decoded by gradlab.codec into plain values or handles.
"""

import os
import select
import time
import zlib

from gradlab import codec, rpc
from gradlab.checks import CheckError
from gradlab.checks.base import LearnerError
from gradlab.sandbox import messages
from gradlab.sandbox.handles import Handle

EXIT_STATUS_WAIT_S = 1.0
OUTPUT_DRAIN_S = 0.5


def seed_for(check_id):
    """The seed of ``rng`` for a check: the same on every run, different between checks."""
    return zlib.crc32(check_id.encode("utf-8"))


class ProcessSandbox:
    def __init__(self, template, workdir, *, seed, cancel, default_file=None, blame_pack=False, kinks=()):
        """``workdir``: this check's own copy of the exercise's files, where its process works. ``blame_pack``: the
        process runs the pack's code (its given functions), so what goes wrong in it is the pack's problem, a
        CheckError, never the learner's. ``kinks``: declared kinks for the process to watch (gradlab.kinks)."""
        self.template = template
        self.workdir = workdir
        self.limits = template.limits
        self.cancel = cancel
        self.default_file = default_file or (workdir.modules[-1]["file"] if workdir.modules else "the submission")
        self._config = {"workdir": workdir.path, "files": workdir.files, "seed": seed}
        if kinks:
            self._config["kinks"] = list(kinks)
        self._pid = None
        self._sock = None
        self._output_fd = None
        self._frames = rpc.FrameBuffer()
        self._replies = []
        self._output = bytearray()
        self._output_dropped = 0
        self._output_open = False
        self._deadline = None
        self._failure = None  # set once the process is unusable: every later request raises it again
        self._exited = False
        self._blame_pack = blame_pack
        self.observer = None  # called with (request, reply) for each answered request (gradlab.transcripts)

    # ---- the Sandbox protocol (gradlab.checks.base) ----

    def eval(self, expr, bindings=None):
        return self.request({"op": "eval", "expr": expr, "bindings": self._bindings(bindings)})

    def execute(self, code, bindings=None, result="result"):
        return self.request({"op": "execute", "code": code, "bindings": self._bindings(bindings), "result": result})

    # ---- requests ----

    def encode(self, value):
        """The codec form of a grader value; handles of this process travel as references."""
        def other(obj):
            if isinstance(obj, Handle):
                return obj.to_json(self)
            raise TypeError(f"a {type(obj).__name__} cannot be sent to the learner's process; "
                            "only plain values, arrays and handles can")
        return codec.to_json(value, other)

    def _bindings(self, bindings):
        return {name: self.encode(value) for name, value in (bindings or {}).items()}

    def decode(self, tree):
        return codec.from_json(tree, lambda number, type_name: Handle(self, number, type_name))

    def request(self, message):
        """Send one request; its plain answer, a handle, or LearnerError."""
        reply = self.roundtrip(message)
        if self.observer is not None:
            self.observer(message, reply)
        if "error" in reply:
            raise self._blamed(self.learner_error(reply["error"]))
        try:
            return self.decode(reply["ok"])
        except (codec.CodecError, RecursionError, KeyError, TypeError) as error:
            raise self._fail(messages.broken_channel(f"an answer the grader cannot read: {error}")) from None

    def roundtrip(self, message):
        """The raw reply ``{"ok": tree}`` or ``{"error": fields}``; raises LearnerError when the process is gone."""
        self._start()
        self._send(rpc.encode(message))
        return self._receive()

    def learner_error(self, fields):
        """The LearnerError for the fields of an error reply."""
        if not isinstance(fields, dict):
            return messages.broken_channel("a malformed error report")
        return messages.from_child(fields, default_file=self.default_file, limits=self.limits)

    def _blamed(self, error):
        """``error`` as the check should see it: a CheckError when this process runs the pack's code."""
        if not (self._blame_pack and isinstance(error, LearnerError)):
            return error
        return CheckError(f"the exercise pack's own code failed while grading ({error.message}); this is a problem "
                          "of the pack, not of the submission")

    def renew(self, seed):
        """Serve another check: a new time limit, and the seed of its generators (a process that serves several
        checks, the pack's given code)."""
        if self._pid is not None:
            self._deadline = time.monotonic() + float(self.limits["timeoutS"])
            self.request({"op": "reseed", "seed": seed})
        else:
            self._config["seed"] = seed

    def watched_kinks(self):
        """What the process's kink watch saw (gradlab.kinks.Watch.report), or None when the process never started or
        can no longer answer."""
        if self._pid is None or self._failure is not None or "kinks" not in self._config:
            return None
        try:
            return self.request({"op": "kinks"})
        except (LearnerError, CheckError):
            return None

    # ---- the process ----

    def _start(self):
        if self._failure is not None:
            raise self._failure
        if self._pid is not None:
            return
        failure = self.template.load(self.cancel, self.default_file)
        # what loading the files printed belongs to every check, as when each check loaded them itself
        self._output += self.template.output
        self._output_dropped += self.template.output_dropped
        if failure is not None:
            raise self._fail(failure)
        self._deadline = time.monotonic() + float(self.limits["timeoutS"])
        ours, output_read, self._pid = self.template.start_copy(self._config, self.cancel, self._deadline)
        ours.setblocking(False)
        os.set_blocking(output_read, False)
        self._sock, self._output_fd, self._output_open = ours, output_read, True
        ready = self._receive()
        if "error" in ready:
            raise self._fail(self.learner_error(ready["error"]))

    def _fail(self, error):
        """Remember that the process is unusable (and make sure it is gone)."""
        error = self._blamed(error)
        self._failure = error
        self._kill()
        return error

    def _kill(self):
        if self._pid is not None and not self._exited:
            self.template.kill_copy(self._pid)
            self._exited = True

    def _send(self, data):
        view = memoryview(data)
        while view:
            self._wait(writing=True)
            try:
                view = view[self._sock.send(view):]
            except BlockingIOError:
                continue
            except OSError:
                self._receive()  # the process is gone: _receive says why
                return

    def _receive(self):
        while not self._replies:
            self._wait(writing=False)
        return self._replies.pop(0)

    def _wait(self, writing):
        """Wait until the socket is writable (or a reply arrived); drain output, enforce time and cancel."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise self._fail(messages.timeout(self.limits))
        readable = [self._sock, self.cancel] + ([self._output_fd] if self._output_open else [])
        ready, writable, _ = select.select(readable, [self._sock] if writing else [], [], left)
        if self.cancel in ready:
            self._kill()
            self.cancel.raise_if_set()
        if self._output_fd in ready:
            self._read_output()
        if self._sock in ready:
            self._read_frames()

    def _read_frames(self):
        try:
            chunk = self._sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._read_output()
            status = self.template.exit_status(self._pid, EXIT_STATUS_WAIT_S)
            if status is not None:
                self._exited = True
            raise self._fail(messages.ended(status, self.limits))
        try:
            frames = self._frames.feed(chunk)
        except rpc.FrameError:
            raise self._fail(messages.garbled_channel()) from None
        for frame in frames:
            if not ("ok" in frame or "error" in frame or "ready" in frame):
                raise self._fail(messages.broken_channel("a reply of unknown form"))
            self._replies.append(frame)

    def _read_output(self):
        limit = int(self.limits["outputKb"]) * 1024
        while True:
            try:
                chunk = os.read(self._output_fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                self._output_open = False
                return
            room = max(0, limit - len(self._output))
            self._output += chunk[:room]
            self._output_dropped += len(chunk) - min(room, len(chunk))

    # ---- the end ----

    def close(self):
        """Kill the process and return ``(output, truncated)``: what it printed, bounded."""
        if self._pid is not None:
            self._kill()
            deadline = time.monotonic() + OUTPUT_DRAIN_S
            while self._output_open and time.monotonic() < deadline:
                ready, _, _ = select.select([self._output_fd], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    break
                self._read_output()
            self.template.forget(self._pid)
            self._sock.close()
            os.close(self._output_fd)
            self._pid = None
            self._failure = self._failure or messages.broken_channel("the check had already finished")
        self.workdir.remove()
        return self._output.decode("utf-8", errors="replace"), self._output_dropped > 0

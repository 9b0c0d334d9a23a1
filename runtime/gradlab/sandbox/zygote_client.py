"""The worker's side of the processes that fork on request: ``Forker`` sends spawn requests and reads events (as if
the peer were hostile: a template has run learner code), and ``Zygote`` starts the zygote process
(gradlab.sandbox.zygote) and asks it for template processes (gradlab.sandbox.template drives those)."""

import os
import select
import shutil
import socket
import sys
import tempfile
import time

from gradlab.sandbox import isolation
from gradlab.sandbox.config import ZygoteError
from gradlab.sandbox.forking import LineBuffer, receive, send_message

LAUNCHER = os.path.join(isolation.RUNTIME, "launch.py")
CONTROL_TIMEOUT_S = 10

READY_TIMEOUT_S = 60
SPAWN_TIMEOUT_S = 120  # the first spawn that preloads PyTorch pays its import


def spawn_connected(spawn):
    """Starts a process through ``spawn(fds)`` whose fds are a control socket and an output pipe, and returns
    (our end of the socket, the read end of the pipe, the process id). The child's ends are always closed
    here; ours too when the spawn fails."""
    ours, theirs = socket.socketpair()
    output_read, output_write = os.pipe()
    try:
        pid = spawn([theirs.fileno(), output_write])
    except BaseException:
        ours.close()
        os.close(output_read)
        raise
    finally:
        theirs.close()
        os.close(output_write)
    return ours, output_read, pid


class Forker:
    """The worker's handle on a process that forks on request (the zygote, a template): spawn requests out,
    events in. Not thread-safe: only the worker's request thread uses it. Events are checked as if the peer were
    hostile (a template has run learner code): malformed ones end the connection, exits of processes we did not
    spawn are ignored."""

    name = "process"

    def _connect(self, sock):
        self._sock = sock
        self._lines = LineBuffer()
        self._spawned = []  # pids (or refusals, as text) not yet taken by spawn()
        self._live = set()  # spawned, not yet ended or forgotten
        self._exits = {}
        self._alive = True

    def _request(self, config, fds, cancel, deadline, extra=None):
        """Ask for one process; its pid. ZygoteError when the peer refuses, stops or does not answer by
        ``deadline``; OSError when the socket is gone."""
        send_message(self._sock, dict(extra or {}, op="spawn", config=config, fds=len(fds)), fds)
        self._wait(lambda: self._spawned, deadline, cancel, "start a learner process")
        outcome = self._spawned.pop(0)
        if isinstance(outcome, str):
            raise ZygoteError(f"the sandbox could not start a learner process: {outcome}")
        return outcome

    def exit_status(self, pid, timeout):
        """``{"code": n}`` or ``{"signal": n}`` once the process has ended, or None if it has not within timeout."""
        try:
            self._wait(lambda: pid in self._exits, time.monotonic() + timeout, None, "report")
        except ZygoteError:
            return None
        return self._exits.pop(pid)

    def forget(self, pid):
        """We no longer care how ``pid`` ends."""
        self._live.discard(pid)
        self._exits.pop(pid, None)

    def _wait(self, done, deadline, cancel, doing):
        while not done():
            if not self._alive:
                raise ZygoteError(f"the sandbox's {self.name} stopped before it could {doing}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise ZygoteError(f"the sandbox's {self.name} did not {doing} in time")
            watched = [self._sock] + self._watched() + ([cancel] if cancel is not None else [])
            ready, _, _ = select.select(watched, [], [], left)
            if cancel is not None and cancel in ready:
                cancel.raise_if_set()
            self._ready(ready)
            if self._sock in ready:
                self._read_events()

    def _watched(self):
        """Further descriptors to wait on (a template's output)."""
        return []

    def _ready(self, ready):
        """Called with the descriptors that became readable."""

    def _read_events(self):
        received = []
        try:
            chunk = receive(self._sock, received)
            events = self._lines.feed(chunk) if chunk else None
        except (OSError, ValueError):
            events = None
        for fd in received:
            os.close(fd)
        if events is None:
            self._alive = False
            return
        for event in events:
            kind = event.get("event")
            pid = event.get("pid")
            if kind == "spawned":
                if type(pid) is not int or not self._accept(pid):
                    self._alive = False  # a pid we must not act on (kill) later: trust nothing more from this peer
                    return
                self._live.add(pid)
                self._spawned.append(pid)
            elif kind == "spawn-failed":
                self._spawned.append(str(event.get("error")))
            elif kind == "exit":
                if pid in self._live:
                    self._live.discard(pid)
                    self._exits[pid] = {k: v for k, v in event.items() if k in ("code", "signal") and type(v) is int}
            else:
                self._event(event)

    def _accept(self, pid):
        """Whether a reported pid may be taken for our new process."""
        return True

    def _event(self, event):
        """Any other event (``ready``)."""


class Zygote(Forker):
    """The worker's side: starts the zygote, asks it for template processes, learns how they ended, and has it kill
    (the pids it and its templates report are its own: in an isolated sandbox, another namespace's).

    ``isolated``: the zygote runs in a bubblewrap sandbox (gradlab.sandbox.isolation) whose one writable folder,
    ``exchange``, is where every workdir of its processes must be made. ``trusted``: it only ever runs the pack's
    code (the given functions, the reference solution), so no other process of the user may trace it."""

    name = "zygote process"
    kind = "fork"

    def __init__(self, log, isolated=False, trusted=False):
        self._log = log
        self.isolated = isolated
        self.trusted = trusted
        self.exchange = tempfile.mkdtemp(prefix="gradlab-sandbox-") if isolated else None
        self._start()

    def _start(self):
        import subprocess  # here, not at the top: the zygote process itself never needs it

        ours, theirs = socket.socketpair()
        # the worker's own interpreter flags (-S, -I, -E ...) so that the zygote sees the same packages
        program = [sys.executable, *subprocess._args_from_interpreter_flags(), LAUNCHER, "gradlab.sandbox.zygote",
                   str(theirs.fileno())] + (["--trusted"] if self.trusted else [])
        if self.isolated:
            program = isolation.command(program, self.exchange)
        self._process = subprocess.Popen(program, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                         cwd=self.exchange or tempfile.gettempdir())
        theirs.close()
        self._connect(ours)
        self._numpy = None
        self._verified = {}
        self._swept = False

    def numpy_info(self, cancel=None):
        """What importing NumPy in a clean process gave (waits for the zygote's start-up)."""
        self._wait(lambda: self._numpy is not None, time.monotonic() + READY_TIMEOUT_S, cancel, "start")
        return self._numpy

    def template(self, workdir, **options):
        """A template process (not started yet) that loads the files of ``workdir`` (gradlab.sandbox.template)."""
        from gradlab.sandbox.template import Template

        return Template(self, workdir, **options)

    def spawn(self, config, fds, preload, cancel):
        """A new process running gradlab.sandbox.learner.main with ``config``; returns its pid."""
        for attempt in (1, 2):
            if not self._alive:
                self._log("warn", "the sandbox's zygote process had stopped; starting a new one")
                self._stop_process()
                self._start()
            try:
                return self._request(config, fds, cancel, time.monotonic() + SPAWN_TIMEOUT_S, {"preload": preload})
            except OSError:
                self._alive = False
            except ZygoteError:
                if self._alive:
                    raise
        raise ZygoteError("the sandbox's zygote process stopped twice while starting a learner process")

    def kill(self, pid, template):
        """Kill ``pid`` (``template``, one of our templates, or a process below it) and everything below it."""
        self._tell({"op": "kill", "pid": pid, "template": template})

    def verify(self, pid, parent):
        """Whether ``pid`` is a child of ``parent``, as its template claims."""
        self._verified.pop(pid, None)
        if not self._tell({"op": "verify", "pid": pid, "parent": parent}):
            return False
        try:
            self._wait(lambda: pid in self._verified, time.monotonic() + CONTROL_TIMEOUT_S, None, "answer")
        except ZygoteError:
            return False
        return self._verified.pop(pid)

    def sweep(self):
        """Kill every process the zygote has (at the end of a request); False when it did not confirm."""
        self._swept = False
        if not self._tell({"op": "sweep"}):
            return False
        try:
            self._wait(lambda: self._swept, time.monotonic() + CONTROL_TIMEOUT_S, None, "clear its processes")
        except ZygoteError:
            return False
        return True

    def _tell(self, message):
        if not self._alive:
            return False
        try:
            send_message(self._sock, message)
        except OSError:
            self._alive = False
            return False
        return True

    def _stop_process(self):
        try:
            self._sock.close()
        finally:
            try:
                self._process.wait(timeout=2)
            except Exception:
                self._process.kill()  # in a sandbox, bwrap: the whole namespace goes with it
                self._process.wait()

    def close(self):
        self._stop_process()
        if self.exchange:
            shutil.rmtree(self.exchange, ignore_errors=True)

    def _event(self, event):
        kind = event.get("event")
        if kind == "ready":
            self._numpy = event.get("numpy")
        elif kind == "verified" and type(event.get("pid")) is int:
            self._verified[event["pid"]] = event.get("ok") is True
        elif kind == "swept":
            self._swept = True

"""The zygote: a clean Python process that has imported NumPy (and, on request, PyTorch) and nothing of any
pack or submission, and forks one template process per exercise request (gradlab.sandbox.template). Forking it
costs a few milliseconds, where a new interpreter would pay start-up and the NumPy import (about 140 ms).

The worker starts it with ``python -m gradlab.sandbox.zygote <fd>`` and talks over a Unix stream socket in
newline-delimited JSON. A ``spawn`` request carries two descriptors (SCM_RIGHTS): the child's end of its channel
and the write end of its output pipe. The zygote answers ``{"event": "spawned", "pid"}``, reaps its children and
reports each ``{"event": "exit", "pid", "code" | "signal"}``; it sends ``{"event": "ready", "numpy"}`` once at
start. It exits when the worker closes the socket. A template speaks the same protocol to fork its check copies
(``serve_forks``), so the worker drives both through ``Forker``.
"""

import array
import gc
import json
import os
import select
import signal
import socket
import sys
import time
# Bound at import: a template runs this loop after learner code was loaded into it, and a learner who replaces
# these functions should not break how the template answers the worker.
from os import WEXITSTATUS, WIFSIGNALED, WNOHANG, WTERMSIG, close, fork, killpg, pipe, read, set_blocking, setpgid, \
    waitpid
from select import select as wait_for

MAX_FDS = 4
PRELOAD_VARIABLE = "GRADLAB_PRELOAD"  # src/protocol/worker.ts: heavy packages to import at start, comma-separated
PR_SET_CHILD_SUBREAPER = 36  # prctl(2), Linux
MAX_LINE_BYTES = 1 << 20  # no event of this protocol comes near; a longer line means a broken peer
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
_DECODE = json.JSONDecoder().decode


def send_message(sock, message, fds=()):
    data = _ENCODE(message).encode("utf-8") + b"\n"
    if not fds:
        sock.sendall(data)  # not sendmsg: a template's audit hook refuses that event
        return
    sent = sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    if sent < len(data):
        sock.sendall(data[sent:])


def receive(sock, fds_out):
    """Bytes available on ``sock`` (b"" at EOF); descriptors that came with them are appended to ``fds_out``."""
    data, ancillary, _flags, _address = sock.recvmsg(65536, socket.CMSG_SPACE(MAX_FDS * array.array("i").itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            fds_out.extend(fds)
    return data


class LineBuffer:
    """Splits a stream into JSON objects, one per line; ValueError for anything else."""

    def __init__(self):
        self.data = b""

    def feed(self, chunk):
        self.data += chunk
        *lines, self.data = self.data.split(b"\n")
        if len(self.data) > MAX_LINE_BYTES:
            raise ValueError("a line longer than any message of the protocol")
        messages = [_DECODE(line.decode("utf-8")) for line in lines if line.strip()]
        if not all(isinstance(m, dict) for m in messages):
            raise ValueError("a message that is not a JSON object")
        return messages


# ---- the processes that fork (the zygote, a template) ----

def serve_forks(sock, ready, spawn, after_ready=None):
    """Send ``ready`` (then call ``after_ready``); then, until the worker closes ``sock``, answer each ``spawn``
    request with the pid of the process ``spawn(message, fds, closing)`` forked (``closing``: descriptors the new
    process must close), reap the children and report how each ended. At the end, every child's process group is
    killed and reaped."""
    send_message(sock, ready)
    if after_ready is not None:
        after_ready()
    wake_read, wake_write = pipe()
    set_blocking(wake_read, False)
    set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    gc.freeze()  # objects from the imports stay shared with the children instead of being copied on write
    closing = (sock.fileno(), wake_read, wake_write)
    lines, fds, children = LineBuffer(), [], set()
    while True:
        ready_fds, _, _ = wait_for([sock, wake_read], [], [])
        if wake_read in ready_fds:
            while True:
                try:
                    if not read(wake_read, 4096):
                        break
                except BlockingIOError:
                    break
            _reap(sock, children)
        if sock in ready_fds:
            try:
                chunk = receive(sock, fds)
                messages = lines.feed(chunk) if chunk else None
            except (OSError, ValueError):
                messages = None
            if messages is None:
                _end(children)
                return
            for message in messages:
                given, fds[:] = fds[: message.get("fds", 0)], fds[message.get("fds", 0):]
                if message.get("op") == "spawn" and len(given) == 2:
                    try:
                        pid = spawn(message, given, closing)
                    except OSError as error:  # fork refused: too many processes, out of memory
                        send_message(sock, {"event": "spawn-failed", "error": str(error)})
                        continue
                    children.add(pid)
                    send_message(sock, {"event": "spawned", "pid": pid})
                else:
                    for fd in given:
                        close(fd)


def fork_child(fds, closing, run, forking=fork):
    """Fork a process that closes ``closing``, leaves the server's signal set-up and runs ``run()`` (which must not
    return); returns its pid. ``fds`` are handed over to it: this process closes its copies."""
    try:
        pid = forking()
    except OSError:
        for fd in fds:
            close(fd)
        raise
    if pid == 0:
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in closing:
                close(fd)
            run()
        finally:
            os._exit(70)
    try:
        setpgid(pid, pid)  # also done by the child: whichever runs first, the group exists before a kill
    except OSError:
        pass
    for fd in fds:
        close(fd)
    return pid


def _reap(sock, children):
    while True:
        try:
            pid, status = waitpid(-1, WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid not in children:
            continue  # an orphan this process adopted as subreaper: reaped, nobody asked about it
        children.discard(pid)
        event = {"event": "exit", "pid": pid}
        if WIFSIGNALED(status):
            event["signal"] = WTERMSIG(status)
        else:
            event["code"] = WEXITSTATUS(status)
        try:
            send_message(sock, event)
        except OSError:
            pass  # the worker is gone; the loop ends at its next read


def _end(children):
    """Kill every child's process group and reap every child (adopted ones too), so that their CPU time is counted
    where ours is."""
    for pid in children:
        try:
            killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    while True:
        try:
            waitpid(-1, 0)
        except ChildProcessError:
            return


def _numpy_info():
    import importlib.util

    if importlib.util.find_spec("numpy") is None:
        return {"available": False, "error": "No module named 'numpy'"}
    try:
        import numpy
    except Exception as error:  # a broken installation: say why, grading without NumPy still works
        return {"available": False, "error": f"{type(error).__name__}: {error}"}
    info = {"available": True, "version": numpy.__version__}
    blas = _blas_name()
    if blas:
        info["blas"] = blas
    return info


def _blas_name():
    """Which BLAS NumPy loaded, from the shared libraries mapped into this process (Linux only)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/" in line}
    except OSError:
        return None
    names = [os.path.basename(p) for p in paths]
    if any("mkl" in n for n in names):
        return "mkl"
    if any("openblas" in n for n in names):
        return "openblas"
    if any("blis" in n for n in names):
        return "blis"
    if any(n.startswith("libblas") for n in names):
        return "reference"  # Debian's unoptimised libblas3: about ten times slower than OpenBLAS
    return None


def _adopt_orphans():
    """Become the reaper of our descendants whose parent dies (Linux): a template is killed when its request ends,
    and the check processes it had not reaped yet are then reaped here, their CPU time counted in our tree, instead
    of by init."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: init reaps them


def serve(sock):
    """The zygote's life: each spawn forks a template (gradlab.sandbox.child.main)."""
    from gradlab.sandbox import child  # loaded once here so that each fork has it already
    import gradlab.runs  # noqa: F401  (every `run` check's script logs through it; standard library only)

    _adopt_orphans()

    def preload(names):
        for name in names:
            try:
                __import__(name)
            except Exception:
                pass  # the learner's own import of it will then fail with the real reason

    def spawn(message, fds, closing):
        preload(message.get("preload", []))
        control_fd, output_fd = fds
        return fork_child(fds, closing, lambda: child.main(message["config"], control_fd, output_fd))

    # A host that knows which heavy packages this worker's exercises need (gradlab grade) names them, so that they
    # are imported while it is busy elsewhere rather than when the first template is asked for; after "ready", so
    # that the worker's hello does not wait for them.
    early = [name for name in os.environ.get(PRELOAD_VARIABLE, "").split(",") if name]
    serve_forks(sock, {"event": "ready", "numpy": _numpy_info()}, spawn, after_ready=lambda: preload(early))


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))


# ---- the worker's side ----

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


class ZygoteError(RuntimeError):
    """The zygote (or a template) could not give us a learner process."""


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
    """The worker's side: starts the zygote, asks it for template processes, learns how they ended."""

    name = "zygote process"

    def __init__(self, log):
        self._log = log
        self._start()

    def _start(self):
        import subprocess  # here, not at the top: the zygote process itself never needs it

        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        runtime = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (runtime, env.get("PYTHONPATH")) if p)
        # the worker's own interpreter flags (-S, -I, -E ...) so that the zygote sees the same packages
        flags = subprocess._args_from_interpreter_flags()
        self._process = subprocess.Popen(
            [sys.executable, *flags, "-m", "gradlab.sandbox.zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env)
        theirs.close()
        self._connect(ours)
        self._numpy = None

    def numpy_info(self, cancel=None):
        """What importing NumPy in a clean process gave (waits for the zygote's start-up)."""
        self._wait(lambda: self._numpy is not None, time.monotonic() + READY_TIMEOUT_S, cancel, "start")
        return self._numpy

    def spawn(self, config, fds, preload, cancel):
        """A new process running gradlab.sandbox.child.main with ``config``; returns its pid."""
        for attempt in (1, 2):
            if not self._alive:
                self._log("warn", "the sandbox's zygote process had stopped; starting a new one")
                self.close()
                self._start()
            try:
                return self._request(config, fds, cancel, time.monotonic() + SPAWN_TIMEOUT_S, {"preload": preload})
            except OSError:
                self._alive = False
            except ZygoteError:
                if self._alive:
                    raise
        raise ZygoteError("the sandbox's zygote process stopped twice while starting a learner process")

    def close(self):
        try:
            self._sock.close()
        finally:
            try:
                self._process.wait(timeout=2)
            except Exception:
                self._process.kill()
                self._process.wait()

    def _event(self, event):
        if event.get("event") == "ready":
            self._numpy = event.get("numpy")

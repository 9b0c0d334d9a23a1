"""The zygote: a clean Python process that has imported NumPy (and, on request, PyTorch) and nothing of any
pack or submission, and forks one learner process per check. Forking it costs a few milliseconds, where a new
interpreter would pay start-up and the NumPy import (about 140 ms) on every check.

The worker starts it with ``python -m gradlab.sandbox.zygote <fd>`` and talks over a Unix stream socket in
newline-delimited JSON. A ``spawn`` request carries two descriptors (SCM_RIGHTS): the learner's end of its RPC
socket and the write end of its output pipe. The zygote answers ``{"event": "spawned", "pid"}``, reaps its
children and reports each ``{"event": "exit", "pid", "code" | "signal"}``; it sends ``{"event": "ready", "numpy"}``
once at start. It exits when the worker closes the socket.
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

MAX_FDS = 4


def send_message(sock, message, fds=()):
    data = json.dumps(message).encode("utf-8") + b"\n"
    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    sent = sock.sendmsg([data], ancillary)
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
    def __init__(self):
        self.data = b""

    def feed(self, chunk):
        self.data += chunk
        *lines, self.data = self.data.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]


# ---- the zygote process ----

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


def serve(sock):
    from gradlab.sandbox import child  # loaded once here so that each fork has it already

    send_message(sock, {"event": "ready", "numpy": _numpy_info()})
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    gc.freeze()  # objects from the imports stay shared with the children instead of being copied on write
    lines, fds, children = LineBuffer(), [], set()
    while True:
        ready, _, _ = select.select([sock, wake_read], [], [])
        if wake_read in ready:
            while True:
                try:
                    if not os.read(wake_read, 4096):
                        break
                except BlockingIOError:
                    break
            _reap(sock, children)
        if sock in ready:
            try:
                chunk = receive(sock, fds)
            except OSError:
                chunk = b""
            if not chunk:
                for pid in children:
                    _kill_group(pid)
                return
            for message in lines.feed(chunk):
                given, fds[:] = fds[: message.get("fds", 0)], fds[message.get("fds", 0):]
                if message.get("op") == "spawn":
                    try:
                        pid = _spawn(message, given, sock, wake_read, wake_write, child)
                    except OSError as error:  # fork refused: too many processes, out of memory
                        send_message(sock, {"event": "spawn-failed", "error": str(error)})
                        continue
                    children.add(pid)
                    send_message(sock, {"event": "spawned", "pid": pid})
                else:
                    for fd in given:
                        os.close(fd)


def _spawn(message, fds, sock, wake_read, wake_write, child):
    for name in message.get("preload", []):
        try:
            __import__(name)
        except Exception:
            pass  # the learner's own import of it will then fail with the real reason
    rpc_fd, output_fd = fds
    try:
        pid = os.fork()
    except OSError:
        os.close(rpc_fd)
        os.close(output_fd)
        raise
    if pid == 0:
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in (sock.fileno(), wake_read, wake_write):
                os.close(fd)
            child.main(message["config"], rpc_fd, output_fd)
        finally:
            os._exit(70)
    try:
        os.setpgid(pid, pid)  # also done by the child: whichever runs first, the group exists before a kill
    except OSError:
        pass
    os.close(rpc_fd)
    os.close(output_fd)
    return pid


def _reap(sock, children):
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)
        event = {"event": "exit", "pid": pid}
        if os.WIFSIGNALED(status):
            event["signal"] = os.WTERMSIG(status)
        else:
            event["code"] = os.WEXITSTATUS(status)
        send_message(sock, event)


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))


# ---- the worker's handle on it ----

# one BLAS/OpenMP thread per learner process: grading problems are small and the machine is shared
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
READY_TIMEOUT_S = 60
SPAWN_TIMEOUT_S = 120  # the first spawn that preloads PyTorch pays its import


class ZygoteError(RuntimeError):
    """The zygote could not give us a learner process."""


class Zygote:
    """The worker's side: starts the zygote, asks it for processes, learns how they ended. Not thread-safe: only
    the worker's request thread uses it."""

    def __init__(self, log):
        self._log = log
        self._start()

    def _start(self):
        import subprocess  # here, not at the top: the zygote process itself never needs it

        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        runtime = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (runtime, env.get("PYTHONPATH")) if p)
        for name in THREAD_VARIABLES:
            env.setdefault(name, "1")
        # the worker's own interpreter flags (-S, -I, -E ...) so that the zygote sees the same packages
        flags = subprocess._args_from_interpreter_flags()
        self._process = subprocess.Popen(
            [sys.executable, *flags, "-m", "gradlab.sandbox.zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env)
        theirs.close()
        self._sock = ours
        self._lines = LineBuffer()
        self._numpy = None
        self._spawned = []
        self._exits = {}
        self._forgotten = set()
        self._alive = True

    def numpy_info(self, cancel=None):
        """What importing NumPy in a clean process gave (waits for the zygote's start-up)."""
        self._wait(lambda: self._numpy is not None, READY_TIMEOUT_S, cancel, "start")
        return self._numpy

    def spawn(self, config, fds, preload, cancel):
        """A new learner process running gradlab.sandbox.child with ``config``; returns its pid."""
        for attempt in (1, 2):
            if not self._alive:
                self._log("warn", "the sandbox's zygote process had stopped; starting a new one")
                self.close()
                self._start()
            try:
                send_message(self._sock, {"op": "spawn", "config": config, "preload": preload, "fds": len(fds)},
                             fds)
                self._wait(lambda: self._spawned, SPAWN_TIMEOUT_S, cancel, "start a learner process")
            except OSError:
                self._alive = False
            except ZygoteError:
                if self._alive:
                    raise
            else:
                outcome = self._spawned.pop(0)
                if isinstance(outcome, str):
                    raise ZygoteError(f"the sandbox could not start a learner process: {outcome}")
                return outcome
        raise ZygoteError("the sandbox's zygote process stopped twice while starting a learner process")

    def exit_status(self, pid, timeout):
        """``{"code": n}`` or ``{"signal": n}`` once the process has ended, or None if it has not within timeout."""
        try:
            self._wait(lambda: pid in self._exits, timeout, None, "report")
        except ZygoteError:
            return None
        return self._exits.pop(pid)

    def forget(self, pid):
        """We no longer care how ``pid`` ends."""
        if self._exits.pop(pid, None) is None:
            self._forgotten.add(pid)

    def close(self):
        try:
            self._sock.close()
        finally:
            try:
                self._process.wait(timeout=2)
            except Exception:
                self._process.kill()
                self._process.wait()

    def _wait(self, done, timeout, cancel, doing):
        deadline = time.monotonic() + timeout
        while not done():
            if not self._alive:
                raise ZygoteError(f"the sandbox's zygote process stopped before it could {doing}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise ZygoteError(f"the sandbox's zygote process did not {doing} within {timeout} s")
            watched = [self._sock] + ([cancel] if cancel is not None else [])
            ready, _, _ = select.select(watched, [], [], left)
            if cancel is not None and cancel in ready:
                cancel.raise_if_set()
            if self._sock in ready:
                self._read_events()

    def _read_events(self):
        received = []
        chunk = receive(self._sock, received)
        for fd in received:
            os.close(fd)
        if not chunk:
            self._alive = False
            return
        for event in self._lines.feed(chunk):
            kind = event.get("event")
            if kind == "ready":
                self._numpy = event["numpy"]
            elif kind == "spawned":
                self._spawned.append(event["pid"])
            elif kind == "spawn-failed":
                self._spawned.append(str(event.get("error")))
            elif kind == "exit":
                pid = event.pop("pid")
                if pid in self._forgotten:
                    self._forgotten.discard(pid)
                else:
                    event.pop("event")
                    self._exits[pid] = event

"""The spawn sandbox (gradlab.sandbox.choice): learner processes that are new interpreters, not forks, so it runs
where fork does not (Windows) or is not safe after NumPy (macOS).

A process costs an interpreter's start and the NumPy import (about 110 ms of CPU here), so ``SpawnSandbox`` keeps a
small pool of them started ahead (gradlab.sandbox.spawned), one pool per set of heavy packages (NumPy alone; NumPy
and PyTorch for an exercise that requires it), refilled by a thread in the background while checks run. Each check
takes one process of its own, which loads the exercise's files itself and is killed at the check's end: one process
per check and not per request, because a check must start from the freshly loaded files whatever an earlier check
did in its process (as under fork: monkeypatching, exiting, running out of memory), and loading a few small files
costs milliseconds where the interpreter is what costs.

The guarantees are the fork sandbox's: verdicts are computed in the worker; the wall-time limit, the output bound and
the cancel come from gradlab.sandbox.process in the worker; limits and the audit hook are set in the process before
any learner code runs (gradlab.sandbox.learner); on Linux every process runs inside bubblewrap when the worker
isolates (gradlab.sandbox.isolation: its own PID namespace, the exchange folder the only writable one); and a check's
whole process tree is killed at its end (gradlab.system.kill_tree).
"""

import collections
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from gradlab import rpc, system
from gradlab.protocol import PRELOAD_VARIABLE
from gradlab.sandbox import isolation, messages
from gradlab.sandbox.config import ZygoteError, learner_config

LAUNCHER = os.path.join(isolation.RUNTIME, "launch.py")
POOL_SIZE = 3  # processes kept ready per set of packages at first: an exercise's first checks find them started
TRUSTED_POOL_SIZE = 2  # the pack's code: the given code's process and a reference, per request
HEAVY_POOL_SIZE = 1  # PyTorch costs seconds and hundreds of MiB per process
# A check that had to wait for a process grows its pool by one, up to these (about 30 MiB each with NumPy, a few
# hundred with PyTorch), so that a request's checks find their processes started the next time
MAX_POOL_SIZE = 10
MAX_HEAVY_POOL_SIZE = 2
READY_TIMEOUT_S = 120  # a first PyTorch import on a cold disk
HAND_OVER_TIMEOUT_S = 10
RETRY_AFTER_S = 1.0  # after a process failed to start, before the next try
ATTEMPTS = 3


class Prestarted:
    """One pre-started process: the Popen, our end of its channel, the read end of its output pipe."""

    def __init__(self, process, channel, output_fd):
        self.process = process
        self.pid = process.pid
        self.channel = channel
        self.output_fd = output_fd
        self.started = time.monotonic()

    def discard(self):
        """Kill it and close our ends (a process that was never handed to a check)."""
        system.kill_tree(self.pid)
        self.process.wait()
        self.channel.close()
        os.close(self.output_fd)


class SpawnSandbox:
    """The worker's side: the pool, the processes handed out to checks, and their ends.

    ``isolated``: each process runs in a bubblewrap sandbox whose one writable folder, ``exchange``, is where every
    workdir must be made. ``trusted``: its processes only run the pack's code, and no other process may trace them."""

    kind = "spawn"

    def __init__(self, log, isolated=False, trusted=False):
        self._log = log
        self.isolated = isolated
        self.trusted = trusted
        self.exchange = tempfile.mkdtemp(prefix="gradlab-sandbox-") if isolated else None
        self._cond = threading.Condition()
        self._wanted = {(): TRUSTED_POOL_SIZE if trusted else POOL_SIZE}
        early = tuple(sorted(name for name in os.environ.get(PRELOAD_VARIABLE, "").split(",") if name))
        if early and not trusted:
            self._wanted[early] = HEAVY_POOL_SIZE  # gradlab grade names them: started while the worker says hello
        self._idle = collections.defaultdict(collections.deque)
        self._starting = collections.Counter()
        self._failed = {}  # packages -> (why the last start failed, when)
        self._live = {}  # pid -> Prestarted, handed out to a check and not yet forgotten
        self._dying = []  # killed, not yet reaped
        self._numpy = None
        self._closed = False
        self._wake_read, self._wake_write = socket.socketpair()  # select works on sockets everywhere
        self._thread = threading.Thread(target=self._refill, name="gradlab-spawn-pool", daemon=True)
        self._thread.start()

    # ---- what the grader asks (the same as gradlab.sandbox.zygote_client.Zygote) ----

    def numpy_info(self, cancel=None):
        """What importing NumPy in a clean process gave (waits for the first process of the pool)."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        with self._cond:
            while self._numpy is None:
                self._wait(deadline, cancel, (), "start")
            return self._numpy

    def template(self, workdir, **options):
        """What a check's process loads (``workdir``'s files); processes are taken from the pool as checks ask."""
        return SpawnTemplate(self, workdir, **options)

    def sweep(self):
        """Kill every process handed out to a check (at the end of a request, before another student's files come);
        the pool's, which have run nothing, stay."""
        with self._cond:
            handed, self._live = list(self._live.values()), {}
        for started in handed:
            self._end(started)
        self._reap()
        return True

    def close(self):
        with self._cond:
            self._closed = True
            pools = [started for queue in self._idle.values() for started in queue]
            self._idle.clear()
        self._wake()
        self._thread.join(timeout=HAND_OVER_TIMEOUT_S)
        for started in pools:
            started.discard()
        self.sweep()
        self._wake_read.close()
        self._wake_write.close()
        if self.exchange:
            shutil.rmtree(self.exchange, ignore_errors=True)

    # ---- a check's process ----

    def take(self, packages, cancel, deadline):
        """A started process that imported ``packages`` (a sorted tuple; NumPy always), now handed to a check."""
        with self._cond:
            if packages not in self._wanted:
                self._wanted[packages] = HEAVY_POOL_SIZE
                self._wake()
            if not self._idle[packages]:
                limit = MAX_HEAVY_POOL_SIZE if packages else MAX_POOL_SIZE
                self._wanted[packages] = min(limit, self._wanted[packages] + 1)
                self._wake()
            while True:
                queue = self._idle[packages]
                while queue:
                    started = queue.popleft()
                    self._wake()  # one fewer ready: start another
                    if started.process.poll() is None:
                        self._live[started.pid] = started
                        return started
                    self._log("warn", f"a pre-started process of the sandbox had ended before it was used "
                                      f"({_ended(started.process.returncode)}); using another")
                    started.discard()
                self._wait(deadline, cancel, packages, "start a learner process")

    def hand_over(self, started, message):
        """Send the check's configuration; False when the process is gone before it could accept it (it is then
        discarded, and the check takes another)."""
        try:
            if system.JOBS is not None:
                system.JOBS.limit_memory(started.pid, int(message["template"]["limits"]["memoryMb"]) << 20)
            started.channel.setblocking(True)
            rpc.write_blocking(started.channel.fileno(), message, _send_to(started.channel))
            ready, _, _ = select.select([started.channel], [], [], HAND_OVER_TIMEOUT_S)
            reply = rpc.read_blocking(started.channel.fileno(), _receive_from(started.channel)) if ready else None
        except (OSError, rpc.FrameError):
            reply = None
        if reply == {"accepted": True}:
            return True
        with self._cond:
            self._live.pop(started.pid, None)
        started.discard()
        return False

    def kill(self, pid):
        """Kill a check's process and everything below it."""
        with self._cond:
            started = self._live.get(pid)
        if started is not None:
            system.kill_tree(started.pid)

    def exit_status(self, pid, timeout):
        """``{"code": n}`` or ``{"signal": n}`` once a check's process has ended, or None if it has not in time."""
        with self._cond:
            started = self._live.get(pid)
        if started is None:
            return None
        try:
            code = started.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        if code < 0:
            return {"signal": -code}
        if self.isolated and code > 128:
            return {"signal": code - 128}  # bubblewrap exits with 128 + the signal that ended its child
        return {"code": code}

    def forget(self, pid):
        """The check is over: its process (killed by then) is reaped here or at the next sweep."""
        with self._cond:
            started = self._live.pop(pid, None)
            if started is not None:
                self._dying.append(started)
        self._reap()

    def _end(self, started):
        system.kill_tree(started.pid)
        with self._cond:
            self._dying.append(started)

    def _reap(self):
        with self._cond:
            self._dying = [started for started in self._dying if started.process.poll() is None]

    # ---- the pool ----

    def _wait(self, deadline, cancel, packages, doing):
        """Wait (holding the condition) for the pool to change; ZygoteError when it cannot start ``packages``' processes
        or the deadline passes."""
        if packages in self._failed and not self._idle[packages] and not self._starting[packages]:
            raise ZygoteError(f"the sandbox could not {doing}: {self._failed[packages][0]}")
        left = deadline - time.monotonic()
        if left <= 0:
            raise ZygoteError(f"the sandbox's pool of processes did not {doing} in time")
        self._cond.wait(min(left, 0.05))  # short: the cancel is a pipe the condition cannot wait on
        if cancel is not None:
            cancel.raise_if_set()

    def _wake(self):
        try:
            self._wake_write.send(b"x")
        except OSError:
            pass  # closed: the thread is ending anyway

    def _shortfall(self):
        """Packages of a pool that holds fewer processes (ready or starting) than it should, and has not failed in
        the last RETRY_AFTER_S."""
        now = time.monotonic()
        return [packages for packages, size in self._wanted.items() for _ in
                range(size - len(self._idle[packages]) - self._starting[packages])
                if now - self._failed.get(packages, ("", 0.0))[1] >= RETRY_AFTER_S]

    def _refill(self):
        """The pool's thread: start what is missing, wait for each to say it is idle, add it to the pool."""
        pending = {}  # channel -> (Prestarted, packages)
        while True:
            with self._cond:
                if self._closed:
                    break
                wanted = self._shortfall()
                self._starting.update(wanted)
            for packages in wanted:
                try:
                    started = self._launch(packages)
                except (OSError, isolation.Unavailable) as error:
                    self._failure(packages, f"{type(error).__name__}: {error}")
                    continue
                pending[started.channel] = (started, packages)
            ready, _, _ = select.select([self._wake_read, *pending], [], [], RETRY_AFTER_S)
            if self._wake_read in ready:
                self._wake_read.recv(4096)
            now = time.monotonic()
            for channel in list(pending):
                started, packages = pending[channel]
                if channel in ready:
                    del pending[channel]
                    self._arrived(started, packages)
                elif now - started.started > READY_TIMEOUT_S:
                    del pending[channel]
                    started.discard()
                    self._failure(packages, f"a new Python process did not start within {READY_TIMEOUT_S} s")
        for started, _packages in pending.values():
            started.discard()

    def _arrived(self, started, packages):
        try:
            started.channel.setblocking(True)
            hello = rpc.read_blocking(started.channel.fileno(), _receive_from(started.channel))
        except (OSError, rpc.FrameError):
            hello = None
        if not isinstance(hello, dict) or not isinstance(hello.get("idle"), dict):
            code = started.process.poll()
            started.discard()
            self._failure(packages, "a new Python process ended while it started"
                                    + (f" ({_ended(code)}); see the worker's log" if code is not None else ""))
            return
        with self._cond:
            self._starting[packages] -= 1
            self._failed.pop(packages, None)
            if self._closed:
                started.discard()
                return
            if self._numpy is None:
                self._numpy = hello["idle"].get("numpy") or {"available": False, "error": "not reported"}
            self._idle[packages].append(started)
            self._cond.notify_all()

    def _failure(self, packages, why):
        self._log("error", f"the spawn sandbox could not start a learner process: {why}")
        with self._cond:
            self._starting[packages] -= 1
            self._failed[packages] = (why, time.monotonic())
            self._cond.notify_all()

    def _launch(self, packages):
        """Start one process (gradlab.sandbox.spawned), inside bubblewrap when isolated."""
        ours, theirs = socket.socketpair()
        output_read, output_write = os.pipe()
        program = [sys.executable, *subprocess._args_from_interpreter_flags(), LAUNCHER, "gradlab.sandbox.spawned",
                   str(theirs.fileno()), str(output_write), "0" if self.isolated else str(os.getpid())]
        if self.trusted:
            program.append("--trusted")
        if packages:
            program += ["--preload", ",".join(packages)]
        if self.isolated:
            program = isolation.command(program, self.exchange)

        def popen(creationflags=0):
            return subprocess.Popen(program, pass_fds=[theirs.fileno(), output_write], stdin=subprocess.DEVNULL,
                                    cwd=self.exchange or tempfile.gettempdir(), creationflags=creationflags)

        try:
            # on Windows in a Job Object of its own (no second process, killed with the worker); elsewhere the
            # process sets its own limits (gradlab.sandbox.learner)
            process = popen() if system.JOBS is None else system.JOBS.start(popen)
        except BaseException:
            ours.close()
            os.close(output_read)
            raise
        finally:
            theirs.close()
            os.close(output_write)
        os.set_blocking(output_read, False)
        return Prestarted(process, ours, output_read)


class SpawnTemplate:
    """What the grader sees of an exercise's files under the spawn sandbox (gradlab.sandbox.template's Template
    under fork): each check's process loads them itself, so there is nothing to start or keep."""

    def __init__(self, sandbox, workdir, *, limits, seed, numpy, preload=(), private=(), overlay=None, log=None):
        self.zygote = sandbox
        self.workdir = workdir
        self.limits = limits
        self._config = learner_config(workdir, limits, seed, numpy, private, overlay)
        self._packages = tuple(sorted(set(preload)))
        self._log = log or (lambda level, message: None)
        self.output = bytearray()  # the files load in each check's process, which prints into its own output
        self.output_dropped = 0

    def load(self, cancel, default_file):
        """The LearnerError of files the submission lacks; loading itself happens in each check's process."""
        if self.workdir.missing:
            return messages.missing_files(self.workdir.missing, self.workdir.source)
        return None

    def start_copy(self, config, cancel, deadline):
        """A process of the pool, given the check of ``config`` (its workdir, files, seed, kinks), as (our end of its
        channel, the read end of its output, its pid). A process that died while it waited is replaced."""
        for _attempt in range(ATTEMPTS):
            started = self.zygote.take(self._packages, cancel, deadline)
            message = {"template": dict(self._config, workdir=config["workdir"], files=config["files"]),
                       "check": config}
            if self.zygote.hand_over(started, message):
                return started.channel, started.output_fd, started.pid
            self._log("warn", "a pre-started process of the sandbox stopped before it took its check; using another")
        raise ZygoteError(f"the sandbox's pre-started processes stopped before they could take the check, "
                          f"{ATTEMPTS} times in a row; see the worker's log")

    def kill_copy(self, pid):
        self.zygote.kill(pid)

    def exit_status(self, pid, timeout):
        return self.zygote.exit_status(pid, timeout)

    def forget(self, pid):
        self.zygote.forget(pid)

    def usable(self):
        return True

    def close(self):
        self.workdir.remove()


def _ended(code):
    return f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"


def _send_to(channel):
    return lambda _fd, data: channel.send(data)


def _receive_from(channel):
    return lambda _fd, count: channel.recv(count)

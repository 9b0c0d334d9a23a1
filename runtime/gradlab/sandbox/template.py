"""The worker's side of a template: a learner process, forked from the zygote, that has loaded one folder of an
exercise's files and forks a copy of itself for each check (gradlab.sandbox.learner).

The files are loaded, and their top-level code run, once per request instead of once per check; each check still
gets a process of its own that starts from the freshly loaded state, so nothing one check does in its process
(monkeypatching, changing globals, exiting, running out of memory) reaches the next. The template has run learner
code, so what it reports is checked: it must name its own children, and a load that does not finish within the
time limit is stopped like a check.
"""

import os
import time

from gradlab.sandbox import messages
from gradlab.sandbox.config import learner_config
from gradlab.sandbox.zygote_client import Forker, ZygoteError, spawn_connected

EXIT_STATUS_WAIT_S = 1.0


class Template(Forker):
    name = "template process"

    def __init__(self, zygote, workdir, *, limits, seed, numpy, preload=(), private=(), overlay=None, log=None):
        """``private``: (folder, words) pairs the learner's processes may not read (gradlab.sandbox.audit);
        ``overlay``: {module name: [[first line, source], ...]}, the pack's given code to run into each loaded
        module (gradlab.given)."""
        self.zygote = zygote
        self.workdir = workdir
        self.limits = limits
        self._config = learner_config(workdir, limits, seed, numpy, private, overlay)
        self._preload = list(preload)
        self._log = log or (lambda level, message: None)
        self._pid = None
        self._sock = None
        self._output_fd = None
        self._loaded = None  # the template's report on loading the files
        self._failure = None  # why they did not load (LearnerError), or the child's fields for one
        self.output = bytearray()  # what loading the files printed, bounded by the output limit
        self.output_dropped = 0

    # ---- loading ----

    def load(self, cancel, default_file):
        """Start the template on first use; the LearnerError of loading the files (None when they loaded)."""
        if self._pid is None and self._failure is None:
            self._start(cancel)
        failure = self._failure
        if isinstance(failure, dict):
            return messages.from_child(failure, default_file=default_file, limits=self.limits)
        return failure

    def _start(self, cancel):
        if self.workdir.missing:
            self._failure = messages.missing_files(self.workdir.missing, self.workdir.source)
            return
        ours, output_read, self._pid = spawn_connected(
            lambda fds: self.zygote.spawn(self._config, fds, self._preload, cancel))
        self._connect(ours)
        os.set_blocking(output_read, False)
        self._output_fd = output_read
        self._loaded = None
        self.output, self.output_dropped = bytearray(), 0
        try:
            self._wait(lambda: self._loaded is not None, time.monotonic() + float(self.limits["timeoutS"]), cancel,
                       "load the exercise's files")
        except ZygoteError:
            if self._alive:
                self._failure = messages.timeout(self.limits)
            else:
                self._failure = messages.ended(self.zygote.exit_status(self._pid, EXIT_STATUS_WAIT_S), self.limits)
        except BaseException:
            self._stop()
            raise
        else:
            if isinstance(self._loaded.get("error"), dict):
                self._failure = self._loaded["error"]
            elif self._loaded.get("ready") is not True:
                self._failure = messages.broken_channel("a report on loading the files of unknown form")
        finally:
            self._read_output()  # the template wrote what loading printed before it reported
            os.close(self._output_fd)
            self._output_fd = None
        if self._failure is not None:
            self._kill()

    def _watched(self):
        return [self._output_fd] if self._output_fd is not None else []

    def _ready(self, ready):
        if self._output_fd is not None and self._output_fd in ready:
            self._read_output()

    def _read_output(self):
        limit = int(self.limits["outputKb"]) * 1024
        while True:
            try:
                chunk = os.read(self._output_fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                return
            room = max(0, limit - len(self.output))
            self.output += chunk[:room]
            self.output_dropped += len(chunk) - min(room, len(chunk))

    def _event(self, event):
        if event.get("event") == "ready" and isinstance(event.get("load"), dict):
            self._loaded = event["load"]

    # ---- copies ----

    def start_copy(self, config, cancel, deadline):
        """A copy of the template for one check (``config``: its workdir, files and seed), as (our end of its
        channel, the read end of its output, its pid)."""
        return spawn_connected(lambda fds: self.spawn(config, fds, cancel, deadline))

    def spawn(self, config, fds, cancel, deadline):
        """A copy of the template for one check given its channel and output ``fds``; returns its pid. A
        template that stopped since (a check's process may have killed it) is replaced once."""
        for attempt in (1, 2):
            if not self._alive:
                self._log("warn", "a template process had stopped; loading the exercise's files in a new one")
                self._stop()
                self._start(cancel)
                if self._failure is not None:
                    raise ZygoteError("the exercise's files no longer load in a new template process")
            try:
                return self._request(config, fds, cancel, deadline)
            except OSError:
                self._alive = False
            except ZygoteError:
                if self._alive:
                    raise
        raise ZygoteError("the sandbox's template process stopped twice while starting a learner process")

    def usable(self):
        """False once it has stopped, or its files could not be loaded: start another."""
        return self._failure is None and (self._pid is None or self._alive)

    def _accept(self, pid):
        return self.zygote.verify(pid, self._pid)

    def kill_copy(self, pid):
        """End a check's process and everything it started (the zygote does: the pid is its namespace's)."""
        if self._pid is not None:
            self.zygote.kill(pid, self._pid)

    # ---- the end ----

    def _kill(self):
        if self._pid is not None:
            self.zygote.kill(self._pid, self._pid)

    def _stop(self):
        """Kill the template; the zygote reaps it, and any copy it had not reaped yet."""
        if self._pid is not None:
            self._kill()
            self.zygote.forget(self._pid)
            self._sock.close()
            self._pid = None

    def close(self):
        """Kill the template (its copies are the checks' to kill) and remove its folder."""
        self._stop()
        self.workdir.remove()

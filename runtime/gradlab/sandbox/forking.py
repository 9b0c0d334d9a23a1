"""The forking primitives shared by every process that forks on request (the zygote, a template) and by the worker
that asks them: newline-delimited JSON over a Unix stream socket, descriptors passed with SCM_RIGHTS, and the loop
that forks, reaps and reports.

A ``spawn`` request carries two descriptors: the child's end of its channel and the write end of its output pipe.
The forking process answers ``{"event": "spawned", "pid"}`` (or ``{"event": "spawn-failed", "error"}``), reaps its
children and reports each ``{"event": "exit", "pid", "code" | "signal"}``. It ends when its peer closes the socket.
"""

import array
import gc
import json
import os
import signal
import socket
# Bound at import: a template runs this loop after learner code was loaded into it, and a learner who replaces
# these functions should not break how the template answers the worker.
from os import WEXITSTATUS, WIFSIGNALED, WNOHANG, WTERMSIG, close, fork, pipe, read, set_blocking, waitpid
from select import select as wait_for

from gradlab import rpc
from gradlab.system import kill_group, put_in_own_group

MAX_FDS = 4
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

def serve_forks(sock, ready, spawn, after_ready=None, control=None):
    """Send ``ready`` (then call ``after_ready``); then, until the worker closes ``sock``, answer each ``spawn``
    request with the pid of the process ``spawn(message, fds, closing)`` forked (``closing``: descriptors the new
    process must close), hand every other request to ``control(message, children)``, reap the children and report
    how each ended. At the end, every child's process group is killed and reaped."""
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
                    if control is not None:
                        reply = control(message, children)
                        if reply is not None:
                            send_message(sock, reply)


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
            os._exit(rpc.SANDBOX_BROKEN)
    put_in_own_group(pid)
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
        kill_group(pid)
    while True:
        try:
            waitpid(-1, 0)
        except ChildProcessError:
            return

"""The audit hook installed in the learner's process before any learner code runs (PEP 578).

It refuses what grading never needs: starting programs or processes, signalling other processes, network
connections, touching the exercise pack or the reference solution (where hidden tests and answers live) or any
folder the host keeps private (other students' files and the gradebook in `gradlab grade`), and writing, renaming
or deleting anything outside the check's own working folder. This is defence in depth, not a
security boundary: the verdict is computed in the grader from plain values, whatever the learner's process does.
"""

import contextlib
import os
import sys


class ForbiddenAction(PermissionError):
    """Raised inside the learner's process for an action grading does not allow."""

    def __init__(self, event, words):
        super().__init__(f"not allowed while grading: {words}")
        self.event = event
        self.words = words


PROCESS_EVENTS = {
    "subprocess.Popen": "start another program",
    "os.system": "start another program",
    "os.exec": "start another program",
    "os.posix_spawn": "start another program",
    "os.spawn": "start another program",
    "os.startfile": "start another program",
    "os.fork": "create a new process",
    "os.forkpty": "create a new process",
    "os.kill": "send a signal to a process",
    "os.killpg": "send a signal to a process",
    "socket.connect": "open a network connection",
    "socket.bind": "open a network connection",
    "socket.sendto": "send data over the network",
    "socket.sendmsg": "send data over the network",
}

# event -> (positions of the paths it changes, positions of the paths it only reads)
PATH_EVENTS = {
    "os.remove": ((0,), ()), "os.rmdir": ((0,), ()), "os.truncate": ((0,), ()), "os.chmod": ((0,), ()),
    "os.chown": ((0,), ()), "os.mkdir": ((0,), ()), "os.utime": ((0,), ()), "shutil.rmtree": ((0,), ()),
    "os.rename": ((0, 1), ()), "shutil.move": ((0, 1), ()), "os.link": ((0, 1), ()),
    "os.symlink": ((1,), (0,)), "shutil.copyfile": ((1,), (0,)),
    "os.listdir": ((), (0,)), "os.scandir": ((), (0,)),
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
WRITABLE_DEVICES = ("/dev/null",)
# Windows' and macOS's usual file systems ignore case, and realpath does not fix it on macOS (nor on Windows for
# a path that does not exist yet): there a folder PACK is the private folder pack, so paths compare case-folded.
IGNORES_CASE = sys.platform in ("win32", "darwin")


class Policy:
    """What install() returns: the grader's own levers on the hook (learner code could reach them too, which is
    why this is defence in depth)."""

    def __init__(self, own, busy, fold):
        self._own = own
        self._busy = busy
        self._fold = fold

    def confine(self, workdir):
        """From now on, ``workdir`` is the only folder this process may change (a check's copy of a template)."""
        self._own[0] = self._fold(os.path.realpath(workdir))

    @contextlib.contextmanager
    def suspended(self):
        """The hook lets everything through inside this block: a template forks its check copies here."""
        self._busy.append(True)
        try:
            yield
        finally:
            self._busy.pop()


def install(workdir, private, ignore_case=IGNORES_CASE):
    """Refuse the actions above. ``private`` holds (folder, words) pairs: folders that may not even be read (the pack,
    the reference solution, the folders the host names), and how a refusal describes them."""
    realpath, join, getcwd, fsdecode = os.path.realpath, os.path.join, os.getcwd, os.fsdecode
    sep = os.sep
    fold = str.casefold if ignore_case else str
    home = fold(realpath(workdir))  # where the template loaded the files from
    own = [home]  # the one folder this process may change
    private = tuple((fold(realpath(folder)), words) for folder, words in private if folder)
    busy = []  # re-entrancy guard: resolving a path must not audit itself

    def resolve(path):
        if isinstance(path, int) or path is None:
            return None
        try:
            return realpath(join(getcwd(), fsdecode(path)))
        except (TypeError, ValueError, OSError):
            return None

    def within(path, root):
        path = fold(path)
        return path == root or path.startswith(root + sep)

    def check_private(path):
        if within(path, own[0]) or within(path, home):
            return  # the process's own files, even where a private folder holds the temporary folder
        for root, words in private:
            if within(path, root):
                raise ForbiddenAction("open", f"open {path}, {words}")

    def check_writable(event, path):
        if path is not None and not within(path, own[0]) and path not in WRITABLE_DEVICES:
            raise ForbiddenAction(event, f"change {path}, outside the check's own working folder")

    def hook(event, args):
        if busy:
            return
        words = PROCESS_EVENTS.get(event)
        if words is not None:
            raise ForbiddenAction(event, words)
        if event == "open":
            busy.append(True)
            try:
                path = resolve(args[0])
                if path is None:
                    return
                mode, flags = args[1], args[2]
                writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                    (isinstance(flags, int) and flags & WRITE_FLAGS)
                if writes:  # a change is refused as a change first, wherever it points
                    check_writable(event, path)
                check_private(path)
            finally:
                busy.pop()
        elif event in PATH_EVENTS:
            changed, read = PATH_EVENTS[event]
            busy.append(True)
            try:
                for position in changed + read:
                    path = resolve(args[position]) if position < len(args) else None
                    if path is None:
                        continue
                    if position in changed:
                        check_writable(event, path)
                    check_private(path)
            finally:
                busy.pop()

    sys.addaudithook(hook)
    return Policy(own, busy, fold)

"""The POSIX implementation of gradlab.system: Linux's extras where the kernel has them (``prctl``, ``/proc``) and
a quiet fallback where it does not (macOS).

The calls are bound at import: a template process runs learner code, and a learner who replaces ``os.killpg`` or
``ctypes`` afterwards should not change how the grader's side of that process behaves.
"""

import ctypes
import os
import resource
import signal

from os import getpgid, getppid, kill, killpg, setpgid

__all__ = ["FORK_AVAILABLE", "CPU_LIMIT_SIGNAL", "JOBS", "lead_own_group", "put_in_own_group", "kill_group",
           "die_with_parent", "adopt_orphans", "forbid_tracing", "parent_of", "children_of", "descendants", "kill_tree",
           "is_child_of", "ignore_oversized_writes", "open_file_limit", "cpu_seconds_used", "address_space_bytes",
           "limit_resources", "mapped_libraries", "nvidia_device_present", "cpu_model"]
FORK_AVAILABLE = hasattr(os, "fork") and hasattr(os, "setpgid")
JOBS = None  # Windows' Job Objects (gradlab.system.windows); limits here are set inside the process itself
PR_SET_PDEATHSIG = 1  # prctl(2)
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
try:
    _prctl = ctypes.CDLL(None).prctl  # Linux only
except (OSError, AttributeError):
    _prctl = None


# ---- process groups and lifetimes ----

def lead_own_group():
    """Make this process the leader of a new process group (the grader kills a whole group at once)."""
    setpgid(0, 0)


def put_in_own_group(pid):
    """The parent's half of lead_own_group(): whichever of the two runs first, the group exists before a kill."""
    try:
        setpgid(pid, pid)
    except OSError:
        pass  # it has already done so itself, or already ended


def kill_group(pid):
    """SIGKILL the process group led by ``pid``; nothing when it is gone."""
    try:
        killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def die_with_parent(parent, exit_code):
    """End this process when ``parent`` ends (Linux's parent-death signal); exits with ``exit_code`` at once if it
    has already ended. Elsewhere a process stops at its CPU limit, or when the grader kills it."""
    if _prctl is None:
        return
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if getppid() != parent:
        os._exit(exit_code)


def adopt_orphans():
    """Become the reaper of our descendants whose parent dies (Linux), so that they are reaped, and their CPU time
    counted, in our tree instead of by init. Elsewhere init reaps them."""
    if _prctl is not None:
        _prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def forbid_tracing():
    """No other process of the same user may trace this one or read its memory, environment or descriptors
    through /proc (Linux: not dumpable; inherited by its forks). The worker and the trusted zygote hold what
    verdicts rest on."""
    if _prctl is not None:
        _prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _stat_fields(pid):
    """The fields of /proc/<pid>/stat after the command name; None when there is no such process; OSError when
    /proc is there but unreadable."""
    with open(f"/proc/{pid}/stat", "rb") as file:
        stat = file.read()
    return stat[stat.rindex(b")") + 2:].split()


def parent_of(pid):
    """The parent of ``pid`` (Linux's /proc), or None when it is gone or the system does not tell."""
    try:
        return int(_stat_fields(pid)[1])
    except (OSError, ValueError, IndexError):
        return None


def children_of(pid):
    """The processes ``pid`` forked that are still there (Linux's /proc/<pid>/task/*/children); None where the
    system does not tell."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found += [int(child) for child in listing.read().split()]
    except FileNotFoundError:
        return [] if os.path.isdir("/proc/self/task") else None
    except OSError:
        return None
    return found


def descendants(root):
    """Every process below ``root`` (children, their children, ...); None where the system does not tell (macOS)."""
    found, stack = set(), [root]
    while stack:
        children = children_of(stack.pop())
        if children is None:
            return None
        for child in children:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def kill_tree(root, include_root=True):
    """SIGKILL ``root`` (unless ``include_root`` is false) and every process below it, including those that left
    its process group or session (setsid): the tree is frozen with SIGSTOP until a reading of /proc finds no new
    member, so that nothing forks its way out between reading and killing, then killed. Where /proc is missing only
    ``root``'s process group can be reached."""
    if include_root:
        _signal(root, signal.SIGSTOP)
    frozen = set()
    while True:
        found = descendants(root)
        if found is None:
            if include_root:
                kill_group(root)
            return
        found -= frozen
        if not found:
            break
        for pid in found:
            _signal(pid, signal.SIGSTOP)
        frozen |= found
    if include_root:
        _signal(root, signal.SIGKILL)
    for pid in frozen:
        _signal(pid, signal.SIGKILL)


def _signal(pid, number):
    try:
        kill(pid, number)
    except OSError:
        pass


def is_child_of(pid, parent):
    """Whether ``pid`` may be taken for a process ``parent`` forked: on Linux its parent says so (or it has already
    ended, and there is nothing to kill); elsewhere, it leads its own process group as every copy does."""
    if pid <= 1:
        return False
    try:
        return int(_stat_fields(pid)[1]) == parent
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):
            return True
        try:
            return getpgid(pid) == pid
        except ProcessLookupError:
            return True
    except OSError:
        return False


# ---- resources ----

def ignore_oversized_writes():
    """A write past the file-size limit fails with EFBIG instead of killing the process (SIGXFSZ)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def open_file_limit():
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cpu_seconds_used():
    """CPU seconds (user and system) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def address_space_bytes():
    """Bytes of address space this process uses now (the NumPy it inherited included)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def limit_resources(cpu_seconds, memory_bytes, file_bytes):
    """No core dumps; ``cpu_seconds`` of CPU (SIGXCPU, then SIGKILL a second later for a process that ignores
    it); files of at most ``file_bytes``; ``memory_bytes`` of address space beyond what is mapped now, where the
    system enforces it (macOS does not; the time limit still applies)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    address_space = address_space_bytes() + memory_bytes
    try:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    except (ValueError, OSError):
        pass


CPU_LIMIT_SIGNAL = getattr(signal, "SIGXCPU", None)


# ---- what the machine has ----

def mapped_libraries():
    """Paths of the shared libraries mapped into this process (Linux), or None where the system does not tell."""
    try:
        with open("/proc/self/maps") as maps:
            return {line.split()[-1] for line in maps if "/" in line}
    except OSError:
        return None


def nvidia_device_present():
    """Whether an NVIDIA GPU's device node exists (Linux), without loading any driver library."""
    return os.path.exists("/dev/nvidia0")


def cpu_model():
    """The CPU's model name where the system tells it (/proc/cpuinfo), else None."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None

"""The Windows implementation of gradlab.system, for the spawn sandbox (there is no fork).

A check's process runs in a Job Object of its own (kernel32 through ctypes, standard library only): at most one
active process (it cannot start another), a memory limit per process, and every process of the job killed when the
job's handle closes, so that a worker that dies takes its checks with it. The process is started suspended, assigned
to its job, then resumed, so that none of its code runs outside the job. CPython's Popen closes the handle of the
primary thread it created suspended, so the thread is found again (Toolhelp32) to resume it. The wall-time limit
comes from the worker (gradlab.sandbox.process), since a job's time limits count only user CPU.

What needs a process's own view (groups, parent-death signals, orphans, /proc) has no counterpart here and does
nothing: the job does what they do elsewhere.
"""

import ctypes
import os

__all__ = ["FORK_AVAILABLE", "CPU_LIMIT_SIGNAL", "JOBS", "lead_own_group", "put_in_own_group", "kill_group",
           "die_with_parent", "adopt_orphans", "forbid_tracing", "parent_of", "children_of", "descendants", "kill_tree",
           "is_child_of", "ignore_oversized_writes", "open_file_limit", "cpu_seconds_used", "address_space_bytes",
           "limit_resources", "mapped_libraries", "nvidia_device_present", "cpu_model"]
FORK_AVAILABLE = False
CPU_LIMIT_SIGNAL = None

DWORD = ctypes.c_uint32  # not c_ulong, which is 8 bytes on Linux, where the layouts are tested
LARGE_INTEGER = ctypes.c_int64
SIZE_T = ctypes.c_size_t
ULONG_PTR = ctypes.c_size_t
HANDLE = ctypes.c_void_p

JOB_OBJECT_LIMIT_ACTIVE_PROCESS = 0x00000008
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400  # no error dialog waiting for a click
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9
CREATE_SUSPENDED = 0x00000004
CREATE_NEW_PROCESS_GROUP = 0x00000200
TH32CS_SNAPTHREAD = 0x00000004
THREAD_SUSPEND_RESUME = 0x0002
INVALID_HANDLE_VALUE = ctypes.c_void_p(-1).value
KILLED_EXIT_CODE = 1


class JOBOBJECT_BASIC_LIMIT_INFORMATION(ctypes.Structure):
    _fields_ = [("PerProcessUserTimeLimit", LARGE_INTEGER), ("PerJobUserTimeLimit", LARGE_INTEGER),
                ("LimitFlags", DWORD), ("MinimumWorkingSetSize", SIZE_T), ("MaximumWorkingSetSize", SIZE_T),
                ("ActiveProcessLimit", DWORD), ("Affinity", ULONG_PTR), ("PriorityClass", DWORD),
                ("SchedulingClass", DWORD)]


class IO_COUNTERS(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in ("ReadOperationCount", "WriteOperationCount",
                                                     "OtherOperationCount", "ReadTransferCount",
                                                     "WriteTransferCount", "OtherTransferCount")]


class JOBOBJECT_EXTENDED_LIMIT_INFORMATION(ctypes.Structure):
    _fields_ = [("BasicLimitInformation", JOBOBJECT_BASIC_LIMIT_INFORMATION), ("IoInfo", IO_COUNTERS),
                ("ProcessMemoryLimit", SIZE_T), ("JobMemoryLimit", SIZE_T), ("PeakProcessMemoryUsed", SIZE_T),
                ("PeakJobMemoryUsed", SIZE_T)]


class THREADENTRY32(ctypes.Structure):
    _fields_ = [("dwSize", DWORD), ("cntUsage", DWORD), ("th32ThreadID", DWORD), ("th32OwnerProcessID", DWORD),
                ("tpBasePri", ctypes.c_int32), ("tpDeltaPri", ctypes.c_int32), ("dwFlags", DWORD)]


class JobError(OSError):
    """A kernel32 call for a check's job failed; the message names it and Windows' error."""


class Jobs:
    """Job Objects through ``kernel32`` (ctypes.WinDLL("kernel32", use_last_error=True) on Windows; the tests pass a
    stand-in that records the calls). One job per check process, kept by pid."""

    def __init__(self, kernel32, last_error=ctypes.get_last_error if hasattr(ctypes, "get_last_error") else None):
        self._k = kernel32
        self._last_error = last_error or (lambda: 0)
        self._jobs = {}  # pid -> job handle

    def start(self, popen, memory_bytes=0):
        """``popen(creationflags)`` starts the process (subprocess.Popen); it runs only once it is in a new job with
        no further processes, ``memory_bytes`` of memory (0: none yet, see limit_memory) and death on the job's
        close. Returns the Popen; on failure the process is killed and JobError raised."""
        process = popen(CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP)
        job = None
        try:
            job = self._call("CreateJobObjectW", None, None)
            self._set_limits(job, memory_bytes)
            self._call("AssignProcessToJobObject", job, HANDLE(int(process._handle)))
            self._resume(process.pid)
        except BaseException:
            process.kill()
            process.wait()
            if job:
                self._k.CloseHandle(job)
            raise
        self._jobs[process.pid] = job
        return process

    def limit_memory(self, pid, extra_bytes):
        """Allow the job's process ``extra_bytes`` beyond the most it has committed so far (its interpreter and
        imports), as RLIMIT_AS does elsewhere."""
        job = self._jobs[pid]
        info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION()
        self._call("QueryInformationJobObject", job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS, ctypes.byref(info),
                   ctypes.sizeof(info), None)
        self._set_limits(job, info.PeakProcessMemoryUsed + extra_bytes)

    def kill(self, pid):
        """End every process of ``pid``'s job; the job goes with it."""
        job = self._jobs.pop(pid, None)
        if job is not None:
            self._k.TerminateJobObject(job, KILLED_EXIT_CODE)
            self._k.CloseHandle(job)

    def _set_limits(self, job, memory_bytes):
        info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION()
        basic = info.BasicLimitInformation
        basic.LimitFlags = (JOB_OBJECT_LIMIT_ACTIVE_PROCESS | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
                            | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION)
        basic.ActiveProcessLimit = 1
        if memory_bytes:
            basic.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_MEMORY
            info.ProcessMemoryLimit = memory_bytes
        self._call("SetInformationJobObject", job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS, ctypes.byref(info),
                   ctypes.sizeof(info))

    def _resume(self, pid):
        """Resume the suspended primary thread of ``pid`` (Popen closed our handle on it)."""
        snapshot = self._call("CreateToolhelp32Snapshot", TH32CS_SNAPTHREAD, 0)
        if snapshot == INVALID_HANDLE_VALUE:
            raise JobError(f"CreateToolhelp32Snapshot failed (Windows error {self._last_error()})")
        try:
            entry = THREADENTRY32()
            entry.dwSize = ctypes.sizeof(entry)
            found = self._k.Thread32First(snapshot, ctypes.byref(entry))
            while found:
                if entry.th32OwnerProcessID == pid:
                    thread = self._call("OpenThread", THREAD_SUSPEND_RESUME, False, entry.th32ThreadID)
                    try:
                        if self._k.ResumeThread(thread) == 0xFFFFFFFF:
                            raise JobError(f"ResumeThread failed (Windows error {self._last_error()})")
                    finally:
                        self._k.CloseHandle(thread)
                    return
                found = self._k.Thread32Next(snapshot, ctypes.byref(entry))
            raise JobError(f"the new process {pid} has no thread to resume")
        finally:
            self._k.CloseHandle(snapshot)

    def _call(self, name, *args):
        result = getattr(self._k, name)(*args)
        if not result:
            raise JobError(f"{name} failed (Windows error {self._last_error()})")
        return result


def _kernel32():
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateJobObjectW.restype = HANDLE
    kernel32.CreateToolhelp32Snapshot.restype = HANDLE
    kernel32.OpenThread.restype = HANDLE
    for name in ("AssignProcessToJobObject", "SetInformationJobObject", "QueryInformationJobObject",
                 "TerminateJobObject", "CloseHandle", "ResumeThread", "Thread32First", "Thread32Next"):
        getattr(kernel32, name).argtypes = None  # ctypes converts the handles and pointers given
    kernel32.ResumeThread.restype = DWORD
    return kernel32


JOBS = Jobs(_kernel32()) if os.name == "nt" else None  # the spawn sandbox's jobs (gradlab.sandbox.spawning)


# ---- process groups and lifetimes: the job does what these do elsewhere ----

def lead_own_group():
    """Started with CREATE_NEW_PROCESS_GROUP already (Jobs.start)."""


def put_in_own_group(pid):
    pass


def kill_group(pid):
    kill_tree(pid)


def die_with_parent(parent, exit_code):
    """KILL_ON_JOB_CLOSE: the job's only handle is the worker's, so its processes end with it."""


def adopt_orphans():
    """A check's job allows no second process: there are no orphans."""


def forbid_tracing():
    """Windows lets only the same user (or an administrator) open a process; nothing more to do without privileges."""


def parent_of(pid):
    return None


def children_of(pid):
    return None


def descendants(root):
    return None


def kill_tree(root, include_root=True):
    """End ``root``'s job (every process in it); a process outside a job of ours is left alone."""
    if JOBS is not None and include_root:
        JOBS.kill(root)


def is_child_of(pid, parent):
    return False  # only the fork sandbox asks, and it does not run here


# ---- resources ----

def ignore_oversized_writes():
    pass  # no SIGXFSZ: a write past a limit fails on its own


def open_file_limit():
    return 512  # the C runtime's default number of descriptors


def cpu_seconds_used():
    times = os.times()
    return times.user + times.system


def address_space_bytes():
    return 0  # the job's limit is set by the worker from what the process has committed (Jobs.limit_memory)


def limit_resources(cpu_seconds, memory_bytes, file_bytes):
    """The job holds the memory limit, the worker the time limit; Windows has no file-size limit per process."""


# ---- what the machine has ----

def mapped_libraries():
    return None


def nvidia_device_present():
    return os.path.exists(os.path.join(os.environ.get("SystemRoot", r"C:\Windows"), "System32", "nvcuda.dll"))


def cpu_model():
    return os.environ.get("PROCESSOR_IDENTIFIER") or None

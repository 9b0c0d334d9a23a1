"""gradlab.system.windows's Job Objects, tested here on Linux: the structures have Windows x64's layout, and a
check's process is started suspended, put into a job with no second process, a memory limit and death on close,
then resumed (its primary thread found again, since Popen closed our handle on it), with kernel32 replaced by a
recorder."""

import ctypes
import unittest

from gradlab.system import windows


class Process:
    pid = 4242
    _handle = 77

    def __init__(self):
        self.killed = False

    def kill(self):
        self.killed = True

    def wait(self):
        return 1


class Kernel32:
    """Records every call; answers like Windows, with one thread owned by the new process."""

    def __init__(self, fail=None):
        self.calls = []
        self.fail = fail
        self.limits = []
        self._threads = [(11, 1), (12, Process.pid)]  # (thread id, owner pid)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args):
            self.calls.append(name)
            if name == self.fail:
                return 0
            return getattr(self, "_" + name, lambda *a: 1)(*args)
        return call

    def _CreateJobObjectW(self, *args):
        return 500

    def _SetInformationJobObject(self, job, kind, info, size):
        self.limits.append((kind, size, windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION.from_buffer_copy(
            ctypes.string_at(ctypes.addressof(info._obj), size))))
        return 1

    def _QueryInformationJobObject(self, job, kind, info, size, returned):
        info._obj.PeakProcessMemoryUsed = 60 << 20
        return 1

    def _CreateToolhelp32Snapshot(self, *args):
        return 600

    def _Thread32First(self, snapshot, entry):
        self._next = iter(self._threads)
        return self._Thread32Next(snapshot, entry)

    def _Thread32Next(self, snapshot, entry):
        found = next(self._next, None)
        if found is None:
            return 0
        entry._obj.th32ThreadID, entry._obj.th32OwnerProcessID = found
        return 1

    def _OpenThread(self, access, inherit, thread):
        self.opened = thread
        return 700

    def _ResumeThread(self, thread):
        return 1  # the previous suspend count


class Layouts(unittest.TestCase):
    def test_the_structures_have_windows_x64_sizes(self):
        if ctypes.sizeof(ctypes.c_void_p) != 8:
            self.skipTest("the x64 layout needs a 64-bit Python")
        self.assertEqual(ctypes.sizeof(windows.JOBOBJECT_BASIC_LIMIT_INFORMATION), 64)
        self.assertEqual(ctypes.sizeof(windows.IO_COUNTERS), 48)
        self.assertEqual(ctypes.sizeof(windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION), 144)
        self.assertEqual(ctypes.sizeof(windows.THREADENTRY32), 28)
        self.assertEqual(windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION.ProcessMemoryLimit.offset, 112)
        self.assertEqual(windows.JOBOBJECT_BASIC_LIMIT_INFORMATION.ActiveProcessLimit.offset, 40)


class CallSequence(unittest.TestCase):
    def start(self, kernel32, memory=0):
        flags = []
        process = Process()

        def popen(creationflags):
            flags.append(creationflags)
            return process

        return windows.Jobs(kernel32, last_error=lambda: 5).start(popen, memory), flags, process

    def test_suspended_then_assigned_limited_and_resumed(self):
        kernel32 = Kernel32()
        process, flags, _ = self.start(kernel32, memory=256 << 20)
        self.assertEqual(flags, [windows.CREATE_SUSPENDED | windows.CREATE_NEW_PROCESS_GROUP])
        self.assertEqual(kernel32.calls, ["CreateJobObjectW", "SetInformationJobObject", "AssignProcessToJobObject",
                                          "CreateToolhelp32Snapshot", "Thread32First", "Thread32Next", "OpenThread",
                                          "ResumeThread", "CloseHandle", "CloseHandle"])
        self.assertEqual(kernel32.opened, 12, "the thread of the new process, not another's")
        kind, size, info = kernel32.limits[0]
        self.assertEqual((kind, size), (9, ctypes.sizeof(windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION)))
        basic = info.BasicLimitInformation
        self.assertEqual(basic.ActiveProcessLimit, 1)
        for flag in (windows.JOB_OBJECT_LIMIT_ACTIVE_PROCESS, windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
                     windows.JOB_OBJECT_LIMIT_PROCESS_MEMORY):
            self.assertTrue(basic.LimitFlags & flag, hex(flag))
        self.assertEqual(info.ProcessMemoryLimit, 256 << 20)

    def test_the_memory_limit_counts_from_what_the_process_committed(self):
        kernel32 = Kernel32()
        jobs = windows.Jobs(kernel32)
        jobs.start(lambda creationflags: Process())
        self.assertFalse(kernel32.limits[0][2].BasicLimitInformation.LimitFlags
                         & windows.JOB_OBJECT_LIMIT_PROCESS_MEMORY, "no memory limit before the check's is known")
        jobs.limit_memory(Process.pid, 512 << 20)
        self.assertEqual(kernel32.limits[-1][2].ProcessMemoryLimit, (60 << 20) + (512 << 20))
        jobs.kill(Process.pid)
        self.assertEqual(kernel32.calls[-2:], ["TerminateJobObject", "CloseHandle"])
        jobs.kill(Process.pid)  # a second kill finds no job and does nothing
        self.assertEqual(kernel32.calls[-1], "CloseHandle")

    def test_a_failed_call_kills_the_suspended_process_and_says_which(self):
        kernel32 = Kernel32(fail="AssignProcessToJobObject")
        with self.assertRaises(windows.JobError) as failed:
            self.start(kernel32)
        self.assertEqual(str(failed.exception), "AssignProcessToJobObject failed (Windows error 5)")
        self.assertNotIn("ResumeThread", kernel32.calls, "no code of the process ran outside its job")
        self.assertEqual(kernel32.calls[-1], "CloseHandle")

    def test_a_process_without_a_thread_is_not_left_suspended(self):
        kernel32 = Kernel32()
        kernel32._threads = [(11, 1)]
        process = Process()
        with self.assertRaises(windows.JobError) as failed:
            windows.Jobs(kernel32).start(lambda creationflags: process)
        self.assertIn("no thread to resume", str(failed.exception))
        self.assertTrue(process.killed)

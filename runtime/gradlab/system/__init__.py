"""The operating system's calls that the sandbox, the worker and the training backend rely on, in one place:
a parent-death signal, adopting orphans, process groups, resource limits, reading a process's parent or its
mapped libraries, GPU device nodes. The rest of the runtime asks these names and never the OS directly, so
another platform is another implementation module beside ``posix``.
"""

import os

if os.name == "posix":
    from gradlab.system.posix import *  # noqa: F401,F403  (posix.__all__)
else:
    FORK_AVAILABLE = False

    def nvidia_device_present():
        return False

    def cpu_model():
        return None

    def mapped_libraries():
        return None

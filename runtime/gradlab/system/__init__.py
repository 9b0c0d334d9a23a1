"""The operating system's calls that the sandbox, the worker and the training backend rely on, in one place:
a parent-death signal, adopting orphans, process groups, resource limits, reading a process's parent or its
mapped libraries, GPU device nodes. The rest of the runtime asks these names and never the OS directly, so
another platform is another implementation module beside ``posix``.
"""

import os

if os.name == "posix":
    from gradlab.system.posix import *  # noqa: F401,F403  (posix.__all__)
else:
    from gradlab.system.windows import *  # noqa: F401,F403  (windows.__all__)

"""The learner's code runs here: a zygote forks one isolated process per check (gradlab.sandbox.zygote), which
runs gradlab.sandbox.child; the grader drives it through gradlab.sandbox.process.ProcessSandbox."""

import os


def supported():
    """Whether this platform can run the fork-based sandbox (not Windows)."""
    return hasattr(os, "fork") and hasattr(os, "setpgid")

"""The learner's code runs here: a zygote (gradlab.sandbox.zygote) forks a template process per exercise request,
which loads the learner's files once and forks an isolated copy of itself per check (gradlab.sandbox.template,
gradlab.sandbox.child); the grader drives each copy through gradlab.sandbox.process.ProcessSandbox."""

import os


def supported():
    """Whether this platform can run the fork-based sandbox (not Windows)."""
    return hasattr(os, "fork") and hasattr(os, "setpgid")

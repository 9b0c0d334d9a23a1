"""Which sandbox makes the learner's processes: ``fork`` (gradlab.sandbox.zygote_client: a zygote that forks a
template per request and a copy of it per check) or ``spawn`` (gradlab.sandbox.spawning: a pool of pre-started
interpreters, one per check). Both offer the grader the same interface (``kind``, ``exchange``, ``numpy_info``,
``template``, ``sweep``, ``close``; their templates ``load``, ``start_copy``, ``kill_copy``, ``exit_status``,
``forget``, ``usable``, ``close``), so nothing above this module knows which one runs.

``auto`` is ``fork`` on Linux, where forking after NumPy is safe, costs a few milliseconds and /proc lets the zygote
find and kill every process a check left. Everywhere else it is ``spawn``: Windows has no fork, and on macOS a fork
without exec after NumPy has loaded Accelerate (Apple's BLAS, which NumPy's macOS wheels use) is not safe, since
libdispatch and the Objective-C runtime are not fork-safe (the reason CPython made ``spawn`` multiprocessing's
default there, bpo-33725); macOS also lacks /proc and prctl, so fork's extras (finding a daemon that left its
group, the parent-death signal) do not exist there either. What spawn costs is measured by bench/check-latency.
"""

import sys

from gradlab import system
from gradlab.protocol import SANDBOX_VARIABLE

CHOICES = ("auto", "fork", "spawn")


class Unusable(ValueError):
    """The requested sandbox cannot run here; the message says why and what to do."""


def resolve(requested, platform=sys.platform, fork_available=system.FORK_AVAILABLE):
    """``fork`` or ``spawn`` for the setting ``requested`` (None or empty: ``auto``)."""
    requested = requested or "auto"
    if requested not in CHOICES:
        raise Unusable(f"{SANDBOX_VARIABLE} (the setting gradlab.sandbox, or --sandbox) must be auto, fork or spawn, "
                       f"not {requested!r}")
    if requested == "auto":
        return "fork" if platform.startswith("linux") and fork_available else "spawn"
    if requested == "fork" and not fork_available:
        raise Unusable(f"the fork sandbox needs fork(), which this platform ({platform}) does not have; "
                       "choose spawn or auto (gradlab.sandbox, --sandbox or GRADLAB_SANDBOX)")
    return requested


def start(kind, log, isolated=False, trusted=False):
    """A started sandbox of ``kind``; ``isolated``: its processes run in bubblewrap (gradlab.sandbox.isolation);
    ``trusted``: it only runs the pack's code, and no other process may trace it."""
    if kind == "fork":
        from gradlab.sandbox.zygote_client import Zygote

        return Zygote(log, isolated=isolated, trusted=trusted)
    from gradlab.sandbox.spawning import SpawnSandbox

    return SpawnSandbox(log, isolated=isolated, trusted=trusted)

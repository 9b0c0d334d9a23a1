"""A pre-started learner process of the spawn sandbox (gradlab.sandbox.spawning), started as
``python runtime/launch.py gradlab.sandbox.spawned <channel fd> <output fd> <parent pid> [--trusted] [--preload a,b]``.

It imports NumPy and the packages named, tells the grader it is idle (with what importing NumPy gave), and waits for
one frame: the configuration of one check (``template``: the exercise's files, limits and private folders, with the
check's own folder; ``check``: its seed, files and kinks). It acknowledges it, and from then on it is the check's
process (gradlab.sandbox.learner.serve_check): it cuts itself off, loads the files and answers the grader until the
grader ends it. No process ever serves a second check, so no check sees what another submission, or another check,
left behind. Its output goes to the worker's stderr until the check's own output pipe takes over.
"""

import os
import signal
import sys

from gradlab import rpc, system
from gradlab.sandbox.packages import import_quietly, numpy_info


def main(argv):
    channel, output, parent = int(argv[0]), int(argv[1]), int(argv[2])
    if parent:  # 0 inside bubblewrap, whose own --die-with-parent ends the sandbox with the worker
        system.die_with_parent(parent, rpc.CHANNEL_LOST)
    system.lead_own_group()  # away from the terminal's Ctrl+C; the grader ends the whole group with the check
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the check's own set-up puts Python's handler back
    if "--trusted" in argv:
        system.forbid_tracing()  # it runs only the pack's code; the learner's processes may not read or trace it
    system.adopt_orphans()  # what a check starts stays below this process, where the end of the check finds it
    if "--preload" in argv:
        import_quietly(argv[argv.index("--preload") + 1].split(","))
    from gradlab.sandbox import learner
    import gradlab.runs  # noqa: F401  (every `run` check's script logs through it; standard library only)

    rpc.write_blocking(channel, {"idle": {"numpy": numpy_info()}})
    try:
        message = rpc.read_blocking(channel)
    except (OSError, rpc.FrameError):
        message = None
    if message is None:
        os._exit(0)  # the sandbox closed without using this process
    rpc.write_blocking(channel, {"accepted": True})
    learner.serve_check(message["template"], message["check"], channel, output)


if __name__ == "__main__":
    main(sys.argv[1:])

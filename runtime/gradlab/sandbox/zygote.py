"""The zygote: a clean Python process that has imported NumPy (and, on request, PyTorch) and nothing of any
pack or submission, and forks one template process per exercise request (gradlab.sandbox.learner). Forking it
costs a few milliseconds, where a new interpreter would pay start-up and the NumPy import (about 140 ms).

The worker starts it with ``python -m gradlab.sandbox.zygote <fd>`` (gradlab.sandbox.zygote_client) and talks the
forking protocol of gradlab.sandbox.forking over that socket; the zygote sends ``{"event": "ready", "numpy"}``
once at start and exits when the worker closes the socket.
"""

import os
import socket
import sys

from gradlab import system
from gradlab.protocol import PRELOAD_VARIABLE
from gradlab.sandbox.forking import fork_child, serve_forks
from gradlab.sandbox.packages import import_quietly, numpy_info


def control(message, children):
    """The zygote's requests besides ``spawn``: it alone may kill in its sandbox, since the pids it and its templates
    report are its own namespace's, and a template (which has run learner code) may name any process as its copy.
    - ``kill`` {pid, template}: kill ``pid`` and everything below it, if it is that template or below it;
    - ``verify`` {pid, parent}: whether ``pid`` is a child of ``parent``, one of our templates;
    - ``sweep``: kill every process of ours (at the end of a request, before another student's files come).
    After each, processes we adopted (their parent died: a check's process that left a daemon behind) are killed."""
    op = message.get("op")
    pid = message.get("pid")
    reply = None
    if op == "kill" and type(pid) is int and message.get("template") in children:
        template = message["template"]
        below = system.descendants(template)
        if pid == template or (pid in below if below is not None else system.is_child_of(pid, template)):
            system.kill_tree(pid)
    elif op == "verify" and type(pid) is int:
        parent = message.get("parent")
        reply = {"event": "verified", "pid": pid, "ok": parent in children and system.is_child_of(pid, parent)}
    elif op == "sweep":
        for child in list(children):
            system.kill_tree(child)
        reply = {"event": "swept"}
    for orphan in system.children_of(os.getpid()) or ():
        if orphan not in children:
            system.kill_tree(orphan)
    return reply


def serve(sock):
    """The zygote's life: each spawn forks a template (gradlab.sandbox.learner.main)."""
    from gradlab.sandbox import learner  # loaded once here so that each fork has it already
    import gradlab.runs  # noqa: F401  (every `run` check's script logs through it; standard library only)

    system.adopt_orphans()  # templates are killed at their request's end; their unreaped copies come to us

    def spawn(message, fds, closing):
        import_quietly(message.get("preload", []))
        control_fd, output_fd = fds
        return fork_child(fds, closing, lambda: learner.main(message["config"], control_fd, output_fd))

    # A host that knows which heavy packages this worker's exercises need (gradlab grade) names them, so that they
    # are imported while it is busy elsewhere rather than when the first template is asked for; after "ready", so
    # that the worker's hello does not wait for them.
    early = [name for name in os.environ.get(PRELOAD_VARIABLE, "").split(",") if name]
    serve_forks(sock, {"event": "ready", "numpy": numpy_info()}, spawn, after_ready=lambda: import_quietly(early),
                control=control)


if __name__ == "__main__":
    if "--trusted" in sys.argv[2:]:
        system.forbid_tracing()  # it runs only the pack's code; the learner's processes may not read or trace it
    serve(socket.socket(fileno=int(sys.argv[1])))

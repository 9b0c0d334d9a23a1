"""OS-level isolation of the learner's processes: the zygote that forks them (and so every template and check
process) runs inside namespaces made by bubblewrap (``bwrap``, Linux), a tool made for exactly this:

- its own PID namespace: the worker, the trusted zygote and every other process of the machine are invisible, and
  nothing started inside outlives the sandbox (``--die-with-parent``; the zygote also kills every process of its
  own between requests and after each check, see gradlab.sandbox.zygote.control);
- its own mount namespace: a read-only view of the interpreter, its packages and the runtime, and one writable
  folder, the *exchange*, into which the worker copies the files of the submission being graded; no home folder,
  no pack, no reference solution, no other student, no gradebook;
- no network (its own network namespace), its own IPC and UTS namespaces, no capabilities, no new user namespaces,
  a new session (no terminal to type into), an environment holding only what Python needs.

The audit hook (gradlab.sandbox.audit) stays as a second line that explains refusals in words. Where bwrap is
missing or the kernel refuses unprivileged user namespaces, ``probe`` says why; the worker then runs without it
(``auto``) or refuses to grade (``required``, what ``gradlab grade`` asks for). macOS and Windows have no bwrap:
docs/security.md says what holds there.
"""

import functools
import os
import shutil
import subprocess
import sys

MODES = ("required", "auto", "off")  # the worker's policy, from ISOLATION_VARIABLE (gradlab.protocol)
RUNTIME = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# host variables the sandbox keeps: how Python finds its packages and how many threads BLAS may use
KEPT_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8", "LANG", "LC_ALL",
                  "LC_CTYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "GRADLAB_PRELOAD")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime")
TOP_FOLDERS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
PROBE_TIMEOUT_S = 10


class Unavailable(Exception):
    """bwrap cannot isolate here; the message says why and what to do."""


def _python_folders():
    """Everything the interpreter reads: its prefixes, its own binary and every folder or zip on sys.path."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, getattr(sys, "base_exec_prefix", sys.exec_prefix),
               os.path.dirname(os.path.realpath(sys.executable)), os.path.dirname(os.path.abspath(sys.executable)),
               RUNTIME}
    folders.update(entry for entry in sys.path if entry and os.path.isabs(entry))
    folders.update(entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if os.path.isabs(entry))
    # bound where Python names them (bwrap follows a symlink in the source; the realpath of the binary is in the set)
    existing = sorted({os.path.abspath(f) for f in folders if os.path.exists(f)})
    # a folder inside another bound one needs no bind of its own; / itself is never bound
    kept = []
    for folder in existing:
        if folder != "/" and not any(folder == k or folder.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(folder)
    return kept


def command(program, exchange):
    """``program`` (a list) run inside a new sandbox whose only writable folder is ``exchange``."""
    args = [_bwrap(), "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if _supports("--disable-userns"):
        args.append("--disable-userns")
    args += ["--ro-bind", "/usr", "/usr"]
    for folder in TOP_FOLDERS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    for path in SYSTEM_FILES:
        args += ["--ro-bind-try", path, path]
    for folder in _python_folders():
        if not folder.startswith("/usr/"):
            args += ["--ro-bind", folder, folder]
    args += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev", "--bind", exchange, exchange,
             "--chdir", exchange, "--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
             "--setenv", "HOME", exchange, "--setenv", "TMPDIR", exchange, "--setenv", "PYTHONDONTWRITEBYTECODE", "1"]
    for name in KEPT_VARIABLES:
        if name in os.environ:
            args += ["--setenv", name, os.environ[name]]
    return args + ["--remount-ro", "/", *program]


def _bwrap():
    found = shutil.which("bwrap")
    if found is None:
        raise Unavailable("bubblewrap (bwrap) is not installed: on Debian or Ubuntu `sudo apt install bubblewrap`, "
                          "on Fedora `sudo dnf install bubblewrap`")
    return found


@functools.lru_cache(maxsize=None)
def _supports(flag):
    try:
        done = subprocess.run([_bwrap(), "--help"], capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return flag in done.stdout + done.stderr


@functools.lru_cache(maxsize=None)
def probe():
    """None when bwrap can make the sandbox here, else the reason it cannot (and what to do)."""
    import tempfile

    if not sys.platform.startswith("linux"):
        return f"OS-level isolation uses bubblewrap, which only Linux has (this is {sys.platform})"
    exchange = tempfile.mkdtemp(prefix="gradlab-probe-")
    try:
        done = subprocess.run(command([sys.executable, "-c", "pass"], exchange), capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except Unavailable as error:
        return str(error)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap did not run: {error}"
    finally:
        shutil.rmtree(exchange, ignore_errors=True)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}"
        return (f"bubblewrap could not make a sandbox ({detail}); unprivileged user namespaces may be disabled: "
                "`sysctl kernel.unprivileged_userns_clone=1`, or on Ubuntu 24.04 and later "
                "`sysctl kernel.apparmor_restrict_unprivileged_userns=0`")
    return None

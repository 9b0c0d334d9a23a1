"""Words for what went wrong in the learner's process. The child sends plain fields (kind, exception type,
message, file, line); everything a learner reads is phrased here, in the grader."""

import signal

from gradlab import system
from gradlab.checks.base import LearnerError
from gradlab.rpc import CHANNEL_LOST, SANDBOX_BROKEN


def _where(fields):
    file, line, function = fields.get("file"), fields.get("line"), fields.get("function")
    if not file:
        return ""
    place = f"{file}, line {line}" if isinstance(line, int) else file
    if isinstance(function, str) and function != "<module>":
        place += f", in {function}"
    return f" ({place})"


def from_child(fields, *, default_file, limits):
    """A LearnerError from the fields of a child's error reply."""
    kind = fields.get("kind")
    kind_name = str(fields.get("type", "Exception"))
    text = str(fields.get("message", ""))
    where = _where(fields)
    location = {"file": fields.get("file"), "line": fields.get("line"), "function": fields.get("function")}
    location = {k: v for k, v in location.items() if isinstance(v, (str, int)) and not isinstance(v, bool)}
    if kind == "syntax":
        return LearnerError("syntax", f"{kind_name} in {fields.get('file')}, line {fields.get('line')}: {text}",
                            **location)
    if kind == "missing-name":
        name = fields.get("name")
        return LearnerError("missing-name", f"`{name}` is not defined in {default_file} — was it renamed?",
                            file=default_file, function=str(name))
    if kind == "memory":
        return LearnerError("memory", f"ran out of memory{where}: a check may use {limits['memoryMb']} MiB more "
                                      "than the grader itself, and this code asked for more", **location)
    if kind == "exit":
        code = fields.get("code")
        if kind_name == "KeyboardInterrupt":
            what = "raised KeyboardInterrupt"
        elif code in (None, 0):
            what = "called sys.exit() (or raised SystemExit)"
        else:
            what = f"called sys.exit({code!r}) (or raised SystemExit)"
        return LearnerError("exit", f"the code {what}{where} while being graded; a graded function must return "
                                    "its answer, not stop the program", **location)
    if kind == "forbidden":
        return LearnerError("forbidden", f"the code tried to {text}{where}; that is not allowed while grading",
                            **location)
    if kind == "tampered":
        return LearnerError("exception", f"the code changed Python or gradlab inside its own process so that it no "
                                         f"longer understands the grader ({kind_name}: {text}); remove those changes",
                            **location)
    if kind == "unsendable":
        return LearnerError("exception", f"the grader refused the value the code returned{where}: {text}; return "
                                         "plain numbers, lists, dicts or NumPy arrays of the expected size")
    if kind == "internal":
        return LearnerError("exception", f"the sandbox could not start: {kind_name}: {text}")
    if kind_name == "RecursionError":
        return LearnerError("exception", f"RecursionError: a function called itself too many times{where} — "
                                         "is a base case missing, or does a method call itself by mistake?",
                            **location)
    if "module" in fields:
        return LearnerError("exception", f"{kind_name}: {text}{where} — that module is not installed in the "
                                         "Python that grades", **location)
    if kind_name == "OSError" and "File too large" in text:
        return LearnerError("exception", f"OSError: a file grew past the size grading allows{where}", **location)
    loading = " while loading the file" if fields.get("loading") else ""
    return LearnerError("exception", f"{kind_name}: {text}{where}{loading}" if text else
                        f"{kind_name}{where}{loading}", **location)


def timeout(limits):
    return LearnerError("timeout", f"stopped after {limits['timeoutS']:g} s: the code did not finish in time — "
                                   "an endless loop, or far more work than the exercise needs?")


def ended(status, limits):
    """The learner's process is gone without answering; ``status`` is what the zygote saw (or None)."""
    if status is None:
        return LearnerError("exit", "the code closed the grader's channel to its process while being graded")
    if "signal" in status:
        number = status["signal"]
        if number == system.CPU_LIMIT_SIGNAL:
            return timeout(limits)
        name = _signal_name(number)
        if number == signal.SIGKILL:
            return LearnerError("memory", f"the learner's process was killed by the system ({name}), usually "
                                          f"for using too much memory (limit: {limits['memoryMb']} MiB)")
        return LearnerError("exception", f"the learner's process crashed ({name}); in NumPy or PyTorch code this "
                                         f"often means it ran out of memory (limit: {limits['memoryMb']} MiB more "
                                         "than the grader itself)")
    if status.get("code") == CHANNEL_LOST:
        return LearnerError("exit", "the code closed the grader's channel to its process while being graded")
    if status.get("code") == SANDBOX_BROKEN:
        return LearnerError("exception", "the code changed Python inside its own process (a built-in such as "
                                         "isinstance, or a module the sandbox uses) so that the process broke down "
                                         "while answering the grader; remove those changes")
    return LearnerError("exit", f"the code ended its own process (exit code {status.get('code')}) while being "
                                "graded, e.g. with os._exit(); a graded function must return its answer")


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def missing_files(files, source):
    names = ", ".join(files)
    return LearnerError("missing-name", f"{names} {'is' if len(files) == 1 else 'are'} not in the submission "
                                        f"folder {source}", file=files[0])


def broken_channel(detail):
    return LearnerError("exit", f"the code broke the grader's channel to its process ({detail})")


def garbled_channel():
    """What the grader read from its channel is not a frame: the learner's code wrote into it."""
    return LearnerError("exit", "the code wrote into the grader's private channel to its process (a write to a file "
                                "descriptor that is not its output?), so its answer could not be read")

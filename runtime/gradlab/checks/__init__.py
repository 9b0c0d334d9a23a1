"""The check kinds, dispatched by a CheckSpec's ``kind`` through one table, and the turning of their outcome into a
CheckResult.

Every kind module has the same entry point, ``check(sandbox, spec, context) -> Verdict`` (gradlab.checks.base:
the Sandbox and the CheckContext), computed from plain values it gets through the sandbox, and may have two hooks:
- ``reference(sandbox, spec)``: what the reference solution does on this check, as plain JSON, from a sandbox on
  the reference solution. Grading asks for it through ``context.reference(spec)``; a release bakes it.
- ``record(sandbox, spec, context)``: what a release keeps instead of the check's source (a hidden test's
  transcript), or None.
The kind modules are imported only when a check of that kind runs, so the worker starts without NumPy and works
even while a kind is missing from this runtime (its checks then end ``errored`` and say so).
"""

import importlib

from gradlab.checks.base import LearnerError, Verdict


class CheckError(Exception):
    """The check itself cannot run (the pack lacks something it needs, or its kind is not installed): errored."""


KIND_MODULES = {
    "gradcheck": "gradlab.checks.gradcheck",
    "value-graph": "gradlab.checks.valuegraph",
    "training-loop": "gradlab.checks.trainloop",
    "test": "gradlab.checks.pack_test",
    "run": "gradlab.checks.training_run",
}


def kind_module(kind):
    name = KIND_MODULES.get(kind)
    if name is None:
        raise CheckError(f"unknown check kind {kind!r}; this runtime knows {', '.join(sorted(KIND_MODULES))}")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        raise CheckError(f"the `{kind}` check kind is not installed in this Gradient Lab runtime "
                         f"({name} is missing)") from None


def evaluate(sandbox, spec, context):
    """The Verdict of one check; LearnerError when the learner's code did not produce a value."""
    kind = spec.get("kind")
    verdict = kind_module(kind).check(sandbox, spec, context)
    if not isinstance(verdict, Verdict):
        raise TypeError(f"the {kind} check returned {type(verdict).__name__}, not a Verdict")
    return verdict


def reference_answer(sandbox, spec):
    """The kind's ``reference`` hook on ``sandbox`` (the reference solution's files); CheckError when the reference
    solution itself fails, which is the pack's problem, not the learner's."""
    try:
        return kind_module(spec.get("kind")).reference(sandbox, spec)
    except LearnerError as error:
        raise CheckError(f"{spec.get('kind')} {spec.get('id')}: the reference solution failed: {error.message}") \
            from None


# ---- CheckResult ----

ERRORED_KINDS = ("syntax", "missing-name")
HIDDEN_FAILED = "failed — this check is hidden, so its inputs and expected values are not shown; its hints may help"
# a learner release carries its hidden checks' answers for whoever looks, so it says what they are there
PRACTICE = " (practice: the graded run asks this hidden check again, with new inputs)"


def learner_status(error):
    if error.kind == "timeout":
        return "timeout"
    return "errored" if error.kind in ERRORED_KINDS else "failed"


def result(spec, *, status, message, location, duration_ms, verdict=None, error=None, output=("", False),
           for_instructor=False):
    """A CheckResult (src/protocol/worker.ts) for ``spec``; hidden checks keep only their verdict in words, plus,
    when graded with the authoring pack (``for_instructor``), everything in ``instructor`` (author mode), and in a
    learner release the word that they are practice."""
    hidden = bool(spec.get("hidden"))
    points = spec.get("points", 1)
    entry = {
        "id": spec["id"],
        "title": spec.get("title", spec["id"]),
        "kind": spec.get("kind"),
        "hidden": hidden,
        "status": status,
        "passed": status == "passed",
        "message": (hidden_message(status, message, error, verdict) + ("" if for_instructor else PRACTICE))
        if hidden else message,
        "points": points if status == "passed" else 0,
        "maxPoints": points,
        "durationMs": round(duration_ms, 1),
    }
    entry.update({k: v for k, v in location.items() if v is not None})
    details = _details(spec, message, verdict, output)
    if hidden:
        if for_instructor and status != "passed":
            entry["instructor"] = details
        return entry
    entry.update({k: v for k, v in details.items() if k not in ("message", "inputs")})
    return entry


def _details(spec, message, verdict, output):
    """Everything a check found: its message, the verdict's diagnosis, expected and actual values and warnings, what
    the code printed, and the inputs the spec draws (a gradient check's expressions). A hidden check shows this only
    to its author (HiddenDetails in src/protocol/worker.ts)."""
    details = {"message": message}
    if verdict is not None:
        for field in ("diagnosis", "expected", "actual"):
            if getattr(verdict, field):
                details[field] = getattr(verdict, field)
        if verdict.warnings:
            details["warnings"] = list(verdict.warnings)
    text, truncated = output
    if text:
        details["output"] = text
    if truncated:
        details["outputTruncated"] = True
    inputs = spec.get("inputs")
    if isinstance(inputs, dict) and inputs and all(isinstance(v, str) for v in inputs.values()):
        details["inputs"] = dict(inputs)
    return details


def hidden_message(status, message, error, verdict=None):
    """What a learner may read of a hidden check: the verdict, and the kind of failure or of mistake when it
    reveals nothing of the hidden inputs (a syntax error, a missing function, a time-out; a factor 2, a sign)."""
    if status == "passed":
        return "passed"
    if error is None:
        if status == "failed" and getattr(verdict, "kind", None):
            return f"failed — this check is hidden, so its inputs and expected values are not shown, but what it " \
                   f"found is this: {verdict.kind}"
        return HIDDEN_FAILED if status == "failed" else message
    if error.kind in ("syntax", "missing-name", "timeout", "exit", "forbidden"):
        return message
    if error.kind == "memory":
        return "failed: the code ran out of memory on this hidden check's inputs"
    exception = message.split(":", 1)[0]
    if exception.isidentifier():
        return f"failed: the code raised {exception} on this hidden check's inputs"
    return HIDDEN_FAILED

"""Hidden tests in a release: recorded against the reference solution (gradlab.recording, the worker's
``record`` request, run by ``gradlab build``), replayed against a learner's submission by ``replay``.

A transcript is every request a hidden test sent to the reference's sandboxed process, with the reply, in order:
``{"calls": [{"request": ..., "reply": ...}, ...]}``. The release keeps them in <exercise>/hidden.json as
``{"formatVersion": 1, "tests": {check id: transcript}}``, and baked references for training-loop checks in
<exercise>/references.json as ``{check id: reference}``. Replaying sends the same requests to the learner's
process (handles renumbered to the learner's objects) and compares each reply with the reference's within the
check's tolerance, so a hidden test's source never ships.
"""

import math

from gradlab import checks, codec
from gradlab.checks.base import Verdict

FORMAT_VERSION = 1
FILE = "hidden.json"  # the transcripts of an exercise's hidden tests, in its folder of a release
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9


class _Ref:
    """A handle in a recorded or replayed reply: only its identity matters."""

    __slots__ = ("number",)

    def __init__(self, number):
        self.number = number


def _decode(tree):
    return codec.from_json(tree, lambda number, _type: _Ref(number))


def _renumber(tree, mapping):
    """``tree`` with every reference-process handle replaced by the learner-process handle it stands for."""
    if isinstance(tree, list):
        return [_renumber(item, mapping) for item in tree]
    if isinstance(tree, dict):
        if "$handle" in tree:
            return dict(tree, **{"$handle": mapping[tree["$handle"]]})
        return {key: _renumber(item, mapping) for key, item in tree.items()}
    return tree


def _differs(expected, actual, rtol, atol, mapping):
    """Why ``actual`` does not match ``expected`` (None when it does); records handle correspondences."""
    if isinstance(expected, _Ref):
        if not isinstance(actual, _Ref):
            return "an object was expected, a plain value came back"
        mapping[expected.number] = actual.number
        return None
    if isinstance(actual, _Ref):
        return "a plain value was expected, an object came back"
    if type(expected) is float or type(actual) is float:
        if type(expected) not in (int, float) or type(actual) not in (int, float):
            return "a number was expected"
        if math.isnan(expected) and math.isnan(actual):
            return None
        if expected == actual or abs(actual - expected) <= atol + rtol * abs(expected):
            return None
        return "a number differs"
    if type(expected) is not type(actual):
        return f"{type(expected).__name__} expected, {type(actual).__name__} came back"
    if isinstance(expected, (list, tuple)):
        if len(expected) != len(actual):
            return "a different number of values"
        for e, a in zip(expected, actual):
            problem = _differs(e, a, rtol, atol, mapping)
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if set(expected) != set(actual):
            return "different keys"
        for key in expected:
            problem = _differs(expected[key], actual[key], rtol, atol, mapping)
            if problem:
                return problem
        return None
    if type(expected).__name__ == "ndarray":
        import numpy

        if expected.shape != actual.shape:
            return "an array of another shape"
        if expected.dtype.kind in "fc" or actual.dtype.kind in "fc":
            ok = numpy.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
        else:
            ok = numpy.array_equal(actual, expected)
        return None if ok else "array values differ"
    return None if expected == actual else "a value differs"


def replay(sandbox, transcript, tolerance=None):
    """The Verdict of replaying ``transcript`` against ``sandbox``; LearnerError when the learner's code fails
    where the reference answered."""
    tolerance = tolerance or {}
    rtol, atol = tolerance.get("rtol", DEFAULT_RTOL), tolerance.get("atol", DEFAULT_ATOL)
    calls = transcript.get("calls") if isinstance(transcript, dict) else None
    if not isinstance(calls, list):
        raise checks.CheckError("a hidden test's transcript is malformed; rebuild the release with `gradlab build`")
    mapping = {}
    for number, call in enumerate(calls, 1):
        try:
            request = _renumber(call["request"], mapping)
            expected = call["reply"]
        except (KeyError, TypeError):
            raise checks.CheckError("a hidden test's transcript is malformed; rebuild the release") from None
        reply = sandbox.roundtrip(request)
        if "error" in expected:
            if "error" not in reply:
                return Verdict(False, f"call {number} of {len(calls)}: the reference solution raised an error here "
                                      "and the submission did not")
            continue
        if "error" in reply:
            raise sandbox.learner_error(reply["error"])
        try:
            problem = _differs(_decode(expected["ok"]), _decode(reply["ok"]), rtol, atol, mapping)
        except (codec.CodecError, RecursionError, KeyError) as error:
            raise checks.CheckError(f"a hidden test's transcript could not be compared: {error}") from None
        if problem:
            return Verdict(False, f"call {number} of {len(calls)} was answered differently from the reference "
                                  f"solution: {problem}")
    return Verdict(True, "passed")

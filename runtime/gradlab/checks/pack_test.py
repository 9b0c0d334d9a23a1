"""The `test` check kind: a pack author's ``@test`` function (gradlab.testing) from the exercise's tests file, run
in the grader with ``sub``, a proxy whose calls go to the learner's sandboxed process, and on request ``given``,
the same over the pack's given code, and ``rng`` (see arguments()). In a release, a hidden test
is not code any more but a transcript (gradlab.transcripts, recorded by this kind's ``record`` hook): the
learner's process must answer the recorded calls as the reference did.
"""

import importlib.util
import inspect
import os
import zlib

from gradlab import transcripts
from gradlab.checks import CheckError
from gradlab.checks.base import LearnerError, Verdict
from gradlab.protocol import ErrorCode, WorkerError
from gradlab.testing import TestFailure

_loaded = {}  # path -> ((mtime, size), {check id: function})


class Submission:
    """``sub`` in a test: ``sub.name(...)`` calls the learner's ``name`` in its process, and
    ``sub.eval("expression", name=value, ...)`` evaluates in the learner's namespace (also for plain values). What
    each call returned is remembered, so that a test that cannot use an answer can say which and why."""

    __slots__ = ("_sandbox", "_returned")

    def __init__(self, sandbox):
        object.__setattr__(self, "_sandbox", sandbox)
        object.__setattr__(self, "_returned", [])  # (what was called, what it returned), latest last

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return LearnerFunction(self._sandbox, name, self._returned)

    def __setattr__(self, name, value):
        raise AttributeError("a test cannot assign into the submission; use sub.eval(...) to compute with it")

    def eval(self, expression, **bindings):
        value = self._sandbox.eval(expression, bindings)
        self._returned.append((expression if len(expression) <= 40 else expression[:37] + "...", value))
        return value

    def __repr__(self):
        return "<a sandboxed process: the learner's submission, or the pack's given code>"


class LearnerFunction:
    """``sub.name``: calling it calls the learner's ``name`` (one request, whatever it returns)."""

    __slots__ = ("_sandbox", "_name", "_returned")

    def __init__(self, sandbox, name, returned):
        self._sandbox = sandbox
        self._name = name
        self._returned = returned

    def __call__(self, *args, **kwargs):
        sandbox = self._sandbox
        value = sandbox.request({"op": "call", "name": self._name, "args": [sandbox.encode(a) for a in args],
                                 "kwargs": {k: sandbox.encode(v) for k, v in kwargs.items()}})
        self._returned.append((self._name, value))
        return value

    def __repr__(self):
        return f"<the learner's {self._name}; call it, or use sub.eval({self._name!r}) for its value>"


def load(path):
    """check id -> test function of the tests file at ``path`` (re-read when the file changes)."""
    try:
        stat = os.stat(path)
    except OSError:
        raise WorkerError(ErrorCode.PACK, f"the tests file {path} does not exist") from None
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _loaded.get(path)
    if cached and cached[0] == key:
        return cached[1]
    name = f"gradlab_pack_tests_{len(_loaded)}_{abs(hash(path))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        line = _line_in(error.__traceback__, path) or getattr(error, "lineno", None)
        at = f", line {line}" if line else ""
        raise WorkerError(ErrorCode.PACK, f"{path}{at} could not be loaded: {type(error).__name__}: {error}") \
            from None
    found = {}
    for value in vars(module).values():
        check_id = getattr(value, "gradlab_test", None)
        if callable(value) and isinstance(check_id, str):
            if check_id in found and found[check_id] is not value:
                raise WorkerError(ErrorCode.PACK, f"{path} binds two functions to @test({check_id!r})")
            found[check_id] = value
    _loaded[path] = (key, found)
    return found


def _line_in(traceback_, path):
    line = None
    while traceback_ is not None:
        if os.path.abspath(traceback_.tb_frame.f_code.co_filename) == os.path.abspath(path):
            line = traceback_.tb_lineno
        traceback_ = traceback_.tb_next
    return line


def arguments(function, context, spec):
    """What a test function asks for besides ``sub``, by the names of its parameters: ``given``, the pack's given
    code (its values are the pack's, never the learner's process's), and ``rng``, a generator seeded by the check and
    by a grading run's own seed, so that a graded run draws inputs no release has seen."""
    try:
        names = list(inspect.signature(function).parameters)[1:]
    except (TypeError, ValueError):
        return {}
    found = {}
    if "given" in names:
        found["given"] = Submission(context.given())
    if "rng" in names:
        import numpy

        seed = getattr(context, "seed", None)
        found["rng"] = numpy.random.default_rng([0 if seed is None else int(seed), zlib.crc32(spec["id"].encode())])
    return found


def run_test(function, sandbox, path, extra=None, author=False):
    """Run one @test function against ``sandbox`` (with ``extra``, see arguments()); its Verdict. LearnerError
    passes through. ``author``: graded with the authoring pack, so where in the tests file a test broke is worth
    saying; a learner hears only about their own answer."""
    sub = Submission(sandbox)
    try:
        function(sub, **(extra or {}))
    except TestFailure as failure:
        return Verdict(False, failure.message, expected=failure.expected, actual=failure.actual, kind=failure.kind,
                       names_cause=failure.names_cause)
    except (LearnerError, WorkerError):
        raise
    except Exception as error:
        # Usually the learner's answer had an unexpected form (unpacking a float, indexing None ...).
        line = _line_in(error.__traceback__, path)
        where = f" ({os.path.basename(path)}, line {line})" if line and author else ""
        if isinstance(error, AssertionError) and str(error):
            return Verdict(False, str(error) + where)
        words = unusable(error, sub._returned[-1] if sub._returned else None)
        return Verdict(False, words + where, kind=words)
    return Verdict(True, "passed")


def unusable(error, returned):
    """In the learner's terms, why a test could not use the latest answer (``(what was called, value)``)."""
    from gradlab.testing import describe_value

    text = str(error)
    if isinstance(error, KeyError):
        why = f"it has no key {error.args[0]!r}" if error.args else "a key the test needs is missing"
    elif isinstance(error, IndexError):
        why = ("it has fewer dimensions than the test indexes" if "too many indices" in text
               else "it is shorter than the test expects")
    elif isinstance(error, TypeError) and "NoneType" in text:
        why = "it is None — is a `return` missing?"
    elif isinstance(error, TypeError) and ("not subscriptable" in text or "not iterable" in text
                                           or "cannot unpack" in text):
        why = "it is a single value where the test expects several (a tuple, a list, a dict or an array)"
    elif isinstance(error, ValueError) and "values to unpack" in text:
        why = "it holds another number of values than the test expects"
    elif isinstance(error, ValueError) and ("broadcast" in text or "shape" in text or "aligned" in text):
        why = "its shape does not fit the arrays the test computes with"
    elif isinstance(error, AttributeError):
        missing = text.rsplit("attribute", 1)[-1].strip(" '")
        why = f"it has no attribute `{missing}`" if missing else "it lacks an attribute the test needs"
    else:
        why = f"{type(error).__name__}: {text}" if text else type(error).__name__
    if returned is None:
        return f"the test could not use what the code returned: {why}"
    name, value = returned
    return f"the test could not use what `{name}` returned, {describe_value(value)}: {why}"


def _test_function(exercise, spec):
    path = exercise.tests_path()
    function = load(path).get(spec["id"])
    if function is None:
        raise CheckError(f"{os.path.basename(path)} has no @test({spec['id']!r}) for this check")
    return function, path


def check(sandbox, spec, context):
    exercise = context.exercise
    if exercise.form == "release" and spec.get("hidden"):
        tests = exercise.release_file(transcripts.FILE).get("tests", {})
        if spec["id"] not in tests:
            raise CheckError(f"{transcripts.FILE} has no transcript for the hidden test `{spec['id']}`; rebuild the "
                             "release with `gradlab build`")
        return transcripts.replay(sandbox, tests[spec["id"]], spec.get("tolerance"))
    function, path = _test_function(exercise, spec)
    return run_test(function, sandbox, path, arguments(function, context, spec), author=exercise.form == "authoring")


def record(sandbox, spec, context):
    """The kind's ``record`` hook: a hidden test's transcript against the reference solution in ``sandbox``
    (None for a visible test, whose source ships). A hidden test the reference fails is the pack's problem."""
    if not spec.get("hidden"):
        return None
    function, path = _test_function(context.exercise, spec)
    calls = []
    sandbox.observer = lambda request, reply: calls.append({"request": request, "reply": reply})
    verdict = run_test(function, sandbox, path, arguments(function, context, spec), author=True)
    if not verdict.passed:
        raise WorkerError(ErrorCode.PACK, f"the hidden test `{spec['id']}` fails against the reference solution: "
                                          f"{verdict.message}")
    return {"calls": calls}

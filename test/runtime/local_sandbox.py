"""A test double of the worker's sandbox, in this process: the given files and the learner's file are
executed afresh for every call into one namespace (learner names override given ones, as in the worker),
bindings go in and results come out through the real value codec, and exceptions become LearnerError.
It isolates nothing: it is for testing the check kinds, not for running untrusted code."""

import contextlib
import itertools
import sys
import traceback
import types
from pathlib import Path
from typing import Sequence

import numpy as np

from gradlab import codec
from gradlab.checks.base import LearnerError

GRADER_FILE = "<gradlab>"


class Handle:
    """The stand-in for an object that is not a plain value (it stays in the learner's process)."""

    def __init__(self, number, type_name):
        self.number, self.type_name = number, type_name

    def __repr__(self):
        return f"<handle {self.number}: {self.type_name}>"


def _round_trip(value):
    counter = itertools.count(1)
    tree = codec.to_json(value, lambda obj: {"$handle": next(counter), "type": type(obj).__name__})
    return codec.from_json(tree, Handle)


class LocalSandbox:
    def __init__(self, files: Sequence[Path], seed: int = 0):
        """``files``: given files first, the learner's file(s) last."""
        self.files = [Path(f) for f in files]
        self.seed = seed
        self.calls = 0

    @contextlib.contextmanager
    def _modules(self):
        saved = {path.stem: sys.modules.get(path.stem) for path in self.files}
        try:
            yield
        finally:
            for name, module in saved.items():
                if module is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module

    def _namespace(self):
        """Execute the files as modules (registered in sys.modules, so they can import each other) and
        merge their names; call inside ``_modules()``."""
        namespace = {"__name__": "__gradlab__", "np": np, "rng": np.random.default_rng(self.seed)}
        for path in self.files:
            module = types.ModuleType(path.stem)
            module.__file__ = str(path)
            sys.modules[path.stem] = module
            try:
                exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
            except SyntaxError as error:
                raise LearnerError("syntax", f"{path.name} line {error.lineno}: {error.msg}", file=path.name,
                                   line=error.lineno) from None
            except Exception as error:  # the learner's module failed at import
                raise self._learner_error(error) from None
            namespace.update((k, v) for k, v in vars(module).items() if not k.startswith("__"))
        return namespace

    def _learner_error(self, error: BaseException) -> LearnerError:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename != GRADER_FILE
                  and Path(f.filename) in self.files]
        where = frames[-1] if frames else None
        file = Path(where.filename).name if where else None
        if isinstance(error, NameError) and where is None:
            learner = self.files[-1].name
            return LearnerError("missing-name", f"{error.name} is not defined in {learner}: was it renamed?",
                                file=learner)
        return LearnerError("exception", f"{type(error).__name__}: {error}", file=file,
                            line=where.lineno if where else None, function=where.name if where else None)

    def _call(self, action, bindings):
        self.calls += 1
        with self._modules():
            namespace = self._namespace()
            namespace.update(_round_trip(bindings or {}))
            try:
                return _round_trip(action(namespace))
            except LearnerError:
                raise
            except RecursionError:
                raise LearnerError("exception", "RecursionError: maximum recursion depth exceeded") from None
            except Exception as error:
                raise self._learner_error(error) from None

    def eval(self, expr, bindings=None):
        return self._call(lambda ns: eval(compile(expr, GRADER_FILE, "eval"), ns), bindings)

    def encode(self, value):
        """Arguments of ``request`` travel as they are (the double decodes nothing)."""
        return value

    def request(self, message):
        """The one request of the real sandbox a test's ``sub.name(...)`` sends: a call of a learner function."""
        if message.get("op") != "call":
            raise NotImplementedError(f"the local sandbox only calls functions, not {message.get('op')!r}")
        name, args, kwargs = message["name"], message.get("args", []), message.get("kwargs", {})
        return self._call(lambda ns: ns[name](*args, **kwargs), {})

    def execute(self, code, bindings=None, result="result"):
        def action(ns):
            exec(compile(code, GRADER_FILE, "exec"), ns)
            return ns[result]
        return self._call(action, bindings)


class LocalContext:
    """A test double of the grader's CheckContext (gradlab.checks.base): the host's gradient-check mode, a sandbox
    of the pack's given code, and the reference answer, given as the baked dict or as a sandbox on the reference
    solution (asked through the kind's ``reference`` hook, as the grader does)."""

    def __init__(self, gradcheck_mode="auto", reference=None, exercise=None, given=None, seed=None):
        self.gradcheck_mode = gradcheck_mode
        self.exercise = exercise
        self.seed = seed
        self._reference = reference
        self._given = given

    def given(self):
        if self._given is None:
            raise AssertionError("this test's check asks for the pack's given code: pass LocalContext(given=...)")
        return self._given

    def reference(self, spec):
        if isinstance(self._reference, dict):
            return self._reference
        from gradlab.checks import reference_answer

        return reference_answer(self._reference, spec)

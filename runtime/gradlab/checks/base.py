"""The contract between the worker (which owns the sandboxed learner process) and the check kinds
(which compute verdicts). A check never touches learner objects directly: it asks the sandbox to
evaluate expressions or run small programs in the learner's namespace and gets plain values back
(float, int, bool, str, None, list, tuple, dict, numpy.ndarray), then judges them here, in the
grader's own process.
"""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Protocol


class LearnerError(Exception):
    """The learner's code did not produce a value: it raised, did not parse, lacked a name, ran out of
    time or memory, or exited. ``kind`` is one of: exception, syntax, missing-name, timeout, memory,
    exit, output, forbidden. ``message`` is already in plain words for the learner."""

    def __init__(self, kind: str, message: str, *, file: Optional[str] = None, line: Optional[int] = None,
                 function: Optional[str] = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.file = file
        self.line = line
        self.function = function


class Sandbox(Protocol):
    """The learner's submission, loaded in an isolated child process."""

    def eval(self, expr: str, bindings: Optional[Dict[str, Any]] = None) -> Any:
        """Evaluate ``expr`` in the learner namespace plus ``bindings`` (plain values) and return the
        plain result. Non-plain results come back as an opaque handle; raises LearnerError."""

    def execute(self, code: str, bindings: Optional[Dict[str, Any]] = None, result: str = "result") -> Any:
        """Execute ``code`` (trusted grader code, e.g. a generated Value graph or loop instrumentation)
        in a fresh copy of the learner namespace plus ``bindings`` and return the plain value of the
        variable named ``result``; raises LearnerError."""


class CheckContext(Protocol):
    """What a check kind may need beyond its sandbox and its spec (gradlab.grading.CheckContext)."""

    gradcheck_mode: str  # the host's choice for gradient checks: auto | full | fast (a spec's own mode wins)
    exercise: Any  # gradlab.grading.Exercise: the pack's folder, its tests file and release files

    def reference(self, spec: dict) -> dict:
        """The reference solution's answer to this check (the kind's ``reference`` hook), computed or baked."""


@dataclass
class Verdict:
    passed: bool
    message: str
    diagnosis: Optional[str] = None
    expected: Optional[str] = None
    actual: Optional[str] = None
    warnings: List[str] = field(default_factory=list)
    # the kind of mistake in words that give away no input and no expected value: what a hidden check may say
    kind: Optional[str] = None
    # the words already say what in the code is wrong: no other check's diagnosis is added (grading.link_causes)
    names_cause: bool = False

"""Declared kinks (ExerciseSpec.kinks): points where a function the checks go through has no single derivative (a
ReLU at 0). While `gradlab validate` grades the solution, the process of each check watches every call of each
declared function (``Watch``) and keeps how close the declared values came to the kink; the grader turns what it saw
into findings (``findings``, CheckReport.kinks): a check whose inputs sit on a kink would fail a correct answer that
picks the other one-sided derivative.

Only the pack's own solution is watched, and what the watch says is advice to the pack's author, never a verdict.
"""

import builtins
import functools
import inspect
import math

# the gradient checks' finest finite-difference step (they measure again at 1/100 of 1e-6 where an element
# disagrees): closer than that even the finer nudge crosses the kink, and a test's exact answer depends on the side
DEFAULT_TOLERANCE = 1e-8
UNWATCHED_KINDS = ("run",)  # a training run's verdict is a threshold on a metric, which one step at a kink cannot move


def watched_for(exercise_spec, check_spec):
    """The kinks to watch during ``check_spec``: the exercise's, unless the check is about them or cannot be moved
    by them."""
    if check_spec.get("onKink") or check_spec.get("kind") in UNWATCHED_KINDS:
        return []
    return list(exercise_spec.get("kinks") or [])


class Watch:
    """In a check's process: every declared function wrapped, wherever the exercise's modules and the namespace the
    checks evaluate in refer to it, so that calls from the learner's own code count too."""

    def __init__(self, declared, namespace, modules, numpy=None):
        self.numpy = numpy
        self.seen = [{"distance": None, "near": 0, "calls": 0, "error": None} for _ in declared]
        for index, kink in enumerate(declared):
            try:
                self._wrap(index, kink, namespace, modules)
            except Exception as error:  # a declaration that names nothing or does not parse is the pack's mistake
                self.seen[index]["error"] = f"{type(error).__name__}: {error}"

    def report(self):
        return [dict(entry) for entry in self.seen]

    def _wrap(self, index, kink, namespace, modules):
        owner, _, method = kink["function"].partition(".")
        if owner not in namespace:
            raise LookupError(f"the exercise's files define no `{owner}`")
        code = compile(kink["value"], f"<kink of {kink['function']}>", "eval")
        if method:
            cls = namespace[owner]
            original = inspect.getattr_static(cls, method, None)
            if not inspect.isfunction(original):
                raise LookupError(f"`{owner}` has no method `{method}`")
            setattr(cls, method, self._watched(index, kink, original, code))
            return
        original = namespace[owner]
        if not inspect.isfunction(original):
            raise LookupError(f"`{owner}` is not a function")
        wrapper = self._watched(index, kink, original, code)
        for scope in [namespace] + [vars(module) for module in modules]:
            for name, value in list(scope.items()):
                if value is original:
                    scope[name] = wrapper

    def _watched(self, index, kink, original, code):
        signature = inspect.signature(original)
        at = float(kink.get("at", 0.0))
        tolerance = float(kink.get("tolerance", DEFAULT_TOLERANCE))
        entry = self.seen[index]

        @functools.wraps(original)
        def watched(*args, **kwargs):
            # before the call: the function may change its arguments in place
            if entry["error"] is None:
                try:
                    bound = signature.bind(*args, **kwargs)
                    bound.apply_defaults()
                    # the arguments as globals, so that a comprehension in the expression sees them too
                    scope = {"np": self.numpy, "__builtins__": builtins, **bound.arguments}
                    distance = self._distance(eval(code, scope), at)
                except Exception as error:
                    entry["error"] = f"{type(error).__name__}: {error}"
                else:
                    entry["calls"] += 1
                    if distance is not None:
                        entry["distance"] = distance if entry["distance"] is None else min(entry["distance"], distance)
                        entry["near"] += distance <= tolerance
            return original(*args, **kwargs)

        return watched

    def _distance(self, value, at):
        """The least |v - at| over the finite numbers in ``value`` (an array, a number, or lists of them)."""
        numpy = self.numpy
        if numpy is not None and isinstance(value, numpy.ndarray):
            if value.dtype == object:
                return self._distance(value.tolist(), at)
            values = numpy.abs(value.astype(float, copy=False) - at)
            values = values[numpy.isfinite(values)]
            return float(values.min()) if values.size else None
        if isinstance(value, (list, tuple)):
            distances = [d for d in (self._distance(v, at) for v in value) if d is not None]
            return min(distances) if distances else None
        number = float(value)  # a number, a NumPy scalar; anything else is a declaration that names the wrong value
        return abs(number - at) if math.isfinite(number) else None


def findings(check_id, declared, seen):
    """CheckReport.kinks entries for one check: the declared kinks its values came within tolerance of, and the
    declarations that could not be evaluated."""
    found = []
    for kink, entry in zip(declared, seen or ()):
        if not isinstance(entry, dict) or not (entry.get("near") or entry.get("error")):
            continue
        finding = {"check": check_id, "function": kink["function"], "value": kink["value"],
                   "at": float(kink.get("at", 0.0)), "calls": int(entry.get("near") or 0),
                   "of": int(entry.get("calls") or 0), "why": kink["why"]}
        if isinstance(entry.get("distance"), (int, float)):
            finding["distance"] = float(entry["distance"])
        if entry.get("error"):
            finding["error"] = str(entry["error"])
        found.append(finding)
    return found

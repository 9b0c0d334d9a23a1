"""The `training-loop` check kind: the learner's loop runs a few steps on a fixed, seeded problem while
the grader watches the optimizer, and the trajectory is compared with the reference solution's.

Instrumentation (grader code run in the learner's namespace) replaces the optimizer's ``step`` with a
wrapper that records every parameter's ``.grad`` when step() is called and its ``.data`` after. Up to the
first step that differs, both runs stood at the same parameters, so the gradient the learner *should*
have had at that step is the reference's: that is what lets the words below tell a missing zero_grad
(the gradient is the sum of this step's and the previous ones') from gradients cleared too early (step()
sees zeros) and from an update that leaves a parameter where it was.
"""

from typing import List, Optional, Sequence

import numpy as np

from gradlab.numerics import adam

from . import CheckError
from .base import LearnerError, Verdict
from .diagnose import describe

RTOL, ATOL = 1e-6, 1e-10
RULES = ("adam",)  # optimizers whose usual variants the check can tell apart (spec "rule")


PROGRAM = """
import numpy as _gradlab_numpy
import os as _gradlab_os
import traceback as _gradlab_traceback


def _gradlab_copy(value):
    if value is None:
        return None
    try:
        return _gradlab_numpy.array(value, dtype=_gradlab_numpy.float64, copy=True)
    except Exception:
        return '<' + type(value).__name__ + '>'


def _gradlab_state(value):
    if value is None:
        return 'None'
    if not isinstance(value, _gradlab_numpy.ndarray):
        return '<' + type(value).__name__ + '>'
    return 'nonzero' if _gradlab_numpy.any(value) else 'zeros'


def _gradlab_watch(optimizer, params, trace):
    step = optimizer.step

    def observed_step(*args, **kwargs):
        trace['grads'].append([_gradlab_copy(p.grad) for p in params])
        out = step(*args, **kwargs)
        trace['data'].append([_gradlab_copy(p.data) for p in params])
        return out
    optimizer.step = observed_step
    zero_grad = getattr(optimizer, 'zero_grad', None)
    if zero_grad is not None:
        def observed_zero_grad(*args, **kwargs):
            out = zero_grad(*args, **kwargs)
            trace['zeroed'].append([len(trace['grads'])] + [_gradlab_state(p.grad) for p in params])
            return out
        optimizer.zero_grad = observed_zero_grad


def _gradlab_error(error):
    frames = [f for f in _gradlab_traceback.extract_tb(error.__traceback__) if not f.filename.startswith('<')]
    last = frames[-1] if frames else None
    return [type(error).__name__, str(error)[:300], _gradlab_os.path.basename(last.filename) if last else None,
            last.lineno if last else None, last.name if last else None]
"""


def _program(spec: dict) -> str:
    """Setup, watch the optimizer, run the loop; exceptions of the loop are kept with the trace."""
    names = list(spec["setup"])
    bad = [name for name in names if not name.isidentifier()]
    if bad or not str(spec["optimizer"]).isidentifier():
        raise CheckError(f"training-loop {spec.get('id')}: setup and optimizer names must be Python names")
    setup = "\n".join(f"{name} = ({expression})" for name, expression in spec["setup"].items())
    run = "\n".join([
        f"_gradlab_params = list({spec['parameters']})",
        "_gradlab_trace = {'initial': [_gradlab_copy(p.data) for p in _gradlab_params], 'grads': [], 'data': [],",
        "                  'zeroed': []}",
        f"_gradlab_watch({spec['optimizer']}, _gradlab_params, _gradlab_trace)",
        "try:",
        f"    _gradlab_trace['returned'] = ({spec['run']})",
        "except Exception as _gradlab_exception:",
        "    _gradlab_trace['error'] = _gradlab_error(_gradlab_exception)",
        "_gradlab_trace['final'] = [_gradlab_copy(p.data) for p in _gradlab_params]",
        "result = _gradlab_trace",
    ])
    # the grader's part is compiled under a name of its own, so a traceback tells its frames apart
    return setup + f"\nexec(compile({PROGRAM + run!r}, '<gradlab-training-loop>', 'exec'))\n"


def _jsonable(value):
    """Arrays as nested lists, so that a baked trajectory can live in references.json."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"<{describe(value)}>"


def reference(reference_sandbox, spec: dict) -> dict:
    """The kind's ``reference`` hook: the reference solution's trajectory on the check's problem, as plain JSON."""
    return _jsonable(reference_sandbox.execute(_program(spec), {}))


def _array(value):
    return value if value is None or isinstance(value, str) else np.asarray(value, dtype=np.float64)


def _arrays(trace: dict, key: str) -> List[List]:
    return [[_array(v) for v in step] for step in trace.get(key, [])]


def _close(a, b, rtol=RTOL, atol=ATOL) -> bool:
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a is None and b is None
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    scale = max(float(np.max(np.abs(b))) if b.size else 0.0, 1.0)
    return bool(np.all(np.abs(a - b) <= atol * scale + rtol * np.abs(b)))


def _factor(c: float) -> str:
    """A factor with the digits that show it is not 1."""
    return f"{c:.4g}" if round(c, 3) != 1 else f"{c:.8g}"


def _ratio(a, b) -> Optional[float]:
    """c with a = c * b, if there is one."""
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return None
    a, b = np.ravel(a), np.ravel(b)
    if a.shape != b.shape or not np.any(b):
        return None
    c = float(a @ b) / float(b @ b)
    return c if _close(a, c * b) else None


def _norm(value) -> float:
    return float(np.linalg.norm(value)) if value is not None and not isinstance(value, str) else float("nan")


class _Fail(Exception):
    def __init__(self, message, diagnosis, expected=None, actual=None):
        super().__init__(message)
        self.verdict = Verdict(False, message, diagnosis=diagnosis, expected=expected, actual=actual)


def _param(i: int, initial: Sequence) -> str:
    shape = None if initial[i] is None or isinstance(initial[i], str) else tuple(np.shape(initial[i]))
    return f"parameter {i + 1}" + (f" (shape {shape})" if shape is not None else "")


def _params(indices: Sequence[int], initial: Sequence) -> str:
    words = [_param(i, initial) for i in indices]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _accumulation_words(k: int, wrong: List[int], zeroed: list, initial, opt: str) -> str:
    """Why the gradients were not cleared before step k + 1, from what zero_grad() left behind."""
    calls = [z for z in zeroed if 0 < z[0] <= k]  # zero_grad calls after the first step(), before this one
    if not zeroed:
        return (f"Gradients accumulate across steps: nothing clears them between iterations. Call {opt}.zero_grad() "
                "once per iteration, before backward() (or after step()).")
    if not calls:
        return (f"{opt}.zero_grad() runs only before the first step, so from then on gradients accumulate: call it "
                "once per iteration, inside the loop.")
    left = [i for i in wrong if calls[-1][1 + i] == "nonzero"]
    if left:
        return (f"{opt}.zero_grad() is called but leaves the .grad of {_params(left, initial)} non-zero, so gradients "
                "accumulate across steps: it must clear every parameter's .grad in place (p.grad[...] = 0, or "
                "p.grad = np.zeros_like(p.data)).")
    return (f"Gradients accumulate across steps although {opt}.zero_grad() runs: is it called after backward() "
            "has already added this step's gradient?")


def _judge_grads(k: int, mine: List[list], ref: List[list], zeroed: list, initial, opt: str, tol, data=(),
                 rule=None) -> None:
    """Step k + 1: the parameters were the reference's so far (within ``tol``), so its gradient is the one to expect.
    With a ``rule``, a difference grown from earlier steps that each looked right is traced to the update's term."""
    wrong = [i for i, (a, b) in enumerate(zip(mine[k], ref[k])) if not _close(a, b, *tol)]
    if not wrong:
        return
    step, now, want = k + 1, mine[k], ref[k]
    odd = [i for i in wrong if now[i] is None or isinstance(now[i], str)]
    if odd:
        i = odd[0]
        raise _Fail(f"At step {step}, {_param(i, initial)}.grad is {now[i] or 'None'} when {opt}.step() is called.",
                    "The gradients must be NumPy arrays when step() runs: is zero_grad() setting them to None or "
                    "to something that backward() cannot add to?")
    lines = dict(expected="\n".join(f"step {step}, {_param(i, initial)}: |grad| = {_norm(want[i]):.6g}" for i in wrong),
                 actual="\n".join(f"step {step}, {_param(i, initial)}: |grad| = {_norm(now[i]):.6g}" for i in wrong))
    what = _params(wrong, initial)
    several = len(wrong) > 1
    if all(not np.any(now[i]) for i in wrong):
        raise _Fail(f"At step {step}, {opt}.step() saw all-zero gradients for {what}.",
                    "The gradients are cleared between backward() and step(), so step() finds zeros and nothing is "
                    "learned: call zero_grad() before backward() (or right after step()), never between them.",
                    **lines)
    if k > 0 and all(_close(now[i], mine[k - 1][i] + want[i]) for i in wrong):
        growth = ", ".join(f"{_norm(mine[j][wrong[0]]):.4g}" for j in range(k + 1))
        raise _Fail(f"At step {step}, the gradient{'s' if several else ''} of {what} "
                    f"{'are' if several else 'is'} the sum of this step's and the previous steps' (the size grows "
                    f"step by step: {growth}).", _accumulation_words(k, wrong, zeroed, initial, opt), **lines)
    if rule is not None and k > 0:
        _judge_moves(k, data, mine, initial, opt, rule, lines)
    ratios = [_ratio(now[i], want[i]) for i in wrong]
    if k > 0 and all(r is not None and abs(r - 1) < 1e-3 for r in ratios):
        raise _Fail(f"At step {step}, the gradient{'s' if several else ''} of {what} differ{'' if several else 's'} "
                    f"slightly from the reference's (a factor {_factor(ratios[0])}): the parameters {opt}.step() "
                    "left after the earlier steps were close to the reference's, not equal.",
                    f"{opt}.step() moves the parameters almost as the reference does: compare its update with the "
                    "formula term by term.", **lines)
    if all(r is not None and abs(r - ratios[0]) <= 1e-6 * abs(ratios[0]) for r in ratios):
        c = ratios[0]
        why = (" Is backward() called twice per step?" if abs(c - 2) < 1e-6 else
               " Is the loss's gradient scaled differently from the reference's?")
        raise _Fail(f"At step {step}, the gradient{'s' if several else ''} of {what} {'are' if several else 'is'} "
                    f"{_factor(c)} times the reference's.",
                    f"The gradient reaching {opt}.step() is {_factor(c)} times what it should be.{why}", **lines)
    raise _Fail(f"At step {step}, the gradient{'s' if several else ''} of {what} differ{'' if several else 's'} from "
                "the reference solution's on the same problem.",
                f"The gradients that {opt}.step() receives differ from the reference's from step {step} on "
                "(the earlier steps were right).", **lines)


def _judge_data(k: int, data: List[list], ref: list, before: list, initial, opt: str, tol, rule=None) -> None:
    """After step k + 1 (``data``: every step's parameters so far); ``rule``: (name, settings, gradients) of an
    optimizer whose usual variants can be told apart (adam)."""
    mine = data[k]
    wrong = [i for i, (a, b) in enumerate(zip(mine, ref)) if not _close(a, b, *tol)]
    if not wrong:
        return
    step = k + 1
    shown = lambda v: v if isinstance(v, str) or v is None else np.round(v, 6).tolist()
    lines = dict(expected="\n".join(f"after step {step}, {_param(i, initial)} = {shown(ref[i])}" for i in wrong),
                 actual="\n".join(f"after step {step}, {_param(i, initial)} = {shown(mine[i])}" for i in wrong))
    if any(mine[i] is None or isinstance(mine[i], str) for i in wrong):
        raise _Fail(f"After step {step}, a parameter's .data is not an array.",
                    f"{opt}.step() must keep each parameter's .data a NumPy array.", **lines)
    if rule is not None:
        _judge_rule(k, data, initial, opt, rule, lines)
    still = [i for i in wrong if _close(mine[i], before[i], rtol=0, atol=0)]
    if still:
        everything = len(still) == len(mine)
        raise _Fail(f"{opt}.step() left {'every parameter' if everything else _params(still, initial)} unchanged at "
                    f"step {step}.",
                    f"{'No parameter is ever' if everything else _params(still, initial).capitalize() + ' is never'} "
                    "updated: step() must change each parameter's .data in place (p.data -= lr * p.grad), not a "
                    "local copy, and every parameter must be in the optimizer's list.", **lines)
    ratios = [_ratio(mine[i] - before[i], ref[i] - before[i]) for i in wrong]
    if all(r is not None for r in ratios) and max(ratios) - min(ratios) <= 1e-6 * max(abs(r) for r in ratios):
        c = ratios[0]
        if abs(c + 1) < 1e-6:
            raise _Fail(f"At step {step}, {opt}.step() moved {_params(wrong, initial)} up the gradient.",
                        "The update has the wrong sign: subtract lr * grad (descent), do not add it.", **lines)
        raise _Fail(f"At step {step}, {opt}.step() moved {_params(wrong, initial)} {_factor(c)} times as far as the "
                    "reference.", f"The update's size is off by a factor {_factor(c)}: is the learning rate used as "
                                  "given (p.data -= lr * p.grad)?", **lines)
    raise _Fail(f"After step {step}, {_params(wrong, initial)} differ{'' if len(wrong) > 1 else 's'} from the "
                "reference solution's although the gradients agreed.",
                f"{opt}.step() updates the parameters differently from the reference.", **lines)


class _Accepted(Exception):
    """The step is the optimizer's, in one of its accepted forms, although not the reference's to the digit."""


class _Diverged(Exception):
    """Every step so far was the optimizer's in another correct form than the reference's, and the gradients have
    parted ways with the reference's because the parameters did: from here on only the rule can judge the steps."""


def _moved(data: List[list], initial, steps: int):
    """How far the learner's optimizer moved each parameter in each of the first ``steps`` steps, or None."""
    rows = [[None if a is None or isinstance(a, str) or b is None or isinstance(b, str) else a - b
             for a, b in zip(row, start)] for row, start in zip(data[:steps], [initial] + data[:steps - 1])]
    return None if any(move is None for row in rows for move in row) else rows


def _scale(data: List[list], steps: int) -> float:
    return max([float(np.max(np.abs(x))) for row in data[:steps] for x in row if np.size(x)] + [1.0])


def _judge_rule(k: int, data: List[list], initial, opt: str, rule, lines) -> None:
    """Step k + 1 against the optimizer's usual variants, from the gradients it received: the term that differs,
    in words, or _Accepted for another correct form (the paper's Adam)."""
    _name, settings, gradients = rule
    moved = _moved(data, initial, k + 1)
    if moved is None:
        return
    found = adam.identify(moved, gradients[:k + 1], settings, scale=_scale(data, k + 1), steps=[k])
    if adam.accepted(found):
        raise _Accepted()
    said = adam.words(found)
    if said:
        what, fix = said
        raise _Fail(f"At step {k + 1}, {opt}.step() moved the parameters exactly as an Adam in which {what} would.",
                    f"In this Adam {what}: {fix}.", **lines)


def _judge_by_rule(k: int, data: List[list], initial, opt: str, rule) -> None:
    """Step k + 1 after the trajectory parted from the reference's: it must be a step of an accepted form."""
    try:
        _judge_rule(k, data, initial, opt, rule, {})
    except _Accepted:
        return
    raise _Fail(f"At step {k + 1}, {opt}.step() moved the parameters differently from Adam (in either of its usual "
                "forms) with the gradients it received.",
                f"{opt}.step() follows Adam until step {k}, then not: compare its update with the formula term by "
                "term.")


def _judge_moves(k: int, data: List[list], grads: List[list], initial, opt: str, rule, lines) -> None:
    """The gradients of step k + 1 differ although every earlier step passed: when those steps were, together,
    those of a wrong variant of the rule (each one too close to the right update to tell), say which."""
    _name, settings, _gradients = rule
    moved = _moved(data, initial, k)
    if moved is None:
        return
    found = adam.identify(moved, grads[:k], settings, scale=_scale(data, k))
    if found == ("paper", "adam"):
        raise _Diverged()  # another correct form of Adam: the parameters, and so the gradients, part ways
    said = adam.words(found)
    if said:
        what, fix = said
        raise _Fail(f"At step {k + 1}, the gradients differ from the reference's because the parameters do: from step "
                    f"1 on, {opt}.step() moved them exactly as an Adam in which {what} would.",
                    f"In this Adam {what}: {fix}.", **lines)


def _rule(spec: dict, grads: List[list]):
    """(name, settings, gradients) from the spec's ``rule``, or None."""
    rule = spec.get("rule")
    if not rule:
        return None
    if not isinstance(rule, dict) or rule.get("name") not in RULES:
        raise CheckError(f"training-loop {spec.get('id')}: `rule` names an optimizer the check does not know "
                         f"({', '.join(RULES)})")
    betas = rule.get("betas", (0.9, 0.999))
    settings = adam.Settings(lr=float(rule["lr"]), beta1=float(betas[0]), beta2=float(betas[1]),
                             eps=float(rule.get("eps", 1e-8)))
    return rule["name"], settings, grads


def _judge_returned(mine, ref, run: str, tol) -> None:
    if not (isinstance(ref, list) and all(isinstance(v, (int, float)) for v in ref)):
        return
    if not isinstance(mine, (list, tuple)) or not all(isinstance(v, (int, float)) for v in mine):
        raise _Fail(f"{run} returned {describe(mine)}; the reference returns a list of {len(ref)} numbers.",
                    "Return the list of losses, one plain number per epoch.")
    if len(mine) != len(ref):
        raise _Fail(f"{run} returned {len(mine)} losses; the reference returns {len(ref)}.",
                    "Record exactly one loss per epoch.")
    if not _close(np.asarray(mine, dtype=float), np.asarray(ref, dtype=float), *tol):
        shifted = len(ref) > 1 and _close(np.asarray(mine[:-1], dtype=float), np.asarray(ref[1:], dtype=float))
        raise _Fail(f"{run} returned losses {np.round(mine, 6).tolist()}; the reference {np.round(ref, 6).tolist()}.",
                    "Each loss is recorded after its update: record the loss computed before the update." if shifted
                    else "The returned losses differ from the reference's although the parameters followed it.",
                    expected=str(list(ref)), actual=str(list(mine)))


def _judge_final(mine: dict, expected: dict, ref_data: list, initial, spec: dict, tol) -> None:
    """Where the parameters end, after the loop returned: the reference's too (a release baked before ``final`` was
    recorded ends where its last step left it)."""
    ref_final = [_array(v) for v in expected["final"]] if "final" in expected else (ref_data[-1] if ref_data
                                                                                    else initial)
    final = [_array(v) for v in mine.get("final", [])]
    wrong = [i for i, (a, b) in enumerate(zip(final, ref_final)) if not _close(a, b, *tol)]
    if wrong:
        raise _Fail(f"After {spec['run']} returned, {_params(wrong, initial)} "
                    f"{'differ' if len(wrong) > 1 else 'differs'} from the reference's although every step agreed.",
                    f"Something changes the parameters outside {spec['optimizer']}.step(): every update must go "
                    "through the optimizer.")


def _judge_error(mine: dict, spec: dict, initial) -> None:
    """The loop raised: name zero_grad() when it left a .grad that backward() cannot add to."""
    kind, text, file, line, function = mine["error"]
    opt = spec["optimizer"]
    for call in mine.get("zeroed", []):
        odd = [i for i, state in enumerate(call[1:]) if state not in ("zeros", "nonzero")]
        if odd:
            state = call[1 + odd[0]]
            raise _Fail(f"{spec['run']} raised {kind}: {text}, after {opt}.zero_grad() set the .grad of "
                        f"{_params(odd, initial)} to {state}.",
                        f"{opt}.zero_grad() must leave every .grad a zero array (p.grad[...] = 0, or p.grad = "
                        f"np.zeros_like(p.data)): backward() adds into it with +=, which {state} does not support.")
    raise LearnerError("exception", f"{spec['run']} raised {kind}: {text}", file=file, line=line, function=function)


def _well_formed(trace, count: int) -> bool:
    """The record holds one value per parameter at every step. It is made in the learner's process, whose code can
    reach it: a record cut short or emptied is refused as such, never compared element by element (a comparison
    that stops at the shorter side would find nothing wrong)."""
    if not isinstance(trace, dict) or not isinstance(trace.get("initial"), list):
        return False
    steps = [trace["initial"], trace.get("final", trace["initial"])] + \
        [step for key in ("grads", "data") for step in (trace.get(key) if isinstance(trace.get(key), list) else [0])]
    return len(trace.get("grads") or []) == len(trace.get("data") or []) and \
        all(isinstance(step, list) and len(step) == count for step in steps)


def check(sb, spec: dict, context) -> Verdict:
    """The learner's loop on the check's problem against the reference solution's (computed by the pack's code, or
    baked): every step's gradients and parameters, then where the parameters end."""
    expected = context.reference(spec)
    if "error" in expected:
        raise CheckError(f"training-loop {spec.get('id')}: the reference solution raised {expected['error'][:2]}")
    mine = sb.execute(_program(spec), {})
    opt = spec["optimizer"]
    initial = [_array(v) for v in expected["initial"]]
    if isinstance(mine, dict) and isinstance(mine.get("initial"), list) and len(mine["initial"]) != len(initial):
        return Verdict(False, f"{spec['parameters']} lists {len(mine['initial'])} parameters; the reference has "
                              f"{len(initial)}.", diagnosis="The model's parameters differ from the reference's.")
    if not _well_formed(mine, len(initial)):
        return Verdict(False, f"The record of {spec['run']} that grading keeps in the learner's process was changed "
                              "from inside it, so the loop cannot be judged.",
                       diagnosis="Something in the code replaced or emptied the grader's record of the training "
                                 "loop (its steps, gradients or parameters); remove whatever reaches into it.")
    grads, ref_grads = _arrays(mine, "grads"), _arrays(expected, "grads")
    data, ref_data = _arrays(mine, "data"), _arrays(expected, "data")
    try:
        if len(mine["initial"]) != len(initial):
            raise _Fail(f"{spec['parameters']} lists {len(mine['initial'])} parameters; the reference has "
                        f"{len(initial)}.", "The model's parameters differ from the reference's.")
        if "error" in mine:
            _judge_error(mine, spec, initial)
        if not grads and ref_grads:
            raise _Fail(f"{spec['run']} never called {opt}.step().",
                        f"Nothing is learned: call {opt}.step() once per epoch, after backward().")
        if len(grads) != len(ref_grads):
            raise _Fail(f"{spec['run']} called {opt}.step() {len(grads)} times; the reference calls it "
                        f"{len(ref_grads)} times.", f"Call {opt}.step() exactly once per epoch.")
        given = spec.get("tolerance") or {}
        tol = (float(given.get("rtol", RTOL)), float(given.get("atol", ATOL)))
        rule = _rule(spec, grads)
        accepted = diverged = False  # another correct form of the optimizer: the reference's data stops applying
        for k in range(len(grads)):
            if diverged:
                _judge_by_rule(k, data, initial, opt, rule)
                continue
            try:
                _judge_grads(k, grads, ref_grads, mine.get("zeroed", []), initial, opt, tol, data, rule)
            except _Diverged:
                diverged = accepted = True
                _judge_by_rule(k, data, initial, opt, rule)
                continue
            try:
                _judge_data(k, data, ref_data[k], initial if k == 0 else ref_data[k - 1], initial, opt, tol, rule)
            except _Accepted:
                accepted = True
        _judge_returned(mine.get("returned"), expected.get("returned"), spec["run"], tol)
        if not accepted:
            _judge_final(mine, expected, ref_data, initial, spec, tol)
    except _Fail as failure:
        return failure.verdict
    if accepted:
        return Verdict(True, f"{spec['run']} is Adam in the paper's lr_t form at each of its {len(grads)} steps: "
                             "every step moves the parameters as that form does with the gradients it received (the "
                             "reference adds eps to sqrt(v_hat) instead, which differs only in how eps is scaled).")
    return Verdict(True, f"{spec['run']} follows the reference trajectory: the same gradients at each of its "
                         f"{len(grads)} steps and the same parameters after each.")

"""The `gradcheck` check kind: the learner's analytic gradient against centered finite differences of
the loss, with the kind of mistake named when the numbers show one.

``judge`` is the whole numerical verdict for one point and knows nothing of sandboxes: it takes the
parameters, the returned gradient and an oracle for the loss (``numerics.fd``). ``check`` draws a
GradcheckSpec's inputs and evaluates its losses in the pack's given code (never in the learner's process, which
could halve a loss or zero every point), asks the learner's sandbox for the gradient only, and calls ``judge``
per trial.

Two modes. *full*: every element, two loss evaluations each. *fast* (randomised): a few random unit
directions through all parameters, comparing ``u . grad`` with the directional difference, so the cost
does not grow with the parameter count; when a direction disagrees, directions restricted to one tensor
at a time name the wrong tensors, and a few of their rows are checked element by element so the message
still names elements (random single coordinates would rarely hit the wrong ones).
"""

import ast
import functools
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..numerics import fd
from ..numerics.layout import Layout, LayoutError, Slot
from . import CheckError
from .base import Verdict
from .diagnose import (DataSizes, Finding, describe, judge_shape, judge_values, join_words, preactivation_name,
                       receive, receive_group, relu_mask, tell, worst_elements)

FAST_ABOVE = 2000  # auto mode: randomised above this many parameters
DEFAULT_TRIALS = 3
MIN_DIRECTIONS = 4  # one direction can hide a wrong gradient (PyTorch PR #59615)
SMALL_TENSOR = 16  # tensors this small are checked element by element even in the randomised mode
ROW_BUDGET = 16  # elements of a wrong tensor checked one by one in the randomised mode
RELU_ROW_BUDGET = 256  # a whole row of hidden units, so that the ReLU mask can be judged per unit
SAMPLED_TENSORS = 3  # wrong tensors checked element by element, at most
PROBES_PER_CALL = 2048  # loss evaluations per sandbox call are twice this


def _labels(layout: Layout, labels: Optional[Dict[str, str]]) -> Dict[Slot, str]:
    labels = labels or {}
    out = {}
    for slot in layout.slots:
        if slot.key is None:
            out[slot] = labels.get(slot.name) or f"the gradient of {slot.name}"
        else:
            whole = labels.get(slot.name)
            out[slot] = (labels.get(f"{slot.name}.{slot.key}") or labels.get(slot.key)
                         or (f"{whole}[{slot.key!r}]" if whole else f"the gradient of {slot.key}"))
    return out


def _wholes(layout: Layout, names: Dict[Slot, str], labels: Dict[str, str]) -> List[str]:
    """What to call each wrt name as a whole: a dict's own label, else the labels of its tensors."""
    out = []
    for name in dict.fromkeys(slot.name for slot in layout.slots):
        slots = [slot for slot in layout.slots if slot.name == name]
        whole = labels.get(name) if slots[0].key is not None else None
        out += [whole] if whole else [names[slot] for slot in slots]
    return out


def _rows(slot: Slot, budget: int, rng: np.random.Generator) -> np.ndarray:
    """Flat indices of a few whole rows of a tensor (all of it when it is small)."""
    if slot.size <= budget:
        return np.arange(slot.size)
    shape = slot.shape
    if len(shape) >= 2:
        row = int(np.prod(shape[1:], dtype=np.int64))
        count = max(1, budget // row)
        starts = np.sort(rng.choice(shape[0], size=count, replace=False)) * row
        return np.concatenate([np.arange(start, start + min(row, budget)) for start in starts])
    return np.sort(rng.choice(slot.size, size=budget, replace=False))


def _scale(returned) -> float:
    return float(np.max(np.abs(returned.value))) if returned.value is not None and returned.value.size else 1.0


def judge(values: Dict[str, object], gradient: Dict[str, object], oracle: fd.Oracle, *, mode: str = "auto",
          tolerance: Optional[fd.Tolerance] = None, labels: Optional[Dict[str, str]] = None,
          samples_n: Sequence[int] = (), relu: Optional[dict] = None, directions: int = MIN_DIRECTIONS,
          seed: int = 0) -> Verdict:
    """Judge one point. ``values``: {wrt name: float | array | {key: array}}; ``gradient``: the learner's
    returned value per wrt name; ``samples_n``: the data's sample counts (to recognise sum-for-mean);
    ``relu``: {"preactivation": callable -> array (samples, units), "params": [names or keys],
    "name": "Z1"} to recognise a missing ReLU mask."""
    layout = Layout.of(values)
    values = layout.as_float64(values)
    labels = labels or {}
    directions = max(MIN_DIRECTIONS, int(directions))
    names = _labels(layout, labels)
    received, warnings = _receive(layout, values, gradient, names)
    full = mode == "full" or (mode != "fast" and layout.size <= FAST_ABOVE)
    measure = _Measure(oracle, layout, values, tolerance or fd.Tolerance(), received)
    samples = measure.all_elements() if full else measure.randomised(directions, seed)
    tols = {slot: measure.tol_for(slot) for slot in layout.slots}  # read after measuring: the loss's dtype counts

    findings: Dict[Slot, Finding] = {}
    for slot, returned in received.items():
        if returned.problem is not None:
            findings[slot] = Finding(returned, False)
        elif slot not in samples:
            findings[slot] = Finding(returned, True)
        elif returned.raw is not None:
            findings[slot] = judge_shape(returned, samples[slot], tols[slot], samples_n)
        else:
            findings[slot] = judge_values(returned, samples[slot], tols[slot], samples_n)

    relu_slots = [slot for slot in layout.slots
                  if relu and (slot.key if slot.key is not None else slot.name) in relu.get("params", ())]
    wrong = [slot for slot in layout.slots if not findings[slot].right and received[slot].value is not None]
    elements = samples if full else measure.rows(wrong, relu_slots, np.random.default_rng(seed))
    if not full:
        for slot in wrong:
            if slot in elements:
                findings[slot].worst = worst_elements(received[slot], elements[slot], tols[slot])

    if measure.tol.loss_eps == fd.FLOAT32_EPS:
        warnings.append("The loss came back as float32, so the finite differences used a larger step and a looser "
                        "tolerance: keep the loss in float64 for a sharper check.")
    ordered = [findings[slot] for slot in layout.slots]
    extra = None
    if relu_slots and wrong:
        extra = relu_mask(ordered, relu_slots, elements, relu["preactivation"](), measure.tol,
                          relu.get("name") or "the pre-activation")
    return _verdict(ordered, extra, warnings, full, layout, directions, _wholes(layout, names, labels))


def _receive(layout: Layout, values: dict, gradient: dict, names: Dict[Slot, str]):
    """Each returned tensor checked for type, and the warnings that go with the verdict whatever it is."""
    received, warnings = {}, []
    for name in values:
        slots = [slot for slot in layout.slots if slot.name == name]
        if slots[0].key is None:
            received[slots[0]] = receive(slots[0], names[slots[0]], gradient.get(name))
        else:
            group, more = receive_group(name, slots, names, gradient.get(name))
            received.update((r.slot, r) for r in group)
            warnings += more
    for returned in received.values():
        warnings += returned.warnings
    single = [r.label for r in received.values() if r.float32]
    if single:
        warnings.append(f"{join_words(single)} came back as float32 and {'were' if len(single) > 1 else 'was'} "
                        "checked with a float32 tolerance: compute in float64 to avoid rounding surprises.")
    return received, warnings


class _Measure:
    """Runs the probes through the oracle, a chunk at a time, and files the derivatives per tensor."""

    def __init__(self, oracle, layout, values, tol, received):
        self.oracle, self.layout, self.values, self.tol = oracle, layout, values, tol
        self.received = received

    def tol_for(self, slot: Slot) -> fd.Tolerance:
        returned = self.received[slot]
        return self.tol.for_float32_gradient(_scale(returned)) if returned.float32 else self.tol

    def derivatives(self, probes) -> fd.Derivatives:
        values, noise = [], []
        for start in range(0, len(probes), PROBES_PER_CALL):
            chunk = probes[start:start + PROBES_PER_CALL]
            d = fd.central_differences(self.oracle, self.layout, self.values, chunk, self.tol)
            if "float32" in d.loss_dtypes and self.tol.loss_eps != fd.FLOAT32_EPS:
                self.tol = self.tol.for_float32_loss()
                return self.derivatives(probes)
            values.append(d.values)
            noise.append(d.noise)
        if not values:
            return fd.Derivatives(np.zeros(0), np.zeros(0), [])
        return fd.Derivatives(np.concatenate(values), np.concatenate(noise), [])

    def elements(self, chosen: Dict[Slot, np.ndarray], refine: bool = False) -> Dict[Slot, fd.Samples]:
        probes = [probe for slot, indices in chosen.items() for probe in fd.element_probes(slot.offset, indices)]
        d = self.derivatives(probes)
        out, start = {}, 0
        for slot, indices in chosen.items():
            stop = start + len(indices)
            out[slot] = fd.Samples(d.values[start:stop], d.noise[start:stop], indices=np.asarray(indices))
            value = self.received[slot].value
            if refine and value is not None:
                out[slot] = fd.refine(self.oracle, self.layout, self.values, slot, out[slot], value,
                                      self.tol_for(slot))
            start = stop
        return out

    def usable(self) -> List[Slot]:
        return [slot for slot, r in self.received.items() if r.problem is None]

    def all_elements(self) -> Dict[Slot, fd.Samples]:
        """Full mode: every element of every usable tensor."""
        return self.elements({slot: np.arange(slot.size) for slot in self.usable()}, refine=True)

    def randomised(self, directions: int, seed: int) -> Dict[Slot, fd.Samples]:
        """Fast mode: directions through all parameters; only when one disagrees (or a tensor came back
        in the wrong shape), directions restricted to each tensor. Tensors left out agreed."""
        slots = self.layout.slots
        if all(self.received[slot].value is not None for slot in slots):
            probes = fd.direction_probes(0, self.layout.size, directions, seed)
            along = self.derivatives(probes)
            analytic = np.concatenate([self.received[slot].value.ravel() for slot in slots])
            loosest = max((self.tol_for(slot) for slot in slots), key=lambda tol: tol.rtol)
            if np.all(loosest.agree(fd.directions_matrix(probes) @ analytic, along.values, along.noise)):
                return {}
        return self.per_tensor(self.usable(), directions, seed)

    def rows(self, wrong: List[Slot], relu_slots: List[Slot], rng: np.random.Generator) -> Dict[Slot, fd.Samples]:
        """Name elements: a few rows of the first wrong tensors, one element at a time (whole rows of
        hidden units for the ReLU's tensors, so that the mask can be judged unit by unit)."""
        if not wrong:
            return {}
        first = sorted(wrong, key=lambda slot: slot not in relu_slots)[:SAMPLED_TENSORS]
        if relu_slots and all(slot in relu_slots for slot in wrong):
            first = list(dict.fromkeys(first + relu_slots))
        return self.elements({slot: _rows(slot, RELU_ROW_BUDGET if slot in relu_slots else ROW_BUDGET, rng)
                              for slot in first})

    def per_tensor(self, slots: List[Slot], directions: int, seed: int) -> Dict[Slot, fd.Samples]:
        """Small tensors element by element, the others along directions restricted to them: two
        evaluations per tensor per direction whatever the tensor's size."""
        plan = []
        for i, slot in enumerate(slots):
            if slot.size <= SMALL_TENSOR:
                plan.append((slot, fd.element_probes(slot.offset, range(slot.size)), True))
            else:
                plan.append((slot, fd.direction_probes(slot.offset, slot.size, directions, seed + 7919 * (i + 1)),
                             False))
        d = self.derivatives([probe for _slot, probes, _e in plan for probe in probes])
        out, start = {}, 0
        for slot, probes, is_elements in plan:
            stop = start + len(probes)
            if is_elements:
                out[slot] = fd.Samples(d.values[start:stop], d.noise[start:stop], indices=np.arange(slot.size))
            else:
                out[slot] = fd.Samples(d.values[start:stop], d.noise[start:stop],
                                       directions=fd.directions_matrix(probes))
            start = stop
        return out


def _verdict(findings: List[Finding], extra, warnings, full, layout, directions, names) -> Verdict:
    whole, several = join_words(names), len(names) > 1
    if full:
        how = f"each of the {layout.size:,} parameters" if layout.size > 1 else "its one parameter"
    else:
        how = f"{directions} random directions through all {layout.size:,} parameters"
    if all(f.right for f in findings):
        return Verdict(True, f"{whole} {'match' if several else 'matches'} centered finite differences of the "
                             f"loss ({how}).", warnings=_unique(warnings))
    worst = [w for f in findings for w in f.worst[:2]]
    lines = [f"{where}: yours {yours:.6g}, numeric {numeric:.6g} (relative error {rel:.2g})"
             for where, yours, numeric, rel in worst]
    message = "The gradient does not match centered finite differences of the loss"
    message += ("; worst elements: " + "; ".join(lines) + ".") if lines else "."
    diagnosis = tell(findings, extra)
    # the diagnoses speak of ratios, signs, masks and shapes, never of the points: a hidden check may say them
    return Verdict(False, message, diagnosis=diagnosis, kind=diagnosis,
                   expected="\n".join(f"{where} = {numeric:.6g}" for where, _y, numeric, _r in worst) or None,
                   actual="\n".join(f"{where} = {yours:.6g}" for where, yours, _n, _r in worst) or None,
                   warnings=_unique(warnings))


def _unique(items):
    return list(dict.fromkeys(items))


# ---- the sandbox side ----

@functools.lru_cache(maxsize=1)
def _probes_source() -> str:
    return (Path(__file__).resolve().parent.parent / "numerics" / "probes.py").read_text(encoding="utf-8")


class SandboxOracle:
    """Losses evaluated in a sandbox of the pack's given code: the inputs travel once per call as bindings and the
    probes as offsets and seeds; the perturbed points are built there (numerics/probes.py)."""

    def __init__(self, sb, loss: str, inputs: Dict[str, object], wrt: Sequence[str]):
        self.sb, self.inputs = sb, _used(loss, inputs, wrt)
        point = ", ".join(f"{name!r}: {name}" for name in wrt)
        self.code = (_probes_source() + f"\n\ndef _gradlab_loss({', '.join(wrt)}):\n    return ({loss})\n\n"
                     f"result = gradlab_losses(_gradlab_loss, _gradlab_slots, {{{point}}}, _gradlab_probes)\n")

    def __call__(self, layout, values, probes):
        found = self.sb.execute(self.code, {**self.inputs, "_gradlab_slots": layout.wire(), "_gradlab_probes": probes})
        if not (isinstance(found, (tuple, list)) and len(found) == 3 and isinstance(found[0], np.ndarray)):
            raise fd.LossNotANumber(f"the loss evaluation came back as {describe(found)}")
        return found[0].astype(np.float64), list(found[1]), found[2]


def _used(expression: str, inputs: Dict[str, object], keep: Sequence[str] = ()) -> Dict[str, object]:
    """The inputs an expression names (and ``keep``): the rest need not travel with every call."""
    try:
        names = {node.id for node in ast.walk(ast.parse(expression, mode="eval")) if isinstance(node, ast.Name)}
    except SyntaxError:
        return inputs
    return {name: value for name, value in inputs.items() if name in names or name in keep}


def _float64(value):
    """Inputs in float64, so the learner's float32 never limits the finite differences."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    if isinstance(value, dict):
        return {key: _float64(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_float64(item) for item in value)
    return value


def _names(spec: dict, field: str) -> List[str]:
    names = list(spec.get(field) or {})
    bad = [name for name in names if not name.isidentifier()]
    if bad:
        raise CheckError(f"gradcheck {spec.get('id')}: {field} names must be Python identifiers: {bad}")
    return names


def _inputs(given, spec: dict, trial: int, seed: Optional[int] = None) -> Dict[str, object]:
    """Every input in order, in one call of the pack's given code, from a generator seeded by the trial number (and
    by a grading run's own seed, so that its points are new)."""
    names = _names(spec, "inputs")
    generator = int(trial) if seed is None else [int(seed), int(trial)]
    lines = ["import numpy as _gradlab_numpy", f"rng = _gradlab_numpy.random.default_rng({generator!r})"]
    lines += [f"{name} = ({expression})" for name, expression in spec["inputs"].items()]
    lines.append("result = {" + ", ".join(f"{name!r}: {name}" for name in names) + "}")
    found = given.execute("\n".join(lines) + "\n", {})
    return {name: _float64(found[name]) for name in names}


def _learner_inputs(sb, spec: dict, inputs: Dict[str, object]) -> Dict[str, object]:
    """``learnerInputs``: values only the learner's code can give (the mask its dropout drew), computed in its
    process from the given inputs; the loss then uses them as plain values, never the learner's loss itself."""
    found = {}
    for name in _names(spec, "learnerInputs"):
        expression = spec["learnerInputs"][name]
        found[name] = _float64(sb.eval(expression, _used(expression, {**inputs, **found})))
    return found


def _sample_counts(inputs: Dict[str, object], wrt: Sequence[str]) -> DataSizes:
    """The leading dimension of every data array (not a parameter): N for sum-versus-mean; and the values per
    sample of each, for a mean over rows where the loss averages every element."""
    counts, widths = set(), set()
    for name, value in inputs.items():
        if name not in wrt and isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] > 1:
            counts.add(int(value.shape[0]))
            if value.ndim >= 2:
                widths.add(int(np.prod(value.shape[1:], dtype=np.int64)))
    return DataSizes(counts, widths)


def _split(raw, wrt: Sequence[str], labels: Dict[str, str], expression: str):
    """One returned value per wrt name; a message when the gradient expression gave something else."""
    if len(wrt) == 1:
        return {wrt[0]: raw}, None
    words = join_words([labels.get(name, name) for name in wrt])
    if not isinstance(raw, (tuple, list)):
        return None, f"{expression} gave {describe(raw)}; it should give one value for each of {words}."
    if len(raw) != len(wrt):
        return None, f"{expression} gave {len(raw)} values; it should give {len(wrt)}, for {words}."
    return dict(zip(wrt, raw)), None


def mode_of(spec: dict, context) -> str:
    """The spec's own mode wins over the host's choice."""
    return spec.get("mode") or getattr(context, "gradcheck_mode", None) or "auto"


def check(sb, spec: dict, context) -> Verdict:
    """The learner's gradient, from its process, against finite differences of the loss in the pack's given code
    (context.given()), at points the given code draws."""
    given = context.given()
    wrt = list(spec["wrt"])
    labels = spec.get("labels") or {}
    trials = max(1, int(spec.get("trials", DEFAULT_TRIALS)))
    mode = mode_of(spec, context)
    tol = fd.tolerance(spec.get("tolerance"))
    warnings: List[str] = []
    verdict = None
    for trial in range(trials):
        inputs = _inputs(given, spec, trial, getattr(context, "seed", None))
        missing = [name for name in wrt if name not in inputs]
        if missing:
            raise CheckError(f"gradcheck {spec.get('id')}: wrt names {missing} are not inputs")
        try:
            layout = Layout.of({name: inputs[name] for name in wrt})
        except LayoutError as error:
            raise CheckError(f"gradcheck {spec.get('id')}: {error}") from None
        inputs.update(layout.as_float64({name: inputs[name] for name in wrt}))
        inputs.update(_learner_inputs(sb, spec, inputs))
        gradient, problem = _split(sb.eval(spec["gradient"], _used(spec["gradient"], inputs)), wrt, labels,
                                   spec["gradient"])
        if problem:
            return Verdict(False, problem, diagnosis=problem)
        relu = None
        if spec.get("relu"):
            expression = spec["relu"]["preactivation"]
            relu = {"preactivation": lambda: np.asarray(given.eval(expression, _used(expression, inputs))),
                    "params": spec["relu"].get("params", []), "name": preactivation_name(expression)}
        try:
            oracle = SandboxOracle(given, spec["loss"], inputs, wrt)
            verdict = judge({name: inputs[name] for name in wrt}, gradient, oracle,
                            mode=mode, tolerance=tol, labels=labels, samples_n=_sample_counts(inputs, wrt),
                            relu=relu, directions=spec.get("directions", MIN_DIRECTIONS), seed=trial)
        except fd.LossNotANumber as error:
            return Verdict(False, f"The loss {spec['loss']} cannot be differentiated numerically at random point "
                                  f"{trial + 1}: {error}.")
        warnings += verdict.warnings
        if not verdict.passed:
            verdict.message = f"At random point {trial + 1} of {trials}: {verdict.message}"
            verdict.warnings = _unique(warnings)
            return verdict
    verdict.message = verdict.message.replace("differences of the loss", f"differences of the loss at {trials} "
                                              f"random point{'s' if trials != 1 else ''}", 1)
    verdict.warnings = _unique(warnings)
    return verdict

"""From an analytic gradient and numeric derivatives to the kind of mistake, in plain words.

Every judgement here works on ``Samples`` (numeric derivatives of one tensor along single elements or
random directions), so the same words come out of the full per-element check and of the randomised one:
a candidate array (the learner's gradient, its transpose, its mean over samples, ...) is tested by
projecting it onto the samples.
"""

import itertools
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..numerics.fd import Samples, Tolerance
from ..numerics.layout import Slot

TINY = 1e-12


def describe(value) -> str:
    """What a returned value is, for a sentence: "None", "a list", "an object of type Value"."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "a bool"
    for kind, words in ((list, "a list"), (tuple, "a tuple"), (dict, "a dict"), (str, "a string"),
                        (complex, "a complex number")):
        if isinstance(value, kind):
            return words
    if isinstance(value, np.ndarray):
        return f"a {value.dtype.name} array of shape {tuple(value.shape)}"
    type_name = getattr(value, "type_name", None) or type(value).__name__
    return f"an object of type {type_name}"


def shape_text(shape) -> str:
    return "a plain float" if shape is None else f"shape {tuple(shape)}"


def is_are(many: bool) -> str:
    return "are each" if many else "is"


def join_words(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


@dataclass
class Returned:
    """One tensor of the learner's gradient as it came back, checked for type before any numerics."""

    slot: Slot
    label: str
    value: Optional[np.ndarray] = None  # float64, the slot's shape: ready to compare
    raw: Optional[np.ndarray] = None  # float64 of another shape: diagnosed against the numeric samples
    problem: Optional[str] = None  # unusable, in words
    float32: bool = False
    warnings: List[str] = field(default_factory=list)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def receive(slot: Slot, label: str, value) -> Returned:
    """Type and dtype checks of one returned tensor; shapes are judged later, against the numbers."""
    out = Returned(slot, label)
    wants = "a number" if slot.shape is None else "a NumPy array"
    if _is_number(value):
        array = np.asarray(float(value))
    elif isinstance(value, np.ndarray):
        kind = value.dtype.kind
        if kind in "iu":
            out.problem = (f"{label} came back as integers ({value.dtype.name}): gradients are fractional, so "
                           "start from a float array (np.zeros(shape), not np.zeros(shape, dtype=int)).")
            return out
        if kind != "f":
            out.problem = f"{label} is {describe(value)}; {wants} of floats was expected."
            return out
        if value.dtype == np.float16:
            out.problem = f"{label} came back as float16, too coarse to check: compute it in float64."
            return out
        out.float32 = value.dtype == np.float32
        array = value.astype(np.float64)
    elif value is None:
        out.problem = f"{label} is None: nothing was returned (is a `return` missing?)."
        return out
    elif isinstance(value, (list, tuple)):
        fix = "return one float (e.g. float(np.mean(...)))" if slot.shape is None else "build it with NumPy"
        out.problem = f"{label} is {describe(value)}, not {wants}: {fix}."
        return out
    else:
        out.problem = f"{label} is {describe(value)}, not {wants}."
        return out
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        where = slot.element(int(bad[0])) if array.shape == (slot.shape or ()) else ""
        out.problem = (f"{label}{where} is {array.ravel()[bad[0]]}: the gradient is not finite "
                       "(an overflow, or a division by zero?).")
        return out
    expected = () if slot.shape is None else slot.shape
    if array.shape == expected:
        out.value = array
    elif slot.shape is None and array.size == 1:
        out.value = array.reshape(())
        out.warnings.append(f"{label} is an array of shape {array.shape} where a plain float was expected; "
                            "float(...) turns it into one.")
    else:
        out.raw = array
    return out


def receive_group(name: str, slots: List[Slot], labels: Dict[str, str], value) -> Tuple[List[Returned], List[str]]:
    """The tensors of a dict of arrays (one wrt name holding e.g. W1, b1, W2, b2)."""
    warnings = []
    if not isinstance(value, dict):
        words = describe(value)
        keys = ", ".join(repr(s.key) for s in slots)
        problem = (f"The gradient for {name} is None: nothing was returned (is a `return` missing?)."
                   if value is None else f"The gradient for {name} is {words}, not a dict with the keys {keys}.")
        return [Returned(slot, labels[slot], problem=problem) for slot in slots], warnings
    extra = [key for key in value if key not in {slot.key for slot in slots}]
    if extra:
        warnings.append(f"the gradient for {name} has keys that are not parameters, ignored: "
                        f"{', '.join(map(repr, extra))}.")
    out = []
    for slot in slots:
        if slot.key not in value:
            out.append(Returned(slot, labels[slot], problem=f"{labels[slot]} is missing: the returned dict has no "
                                f"key {slot.key!r} (its keys: {', '.join(map(repr, value)) or 'none'})."))
        else:
            out.append(receive(slot, labels[slot], value[slot.key]))
    return out, warnings


# ---- constant ratios between the analytic and the true gradient ----

@dataclass(frozen=True)
class Part:
    value: float
    key: str
    alone: str  # the whole sentence after "{L} {is}" when this is the only part
    clause: str  # as one clause among several


class DataSizes(tuple):
    """The data's sample counts (N, to recognise a sum where a mean belongs), and with them the number of values
    each sample has (its width: a mean over the N rows where the loss averages all N x width elements)."""

    widths: Tuple[int, ...] = ()

    def __new__(cls, samples: Sequence[int] = (), widths: Sequence[int] = ()):
        sizes = super().__new__(cls, sorted(set(samples)))
        sizes.widths = tuple(sorted(set(w for w in widths if w >= 2)))
        return sizes


GRADIENT = "the numeric gradient"


def _parts(samples_n: Sequence[int], ref: str = GRADIENT) -> List[List[Part]]:
    sign = [Part(-1.0, "sign", "", "the sign is flipped (ascent instead of descent)")]
    width = []
    for w in getattr(samples_n, "widths", ()):
        twice = " (or is a factor 2 applied twice?)" if w == 2 else ""
        width += [
            Part(float(w), f"rows{w}", f"{w} times {ref}, and every sample has {w} values: the loss averages all "
                 f"N x {w} elements, so the gradient divides by that (out.size), not by the N rows{twice}.",
                 f"it divides by the N rows where the loss averages all N x {w} elements"),
            Part(1.0 / w, f"elements{w}", f"1/{w} of {ref}, and every sample has {w} values: it divides by all "
                 f"N x {w} elements where the loss averages over the N rows only.",
                 f"it divides by all N x {w} elements where the loss averages the N rows"),
        ]
    two = [Part(0.5, "half", f"exactly half {ref}: did the factor 2 from the square go missing?",
                "the factor 2 from the square is missing"),
           Part(2.0, "twice", f"exactly twice {ref}: is the factor 2 applied twice?",
                "a factor 2 is applied twice")]
    count = []
    for n in sorted(set(samples_n)):
        if n < 3:
            continue
        count += [Part(float(n * w), f"sumall{n}x{w}", f"N x {w} = {n * w} times {ref}: it sums over all N x {w} "
                       "elements of the loss where the loss takes their mean (divide by out.size, or use .mean()).",
                       f"it sums over all N x {w} elements instead of averaging them")
                  for w in getattr(samples_n, "widths", ())]
        count += [
            Part(float(n), f"sum{n}", f"N = {n} times {ref}: it sums over the {n} samples where "
                 "the loss takes their mean (divide by N, or use .mean()).",
                 f"it sums over the {n} samples instead of averaging them"),
            Part(1.0 / n, f"mean{n}", f"1/N of {ref} (N = {n}): it divides by the number of "
                 "samples once too often (a mean where a sum belongs, or /N twice).",
                 f"it divides by N = {n} once too often"),
            Part(n / (n - 1.0), f"nminus1{n}", f"N/(N-1) times {ref} (N = {n}): it divides by "
                 f"N-1 = {n - 1} where the mean divides by N.", f"it divides by N-1 instead of N = {n}"),
            Part((n - 1.0) / n, f"offbyone{n}", f"(N-1)/N of {ref} (N = {n}): the number of "
                 "samples is off by one (a loop that stops one sample short?).",
                 f"the sample count is off by one (N = {n})"),
        ]
    groups = [sign, width, two, count]
    combos = []
    for size in (1, 2, 3):
        for chosen in itertools.combinations(groups, size):
            combos.extend(list(parts) for parts in itertools.product(*chosen))
    return combos


@dataclass
class Finding:
    """The verdict on one tensor."""

    returned: Returned
    right: bool
    key: Optional[str] = None  # findings with the same key are told together
    phrase: Optional[Callable[[str, bool], str]] = None  # (labels, several) -> sentence
    worst: List[Tuple[str, float, float, float]] = field(default_factory=list)  # (where, yours, numeric, rel)


def ratio_finding(c: float, samples_n: Sequence[int], single: bool,
                  ref: str = GRADIENT) -> Optional[Tuple[str, Callable]]:
    """Words for an answer that is c times the right one (``ref``: what the right one is called); None when c names
    no known mistake."""
    if abs(c) < TINY:
        return None
    for parts in _parts(samples_n, ref):
        value = float(np.prod([part.value for part in parts]))
        if abs(c - value) <= 1e-3 * abs(value):
            key = "ratio:" + "+".join(part.key for part in parts)
            if len(parts) == 1 and parts[0].key == "sign":
                return key, lambda labels, many: (
                    f"{labels} {'have' if many else 'has'} the right size but the wrong sign: a step along "
                    f"{'them' if many else 'it'} is ascent instead of descent and the loss climbs (is it target - "
                    "prediction where prediction - target belongs?).")
            if len(parts) == 1:
                return key, lambda labels, many, part=parts[0]: f"{labels} {is_are(many)} {part.alone}"
            clauses = join_words([part.clause for part in parts])
            return key, lambda labels, many: f"{labels} {is_are(many)} {value:.4g} times {ref}: {clauses}."
    if single:
        return None
    return f"ratio:{c:.4g}", lambda labels, many: (f"{labels} {is_are(many)} {c:.4g} times {ref} everywhere: a "
                                                   "constant factor is wrong.")


def _ratio_clause(c: Optional[float], samples_n) -> str:
    if c is None:
        return ""
    found = ratio_finding(c, samples_n, single=True)
    return "" if found is None else " Even so: " + found[1]("it", False)


def worst_elements(returned: Returned, samples: Samples, tol: Tolerance, count: int = 3):
    """The elements that disagree most, as (where, yours, numeric, relative error)."""
    if samples.indices is None or returned.value is None:
        return []
    yours = samples.project(returned.value)
    numeric = samples.numeric
    excess = np.abs(yours - numeric) / tol.allowed(yours, numeric, samples.noise)
    order = [i for i in np.argsort(-excess, kind="stable")[:count] if excess[i] > 1]
    out = []
    for i in order:
        rel = abs(yours[i] - numeric[i]) / max(abs(yours[i]), abs(numeric[i]), TINY)
        where = returned.label + returned.slot.element(int(samples.indices[i]))
        out.append((where, float(yours[i]), float(numeric[i]), float(rel)))
    return out


def judge_values(returned: Returned, samples: Samples, tol: Tolerance, samples_n: Sequence[int],
                 elements: Optional[Samples] = None) -> Finding:
    """A right-shaped tensor: right, or which kind of wrong. ``elements`` (single elements, when the main
    samples are directions) serve the report of the worst elements."""
    a = returned.value
    single = returned.slot.size == 1
    if samples.matches(a, tol) and (elements is None or elements.matches(a, tol)):
        return Finding(returned, True)
    finding = Finding(returned, False, worst=worst_elements(returned, elements or samples, tol))
    numeric_zero = samples.is_zero(tol)
    if not numeric_zero and not np.any(a):
        finding.key = "zero"
        finding.phrase = lambda labels, many: (
            f"{labels} {'are' if many else 'is'} all zeros while the numeric gradient is not: nothing flowed into "
            f"{'them' if many else 'it'} (a placeholder zero, a zero-initialised array returned unchanged, or a "
            "backward pass that never ran?).")
        return finding
    if numeric_zero:
        finding.key = "spurious"
        finding.phrase = lambda labels, many: (
            f"the loss does not change with the parameter{'s' if many else ''} of {labels} at this point, yet "
            f"{labels} {'are' if many else 'is'} not zero.")
        return finding
    c = samples.ratio(a, tol)
    if c is not None:
        found = ratio_finding(c, samples_n, single)
        if found:
            finding.key, finding.phrase = found
            return finding
    shape = returned.slot.shape
    if shape is not None and len(shape) == 2 and shape[0] == shape[1] and shape[0] > 1 \
            and samples.matches(a.T, tol):
        finding.key = "transpose"
        finding.phrase = lambda labels, many: (
            f"{labels} {is_are(many)} the transpose of the right gradient: swap the roles of the two factors "
            "of the product (e.g. X.T @ dZ rather than dZ.T @ X).")
    return finding


def judge_shape(returned: Returned, samples: Samples, tol: Tolerance, samples_n: Sequence[int]) -> Finding:
    """A tensor of the wrong shape: say how its shape relates to the parameter's, and whether reshaping,
    transposing or reducing it over the samples would give the right values."""
    raw, slot, label = returned.raw, returned.slot, returned.label
    expected = () if slot.shape is None else slot.shape
    size = slot.size
    param = slot.key if slot.key is not None else slot.name
    finding = Finding(returned, False, key=f"shape:{id(returned)}")

    def matches(candidate):
        return candidate is not None and candidate.size == size and samples.matches(candidate.reshape(expected), tol)

    def ratio(candidate):
        return None if candidate is None or candidate.size != size else samples.ratio(candidate.reshape(expected), tol)

    per_sample = raw.ndim >= 1 and raw.shape[0] in samples_n and raw.shape[0] > 1
    reduced_mean = reduced_sum = None
    if per_sample and int(np.prod(raw.shape[1:], dtype=np.int64)) == size:
        reduced_mean, reduced_sum = raw.mean(axis=0), raw.sum(axis=0)
    if per_sample and slot.shape is None:
        if matches(reduced_mean):
            fix = "average it over the samples (the mean of your array is the right gradient)."
        elif matches(reduced_sum):
            fix = "add it up over the samples (its sum is the right gradient)."
        else:
            fix = "return one number, the derivative of the mean loss." + _ratio_clause(ratio(reduced_mean), samples_n)
        text = (f"{label} is an array of shape {raw.shape}, one value per sample, where a single number was "
                f"expected: {fix}")
    elif per_sample and reduced_sum is not None:
        if matches(reduced_sum):
            fix = "sum the rows (axis=0, keepdims=True): their sum is the right gradient."
        elif matches(reduced_mean):
            fix = "reduce over the rows (axis=0, keepdims=True): their mean is the right gradient."
        else:
            fix = "reduce it over the samples (axis=0, keepdims=True)." + _ratio_clause(ratio(reduced_sum), samples_n)
        text = f"{label} has one row per sample (shape {raw.shape}) where {param} has {shape_text(slot.shape)}: {fix}"
    elif raw.ndim == 2 and slot.shape is not None and raw.T.shape == slot.shape:
        if matches(raw.T):
            text = (f"{label} has shape {raw.shape} where {param} has shape {slot.shape}: it is the transpose of "
                    "the right gradient (its values are right). Swap the roles of the factors of the product "
                    "(e.g. X.T @ dZ rather than dZ.T @ X).")
        else:
            text = (f"{label} has shape {raw.shape} where {param} has shape {slot.shape}: transposing it would "
                    "give the right shape, but not the right values." + _ratio_clause(ratio(raw.T), samples_n))
    elif raw.size == size:
        if matches(raw):
            text = (f"{label} has the right values but shape {raw.shape} where {param} has "
                    f"{shape_text(slot.shape)}: keep the dimensions (keepdims=True, or .reshape{tuple(expected)}).")
        else:
            text = f"{label} has shape {raw.shape} where {param} has {shape_text(slot.shape)}."
    else:
        text = f"{label} has shape {raw.shape} where {param} has {shape_text(slot.shape)}."
    finding.phrase = lambda labels, many: text
    return finding


def relu_mask(findings: Sequence[Finding], relu_slots: Sequence[Slot], elements: Dict[Slot, Samples],
              preactivation: np.ndarray, tol: Tolerance, z_name: str) -> Optional[str]:
    """A missing ReLU mask leaves the gradient right for hidden units whose ReLU input is positive for
    every sample and wrong for units with negative inputs: the mask is what zeroes those samples. The
    unit of an element is its last index (W1 is (inputs, units), b1 is (1, units))."""
    wrong = [f for f in findings if not f.right]
    if not wrong or any(f.returned.slot not in relu_slots or f.key is not None or f.returned.value is None
                        for f in wrong):
        return None
    z = np.asarray(preactivation, dtype=np.float64)
    units = z.shape[-1] if z.ndim else 0
    z = z.reshape(-1, units)
    always_active = np.all(z > 0, axis=0)
    dead = np.all(z <= 0, axis=0)
    right_active = wrong_dead = 0
    for finding in findings:
        slot = finding.returned.slot
        samples = elements.get(slot)
        if slot not in relu_slots or samples is None or samples.indices is None or finding.returned.value is None \
                or not slot.shape or slot.shape[-1] != units:
            continue
        unit = np.unravel_index(samples.indices, slot.shape)[-1]
        agree = samples.agree(finding.returned.value, tol)
        if np.any(~agree & always_active[unit]):
            return None  # a unit whose ReLU passes everything is wrong too: not (only) the mask
        right_active += int(np.sum(agree & always_active[unit]))
        wrong_dead += int(np.sum(~agree & dead[unit] & (np.abs(samples.numeric) <= tol.atol + samples.noise)))
    labels = join_words([f.returned.label for f in wrong])
    others = [f.returned.label for f in findings if f.right]
    mask = f"({z_name} > 0)"
    if right_active or wrong_dead:
        evidence = []
        if right_active:
            evidence.append("right for the hidden units whose ReLU input is positive for every sample")
        if wrong_dead:
            evidence.append("not zero for units whose ReLU input is never positive")
        return (f"{labels} {'are' if len(wrong) > 1 else 'is'} wrong only where the ReLU input is negative: "
                f"{' and '.join(evidence)}. The ReLU's gradient mask is missing: multiply the gradient flowing "
                f"back through the ReLU by {mask}.")
    right = f", while {join_words(others)} {'are' if len(others) > 1 else 'is'} right" if others else ""
    return (f"{labels} {'are' if len(wrong) > 1 else 'is'} wrong{right}, so the mistake lies between the ReLU "
            f"and the first layer: is the ReLU's gradient mask {mask} missing?")


def preactivation_name(expression: str) -> str:
    """``Z1`` from ``forward(params, X)[1]['Z1']`` or ``Z1``; a plain phrase otherwise."""
    match = re.search(r"""(?:\[\s*['"]([A-Za-z_]\w*)['"]\s*\]|\b([A-Za-z_]\w*))\s*$""", expression.strip())
    return (match.group(1) or match.group(2)) if match else "the pre-activation"


def tell(findings: Sequence[Finding], extra: Optional[str] = None) -> str:
    """One diagnosis for all tensors: findings that share a kind are told together, then what is right."""
    wrong = [f for f in findings if not f.right]
    right = [f for f in findings if f.right]
    sentences, told = [], set()
    if extra:
        sentences.append(extra)
        told = {id(f) for f in wrong}
    for finding in wrong:
        if id(finding) in told:
            continue
        if finding.returned.problem:
            sentences.append(finding.returned.problem)
            told.add(id(finding))
            continue
        if finding.key is None:
            continue
        group = [f for f in wrong if f.key == finding.key and id(f) not in told]
        told.update(id(f) for f in group)
        sentences.append(finding.phrase(join_words([f.returned.label for f in group]), len(group) > 1))
    vague = [f.returned.label for f in wrong if id(f) not in told]
    fine = [f.returned.label for f in right]
    if vague and fine:
        sentences.append(f"{join_words(fine)} {'are' if len(fine) > 1 else 'is'} right, {join_words(vague)} "
                         f"{'are' if len(vague) > 1 else 'is'} wrong.")
    elif vague:
        sentences.append(f"{join_words(vague)} {'do' if len(vague) > 1 else 'does'} not match the numeric "
                         "gradient.")
    elif fine and wrong and not (extra and all(label in extra for label in fine)):
        sentences.append(f"{join_words(fine)} {'are' if len(fine) > 1 else 'is'} right.")
    return " ".join(dict.fromkeys(sentences))

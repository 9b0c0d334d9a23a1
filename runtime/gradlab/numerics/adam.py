"""Adam's update (Kingma and Ba, 2015) and the usual ways of writing it, right and wrong, so that a check can say
which term of a learner's Adam differs instead of only that it differs.

Every variant is computed from the gradients alone: Adam's move at step t depends on the gradients of steps 1..t,
never on the parameters, so a learner's recorded moves can be matched against each variant step by step. Two
variants are Adam: the bias-corrected form most code uses (m_hat / (sqrt(v_hat) + eps)) and the paper's own
Algorithm 1 rewritten with lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t) and eps beside sqrt(v), which moves each
element by the same amount up to eps. The rest are mistakes, each with the words that name it.
"""

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

ACCEPTED = ("adam", "paper")  # both are Adam; they differ only in how eps is scaled


@dataclass(frozen=True)
class Settings:
    lr: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8


def _standard(m_hat, v_hat, m, v, t, s):
    return s.lr * m_hat / (np.sqrt(v_hat) + s.eps)


def _paper(m_hat, v_hat, m, v, t, s):
    return s.lr * np.sqrt(1.0 - s.beta2 ** t) / (1.0 - s.beta1 ** t) * m / (np.sqrt(v) + s.eps)


# name -> (the move lr * ... from m_hat, v_hat, m, v, t and the settings; what differs; how to fix it)
UPDATES: Dict[str, tuple] = {
    "adam": (_standard, None, None),
    "paper": (_paper, None, None),
    "no-bias-correction": (
        lambda m_hat, v_hat, m, v, t, s: s.lr * m / (np.sqrt(v) + s.eps),
        "m and v are used without their bias correction",
        "divide m by (1 - beta1**t) and v by (1 - beta2**t), with t the number of steps so far (without it the "
        "first steps are sqrt(1 - beta2) / (1 - beta1) times too large, about 3 with the default betas)"),
    "only-m-corrected": (
        lambda m_hat, v_hat, m, v, t, s: s.lr * m_hat / (np.sqrt(v) + s.eps),
        "only m is bias-corrected", "v needs its own division by (1 - beta2**t) before the square root"),
    "only-v-corrected": (
        lambda m_hat, v_hat, m, v, t, s: s.lr * m / (np.sqrt(v_hat) + s.eps),
        "only v is bias-corrected", "m needs its own division by (1 - beta1**t)"),
    "eps-inside-sqrt": (
        lambda m_hat, v_hat, m, v, t, s: s.lr * m_hat / np.sqrt(v_hat + s.eps),
        "eps is inside the square root", "the denominator is np.sqrt(v_hat) + eps, not np.sqrt(v_hat + eps)"),
    "no-sqrt": (
        lambda m_hat, v_hat, m, v, t, s: s.lr * m_hat / (v_hat + s.eps),
        "the denominator lacks its square root", "divide by np.sqrt(v_hat) + eps, not by v_hat + eps"),
    "corrected-twice": (
        lambda m_hat, v_hat, m, v, t, s: _paper(m_hat, v_hat, m_hat, v_hat, t, s),
        "the bias correction is applied twice",
        "either divide m and v by their corrections or scale the learning rate by sqrt(1 - beta2**t) / "
        "(1 - beta1**t) (the paper's lr_t), not both"),
}


@dataclass(frozen=True)
class Averaging:
    """How m and v are kept from step to step: how the new gradient enters them, and which step count t is."""
    moments: Callable  # (m, v, g, s) -> (m, v)
    what: Optional[str] = None  # None for Adam's own
    fix: Optional[str] = None
    persistent: bool = True  # m and v carry over to the next step
    per_parameter_t: bool = False  # t counts every parameter's update instead of every step() call


def _moments(m, v, g, s):
    return s.beta1 * m + (1.0 - s.beta1) * g, s.beta2 * v + (1.0 - s.beta2) * g * g


AVERAGINGS: Dict[str, Averaging] = {
    "adam": Averaging(_moments),
    "betas-swapped": Averaging(
        lambda m, v, g, s: (s.beta2 * m + (1.0 - s.beta2) * g, s.beta1 * v + (1.0 - s.beta1) * g * g),
        "beta1 and beta2 are swapped",
        "m, the average of the gradient, uses beta1 (0.9 by default) and v, the average of its square, beta2 (0.999)"),
    "no-one-minus-beta": Averaging(
        lambda m, v, g, s: (s.beta1 * m + g, s.beta2 * v + g * g),
        "the new gradient enters m and v without its weight",
        "m = beta1 * m + (1 - beta1) * g and v = beta2 * v + (1 - beta2) * g**2"),
    "state-reset": Averaging(
        _moments, "m and v start again from zero at every step",
        "keep each parameter's m and v between calls of step() and update them in place (m[...] = ...), so that "
        "they average over the steps", persistent=False),
    "t-per-parameter": Averaging(
        _moments, "t counts every parameter's update instead of every call of step()",
        "increment self.t once per step(), before the loop over the parameters", per_parameter_t=True),
}


def moves(update: str, averaging: str, gradients: Sequence[Sequence], settings: Settings) -> List[List[np.ndarray]]:
    """How far each parameter moves (new data minus old) at each step, for one gradient per parameter per step."""
    rule = UPDATES[update][0]
    kept = AVERAGINGS[averaging]
    count = len(gradients[0]) if gradients else 0
    m = [np.zeros(np.shape(g), dtype=float) for g in (gradients[0] if gradients else [])]
    v = [np.zeros_like(x) for x in m]
    found = []
    with np.errstate(all="ignore"):
        for step, step_gradients in enumerate(gradients, start=1):
            row = []
            for i, g in enumerate(step_gradients):
                g = np.asarray(g, dtype=float)
                t = (step - 1) * count + i + 1 if kept.per_parameter_t else step
                start_m, start_v = (m[i], v[i]) if kept.persistent else (np.zeros_like(g), np.zeros_like(g))
                m[i], v[i] = kept.moments(start_m, start_v, g, settings)
                m_hat = m[i] / (1.0 - settings.beta1 ** t)
                v_hat = v[i] / (1.0 - settings.beta2 ** t)
                row.append(-rule(m_hat, v_hat, m[i], v[i], t, settings))
            found.append(row)
    return found


def _same(a, b, rtol, scale):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.isfinite(b))) and \
        bool(np.all(np.abs(a - b) <= rtol * np.abs(b) + 1e-13 * scale))


def identify(observed: Sequence[Sequence], gradients: Sequence[Sequence], settings: Settings, rtol: float = 1e-7,
             scale: float = 1.0, steps: Optional[Sequence[int]] = None) -> Optional[tuple]:
    """The (update, averaging) whose moves are the ``observed`` ones (new data minus old, per step and parameter),
    Adam's own forms first; None when no variant matches. ``steps``: compare only these 0-based steps (a check
    that already judged the earlier ones). ``scale``: the size of the parameters, below which rounding hides."""
    compared = list(range(len(observed))) if steps is None else list(steps)
    for averaging in AVERAGINGS:
        for update in UPDATES:
            if averaging != "adam" and update != "adam":
                continue  # one mistake at a time: a wrong average with the right update, or the other way round
            expected = moves(update, averaging, gradients, settings)
            if all(len(observed[k]) == len(expected[k]) and
                   all(_same(a, b, rtol, scale) for a, b in zip(observed[k], expected[k])) for k in compared):
                return update, averaging
    return None


def words(found: Optional[tuple]) -> Optional[tuple]:
    """(what differs, how to fix it) for a match of identify(); None for Adam itself or no match."""
    if found is None:
        return None
    update, averaging = found
    if averaging != "adam":
        return AVERAGINGS[averaging].what, AVERAGINGS[averaging].fix
    return None if update in ACCEPTED else UPDATES[update][1:]


def accepted(found: Optional[tuple]) -> bool:
    return found is not None and found[1] == "adam" and found[0] in ACCEPTED

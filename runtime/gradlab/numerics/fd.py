"""Centered finite differences of a scalar loss, compared with an analytic gradient.

The loss is reached through an *oracle*: ``oracle(layout, values, probes) -> (losses, dtypes, odd)`` with
the meaning of ``probes.gradlab_losses`` (the grader's oracle runs it in the learner's sandbox, the tests'
and the benchmark's run it in-process). Everything here counts in loss evaluations: each probe costs two.
"""

from dataclasses import dataclass, replace
from typing import Callable, List, Optional, Sequence

import numpy as np

from .layout import Layout
from .probes import gradlab_direction, gradlab_losses

Oracle = Callable[[Layout, dict, list], tuple]

FLOAT64_EPS = float(np.finfo(np.float64).eps)
FLOAT32_EPS = float(np.finfo(np.float32).eps)


class LossNotANumber(ValueError):
    """The loss expression gave something other than a finite number at a probed point."""


@dataclass(frozen=True)
class Tolerance:
    """An analytic value ``a`` agrees with a numeric one ``n`` when
    ``|a - n| <= atol + rtol * max(|a|, |n|) + noise``, ``noise`` being the rounding error of the two
    losses divided by the step: relative error alone gives false alarms where a gradient is tiny."""

    rtol: float = 1e-4
    atol: float = 1e-7
    step: float = 1e-6
    loss_eps: float = FLOAT64_EPS
    # rounding in a loss built from many terms is a few dozen eps, not one
    noise_factor: float = 64.0

    def allowed(self, analytic, numeric, noise):
        return self.atol + self.rtol * np.maximum(np.abs(analytic), np.abs(numeric)) + noise

    def agree(self, analytic, numeric, noise) -> np.ndarray:
        analytic, numeric = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
        return np.abs(analytic - numeric) <= self.allowed(analytic, numeric, noise)

    def for_float32_loss(self) -> "Tolerance":
        # float32 losses: a larger step keeps the rounding error (eps/step) small next to the derivative
        return replace(self, step=max(self.step, 1e-3), loss_eps=FLOAT32_EPS, rtol=max(self.rtol, 1e-2),
                       atol=max(self.atol, 1e-4))

    def for_float32_gradient(self, scale: float) -> "Tolerance":
        return replace(self, rtol=max(self.rtol, 1e-3), atol=max(self.atol, 1e-5 * scale))


def tolerance(user: Optional[dict]) -> Tolerance:
    """Defaults, overridden by a check's ``tolerance`` ({rtol, atol})."""
    base = Tolerance()
    if not user:
        return base
    return replace(base, rtol=float(user.get("rtol", base.rtol)), atol=float(user.get("atol", base.atol)))


def local_oracle(loss: Callable[[dict], float]) -> Oracle:
    """An oracle for a loss that takes the parameters as one dict {name: value}, run in this process."""

    def oracle(layout: Layout, values: dict, probes: list):
        return gradlab_losses(lambda **point: loss(point), layout.wire(), values, probes)

    return oracle


class CountingOracle:
    """Wraps an oracle and counts loss evaluations (for the benchmark and the tests)."""

    def __init__(self, oracle: Oracle):
        self.oracle = oracle
        self.evaluations = 0
        self.calls = 0

    def __call__(self, layout, values, probes):
        self.calls += 1
        self.evaluations += sum(len(scales) for _offset, _direction, scales in probes)
        return self.oracle(layout, values, probes)


@dataclass
class Derivatives:
    """Directional derivatives of the loss along probes, with the rounding noise of each."""

    values: np.ndarray
    noise: np.ndarray
    loss_dtypes: List[str]


def central_differences(oracle: Oracle, layout: Layout, values: dict, probes: Sequence[tuple],
                        tol: Tolerance) -> Derivatives:
    """``probes`` are (offset, direction); each costs two loss evaluations at +-step."""
    h = tol.step
    losses, dtypes, odd = oracle(layout, values, [(offset, direction, (h, -h)) for offset, direction in probes])
    if odd is not None:
        raise LossNotANumber(f"the loss gave {odd}, not a number")
    if not np.all(np.isfinite(losses)):
        raise LossNotANumber("the loss is not finite (nan or inf) next to the checked point")
    pairs = losses.reshape(-1, 2)
    values_out = (pairs[:, 0] - pairs[:, 1]) / (2 * h)
    noise = tol.noise_factor * tol.loss_eps * np.abs(pairs).max(axis=1) / (2 * h)
    return Derivatives(values_out, noise, dtypes)


def element_probes(slot_offset: int, flat_indices: Sequence[int]) -> List[tuple]:
    return [(slot_offset + int(i), [1.0]) for i in flat_indices]


def direction_probes(offset: int, size: int, count: int, seed: int) -> List[tuple]:
    """``count`` random unit directions in the ``size`` positions from ``offset`` (drawn from seeds, so
    only the seeds travel)."""
    return [(offset, ("random", seed + k, size)) for k in range(count)]


@dataclass
class Samples:
    """Numeric derivatives of the loss for one tensor along k linear functionals of its gradient: single
    elements (``indices``) or unit directions inside the tensor (``directions``)."""

    numeric: np.ndarray
    noise: np.ndarray
    indices: Optional[np.ndarray] = None
    directions: Optional[np.ndarray] = None

    def project(self, candidate: np.ndarray) -> np.ndarray:
        flat = np.asarray(candidate, dtype=np.float64).ravel()
        if self.indices is not None:
            return flat[self.indices]
        return self.directions @ flat

    def agree(self, candidate: np.ndarray, tol: Tolerance) -> np.ndarray:
        return tol.agree(self.project(candidate), self.numeric, self.noise)

    def matches(self, candidate: np.ndarray, tol: Tolerance) -> bool:
        return bool(np.all(self.agree(candidate, tol)))

    def is_zero(self, tol: Tolerance) -> bool:
        """The loss does not move along any sampled functional."""
        return bool(np.all(np.abs(self.numeric) <= tol.atol + self.noise))

    def ratio(self, candidate: np.ndarray, tol: Tolerance) -> Optional[float]:
        """c such that the candidate equals c times the true gradient on every sample, if there is one."""
        projected = self.project(candidate)
        weight = float(self.numeric @ self.numeric)
        if weight == 0.0 or self.is_zero(tol):
            return None
        c = float(projected @ self.numeric) / weight
        return c if bool(np.all(tol.agree(projected, c * self.numeric, abs(c) * self.noise))) else None


def directions_matrix(probes: Sequence[tuple]) -> np.ndarray:
    return np.stack([gradlab_direction(direction) for _offset, direction in probes])


def element_samples(oracle: Oracle, layout: Layout, values: dict, slot, flat_indices, tol: Tolerance
                    ) -> Samples:
    indices = np.asarray(flat_indices, dtype=np.int64)
    d = central_differences(oracle, layout, values, element_probes(slot.offset, indices), tol)
    return Samples(d.values, d.noise, indices=indices)


def refine(oracle: Oracle, layout: Layout, values: dict, slot, samples: Samples, analytic: np.ndarray,
           tol: Tolerance, limit: int = 16) -> Samples:
    """Re-measure the few disagreeing elements with a 100 times smaller step and keep whichever agrees:
    a step that crosses a ReLU kink gives a false alarm on an isolated element, a wrong gradient stays
    wrong at both steps. Many disagreeing elements mean a real mistake and are left as they are."""
    if samples.indices is None:
        return samples
    bad = np.flatnonzero(~samples.agree(analytic, tol))
    if bad.size == 0 or bad.size > limit:
        return samples
    fine_tol = replace(tol, step=tol.step / 100)
    fine = element_samples(oracle, layout, values, slot, samples.indices[bad], fine_tol)
    better = fine_tol.agree(fine.project(analytic), fine.numeric, fine.noise)
    numeric, noise = samples.numeric.copy(), samples.noise.copy()
    numeric[bad[better]] = fine.numeric[better]
    noise[bad[better]] = fine.noise[better]
    return Samples(numeric, noise, indices=samples.indices)

"""Perturbed parameter points for finite differences, and the losses at them.

This file is also shipped as source to the learner's sandbox and executed there, so that every point is
built next to the loss instead of travelling as a copy of all parameters: a probe is a few integers (or
one short direction), whatever the model's size. It therefore imports only NumPy, defines nothing but
``gradlab_``-prefixed names (the loss expression must not see them clash with the learner's), and runs
the same on both sides of the boundary.

A *slot* is one tensor of the parameters: ``(name, key, offset, shape)`` where ``key`` is the dict key
for a dict of arrays (else None) and ``shape`` is None for a plain float. A *probe* is
``(offset, direction, scales)``: the loss is evaluated at ``base + scale * direction`` for each scale,
``direction`` occupying the flat positions from ``offset`` on. ``direction`` is an array, or
``("random", seed, size)`` for a random unit vector that both sides draw from the same seed.
"""

import numpy as gradlab_numpy


def gradlab_flatten(slots, values):
    """The parameters as one float64 vector, in slot order."""
    parts = []
    for name, key, _offset, _shape in slots:
        value = values[name] if key is None else values[name][key]
        parts.append(gradlab_numpy.asarray(value, dtype=gradlab_numpy.float64).ravel())
    return gradlab_numpy.concatenate(parts) if parts else gradlab_numpy.zeros(0)


def gradlab_unflatten(slots, flat):
    """The inverse of gradlab_flatten: {name: float | array | {key: array}}."""
    values = {}
    for name, key, offset, shape in slots:
        if shape is None:
            value = float(flat[offset])
        else:
            size = 1
            for n in shape:
                size *= n
            value = flat[offset:offset + size].reshape(shape)
        if key is None:
            values[name] = value
        else:
            values.setdefault(name, {})[key] = value
    return values


def gradlab_direction(direction):
    if isinstance(direction, tuple):
        # uniform in [-1, 1) then normalised: any continuous distribution finds a nonzero error almost
        # surely, and this one is three times quicker to draw than a normal one for 66k parameters
        _kind, seed, size = direction
        vector = gradlab_numpy.random.default_rng(seed).random(size) * 2.0 - 1.0
        return vector / gradlab_numpy.linalg.norm(vector)
    return gradlab_numpy.asarray(direction, dtype=gradlab_numpy.float64)


def gradlab_points(slots, base, probes):
    """Yield the perturbed parameters {name: value} of every probe and scale, in order."""
    for offset, direction, scales in probes:
        vector = gradlab_direction(direction)
        for scale in scales:
            flat = base.copy()
            flat[offset:offset + vector.size] += scale * vector
            yield gradlab_unflatten(slots, flat)


def gradlab_losses(loss, slots, values, probes):
    """``loss(**point)`` at every point, as (float64 array, dtype names seen, the first non-number's type)."""
    base = gradlab_flatten(slots, values)
    numbers, dtypes, odd = [], set(), None
    for point in gradlab_points(slots, base, probes):
        value = loss(**point)
        if isinstance(value, gradlab_numpy.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
            dtypes.add(value.dtype.name)
            value = value.reshape(())[()]
        if isinstance(value, gradlab_numpy.floating):
            dtypes.add(value.dtype.name)
        if isinstance(value, (int, float, gradlab_numpy.integer, gradlab_numpy.floating)) \
                and not isinstance(value, bool):
            numbers.append(float(value))
        else:
            numbers.append(float("nan"))
            odd = odd or type(value).__name__
    return gradlab_numpy.array(numbers, dtype=gradlab_numpy.float64), sorted(dtypes), odd

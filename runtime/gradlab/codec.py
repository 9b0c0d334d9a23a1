"""The strict value codec between the learner's process and the grader.

Plain values travel as JSON with a few tagged forms, each an object with exactly one key starting with ``$``:
``{"$float": "nan"|"inf"|"-inf"}``, ``{"$tuple": [...]}``, ``{"$dict": [[key, value], ...]}`` (a dict whose keys
would look like tags), ``{"$complex": [re, im]}``, ``{"$ndarray": {"dtype", "shape", "data"}}`` (base64 of the raw
bytes) and ``{"$handle": id, "type": name}`` for any other object, which stays in the process that made it.
Finite floats are written with ``repr`` and so round-trip exactly.

Encoding runs in an untrusted process and may be subverted there; that only changes the answer it sends.
Decoding is the trust boundary: it builds nothing but None, bool, int, float, complex, str, list, tuple, dict,
numeric ``numpy.ndarray`` and the caller's own handle objects, so an object with a lying ``__eq__`` or
``__float__`` never reaches the grader.
"""

import base64
import math
import sys
# Bound at import: a learner who replaces built-ins in the sandboxed process does not break the codec there.
from builtins import (all, any, bool, complex, dict, float, id, int, isinstance, len, list, set, str, tuple,
                      type)


class CodecError(ValueError):
    """The bytes are not a value this codec produces."""


NUMERIC_DTYPE_KINDS = "biufc"


def _encode_float(value):
    if math.isfinite(value):
        return value
    return {"$float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _array_to_json(array):
    return {"$ndarray": {"dtype": array.dtype.str, "shape": list(array.shape),
                         "data": base64.b64encode(array.tobytes(order="C")).decode("ascii")}}


def _torch_tensor(value):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def to_json(value, other):
    """The JSON-ready form of ``value``; ``other(obj)`` encodes anything that is not plain (a handle)."""
    return _Encoder(other).encode(value)


class _Encoder:
    def __init__(self, other):
        self.other = other
        self.active = set()  # containers on the current path: a cycle becomes a handle

    def encode(self, value):
        kind = type(value)
        if value is None or kind is bool:
            return value
        if isinstance(value, int):
            return int.__index__(value)
        if isinstance(value, float):
            return _encode_float(float.__float__(value))
        if isinstance(value, str):
            return str.__str__(value)
        if isinstance(value, complex):
            number = complex.__complex__(value)
            return {"$complex": [_encode_float(number.real), _encode_float(number.imag)]}
        if isinstance(value, (list, tuple, dict)):
            return self._container(value)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            if isinstance(value, numpy.ndarray) and value.dtype.kind in NUMERIC_DTYPE_KINDS \
                    and value.dtype.fields is None:
                return _array_to_json(value)
            if isinstance(value, numpy.generic) and value.dtype.kind in NUMERIC_DTYPE_KINDS:
                return self.encode(value.item())
        if _torch_tensor(value):
            tensor = value.detach().cpu()
            if not tensor.dtype.is_floating_point or tensor.element_size() >= 4:
                return self.encode(tensor.numpy())
            return self.encode(tensor.float().numpy())  # bfloat16 and half have no exact NumPy twin everywhere
        return self.other(value)

    def _container(self, value):
        if id(value) in self.active:
            return self.other(value)
        self.active.add(id(value))
        try:
            if isinstance(value, list):
                return [self.encode(item) for item in list.__iter__(value)]
            if isinstance(value, tuple):
                return {"$tuple": [self.encode(item) for item in tuple.__iter__(value)]}
            keys = list(dict.keys(value))
            if not all(type(key) is str for key in keys):
                return self.other(value)
            pairs = [(key, self.encode(dict.__getitem__(value, key))) for key in keys]
            if any(key.startswith("$") for key in keys):
                return {"$dict": [[key, item] for key, item in pairs]}
            return dict(pairs)
        finally:
            self.active.discard(id(value))


def from_json(tree, handle):
    """Rebuild a value from ``to_json``'s form; ``handle(id, type_name)`` makes the local stand-in for a handle."""
    kind = type(tree)
    if tree is None or kind in (bool, int, float, str):
        return tree
    if kind is list:
        return [from_json(item, handle) for item in tree]
    if kind is not dict:
        raise CodecError(f"unexpected JSON type {kind.__name__}")
    tags = [key for key in tree if key.startswith("$")]
    if not tags:
        return {key: from_json(item, handle) for key, item in tree.items()}
    tag = tags[0]
    body = tree[tag]
    if tag == "$handle":
        if set(tree) != {"$handle", "type"} or type(body) is not int or type(tree["type"]) is not str:
            raise CodecError("malformed handle")
        return handle(body, tree["type"])
    if len(tree) != 1:
        raise CodecError(f"tag {tag} has company")
    if tag == "$float":
        special = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
        if type(body) is not str or body not in special:
            raise CodecError("malformed $float")
        return special[body]
    if tag == "$tuple":
        if type(body) is not list:
            raise CodecError("malformed $tuple")
        return tuple(from_json(item, handle) for item in body)
    if tag == "$dict":
        if type(body) is not list or not all(type(p) is list and len(p) == 2 and type(p[0]) is str for p in body):
            raise CodecError("malformed $dict")
        return {key: from_json(item, handle) for key, item in body}
    if tag == "$complex":
        if type(body) is not list or len(body) != 2:
            raise CodecError("malformed $complex")
        real, imag = (from_json(part, handle) for part in body)
        if not all(type(part) in (int, float) for part in (real, imag)):
            raise CodecError("malformed $complex")
        return complex(real, imag)
    if tag == "$ndarray":
        return _array_from_json(body)
    raise CodecError(f"unknown tag {tag}")


def _array_from_json(body):
    if type(body) is not dict or set(body) != {"dtype", "shape", "data"}:
        raise CodecError("malformed $ndarray")
    dtype_text, shape, data = body["dtype"], body["shape"], body["data"]
    if type(dtype_text) is not str or type(shape) is not list or type(data) is not str \
            or not all(type(n) is int and n >= 0 for n in shape):
        raise CodecError("malformed $ndarray")
    import numpy

    try:
        dtype = numpy.dtype(dtype_text)
    except TypeError:
        raise CodecError(f"unknown dtype {dtype_text!r}") from None
    if dtype.kind not in NUMERIC_DTYPE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise CodecError(f"dtype {dtype_text!r} is not numeric")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except ValueError:
        raise CodecError("malformed $ndarray data") from None
    count = math.prod(shape)
    if count * dtype.itemsize != len(raw):
        raise CodecError("the $ndarray data does not match its shape")
    return numpy.frombuffer(raw, dtype=dtype).reshape(shape).copy()

"""Where each tensor of the parameters sits in one flat vector, and how to name its elements."""

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

from .probes import gradlab_flatten, gradlab_unflatten


class LayoutError(ValueError):
    """A value differentiated with respect to is not a float, an array or a dict of those."""


@dataclass(frozen=True)
class Slot:
    name: str
    key: Optional[str]
    offset: int
    shape: Optional[Tuple[int, ...]]  # None: a plain float

    @property
    def size(self) -> int:
        return 1 if self.shape is None else int(np.prod(self.shape, dtype=np.int64))

    @property
    def stop(self) -> int:
        return self.offset + self.size

    def element(self, flat_index: int) -> str:
        """``W1[0, 3]`` for the element at ``flat_index`` inside this slot."""
        if self.shape is None or self.shape == ():
            return ""
        index = np.unravel_index(flat_index, self.shape)
        return "[" + ", ".join(str(int(i)) for i in index) + "]"

    def wire(self):
        return (self.name, self.key, self.offset, self.shape)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _tensor_shape(where: str, value) -> Optional[Tuple[int, ...]]:
    if _is_number(value):
        return None
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return tuple(int(n) for n in value.shape)
    kind = "a bool array" if isinstance(value, np.ndarray) else type(value).__name__
    raise LayoutError(f"{where} is {kind}; a gradient check differentiates floats, NumPy float arrays "
                      "or dicts of them")


class Layout:
    def __init__(self, slots: List[Slot]):
        self.slots = slots
        self.size = sum(slot.size for slot in slots)
        self._wire = [slot.wire() for slot in slots]

    @classmethod
    def of(cls, values: Dict[str, object]) -> "Layout":
        slots, offset = [], 0
        for name, value in values.items():
            if isinstance(value, dict):
                if not value:
                    raise LayoutError(f"{name} is an empty dict: there is nothing to differentiate")
                entries = [(key, _tensor_shape(f"{name}[{key!r}]", item)) for key, item in value.items()]
            else:
                entries = [(None, _tensor_shape(name, value))]
            for key, shape in entries:
                slot = Slot(name, key, offset, shape)
                slots.append(slot)
                offset = slot.stop
        return cls(slots)

    def wire(self):
        """The slots as the probes module takes them (plain tuples, sent to the sandbox)."""
        return self._wire

    def flatten(self, values) -> np.ndarray:
        return gradlab_flatten(self._wire, values)

    def unflatten(self, flat: np.ndarray) -> dict:
        return gradlab_unflatten(self._wire, flat)

    def as_float64(self, values: Dict[str, object]) -> Dict[str, object]:
        """The same values with every tensor in float64 (floats stay Python floats)."""
        return self.unflatten(self.flatten(values).copy())

"""Gradient Lab's Python runtime.

Two audiences share this package:
- training scripts: ``gradlab.log``, ``gradlab.snapshot_fit``, ``gradlab.snapshot_boundary``,
  ``gradlab.snapshot_landscape``, ``gradlab.run``,
  ``gradlab.device`` and ``gradlab.array_module`` (see ``gradlab.runs`` and ``gradlab.backend``);
- the grader: ``python -m gradlab.worker`` and, for pack authors, ``gradlab.testing``.

Importing ``gradlab`` is cheap and imports neither NumPy nor PyTorch: each public name is loaded on first use.
"""

__version__ = "0.1.0"

_LAZY = {
    "log": "gradlab.runs",
    "snapshot_fit": "gradlab.runs",
    "snapshot_boundary": "gradlab.runs",
    "snapshot_landscape": "gradlab.runs",
    "run": "gradlab.runs",
    "device": "gradlab.backend",
    "array_module": "gradlab.backend",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gradlab' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_LAZY))

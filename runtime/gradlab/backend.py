"""Where a training script computes: ``gradlab.device()`` and ``gradlab.array_module()``.

GRADLAB_DEVICE (set from VS Code's ``gradlab.device`` setting) is ``auto``, ``cpu`` or ``gpu``. ``gpu`` asks for a
GPU; when none is usable the script still runs, on the CPU, after a ``DeviceFallbackWarning`` that says why.
The choice is remembered so each run's history records which backend and device really ran it.

Neither NumPy, CuPy nor PyTorch is imported until a function here needs it.
"""

import os
import platform
import sys
import warnings

DEVICE_ENV = "GRADLAB_DEVICE"
DEVICE_CHOICES = ("auto", "cpu", "gpu")


class DeviceFallbackWarning(RuntimeWarning):
    """A GPU was requested and none could be used: the script runs on the CPU."""


# The last backend a script chose through this module: {"backend", "device", "deviceName", "deviceNote"?}.
_chosen = None


def requested_device():
    """The GRADLAB_DEVICE request, ``auto`` when unset; an unknown value warns and counts as ``auto``."""
    value = os.environ.get(DEVICE_ENV, "auto").strip().lower() or "auto"
    if value not in DEVICE_CHOICES:
        warnings.warn(
            f"{DEVICE_ENV}={value!r} is not one of auto, cpu, gpu; using auto.", DeviceFallbackWarning, stacklevel=3
        )
        return "auto"
    return value


def device():
    """The ``torch.device`` to train on: CUDA (or Apple's MPS) when allowed and present, else the CPU."""
    import torch

    request = requested_device()
    note = None
    if request != "cpu":
        if torch.cuda.is_available():
            index = torch.cuda.current_device()
            chosen = torch.device("cuda", index)
            _remember("torch", str(chosen), torch.cuda.get_device_name(index))
            return chosen
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            _remember("torch", "mps", "Apple GPU (MPS)")
            return torch.device("mps")
        if request == "gpu":
            note = _fallback(
                "PyTorch finds no GPU (torch.cuda.is_available() is False"
                + ("" if torch.version.cuda else "; this PyTorch build has no CUDA support")
                + ")"
            )
    _remember("torch", "cpu", cpu_name(), note)
    return torch.device("cpu")


def array_module():
    """NumPy on the CPU, CuPy on a GPU: the same array code runs on either."""
    request = requested_device()
    note = None
    if request != "cpu":
        cupy, reason = _usable_cupy()
        if cupy is not None:
            index = cupy.cuda.runtime.getDevice()
            name = cupy.cuda.runtime.getDeviceProperties(index)["name"]
            _remember("cupy", f"cuda:{index}", name.decode() if isinstance(name, bytes) else str(name))
            return cupy
        if request == "gpu":
            note = _fallback(reason)
    import numpy

    _remember("numpy", "cpu", cpu_name(), note)
    return numpy


def describe():
    """What the next run-start record says about its backend: the last choice made here, else a guess from what the
    script imported (it ran on the CPU, since nothing here moved it to a GPU)."""
    if _chosen is not None:
        return dict(_chosen)
    if "torch" in sys.modules:
        backend = "torch"
    elif "numpy" in sys.modules:
        backend = "numpy"
    else:
        backend = "python"
    return {"backend": backend, "device": "cpu", "deviceName": cpu_name()}


def cpu_name():
    """The CPU's model name where the system tells it, else the machine type."""
    from gradlab.system import cpu_model

    return cpu_model() or platform.processor() or platform.machine() or "CPU"


def _usable_cupy():
    try:
        import cupy
    except ImportError:
        return None, "CuPy is not installed (pip install cupy-cuda12x for CUDA 12)"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CuPy raises its own CUDARuntimeError when no driver is present
        return None, f"CuPy finds no usable GPU ({error})"
    if count == 0:
        return None, "CuPy finds no GPU"
    return cupy, None


def _fallback(reason):
    message = f"{DEVICE_ENV}=gpu asked for a GPU, but {reason}; running on the CPU instead."
    warnings.warn(message, DeviceFallbackWarning, stacklevel=3)
    return message


def _remember(backend, device_id, name, note=None):
    global _chosen
    _chosen = {"backend": backend, "device": device_id, "deviceName": name}
    if note:
        _chosen["deviceNote"] = note

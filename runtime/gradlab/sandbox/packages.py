"""What a clean learner process imports before any learner code: NumPy (and what importing it gave, for hello) and
the heavy packages an exercise needs. Shared by both sandboxes' clean processes (gradlab.sandbox.zygote,
gradlab.sandbox.spawned)."""

import os

from gradlab import system


def import_quietly(names):
    """Import each of ``names``; one that fails is left for the learner's own import to report with its reason."""
    for name in names:
        try:
            __import__(name)
        except Exception:
            pass


def numpy_info():
    import importlib.util

    if importlib.util.find_spec("numpy") is None:
        return {"available": False, "error": "No module named 'numpy'"}
    try:
        import numpy
    except Exception as error:  # a broken installation: say why, grading without NumPy still works
        return {"available": False, "error": f"{type(error).__name__}: {error}"}
    info = {"available": True, "version": numpy.__version__}
    blas = _blas_name()
    if blas:
        info["blas"] = blas
    return info


def _blas_name():
    """Which BLAS NumPy loaded, from the shared libraries mapped into this process (where the system tells)."""
    paths = system.mapped_libraries()
    if paths is None:
        return None
    names = [os.path.basename(p) for p in paths]
    if any("mkl" in n for n in names):
        return "mkl"
    if any("openblas" in n for n in names):
        return "openblas"
    if any("blis" in n for n in names):
        return "blis"
    if any(n.startswith("libblas") for n in names):
        return "reference"  # Debian's unoptimised libblas3: about ten times slower than OpenBLAS
    return None

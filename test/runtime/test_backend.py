"""gradlab.device() and gradlab.array_module(): the GRADLAB_DEVICE request, the CPU fallback when no GPU exists, and
what a run records about the device. The GPU branches run here against a stand-in CUDA (this machine has none)."""

import json
import os
import subprocess
import sys
import tempfile
import types
import unittest
import warnings
from unittest import mock

from gradlab import backend

try:
    import torch
except ImportError:  # an interpreter without PyTorch still runs the CuPy/NumPy tests
    torch = None

needs_torch = unittest.skipIf(torch is None, "PyTorch is not installed")


class BackendCase(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.dict(os.environ)
        patcher.start()
        self.addCleanup(patcher.stop)
        os.environ.pop(backend.DEVICE_ENV, None)
        backend._chosen = None
        self.addCleanup(setattr, backend, "_chosen", None)

    def request(self, value):
        os.environ[backend.DEVICE_ENV] = value

    def call(self, function):
        """Result of function() and the DeviceFallbackWarnings it raised."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = function()
        return result, [w for w in caught if issubclass(w.category, backend.DeviceFallbackWarning)]


@needs_torch
@unittest.skipIf(torch is not None and torch.cuda.is_available(), "the fallback needs a machine without a GPU")
class WithoutGpuTest(BackendCase):
    def test_gpu_requested_without_a_gpu_falls_back_to_the_cpu_and_says_why(self):
        self.request("gpu")
        chosen, warned = self.call(backend.device)
        self.assertEqual(chosen, torch.device("cpu"))
        self.assertEqual(len(warned), 1)
        message = str(warned[0].message)
        self.assertIn("GRADLAB_DEVICE=gpu", message)
        self.assertIn("torch.cuda.is_available() is False", message)
        self.assertIn("running on the CPU", message)
        described = backend.describe()
        self.assertEqual((described["backend"], described["device"]), ("torch", "cpu"))
        self.assertEqual(described["deviceNote"], message)

    def test_array_module_with_gpu_requested_and_no_cupy_is_numpy_with_a_warning(self):
        import numpy

        self.request("gpu")
        with mock.patch.dict(sys.modules, {"cupy": None}):  # None in sys.modules makes `import cupy` fail
            xp, warned = self.call(backend.array_module)
        self.assertIs(xp, numpy)
        self.assertEqual(len(warned), 1)
        self.assertIn("CuPy is not installed", str(warned[0].message))
        self.assertEqual(backend.describe()["backend"], "numpy")

    def test_auto_and_cpu_choose_the_cpu_without_a_warning(self):
        for request in ("auto", "cpu", ""):
            with self.subTest(request=request):
                self.request(request)
                chosen, warned = self.call(backend.device)
                self.assertEqual(chosen, torch.device("cpu"))
                self.assertEqual(warned, [])
                self.assertNotIn("deviceNote", backend.describe())

    def test_an_unknown_request_warns_and_counts_as_auto(self):
        self.request("tpu")
        chosen, warned = self.call(backend.device)
        self.assertEqual(chosen, torch.device("cpu"))
        self.assertIn("'tpu' is not one of auto, cpu, gpu", str(warned[0].message))


class WithStandInGpuTest(BackendCase):
    """The branches a GPU machine takes, with CUDA's answers replaced."""

    @needs_torch
    def test_device_is_cuda_with_its_name_when_pytorch_sees_a_gpu(self):
        self.request("auto")
        with mock.patch.object(torch.cuda, "is_available", return_value=True), mock.patch.object(
            torch.cuda, "current_device", return_value=0
        ), mock.patch.object(torch.cuda, "get_device_name", return_value="Stand-in H100"):
            chosen, warned = self.call(backend.device)
        self.assertEqual(chosen, torch.device("cuda", 0))
        self.assertEqual(warned, [])
        self.assertEqual(backend.describe(), {"backend": "torch", "device": "cuda:0", "deviceName": "Stand-in H100"})

    @needs_torch
    def test_cpu_request_ignores_a_present_gpu(self):
        self.request("cpu")
        with mock.patch.object(torch.cuda, "is_available", return_value=True):
            chosen, _ = self.call(backend.device)
        self.assertEqual(chosen, torch.device("cpu"))

    def test_array_module_is_cupy_when_cupy_sees_a_gpu(self):
        runtime = types.SimpleNamespace(
            getDeviceCount=lambda: 1, getDevice=lambda: 0, getDeviceProperties=lambda i: {"name": b"Stand-in GPU"}
        )
        cupy = types.ModuleType("cupy")
        cupy.cuda = types.SimpleNamespace(runtime=runtime)
        self.request("gpu")
        with mock.patch.dict(sys.modules, {"cupy": cupy}):
            xp, warned = self.call(backend.array_module)
        self.assertIs(xp, cupy)
        self.assertEqual(warned, [])
        self.assertEqual(backend.describe(), {"backend": "cupy", "device": "cuda:0", "deviceName": "Stand-in GPU"})

    def test_cupy_without_a_driver_falls_back_with_cupys_reason(self):
        def no_driver():
            raise RuntimeError("cudaErrorInsufficientDriver")

        cupy = types.ModuleType("cupy")
        cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_driver))
        self.request("gpu")
        with mock.patch.dict(sys.modules, {"cupy": cupy}):
            xp, warned = self.call(backend.array_module)
        self.assertEqual(xp.__name__, "numpy")
        self.assertIn("cudaErrorInsufficientDriver", str(warned[0].message))


@needs_torch
class RunRecordTest(unittest.TestCase):
    def test_each_run_start_records_the_backend_and_device_the_script_chose(self):
        with tempfile.TemporaryDirectory() as tmp:
            history = os.path.join(tmp, "h.jsonl")
            script = (
                "import gradlab\n"
                "with gradlab.run('before'):\n    gradlab.log(step=0, loss=1.0)\n"
                "gradlab.device()\n"
                "with gradlab.run('after'):\n    gradlab.log(step=0, loss=1.0)\n"
            )
            runtime = os.path.dirname(os.path.dirname(backend.__file__))
            env = dict(os.environ, PYTHONPATH=runtime, GRADLAB_HISTORY=history)
            env["GRADLAB_DEVICE"] = "gpu"
            done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(history, encoding="utf-8") as f:
                starts = [r for r in map(json.loads, f) if r["type"] == "run-start"]
        before, after = starts
        self.assertEqual((before["backend"], before["device"]), ("python", "cpu"))
        self.assertTrue(before["deviceName"])
        self.assertEqual(after["backend"], "torch")
        if not torch.cuda.is_available():
            self.assertEqual(after["device"], "cpu")
            self.assertIn("running on the CPU", after["deviceNote"])
            self.assertIn("DeviceFallbackWarning", done.stderr)


if __name__ == "__main__":
    unittest.main()

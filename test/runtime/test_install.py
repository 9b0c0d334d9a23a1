"""Outside VS Code a learner installs the runtime with pip (``python -m pip install <extension>/runtime``, the
README says so), and a training script anywhere then imports gradlab and logs."""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUNTIME = os.path.join(ROOT, "runtime")


def python_files(folder):
    return sorted(os.path.relpath(os.path.join(parent, name), folder) for parent, dirs, files in os.walk(folder)
                  if "__pycache__" not in parent for name in files if name.endswith(".py"))


class PipInstallTest(unittest.TestCase):
    def test_pip_installs_the_runtime_into_a_venv_where_a_script_imports_gradlab_and_logs(self):
        missing = [name for name in ("pip", "setuptools") if importlib.util.find_spec(name) is None]
        if missing:
            self.skipTest(f"{sys.executable} has no {' or '.join(missing)} to install with")
        tmp = tempfile.mkdtemp(prefix="gradlab-install-")
        self.addCleanup(shutil.rmtree, tmp, True)
        # pip builds in the folder it installs from: a copy keeps build/ and the egg-info out of the repository
        source = shutil.copytree(RUNTIME, os.path.join(tmp, "runtime"), ignore=shutil.ignore_patterns("__pycache__"))
        venv = os.path.join(tmp, "venv")
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], check=True)
        python = os.path.join(venv, "Scripts", "python.exe") if os.name == "nt" else os.path.join(venv, "bin", "python")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        done = subprocess.run([python, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--no-deps",
                               "--quiet", source], env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

        elsewhere = os.path.join(tmp, "elsewhere")
        os.mkdir(elsewhere)
        history = os.path.join(elsewhere, "history.jsonl")
        script = ("import gradlab\n"
                  "gradlab.log(step=0, loss=0.5)\n"
                  "print(gradlab.__file__)\n")
        ran = subprocess.run([python, "-c", script], cwd=elsewhere, env={**env, "GRADLAB_HISTORY": history},
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        installed = os.path.dirname(ran.stdout.strip())
        self.assertTrue(installed.startswith(venv), f"gradlab came from {installed}, not the venv")
        self.assertEqual(python_files(installed), python_files(os.path.join(RUNTIME, "gradlab")),
                         "pip installed another set of modules than runtime/gradlab holds")
        with open(history, encoding="utf-8") as f:
            metrics = [json.loads(line) for line in f if '"metric"' in line]
        self.assertEqual(metrics[0]["metrics"], {"loss": 0.5})

    def test_the_python_package_has_the_extensions_version(self):
        with open(os.path.join(ROOT, "package.json"), encoding="utf-8") as f:
            version = json.load(f)["version"]
        with open(os.path.join(RUNTIME, "pyproject.toml"), encoding="utf-8") as f:
            declared = re.search(r'^version = "([^"]+)"$', f.read(), re.M)
        self.assertIsNotNone(declared, "runtime/pyproject.toml declares no version")
        self.assertEqual(declared.group(1), version)


if __name__ == "__main__":
    unittest.main()

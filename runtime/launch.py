"""Starts a module of the runtime's gradlab package: ``python <runtime>/launch.py gradlab.worker [args...]``.

Python puts the folder of the script it runs first on sys.path: this folder, the runtime. ``python -m`` would put
the current folder there instead, and a learner's workspace holds a ``gradlab/`` folder of its own (the exercises),
which a ``gradlab/__init__.py`` would turn into a package that replaces the grader's.
"""

import runpy
import sys

if __name__ == "__main__":
    module = sys.argv.pop(1)
    runpy.run_module(module, run_name="__main__", alter_sys=True)

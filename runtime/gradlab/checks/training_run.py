"""The `run` check kind: run the exercise's training script in the learner's sandbox, then judge the metrics it
logged with ``gradlab.log`` (the run-history format of src/protocol/runs.ts, mirrored in gradlab.runs) against
the spec's conditions. The grader reads the history file itself, after the script is done."""

import json
import math
import os

from gradlab.checks import CheckError
from gradlab.checks.base import Verdict

HISTORY_FILE = "gradlab-check-history.jsonl"
MAX_HISTORY_BYTES = 64 * 1024 * 1024

# Runs in the learner's process. SystemExit(0) is how many scripts end: that is success here. When every
# condition is decided by a known step (the horizon), the run stops once a later step is logged: the rest of
# the script could not change the verdict, and skipping it keeps a re-check quick.
RUN_SCRIPT = """\
import os as _os, runpy as _runpy, sys as _sys
import gradlab as _gradlab, gradlab.runs as _gradlab_runs
_os.environ["GRADLAB_HISTORY"] = _gradlab_history
_sys.argv = [_gradlab_script] + list(_gradlab_args)

class _GradlabHorizon(BaseException):
    pass

if _gradlab_horizon is not None:
    _gradlab_log = _gradlab_runs.log

    def _gradlab_watch(*args, **kwargs):
        _gradlab_log(*args, **kwargs)
        step = kwargs.get("step", args[0] if args else None)
        if type(step) is int and step > _gradlab_horizon:
            raise _GradlabHorizon()

    _gradlab.log = _gradlab_watch
try:
    _runpy.run_path(_gradlab_script, run_name="__main__")
except _GradlabHorizon:
    pass
except SystemExit as _gradlab_exit:
    if _gradlab_exit.code not in (None, 0):
        raise
finally:
    if "gradlab.runs" in _sys.modules:
        _sys.modules["gradlab.runs"].flush()
result = None
"""


def check(sandbox, spec, context):
    script = spec.get("script")
    if not isinstance(script, str) or not script:
        raise CheckError("this run check names no `script`")
    if not os.path.isfile(os.path.join(sandbox.workdir.path, script)):
        raise CheckError(f"the training script {script} is neither in the submission nor in the exercise folder")
    history = os.path.join(sandbox.workdir.path, HISTORY_FILE)
    sandbox.execute(RUN_SCRIPT, {"_gradlab_history": history, "_gradlab_script": script,
                                 "_gradlab_args": [str(a) for a in spec.get("args") or []],
                                 "_gradlab_horizon": horizon(spec.get("conditions") or [])})
    return judge(read_metrics(history), spec.get("conditions") or [], script)


def horizon(conditions):
    """The last step any condition looks at, when all of them are bounded; None means watch the whole run.
    `finite` conditions then apply to the steps watched."""
    steps = []
    for condition in conditions:
        if "below" in condition:
            if condition.get("byStep") is None:
                return None
            steps.append(condition["byStep"])
        if condition.get("afterStep") is not None:
            steps.append(condition["afterStep"])
    return max(steps) if steps else None


def read_metrics(path):
    """metric name -> [(step, value or None)] from a history file; lines that are not metric records are skipped."""
    series = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read(MAX_HISTORY_BYTES)
    except FileNotFoundError:
        return series
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict) or record.get("type") != "metric":
            continue
        step, metrics = record.get("step"), record.get("metrics")
        if type(step) is not int or not isinstance(metrics, dict):
            continue
        for name, value in metrics.items():
            if value is None or type(value) in (int, float):
                number = None if value is None or not math.isfinite(value) else float(value)
                series.setdefault(name, []).append((step, number))
    return series


def judge(series, conditions, script):
    problems, met = [], []
    for condition in conditions:
        name = condition.get("metric")
        points = series.get(name)
        if not points:
            problems.append(f"{script} never logged `{name}`; log it with gradlab.log(step=..., {name}=...)")
            continue
        if "below" in condition:
            below, by = condition["below"], condition.get("byStep")
            window = [(s, v) for s, v in points if by is None or s <= by]
            by_words = f" by step {by}" if by is not None else ""
            hit = next(((s, v) for s, v in window if v is not None and v < below), None)
            if hit is None:
                finite = [(v, s) for s, v in window if v is not None]
                lowest = f" (lowest: {min(finite)[0]:.4g} at step {min(finite)[1]})" if finite else ""
                problems.append(f"`{name}` never fell below {below:g}{by_words}{lowest}")
            else:
                met.append(f"`{name}` fell below {below:g} at step {hit[0]}")
        if condition.get("finite"):
            after = condition.get("afterStep")
            bad = next((s for s, v in points if v is None and (after is None or s >= after)), None)
            if bad is not None:
                problems.append(f"`{name}` stopped being a finite number at step {bad} (nan or inf: the training "
                                "diverged — is the learning rate too high?)")
            else:
                met.append(f"`{name}` stayed finite")
    if problems:
        return Verdict(False, "; ".join(problems))
    return Verdict(True, "passed: " + "; ".join(met) if met else "passed")

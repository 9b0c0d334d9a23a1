"""The `run` check kind: train with the exercise's training script (the pack's copy, never the learner's) and
judge what it trained, not what it says it trained.

The script runs in the learner's process, since it calls the learner's functions, as a module (``__name__`` is not
``"__main__"``); then the spec's ``call`` (say ``main()``) runs it and returns the trained result as plain values
(the parameters). Whatever the script logged with gradlab.log is for the training panel only: a learner's code
could log anything. The spec's ``metrics`` are then computed from that result by the pack's given code, on data the
grader draws (``data``), and the ``conditions`` are judged on those numbers.
"""

import math

from gradlab.checks import CheckError
from gradlab.checks.base import Verdict

# Runs in the learner's process. SystemExit(0) is how many scripts end: that is success here.
SCRIPT = """\
import os as _os, runpy as _runpy, sys as _sys
_os.environ["GRADLAB_HISTORY"] = _os.path.join(_os.getcwd(), "gradlab-check-history.jsonl")
_sys.argv = [_gradlab_script] + list(_gradlab_args)
try:
    _gradlab_module = _runpy.run_path(_gradlab_script, run_name="gradlab_training_script")
    result = eval(_gradlab_call, _gradlab_module)
except SystemExit as _gradlab_exit:
    if _gradlab_exit.code not in (None, 0):
        raise
    result = None
finally:
    if "gradlab.runs" in _sys.modules:
        _sys.modules["gradlab.runs"].flush()
"""

# Runs in the process of the pack's given code: the grader's data, then each metric of the trained result.
METRICS = """\
import numpy as np
rng = np.random.default_rng(_gradlab_seed)
{data}
result = {{{metrics}}}
"""


def _names(spec, field):
    names = list(spec.get(field) or {})
    bad = [name for name in names if not name.isidentifier()]
    if bad:
        raise CheckError(f"run {spec.get('id')}: the names of `{field}` must be Python names: {bad}")
    return names


def check(sandbox, spec, context):
    script = spec.get("script")
    if not isinstance(script, str) or not script:
        raise CheckError("this run check names no `script`")
    if not isinstance(spec.get("call"), str) or not spec.get("metrics"):
        raise CheckError(f"the run check `{spec.get('id')}` has no `call` and `metrics`: a run check judges what "
                         "the script trained (its `call` returns it), never what the script logged, which the "
                         "learner's code could fake (docs/pack-format.md)")
    metric_names = _names(spec, "metrics")
    data_names = _names(spec, "data")
    trained = sandbox.execute(SCRIPT, {"_gradlab_script": script, "_gradlab_call": spec["call"],
                                       "_gradlab_args": [str(a) for a in spec.get("args") or []]})
    if trained is None:
        return Verdict(False, f"{script} ended (sys.exit) before `{spec['call']}` returned what it trained.")
    program = METRICS.format(
        data="\n".join(f"{name} = ({spec['data'][name]})" for name in data_names),
        metrics=", ".join(f"{name!r}: float({spec['metrics'][name]})" for name in metric_names))
    seed = context.seed if getattr(context, "seed", None) is not None else 0
    values = context.given().execute(program, {"result": trained, "_gradlab_seed": seed})
    return judge(values, spec.get("conditions") or [], script)


def judge(values, conditions, script):
    """The verdict of ``conditions`` on ``values`` (metric name -> number the pack's code computed)."""
    problems, met = [], []
    for condition in conditions:
        name = condition.get("metric")
        if name not in values:
            raise CheckError(f"a condition names the metric `{name}`, which this check's `metrics` do not define")
        value = values[name]
        what = f"`{name}` of what {script} trained"
        if not math.isfinite(value):
            problems.append(f"{what} is {value} (not a finite number): the training diverged")
            continue
        if condition.get("finite"):
            met.append(f"{what} is finite")
        for bound, holds, words in (("below", value < condition.get("below", math.inf), "below"),
                                    ("above", value > condition.get("above", -math.inf), "above")):
            if bound in condition:
                (met if holds else problems).append(
                    f"{what} is {value:.4g}, {'' if holds else 'not '}{words} {condition[bound]:g}")
    if problems:
        return Verdict(False, "; ".join(dict.fromkeys(problems)))
    return Verdict(True, "passed: " + "; ".join(met) if met else "passed")

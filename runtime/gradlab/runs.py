"""Training-run logging: ``gradlab.log``, ``gradlab.snapshot_fit``, ``gradlab.snapshot_boundary``,
``gradlab.snapshot_landscape`` and ``gradlab.run``.

Every call appends one JSON line to the run history (the file GRADLAB_HISTORY names, else
``.gradlab/runs/<YYYYMMDD-HHMMSS>-<name>.jsonl`` under the workspace: the nearest folder at or above the working
folder that holds a ``.gradlab`` folder, where VS Code keeps the workspace's progress and runs and its open training
panel picks new runs up; the working folder itself when there is none) and, when GRADLAB_STREAM_FD is set,
writes the same line to that pipe so VS Code plots it live. The record format is described once in
src/protocol/runs.ts; this module mirrors it.

Lines are buffered and written by a background thread every FLUSH_INTERVAL_S (one flushed write per call slowed
a small training loop by a quarter), and at exit, on an uncaught exception and on SIGTERM, so a crash loses
nothing and marks its runs failed; a kill -9 loses at most the last FLUSH_INTERVAL_S of lines and may leave the
last line cut short.

Standard library only: NumPy, PyTorch or CuPy values are converted through their own methods.
"""

import atexit
import json
import os
import re
import signal
import stat
import sys
import threading
import time
import traceback
import uuid

HISTORY_ENV = "GRADLAB_HISTORY"
STREAM_FD_ENV = "GRADLAB_STREAM_FD"
HISTORY_DIR = os.path.join(".gradlab", "runs")
FORMAT_VERSION = 1
FLUSH_INTERVAL_S = 0.05


class _Sink:
    """The history file and the optional live stream: lines are queued by the caller, written by a timer thread."""

    def __init__(self, path, stream_fd):
        self.path = path
        self._fd = None
        self._file_failed = False
        self._stream_fd = stream_fd
        self._lines = []
        # Re-entrant: a SIGTERM handler flushes from the main thread, possibly while the main thread holds a lock.
        self._lock = threading.RLock()
        self._write_lock = threading.RLock()
        self._closing = threading.Event()
        self._thread = None

    def write(self, line):
        with self._lock:
            self._lines.append(line)
            if self._thread is None:
                self._thread = threading.Thread(target=self._flush_periodically, name="gradlab-flush", daemon=True)
                self._thread.start()

    def flush(self):
        with self._write_lock:
            with self._lock:
                lines, self._lines = self._lines, []
            if lines:
                data = "".join(lines).encode("utf-8")
                self._write_file(data)
                self._write_stream(data)

    def close(self):
        self._closing.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self.flush()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _flush_periodically(self):
        while not self._closing.wait(FLUSH_INTERVAL_S):
            self.flush()

    def _write_file(self, data):
        # One unbuffered write() per flush on an O_APPEND descriptor: a kill can cut only that write, so the file
        # ends in at most one partial line, which readers report and skip.
        if self._file_failed:
            return
        try:
            if self._fd is None:
                os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            _write_all(self._fd, data)
        except OSError as error:
            self._file_failed = True
            _warn(f"cannot write the run history to {self.path} ({error}); this run's metrics are not saved.")

    def _write_stream(self, data):
        if self._stream_fd is None:
            return
        try:
            _write_all(self._stream_fd, data)
        except OSError as error:
            # The reader went away (VS Code closed the pipe): keep training and keep writing the file.
            self._stream_fd = None
            _warn(f"the live stream to VS Code closed ({error}); metrics still go to {self.path}.")


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


_state_lock = threading.RLock()
_sink = None
_current = []  # runs made current by gradlab.run(), innermost last
_open_runs = {}  # id -> Run, every run not yet ended
_previous_excepthook = None


def _get_sink():
    global _sink, _previous_excepthook
    with _state_lock:
        if _sink is None:
            path = os.environ.get(HISTORY_ENV) or default_history_path(_script_name())
            _sink = _Sink(os.path.abspath(path), _stream_fd_from_env())
            atexit.register(_at_exit)
            _previous_excepthook = sys.excepthook
            sys.excepthook = _on_uncaught_exception
            _install_sigterm_handler()
        return _sink


def default_history_path(name):
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return os.path.join(history_root(os.getcwd()), HISTORY_DIR, f"{stamp}-{_slug(name)}.jsonl")


def history_root(start):
    """The workspace a script run from a terminal belongs to: the nearest folder at or above `start` with a
    ``.gradlab`` folder (exercises live in <workspace>/gradlab/<id>/), else `start`."""
    folder = os.path.abspath(start)
    while True:
        if os.path.isdir(os.path.join(folder, ".gradlab")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.abspath(start)
        folder = parent


def _stream_fd_from_env():
    value = os.environ.get(STREAM_FD_ENV)
    if not value:
        return None
    try:
        fd = int(value)
    except ValueError:
        _warn(f"{STREAM_FD_ENV}={value!r} is not a file descriptor number; metrics go to the history file only.")
        return None
    # Only the host's pipe: where it was not inherited (Windows passes extra fds to some programs only) the number
    # is free, and the history file opened next would take it and get every line twice, or it names another file.
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        mode = 0
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        _warn(f"{STREAM_FD_ENV}={fd} is not an open pipe in this process; metrics go to the history file only.")
        return None
    return fd


def flush():
    """Write every queued line now (normally done every FLUSH_INTERVAL_S and at exit)."""
    if _sink is not None:
        _sink.flush()


class Run:
    """One training run: its metrics, snapshots, and how it ended.

    Use ``with gradlab.run("name", config={...}) as run:``; ``gradlab.log`` and the snapshots inside the block go
    to it, and an exception escaping the block marks it failed. ``current=False`` makes a run that only its own
    methods write to (the batched sweep keeps K of them open at once).
    """

    def __init__(self, name, config=None, *, group=None, current=True):
        from . import backend

        self.name = str(name)
        self.id = f"{_slug(self.name)}-{uuid.uuid4().hex[:8]}"
        self.status = None
        self._sink = _get_sink()
        self._started = time.monotonic()
        self._next_step = 0
        self._id_json = json.dumps(self.id)
        record = {"type": "run-start", "v": FORMAT_VERSION, "run": self.id, "name": self.name, "time": time.time()}
        if config is not None:
            record["config"] = _json_safe(config)
        record.update(backend.describe())
        if group is not None:
            record["group"] = str(group)
        if sys.argv and sys.argv[0]:
            record["script"] = sys.argv[0]
        record["pid"] = os.getpid()
        with _state_lock:
            _open_runs[self.id] = self
            if current:
                _current.append(self)
        self._write(record)

    @property
    def history_path(self):
        return self._sink.path

    def log(self, step=None, **metrics):
        """Record metrics at a step (default: one after the previous). Values are numbers: Python, NumPy or one-element
        tensors. NaN and infinities are kept as null and flagged."""
        step = self._next_step if step is None else _as_step(step)
        self._next_step = step + 1
        parts = []
        flags = None
        for name, value in metrics.items():
            number = _as_number(name, value)
            key = _json_key(name)
            if number - number == 0.0:  # false for NaN and both infinities, without three comparisons
                parts.append(f"{key}:{number!r}")
            else:
                parts.append(f"{key}:null")
                flags = flags or []
                flags.append(f'{key}:"{_non_finite_kind(number)}"')
        tail = f',"nonFinite":{{{",".join(flags)}}}' if flags else ""
        self._sink.write(
            f'{{"type":"metric","run":{self._id_json},"step":{step},"t":{time.monotonic() - self._started:.4f},'
            f'"metrics":{{{",".join(parts)}}}{tail}}}\n'
        )

    def snapshot_fit(self, x, y_true, y_pred, *, y_func=None, step=None):
        """A 1-D regression picture: data points (x, y_true), the model's y_pred at x, and optionally the true
        function, as values at x or as a callable (e.g. ``numpy.sin``)."""
        xs = _floats(x, "x")
        record = {"type": "fit", "run": self.id, "step": self._snapshot_step(step), "x": xs}
        record["yTrue"] = _same_length(_floats(y_true, "y_true"), xs, "y_true")
        record["yPred"] = _same_length(_floats(y_pred, "y_pred"), xs, "y_pred")
        if y_func is not None:
            values = y_func(x) if callable(y_func) else y_func
            record["yFunc"] = _same_length(_floats(values, "y_func"), xs, "y_func")
        self._write(record)

    def snapshot_boundary(self, predict, bounds, resolution=50, *, points=None, labels=None, step=None):
        """A 2-D classification picture: ``predict`` is called once with every point of a grid over
        bounds=(x_min, x_max, y_min, y_max), as an (n, 2) NumPy array when the script uses NumPy (else a list of
        [x, y] pairs), and returns one probability or score per point. Optional data points and 0/1 labels."""
        x_min, x_max, y_min, y_max = (float(b) for b in bounds)
        nx, ny = (resolution, resolution) if isinstance(resolution, int) else (int(r) for r in resolution)
        if nx < 2 or ny < 2:
            raise ValueError(f"gradlab.snapshot_boundary: resolution must be at least 2 per axis, got {resolution!r}")
        xs = [x_min + (x_max - x_min) * i / (nx - 1) for i in range(nx)]
        ys = [y_min + (y_max - y_min) * j / (ny - 1) for j in range(ny)]
        grid = [[x, y] for y in ys for x in xs]
        numpy = sys.modules.get("numpy")
        outputs = predict(numpy.asarray(grid, dtype=float) if numpy is not None else grid)
        values = _floats(_class_one(outputs), "predict(grid)")
        if len(values) != nx * ny:
            raise ValueError(
                f"gradlab.snapshot_boundary: predict returned {len(values)} values for a grid of {nx * ny} points; "
                "return one probability or score per row"
            )
        record = {
            "type": "boundary",
            "run": self.id,
            "step": self._snapshot_step(step),
            "bounds": [x_min, x_max, y_min, y_max],
            "nx": nx,
            "ny": ny,
            "values": values,
        }
        if points is not None:
            px = _floats(_column(points, 0), "points[:, 0]")
            py = _same_length(_floats(_column(points, 1), "points[:, 1]"), px, "points[:, 1]")
            record["points"] = [[a, b] for a, b in zip(px, py)]
            if labels is not None:
                record["labels"] = _same_length(_floats(labels, "labels"), px, "labels")
        self._write(record)

    def snapshot_landscape(self, loss, values, *, param="w", fixed=None, step=None):
        """A 1-D loss-landscape slice: ``loss(v)`` for each v in values, the other parameters held at ``fixed``.
        Log the parameter as a metric of the same name (``gradlab.log(step, w=w, ...)``) to see each step on it."""
        grid = _floats(values, "values")
        losses = [_finite_or_none(_as_number("loss", loss(v))) for v in grid]
        record = {"type": "landscape", "run": self.id, "step": self._snapshot_step(step), "param": str(param)}
        record["values"] = grid
        record["losses"] = losses
        if fixed:
            record["fixed"] = {str(k): _as_number(str(k), v) for k, v in fixed.items()}
        self._write(record)

    def end(self, status="ok", error=None):
        """Finish the run (done for you at the end of a ``with`` block, at exit, and on a crash)."""
        with _state_lock:
            if self.status is not None:
                return
            self.status = status
            _open_runs.pop(self.id, None)
            if self in _current:
                _current.remove(self)
        record = {"type": "run-end", "run": self.id, "status": status, "t": round(time.monotonic() - self._started, 4)}
        if error:
            record["error"] = error
        self._write(record)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.end("ok")
        else:
            self.end(*_status_for(exc_type, exc, tb))
        return False

    def _snapshot_step(self, step):
        return _as_step(step) if step is not None else max(self._next_step - 1, 0)

    def _write(self, record):
        self._sink.write(json.dumps(record, separators=(",", ":"), allow_nan=False) + "\n")


def run(name, config=None):
    """Start a named run (the current one until it ends): ``with gradlab.run("sine", config={"lr": 0.01}):``."""
    return Run(name, config)


def current_run():
    """The run gradlab.log writes to: the innermost open gradlab.run(), else one started for the script."""
    with _state_lock:
        if _current:
            return _current[-1]
        return Run(_script_name())


def log(step=None, **metrics):
    current_run().log(step, **metrics)


def snapshot_fit(x, y_true, y_pred, *, y_func=None, step=None):
    current_run().snapshot_fit(x, y_true, y_pred, y_func=y_func, step=step)


def snapshot_boundary(predict, bounds, resolution=50, *, points=None, labels=None, step=None):
    current_run().snapshot_boundary(predict, bounds, resolution, points=points, labels=labels, step=step)


def snapshot_landscape(loss, values, *, param="w", fixed=None, step=None):
    current_run().snapshot_landscape(loss, values, param=param, fixed=fixed, step=step)


# --- ending runs when the process ends -------------------------------------------------------------------------


def _end_open_runs(status, error=None):
    with _state_lock:
        runs = list(_open_runs.values())
    for open_run in runs:
        open_run.end(status, error)


def _at_exit():
    _end_open_runs("ok")
    if _sink is not None:
        _sink.close()


def _on_uncaught_exception(exc_type, exc, tb):
    _end_open_runs(*_status_for(exc_type, exc, tb))
    flush()
    (_previous_excepthook or sys.__excepthook__)(exc_type, exc, tb)


def _install_sigterm_handler():
    # VS Code's Stop sends SIGTERM: record the runs as stopped, then die of the signal as the sender expects.
    if not hasattr(signal, "SIGTERM") or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return  # the script handles SIGTERM itself; atexit still ends the runs if it exits normally
    signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum, frame):
    _end_open_runs("stopped", "stopped (SIGTERM)")
    flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _status_for(exc_type, exc, tb):
    if issubclass(exc_type, KeyboardInterrupt):
        return "stopped", "stopped (KeyboardInterrupt)"
    message = "".join(traceback.format_exception_only(exc_type, exc)).strip()
    frames = traceback.extract_tb(tb)
    if frames:
        where = frames[-1]
        message += f" ({os.path.basename(where.filename)}, line {where.lineno})"
    return "failed", message


# --- values -----------------------------------------------------------------------------------------------------

_KEYS = {}


def _json_key(name):
    key = _KEYS.get(name)
    if key is None:
        key = _KEYS[name] = json.dumps(name)
    return key


def _as_number(name, value):
    # Exactly float: a subclass (NumPy's float64) keeps its own repr, which under NumPy 2 is np.float64(1.0), not JSON.
    if type(value) is float:
        return value
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"gradlab: metric {name!r} must be a number, got {type(value).__name__} {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        shape = getattr(value, "shape", None)
        what = f"an array of shape {tuple(shape)}" if shape is not None else type(value).__name__
        raise TypeError(f"gradlab: metric {name!r} must be a single number, got {what}") from error


def _as_step(step):
    try:
        whole = int(step)
    except (TypeError, ValueError) as error:
        raise TypeError(f"gradlab: step must be a whole number, got {step!r}") from error
    if whole != step:
        raise TypeError(f"gradlab: step must be a whole number, got {step!r}")
    return whole


def _non_finite_kind(number):
    if number != number:
        return "nan"
    return "inf" if number > 0 else "-inf"


def _finite_or_none(number):
    return number if number - number == 0.0 else None


def _to_list(values):
    """A flat Python list from a list, tuple, NumPy/CuPy array or PyTorch tensor."""
    if hasattr(values, "detach"):  # PyTorch: leave the graph and the GPU
        values = values.detach().cpu().numpy()
    if type(values).__module__.split(".")[0] == "cupy":
        values = values.get()
    if hasattr(values, "ravel") and hasattr(values, "tolist"):
        return values.ravel().tolist()
    flat = []
    for item in values:
        if isinstance(item, (list, tuple)):
            flat.extend(_to_list(item))
        else:
            flat.append(item)
    return flat


def _floats(values, what):
    try:
        return [_finite_or_none(float(v)) for v in _to_list(values)]
    except (TypeError, ValueError) as error:
        raise TypeError(f"gradlab: {what} must hold numbers ({error})") from error


def _same_length(values, reference, what):
    if len(values) != len(reference):
        raise ValueError(f"gradlab: {what} has {len(values)} values but x has {len(reference)}")
    return values


def _class_one(outputs):
    """Two-column class probabilities -> the probability of class 1; anything else is taken as one value per row."""
    shape = getattr(outputs, "shape", None)
    if shape is not None and len(shape) == 2 and shape[1] == 2:
        return outputs[:, 1]
    return outputs


def _column(points, index):
    if hasattr(points, "shape"):
        return points[:, index]
    return [p[index] for p in points]


def _json_safe(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value - value == 0.0 else repr(float(value))  # float's own repr: 'nan', not np.float64(nan)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and getattr(value, "shape", None) in ((), None):
        return _json_safe(value.item())  # NumPy or PyTorch scalar
    return str(value)


def _slug(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "run"


def _script_name():
    script = sys.argv[0] if sys.argv else ""
    stem = os.path.splitext(os.path.basename(script))[0]
    return stem if stem and stem != "-c" else "run"


def _warn(message):
    print(f"gradlab: {message}", file=sys.stderr, flush=True)

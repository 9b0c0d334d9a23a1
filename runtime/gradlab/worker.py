"""``python -m gradlab.worker``: the grading worker the host keeps warm (src/protocol/worker.ts, mirrored in
gradlab.protocol).

The real stdout is kept for the protocol and fd 1 is pointed at stderr first, so nothing else printed in this
process (a pack's tests.py, a C library) can corrupt the channel. A reader thread takes frames from stdin and
queues requests; ``cancel`` notifications take effect at once, even while a check waits on a learner's process.
Requests are answered one at a time, each with exactly one response; every exception becomes an error reply. A
``check`` sends each check's result as a ``result`` notification before its response.
"""

import os
import queue
import sys
import threading
import traceback

from gradlab.protocol import (ISOLATION_VARIABLE, PROTOCOL_VERSION, SANDBOX_VARIABLE, Cancelled, ErrorCode,
                              FrameReader, MalformedFrame, Method, Notification, WorkerError, encode_frame)


class Channel:
    """The protocol's output: whole frames, one writer at a time."""

    def __init__(self, fd):
        self._fd = fd
        self._lock = threading.Lock()

    def send(self, message):
        data = memoryview(encode_frame(message))
        with self._lock:
            while data:
                data = data[os.write(self._fd, data):]

    def log(self, level, message):
        self.send({"method": Notification.LOG, "params": {"level": level, "message": message}})


class Worker:
    def __init__(self, channel, zygote, trusted_zygote=None, isolation=None, unavailable=None):
        """``isolation``: {"mode": required | auto | off, "isolated": bool, "reason": why not, when not};
        ``unavailable``: why there is no sandbox (``zygote`` None), as the grader says it."""
        self.channel = channel
        self.zygote = zygote
        self.unavailable = unavailable
        self.trusted_zygote = trusted_zygote
        self.isolation = isolation or {"mode": "off", "isolated": False}
        self.requests = queue.Queue()
        self._lock = threading.Lock()
        self._current = None  # (id, CancelToken) of the request being served
        self._cancelled = set()  # ids cancelled before they started
        self._grader = None

    # ---- the reader thread ----

    def read(self, reader):
        try:
            while True:
                try:
                    message = reader.read()
                except ValueError as error:  # a frame whose body is not JSON: the framing itself is intact
                    self.channel.log("error", f"ignored a frame that is not JSON: {error}")
                    continue
                if message is None:
                    break
                if isinstance(message, dict) and message.get("method") == Notification.CANCEL and "id" not in message:
                    self.cancel((message.get("params") or {}).get("id"))
                else:
                    self.requests.put(message)
        except MalformedFrame as error:
            self.channel.log("error", f"the host's channel is corrupted ({error}); stopping")
        finally:
            self.requests.put(None)

    def cancel(self, request_id):
        with self._lock:
            if self._current and self._current[0] == request_id:
                self._current[1].set()
            else:
                self._cancelled.add(request_id)

    # ---- the request loop ----

    def serve(self):
        while True:
            message = self.requests.get()
            if message is None:
                return
            if not isinstance(message, dict) or not isinstance(message.get("id"), int) \
                    or isinstance(message.get("id"), bool):
                self.channel.log("error", f"ignored a message that is neither a request nor a known notification: "
                                          f"{str(message)[:200]}")
                continue
            request_id, method = message["id"], message.get("method")
            reply = {"id": request_id}
            try:
                reply["result"] = self.dispatch(request_id, method, message.get("params"))
            except WorkerError as error:
                reply["error"] = error.to_json()
            except (Exception, SystemExit) as error:  # SystemExit: a pack's tests.py may call sys.exit()
                self.channel.log("error", traceback.format_exc())
                reply["error"] = WorkerError(ErrorCode.INTERNAL, f"the worker failed on `{method}`: "
                                                                 f"{type(error).__name__}: {error}").to_json()
            self.channel.send(reply)
            if method == Method.SHUTDOWN:
                return

    def dispatch(self, request_id, method, params):
        from gradlab.sandbox.cancel import CancelToken

        if method == Method.HELLO:
            return self.hello()
        if method == Method.SHUTDOWN:
            return None
        if method == Method.MUTANTS:
            return mutants(params)
        if method not in (Method.CHECK, Method.RECORD):
            raise WorkerError(ErrorCode.BAD_REQUEST, f"unknown method {method!r}")
        token = CancelToken()
        with self._lock:
            if request_id in self._cancelled:
                self._cancelled.discard(request_id)
                token.close()
                raise Cancelled()
            self._current = (request_id, token)
        try:
            if method == Method.CHECK:
                return self.grader().check(params, token, lambda result, remaining: self.channel.send(
                    {"method": Notification.RESULT, "params": {"id": request_id, "result": result,
                                                               "remaining": remaining}}))
            from gradlab.recording import record

            if not isinstance(params, dict):
                raise WorkerError(ErrorCode.BAD_REQUEST, "`params` must be an object")
            return record(self.grader(), params, token)
        finally:
            with self._lock:
                self._current = None
                token.close()

    def grader(self):
        if self._grader is None:
            from gradlab.grading import Grader

            isolation = self.isolation
            refused = isolation["mode"] == "required" and not isolation["isolated"]
            self._grader = Grader(self.zygote, self.trusted_zygote, self.channel.log,
                                  isolation.get("reason") if refused else None, self.unavailable)
        return self._grader

    def close(self):
        if self._grader is not None:
            self._grader.close()

    def hello(self):
        import platform

        import gradlab

        sandbox = self.zygote.kind if self.zygote is not None else None
        numpy = package_info("numpy")
        if sandbox:
            from gradlab.sandbox.config import ZygoteError

            try:
                numpy = self.zygote.numpy_info()
            except ZygoteError as error:
                self.channel.log("error", str(error))
                sandbox = None
        return {
            "protocolVersion": PROTOCOL_VERSION,
            "runtimeVersion": gradlab.__version__,
            "python": {"version": platform.python_version(), "executable": sys.executable,
                       "implementation": platform.python_implementation()},
            "platform": sys.platform,
            "numpy": numpy,
            "torch": torch_info(),
            "sandbox": sandbox,
            "isolation": dict(self.isolation),
        }


def package_info(name):
    """Whether ``name`` is installed and its version, without importing it."""
    import importlib.util

    try:
        found = importlib.util.find_spec(name)
    except (ImportError, ValueError) as error:
        return {"available": False, "error": str(error)}
    if found is None:
        return {"available": False, "error": f"No module named {name!r}"}
    info = {"available": True}
    try:
        from importlib.metadata import version

        info["version"] = version(name)
    except Exception:
        pass  # installed without metadata (a source checkout): still importable
    return info


def torch_info():
    """PyTorch without importing it (seconds): CUDA support is read from the build's libraries and the GPU from
    the device nodes, which is what an import would conclude on Linux."""
    from gradlab.system import nvidia_device_present

    info = package_info("torch")
    if info["available"]:
        import glob
        import importlib.util

        folder = os.path.dirname(importlib.util.find_spec("torch").origin or "")
        cuda_build = bool(glob.glob(os.path.join(folder, "lib", "libtorch_cuda*")))
        info["cuda"] = cuda_build and nvidia_device_present()
        info["device"] = "cuda" if info["cuda"] else "cpu"
    return info


def mutants(params):
    if not isinstance(params, dict) or not isinstance(params.get("source"), str) \
            or not isinstance(params.get("regions"), list):
        raise WorkerError(ErrorCode.BAD_REQUEST, "mutants needs `source` (text) and `regions` (line ranges)")
    try:
        from gradlab.mutants import generate
    except ModuleNotFoundError as error:
        if error.name not in ("gradlab.mutants",):
            raise
        raise WorkerError(ErrorCode.INTERNAL, "this Gradient Lab runtime has no mutant generator "
                                              "(gradlab.mutants is missing)") from None
    try:
        return {"mutants": list(generate(params["source"], [tuple(r) for r in params["regions"]]))}
    except SyntaxError as error:
        raise WorkerError(ErrorCode.PACK, f"the solution file does not parse (line {error.lineno}: {error.msg}), "
                                          "so no mutants can be made of it") from None


# One BLAS/OpenMP thread in the worker and in every process it starts: grading problems are small, the machine is
# shared, and an OpenBLAS thread spinning idle after each product cost the worker a third of its CPU time.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


STOPPING_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


class Stopped(BaseException):
    """SIGINT, SIGTERM or SIGHUP (Ctrl+C, or the host went away): leave through main's finally, which ends the
    zygotes and their sandboxes and removes every temporary folder. Not a SystemExit, which serving a request turns
    into an error reply (a pack's tests.py may call sys.exit())."""

    def __init__(self, signum, _frame=None):
        super().__init__(signum)
        self.code = 128 + signum


def _stopping():
    import signal

    return [getattr(signal, name) for name in STOPPING_SIGNALS if hasattr(signal, name)]


def _stop(signum, frame):
    import signal

    # Ctrl+C reaches the host too, which then asks this process to stop with SIGTERM: a second signal must not cut
    # short the cleaning up that the first one started (a check's folder would stay behind)
    for number in _stopping():
        signal.signal(number, signal.SIG_IGN)
    raise Stopped(signum, frame)


def main():
    import signal

    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")  # before anything here imports NumPy
    stopping = _stopping()
    for number in stopping:
        signal.signal(number, _stop)
    protocol_out = os.dup(1)
    os.dup2(2, 1)  # from here on, anything written to fd 1 lands on stderr, never in the protocol
    channel = Channel(protocol_out)
    from gradlab import system

    system.forbid_tracing()  # the verdicts are computed here: no learner process may read or trace this one
    from gradlab.sandbox import choice, isolation as isolating

    zygote = trusted = unavailable = None
    isolation = {"mode": os.environ.get(ISOLATION_VARIABLE) or "auto", "isolated": False}
    try:
        kind = choice.resolve(os.environ.get(SANDBOX_VARIABLE))
    except choice.Unusable as error:
        unavailable = f"Grading cannot start a sandbox for the learner's code: {error}."
    else:
        trusted = choice.start(kind, channel.log, trusted=True)  # both start importing NumPy right away
        if isolation["mode"] not in isolating.MODES:
            isolation["reason"] = f"{ISOLATION_VARIABLE} must be one of {', '.join(isolating.MODES)}"
            isolation["mode"] = "required"
        elif isolation["mode"] != "off":
            isolation["reason"] = isolating.probe()
            isolation["isolated"] = isolation["reason"] is None
        zygote = choice.start(kind, channel.log, isolated=isolation["isolated"])
    isolation = {key: value for key, value in isolation.items() if value is not None}
    worker = Worker(channel, zygote, trusted, isolation, unavailable)
    threading.Thread(target=worker.read, args=(FrameReader(0),), name="gradlab-reader", daemon=True).start()
    try:
        worker.serve()
    except Stopped as stopped:
        sys.exit(stopped.code)
    finally:
        for number in stopping:  # a second signal must not cut the cleaning up short
            signal.signal(number, signal.SIG_IGN)
        worker.close()
        for process in (zygote, trusted):
            if process is not None:
                process.close()


if __name__ == "__main__":
    main()

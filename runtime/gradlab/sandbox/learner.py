"""The learner's side of the sandbox: a template process per exercise request, forked from the zygote, and a copy
of it per check.

The template cuts itself off (own process group, limits, captured output, audit hook), loads the exercise's files as
modules and reports how that went; from then on it only forks (``serve_forks`` of gradlab.sandbox.forking, on its
control socket). Each copy takes its own process group, output pipe and working folder, reseeds, and answers the
grader's requests (gradlab.rpc frames) until the grader kills it. A check therefore starts from the state the
loaded files left, whatever an earlier check changed in its own copy. Every answer is a plain value (gradlab.codec)
or a description of what went wrong; the grader turns those into verdicts and words. Nothing here is trusted by the
grader: the learner's code runs in these processes and may change any of it.
"""

import importlib.util
import io
import operator
import os
import random
import re
import signal
import socket
import sys
import tempfile

# Bound at import: a learner who replaces built-ins here should not break how this process answers the grader.
from builtins import (BaseException, callable, compile, dict, eval, exec, getattr, id, isinstance, len, list, set,
                      setattr, str, type)

from gradlab import codec, kinks, rpc, system
from gradlab.sandbox import audit

if system.FORK_AVAILABLE:  # the fork sandbox's template; the spawn sandbox (serve_check) needs none of it
    from os import fork

    from gradlab.sandbox.forking import fork_child, send_message, serve_forks

GRADER_FILENAMES = ("<check>", "<execute>")
MESSAGE_CHARS = 2000

OPERATORS = {
    name: getattr(operator, name)
    for name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_", "or_", "xor",
                 "lshift", "rshift", "neg", "pos", "abs", "invert", "lt", "le", "eq", "ne", "gt", "ge",
                 "getitem", "setitem", "delitem", "contains")
}
OPERATORS.update({"len": len, "bool": bool, "list": list})


def main(config, control_fd, output_fd):
    """The template's life; never returns. It ends when the worker closes the control socket or kills it."""
    control = socket.socket(fileno=control_fd)
    try:
        policy = _isolate(config, control_fd, output_fd)
        process = LearnerProcess(config, policy)
    except BaseException as error:  # a broken sandbox set-up, before any learner code ran
        try:
            send_message(control, {"event": "ready", "load": {"error": _internal(error)}})
        finally:
            os._exit(rpc.SANDBOX_BROKEN)
    loaded = process.load()
    process.flush()
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # the grader has read what loading printed; each copy prints into its own pipe
    os.dup2(null, 2)
    os.close(null)
    try:
        serve_forks(control, {"event": "ready", "load": loaded}, process.spawn)
    except OSError:
        os._exit(rpc.CHANNEL_LOST)  # the learner's code closed or broke the control socket
    os._exit(0)


def serve_check(template_config, check_config, channel_fd, output_fd):
    """The spawn sandbox's learner process (gradlab.sandbox.spawned): a template and its one copy in a single
    process, which loads the files, then serves one check from them; never returns. Its first frame is a ready one,
    or the loading error."""
    try:
        policy = _isolate(template_config, channel_fd, output_fd)
        process = LearnerProcess(template_config, policy)
    except BaseException as error:  # a broken sandbox set-up, before any learner code ran
        _broken(channel_fd, error)
    loaded = process.load()
    if "error" in loaded:
        process.fd = channel_fd
        process.serve_error(loaded["error"])
        os._exit(0)
    try:
        process.enter_check(check_config, channel_fd)
    except BaseException as error:
        _broken(channel_fd, error)
    process.serve()
    os._exit(0)


def _broken(channel_fd, error):
    try:
        rpc.write_blocking(channel_fd, {"error": _internal(error)})
    finally:
        os._exit(rpc.SANDBOX_BROKEN)


def _internal(error):
    return {"kind": "internal", "type": type(error).__name__, "message": str(error)[:MESSAGE_CHARS]}


def _isolate(config, control_fd, output_fd):
    """Cut the template off; returns the audit policy (gradlab.sandbox.audit)."""
    system.lead_own_group()  # the grader kills the whole group when it is done with the template
    system.ignore_oversized_writes()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    keep = sorted({0, 1, 2, control_fd})
    for low, high in zip(keep, keep[1:] + [system.open_file_limit()]):
        os.closerange(low + 1, high)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = _text_stream(1)
    sys.stderr = _text_stream(2)
    sys.__stdout__, sys.__stderr__ = sys.stdout, sys.stderr

    workdir = config["workdir"]
    sys.path[:0] = [workdir]
    sys.argv = [""]
    sys.dont_write_bytecode = True
    _enter(workdir)
    os.environ.update(config.get("env", {}))
    _limit(config["limits"])
    return audit.install(workdir, config.get("private", []))


def _enter(workdir):
    """Work in ``workdir``: the current folder and where temporary files go."""
    os.chdir(workdir)
    os.environ["TMPDIR"] = workdir
    tempfile.tempdir = workdir


def _text_stream(fd):
    return io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                            line_buffering=True, write_through=True)


def _limit(limits):
    # the CPU this process has used already (a pre-started interpreter's imports) is not the check's
    cpu = max(1, int(-(-(float(limits["timeoutS"]) + system.cpu_seconds_used()) // 1)))
    system.limit_resources(cpu, int(limits["memoryMb"]) * 1024 * 1024, int(limits["fileMb"]) * 1024 * 1024)


class LearnerProcess:
    """The learner's side of a template, and of each copy forked from it for a check."""

    def __init__(self, config, policy):
        self.fd = None  # a copy's channel to the grader
        self.config = config
        self.policy = policy
        self.workdir = config["workdir"]
        self.handles = {}
        self.compiled = {}
        self.namespace = {}
        self.numpy = None
        self.watch = None  # gradlab.kinks.Watch of a copy asked to watch the exercise's kinks
        self.seed = config["seed"]
        # every exercise file (modules, scripts): frames in them are what a learner can act on
        self.files = {os.path.realpath(os.path.join(self.workdir, file)): file for file in config["files"]}
        # bound now, before learner code can replace them
        self.read, self.write = os.read, os.write
        self.streams = (sys.stdout, sys.stderr)

    # ---- the template ----

    def load(self):
        """Load the exercise's files: ``{"ready": True}`` or ``{"error": fields}``."""
        if self.config.get("numpy"):
            import numpy

            self.numpy = numpy
        self._seed(self.config["seed"])
        namespace = {}
        overlay = self.config.get("overlay", {})
        try:
            for module in self.config["modules"]:
                loaded = self._import(module)
                for first, source in overlay.get(module["name"], ()):
                    # the pack's given code over the learner's edit of it, under its own name in tracebacks
                    exec(compile("\n" * (first - 1) + source, f"<given {module['file']}>", "exec"), vars(loaded))
                namespace.update(_public(loaded))
        except BaseException as error:
            return {"error": self.describe(error, loading=True)}
        if self.numpy is not None:
            namespace["np"] = self.numpy
            namespace.pop("rng", None)  # the check's own generator takes the name (see _compile)
        self.namespace = namespace
        return {"ready": True}

    def spawn(self, message, fds, closing):
        """Fork a copy for one check (serve_forks calls this in the template)."""
        rpc_fd, output_fd = fds
        config = message["config"]
        template = os.getpid()
        return fork_child(fds, closing, lambda: self._copy(config, rpc_fd, output_fd, template), forking=self._fork)

    def _fork(self):
        with self.policy.suspended():  # the audit hook refuses os.fork to everyone else in this process
            return fork()

    # ---- a copy ----

    def _copy(self, config, rpc_fd, output_fd, template):
        """Become the process of one check; never returns."""
        try:
            # if the worker dies, the zygote kills the templates, and their copies must not run on unattended
            system.die_with_parent(template, rpc.CHANNEL_LOST)
            system.lead_own_group()  # the grader kills this check's whole group at its end
            os.dup2(output_fd, 1)
            os.dup2(output_fd, 2)
            os.close(output_fd)
            self.enter_check(config, rpc_fd)
        except BaseException as error:
            _broken(rpc_fd, error)
        self.serve()
        os._exit(0)

    def enter_check(self, config, rpc_fd):
        """Serve the check of ``config`` (its workdir, files, seed and kinks) on ``rpc_fd``, from the loaded files."""
        workdir = config["workdir"]
        sys.path[:] = [workdir if entry == self.workdir else entry for entry in sys.path]
        _enter(workdir)
        self.policy.confine(workdir)
        self.files.update({os.path.realpath(os.path.join(workdir, file)): file for file in config["files"]})
        self.fd = rpc_fd
        self._seed(config["seed"])
        if config.get("kinks"):
            modules = [sys.modules[m["name"]] for m in self.config["modules"] if m["name"] in sys.modules]
            self.watch = kinks.Watch(config["kinks"], self.namespace, modules, self.numpy)

    def _seed(self, seed):
        self.seed = seed
        self.namespace.pop("rng", None)  # made again from the new seed on first use (see _compile)
        random.seed(seed)
        if self.numpy is not None:
            self.numpy.random.seed(seed)

    def serve_error(self, fields):
        """Tell the grader why the files did not load, in place of the ready frame."""
        self._send({"error": fields})

    def serve(self):
        self._send({"ready": True})
        while True:
            try:
                message = rpc.read_blocking(self.fd, self.read)
            except (OSError, rpc.FrameError):
                return
            if message is None:
                return
            self._send(self._answer(message))

    def _send(self, reply):
        self.flush()
        try:
            data = rpc.encode(reply)
        except (RecursionError, MemoryError, ValueError):
            data = None
        if data is None or len(data) > rpc.MAX_FRAME_BYTES:
            data = rpc.encode({"error": {"kind": "unsendable", "type": "ValueError", "message":
                                         f"it is larger than the {rpc.MAX_FRAME_BYTES >> 20} MiB the grader accepts"}})
        try:
            rpc.write_blocking(self.fd, data, self.write, encoded=True)
        except OSError:
            os._exit(rpc.CHANNEL_LOST)

    def flush(self):
        for stream in {id(s): s for s in self.streams + (sys.stdout, sys.stderr)}.values():
            try:
                stream.flush()
            except BaseException:
                pass  # a learner-replaced stream may not flush; its output is theirs to lose

    # ---- loading the exercise's files ----

    def _import(self, module):
        name = module["name"]
        path = os.path.join(self.workdir, module["file"])
        loaded = sys.modules.get(name)
        if loaded is not None and getattr(loaded, "__file__", None) == path:
            return loaded  # an earlier file imported it already
        spec = importlib.util.spec_from_file_location(name, path)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[name]
            raise
        return loaded

    # ---- answering requests ----

    def _answer(self, message):
        try:
            action = self._prepare(message)
        except BaseException as error:  # our own decoding failed: the learner changed this process under us
            return {"error": dict(self.describe(error), kind="tampered")}
        try:
            value = action()
        except BaseException as error:
            return {"error": self.describe(error)}
        try:
            return {"ok": codec.to_json(value, self._handle)}
        except RecursionError:
            return {"error": {"kind": "unsendable", "type": "RecursionError",
                              "message": "it holds containers nested deeper than the grader follows"}}
        except MemoryError:
            return {"error": {"kind": "unsendable", "type": "MemoryError", "message": "it is too large to send"}}
        except BaseException as error:
            described = self.describe(error)
            described["message"] = f"the value could not be sent to the grader: {described['message']}"
            return {"error": described}

    def _prepare(self, message):
        """The request as a call of no arguments that runs the learner's code; decoding happens here, first."""
        op = message.get("op")
        if op in ("eval", "execute"):
            scope = self._scope(message.get("bindings"))
            if op == "eval":
                source = message["expr"]
                return lambda: eval(self._compile(source, "<check>", "eval", scope), scope)
            source, name = message["code"], message.get("result", "result")
            return lambda: self._execute(self._compile(source, "<execute>", "exec", scope), scope, name)
        if op == "call":
            args = [self._value(a) for a in message.get("args", [])]
            kwargs = {k: self._value(v) for k, v in message.get("kwargs", {}).items()}
            if "name" in message:
                name = message["name"]
                return lambda: self._global(name)(*args, **kwargs)
            target = self._value(message["target"])
            return lambda: target(*args, **kwargs)
        if op == "kinks":  # what the watch saw (gradlab validate on the solution)
            return lambda: self.watch.report() if self.watch is not None else []
        if op == "reseed":  # a process that serves several checks (the pack's given code) starts each afresh
            seed = int(message["seed"])
            return lambda: self._seed(seed)
        if op == "getattr":
            target, name = self._value(message["target"]), message["name"]
            return lambda: getattr(target, name)
        if op == "setattr":
            target, name, value = self._value(message["target"]), message["name"], self._value(message["value"])
            return lambda: setattr(target, name, value)
        if op == "apply":
            function = OPERATORS[message["fn"]]
            args = [self._value(a) for a in message.get("args", [])]
            return lambda: function(*args)
        raise ValueError(f"unknown request {op!r}")

    @staticmethod
    def _execute(code, scope, name):
        exec(code, scope)
        if name not in scope:
            raise LookupError(f"the check's code did not set `{name}`")
        return scope[name]

    def _global(self, name):
        """A function of the learner's namespace, by name, for ``sub.name(...)``."""
        if name not in self.namespace:
            error = NameError(f"name {name!r} is not defined")
            error.name = name
            raise error
        value = self.namespace[name]
        if not callable(value):
            raise TypeError(f"`{name}` is {'None' if value is None else 'a ' + type(value).__name__}, not a function"
                            " — was it replaced after its definition?")
        return value

    def _scope(self, bindings):
        scope = dict(self.namespace)
        scope.update({name: self._value(tree) for name, tree in (bindings or {}).items()})
        return scope

    def _compile(self, source, filename, mode, scope):
        """The code of ``source``; when it names ``rng`` and no binding gives one, the check's seeded generator
        joins ``scope``, made on first use (half a millisecond of a check's process, which most checks never use)."""
        key = (source, mode)
        compiled = self.compiled.get(key)
        if compiled is None:
            code = compile(source, filename, mode)
            compiled = self.compiled[key] = (code, "rng" in _names(code))
        code, uses_rng = compiled
        if uses_rng and "rng" not in scope and self.numpy is not None:
            if "rng" not in self.namespace:
                self.namespace["rng"] = self.numpy.random.default_rng(self.seed)
            scope["rng"] = self.namespace["rng"]
        return code

    def _value(self, tree):
        return codec.from_json(tree, self._lookup)

    def _lookup(self, number, _type_name):
        if number not in self.handles:
            raise LookupError(f"no object with handle {number} in this process")
        return self.handles[number]

    def _handle(self, value):
        number = len(self.handles) + 1
        self.handles[number] = value
        return {"$handle": number, "type": type(value).__name__}

    # ---- describing failures ----

    def describe(self, error, loading=False):
        """What went wrong, as plain fields the grader turns into words."""
        where = self._learner_frame(error)
        described = {"type": type(error).__name__, "message": _text(error)}
        if where:
            described.update(where)
        forbidden = _find_in_chain(error, audit.ForbiddenAction)
        if forbidden is not None:
            described.update(kind="forbidden", event=forbidden.event, message=forbidden.words)
        elif isinstance(error, MemoryError):
            described["kind"] = "memory"
        elif isinstance(error, (SystemExit, KeyboardInterrupt)):
            code = error.code if isinstance(error, SystemExit) else None
            described.update(kind="exit", code=code if code is None or type(code) is int else _text(code))
        elif isinstance(error, SyntaxError) and self._learner_file(error.filename):
            described.update(kind="syntax", file=self._learner_file(error.filename), line=error.lineno,
                             message=_text(error.msg))
        elif isinstance(error, NameError) and not where and _missing_name(error):
            described.update(kind="missing-name", name=_missing_name(error))
        elif isinstance(error, ModuleNotFoundError) and type(error.name) is str:
            described.update(kind="exception", module=error.name)
        else:
            described["kind"] = "exception"
        if loading and described["kind"] == "exception":
            described["loading"] = True
        return described

    def _learner_file(self, filename):
        if not isinstance(filename, str) or filename in GRADER_FILENAMES:
            return None
        return self.files.get(os.path.realpath(filename))

    def _learner_frame(self, error):
        """The innermost frame of the traceback that is in one of the exercise's files."""
        found = None
        traceback = error.__traceback__
        while traceback is not None:
            code = traceback.tb_frame.f_code
            file = self._learner_file(code.co_filename)
            if file:
                found = {"file": file, "line": traceback.tb_lineno, "function": code.co_name}
            traceback = traceback.tb_next
        return found


def _names(code):
    """Every name ``code`` and the functions, classes and comprehensions inside it refer to."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, type(code)):
            names |= _names(constant)
    return names


def _public(module):
    return {name: value for name, value in vars(module).items()
            if not (name.startswith("__") and name.endswith("__"))}


def _missing_name(error):
    """The name a NameError is about (Python before 3.10 only says it in the message)."""
    name = getattr(error, "name", None)
    if type(name) is str:
        return name
    found = re.match(r"name '(\w+)' is not defined", _text(error))
    return found.group(1) if found else None


def _find_in_chain(error, kind):
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _text(value):
    try:
        text = str(value)
    except BaseException:
        return "(a message that could not be turned into text)"
    if type(text) is not str:
        return "(a message that is not text)"
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "..."

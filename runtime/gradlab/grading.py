"""Grading one exercise for the worker's ``check`` request: check by check, each in a learner process of its own,
forked from a template process that loaded the learner's files once for the request, while everything a verdict
rests on (inputs, losses, the reference's answers) comes from processes of the pack's own code.

``Exercise`` is an exercise of a pack as the grader sees it (its folder, its tests file, the files a release keeps
beside it); ``Request`` holds a request's processes; ``CheckContext`` is what a check kind may ask for; ``Grader``
owns the zygotes and turns a CheckParams into a CheckReport. What differs between check kinds is in their modules
(gradlab.checks).
"""

import collections
import functools
import importlib.util
import json
import os
import time
import traceback

from gradlab import checks, given, kinks
from gradlab.checks.base import LearnerError
from gradlab.protocol import DEFAULT_LIMITS, ErrorCode, WorkerError
from gradlab.sandbox.process import ProcessSandbox, seed_for
from gradlab.sandbox.workdir import Workdir, exercise_folder, learner_paths, locate, origins
from gradlab.sandbox.config import ZygoteError

BAKED_REFERENCES = "references.json"  # the kinds' ``reference`` hooks, baked into a release
COSTS = "costs.json"  # what each check cost on the reference when the release was built (ms): the run order
PACKAGE_NAMES = {"numpy": "NumPy", "torch": "PyTorch"}
REFERENCES_KEPT = 64
TRUSTED_TEMPLATES_KEPT = 16  # templates of the pack's code: a pack's exercises, a few times over
PACK_WORDS = "inside the exercise pack or the reference solution"
KEPT_WORDS = "which grading keeps private (other students' work, the gradebook, the grader's own files)"


def _require(condition, message):
    if not condition:
        raise WorkerError(ErrorCode.BAD_REQUEST, message)


class Exercise:
    """One exercise of one pack, with what grading reads from the pack loaded once per request."""

    def __init__(self, pack, spec):
        _require(isinstance(pack, dict) and isinstance(pack.get("dir"), str), "`pack.dir` must be a folder path")
        _require(pack.get("form") in ("authoring", "release"), "`pack.form` must be `authoring` or `release`")
        _require(isinstance(spec, dict) and isinstance(spec.get("id"), str), "`exercise.id` must be a string")
        _require(isinstance(spec.get("files"), list) and isinstance(spec.get("checks"), list),
                 "`exercise.files` and `exercise.checks` must be lists")
        self.pack_dir = pack["dir"]
        self.form = pack["form"]
        self.spec = spec
        self.id = spec["id"]
        self.folder = exercise_folder(self.pack_dir, spec)
        if not os.path.isdir(self.folder):
            raise WorkerError(ErrorCode.PACK, f"the exercise folder {self.folder} does not exist")
        self.learner_files = learner_paths(spec)
        self._json = {}

    def file_for(self, check):
        return check.get("file") or (self.learner_files[0] if self.learner_files else None)

    def expected_costs(self):
        """{check id: milliseconds} measured on the reference when the release was built (COSTS), else empty."""
        if self.form != "release" or not os.path.isfile(os.path.join(self.folder, COSTS)):
            return {}
        return self.release_file(COSTS)

    def tests_path(self):
        return os.path.join(self.folder, self.spec.get("tests") or "tests.py")

    def baked_reference(self, check_id):
        references = self.release_file(BAKED_REFERENCES)
        if check_id not in references:
            raise checks.CheckError(f"{BAKED_REFERENCES} has no reference for `{check_id}`; rebuild the release "
                                    "with `gradlab build`")
        return references[check_id]

    def release_file(self, name):
        """A JSON object the release keeps in the exercise's folder (read once per request)."""
        if name not in self._json:
            path = os.path.join(self.folder, name)
            if not os.path.isfile(path):
                raise checks.CheckError(f"this release lacks {path}; rebuild it with `gradlab build`")
            try:
                with open(path, encoding="utf-8") as file:
                    self._json[name] = json.load(file)
            except (OSError, ValueError) as error:
                raise WorkerError(ErrorCode.PACK, f"{path} could not be read: {error}") from None
            if not isinstance(self._json[name], dict):
                raise WorkerError(ErrorCode.PACK, f"{path} must hold a JSON object")
        return self._json[name]


class Request:
    """The processes of one request: a template per folder of files, started on first use, from which each check
    gets a fresh process. Learner code (the submission) runs under the learner zygote, which is isolated where the
    system allows it; the pack's code (the given functions, the reference solution) under the trusted zygote, where
    no learner process can reach it. Close it at the end: every process of the request goes, and the learner zygote
    is swept before another request's files come."""

    def __init__(self, grader, exercise, params, cancel):
        self.grader = grader
        self.exercise = exercise
        self.params = params
        self.limits = params["limits"]
        self.cancel = cancel
        self.private = [(exercise.pack_dir, PACK_WORDS), *private_of(params)]
        self.overlay, self.edited = grader.overlay(exercise, params) if "submission" in params else ({}, [])
        self._templates = {}
        self._given = None

    def _template(self, source, trusted):
        if trusted:
            return self.grader.trusted_template(self.exercise, source, self.limits, self.cancel)
        template = self._templates.get(source)
        if template is None:
            template = self._templates[source] = self.grader.template(
                self.grader.zygote, self.exercise, source, self.limits, self.cancel, self.private, self.overlay)
        return template

    def _sandbox(self, source, spec, trusted, blame_pack=False, watched=()):
        template = self._template(source, trusted)
        workdir = Workdir(self.exercise.spec, self.exercise.folder, source, root=template.zygote.exchange)
        return ProcessSandbox(template, workdir, seed=seed_for(spec["id"]), cancel=self.cancel,
                              default_file=self.exercise.file_for(spec), blame_pack=blame_pack, kinks=watched)

    def watched(self, spec):
        """The declared kinks to watch during ``spec`` (only when validate audits the solution)."""
        return kinks.watched_for(self.exercise.spec, spec) if self.params.get("auditKinks") else []

    def learner(self, spec):
        """A fresh process of the submission for the check ``spec``."""
        return self._sandbox(self.params["submission"], spec, trusted=False, watched=self.watched(spec))

    def trusted(self, folder, spec):
        """A fresh process of the files in ``folder`` (the reference solution) for the check ``spec``."""
        return self._sandbox(folder, spec, trusted=True)

    def given(self, spec):
        """The request's process of the pack's given code (the starter form of the learner files, with the given
        files): inputs, losses and reference computations come from here, never from the learner's process. One per
        request, reseeded and given a new time limit for each check that asks; its failures are the pack's."""
        if self._given is None:
            self._given = self._sandbox(self.params["given"], spec, trusted=True, blame_pack=True)
        self._given.renew(seed_for(spec["id"]))
        return self._given

    def close(self):
        if self._given is not None:
            self._given.close()
            self._given = None
        for template in self._templates.values():
            template.close()
        self._templates.clear()
        self.grader.zygote.sweep()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


class CheckContext:
    """What a check kind may need beyond its learner sandbox and its spec (gradlab.checks.base.CheckContext)."""

    def __init__(self, request, spec):
        self.request = request
        self.spec = spec
        self.exercise = request.exercise
        self.params = request.params
        self.cancel = request.cancel
        self.gradcheck_mode = self.params.get("gradcheck") or "auto"
        self.seed = self.params.get("seed")  # a grading run's own seed: fresh inputs for hidden checks

    def given(self):
        """The Sandbox of the pack's given code for this check."""
        return self.request.given(self.spec)

    def reference(self, spec):
        """The reference solution's answer to ``spec`` (its kind's ``reference`` hook): in the authoring form computed
        in a trusted process (Grader.reference_answer); in a release the baked one from references.json."""
        if self.exercise.form == "release":
            return self.exercise.baked_reference(spec["id"])
        folder = self.params.get("reference")
        if not folder:
            raise checks.CheckError(f"the check `{spec['id']}` compares with the reference solution, and this "
                                    "authoring-form request names none (CheckParams.reference)")
        return self.request.grader.reference_answer(self.request, folder, spec)


def _stamp(path):
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size


def private_of(params):
    """(path, words) pairs that no learner process of the request may open, beyond the pack."""
    given = params.get("private") or []
    _require(isinstance(given, list) and all(isinstance(p, str) and os.path.isabs(p) for p in given),
             "`private` must be a list of absolute paths")
    reference = params.get("reference")
    return ([(reference, PACK_WORDS)] if reference else []) + [(path, KEPT_WORDS) for path in given]


def limits_of(params):
    limits = dict(DEFAULT_LIMITS)
    given = params.get("limits") or {}
    _require(isinstance(given, dict), "`limits` must be an object")
    for key in DEFAULT_LIMITS:
        if key in given:
            value = given[key]
            _require(isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0,
                     f"`limits.{key}` must be a positive number")
            limits[key] = value
    return limits


class Grader:
    def __init__(self, zygote, trusted_zygote, log, isolation=None, unavailable=None):
        """``zygote`` makes the learner's processes, ``trusted_zygote`` the pack's (either sandbox of
        gradlab.sandbox.choice); ``isolation``: why the learner's processes could not be isolated when the worker
        must isolate them; ``unavailable``: why there is no sandbox at all (every check is then refused)."""
        self.zygote = zygote
        self.unavailable = unavailable
        self.trusted_zygote = trusted_zygote
        self.log = log
        self.isolation = isolation
        self._references = collections.OrderedDict()  # see reference_answer
        self._trusted = collections.OrderedDict()  # see trusted_template

    def reference_answer(self, request, folder, spec):
        """The reference solution's answer to a check whose kind has a ``reference`` hook: computed in a trusted
        process once, then remembered while the files it comes from, the check and the limits stay the same (every
        student of a class is compared with the same one)."""
        exercise = request.exercise
        stamps = [[origin, *_stamp(origin)] for _relative, _role, origin in
                  origins(exercise.spec, exercise.folder, folder) if origin]
        key = json.dumps([stamps, spec, request.limits], sort_keys=True)
        answer = self._references.get(key)
        if answer is None:
            sandbox = request.trusted(folder, spec)
            try:
                answer = checks.reference_answer(sandbox, spec)
            finally:
                sandbox.close()
            self._references[key] = answer
            if len(self._references) > REFERENCES_KEPT:
                self._references.popitem(last=False)
        else:
            self._references.move_to_end(key)
        return answer

    def numpy_available(self, cancel):
        return bool(self.zygote.numpy_info(cancel).get("available"))

    def require(self, exercise, cancel):
        """Refuse an exercise this worker cannot grade as asked (no sandbox, no isolation, missing packages), with
        the way out."""
        if self.zygote is None:
            raise WorkerError(ErrorCode.UNSUPPORTED_PLATFORM, self.unavailable or "Grading has no sandbox here.")
        if self.isolation:
            raise WorkerError(ErrorCode.ISOLATION_UNAVAILABLE,
                              f"Grading here must isolate each submission from the rest of the machine, and it "
                              f"cannot: {self.isolation}. Install or enable it, or grade without isolation "
                              "(gradlab grade --no-isolation), which lets a hostile submission read other students' "
                              "work and the pack's hidden tests.")
        missing = []
        for package in exercise.spec.get("requires") or []:
            if package == "numpy":
                present = self.numpy_available(cancel)
            else:
                present = importlib.util.find_spec(package) is not None
            if not present:
                missing.append(package)
        if missing:
            import sys

            names = " and ".join(PACKAGE_NAMES.get(p, p) for p in missing)
            raise WorkerError(ErrorCode.MISSING_DEPENDENCY,
                              f"The exercise {exercise.id} needs {names}, which {sys.executable} cannot import. "
                              f"Install it (python -m pip install {' '.join(missing)}; on Debian or Ubuntu: "
                              f"apt install {' '.join('python3-' + p for p in missing)}), or choose another Python "
                              "with the setting gradlab.pythonPath.", missing=missing)

    def template(self, zygote, exercise, source, limits, cancel, private, overlay):
        """A template process of ``zygote`` for ``exercise`` with the learner files from the folder ``source``, the
        pack's given code laid over them (``overlay``, see overlay()); not started."""
        return zygote.template(Workdir(exercise.spec, exercise.folder, source, root=zygote.exchange), limits=limits,
                               seed=seed_for(exercise.id), numpy=self.numpy_available(cancel),
                               preload=[p for p in exercise.spec.get("requires") or [] if p != "numpy"],
                               private=private, overlay=overlay, log=self.log)

    def trusted_template(self, exercise, folder, limits, cancel):
        """A template of the pack's own code (the given code, the reference solution) in ``folder``: unlike a
        learner's, kept from one request to the next while its files and limits stay the same, since no learner
        code ever runs in it (each check still gets a fresh copy)."""
        stamps = [[origin, *_stamp(origin)] for _relative, _role, origin in
                  origins(exercise.spec, exercise.folder, folder) if origin]
        key = json.dumps([exercise.id, folder, stamps, limits], sort_keys=True)
        template = self._trusted.get(key)
        if template is None or not template.usable():
            template = self._trusted[key] = self.template(self.trusted_zygote, exercise, folder, limits, cancel,
                                                          [(exercise.pack_dir, PACK_WORDS)], {})
            while len(self._trusted) > TRUSTED_TEMPLATES_KEPT:
                self._trusted.popitem(last=False)[1].close()
        else:
            self._trusted.move_to_end(key)
        return template

    def close(self):
        """Stop the templates kept between requests."""
        for template in self._trusted.values():
            template.close()
        self._trusted.clear()

    def overlay(self, exercise, params):
        """({module name: chunks}, notes): the given code of each learner file that the submission changed or
        lacks (gradlab.given), taken from the starter form in ``params["given"]``, and a note per edited file."""
        chunks, notes = {}, []
        for entry in exercise.spec["files"]:
            if entry["role"] != "learner" or not entry["path"].endswith(".py"):
                continue
            pack_text, learner_text = (_read(os.path.join(folder, entry["path"]))
                                       for folder in (params["given"], params["submission"]))
            if pack_text is None or learner_text is None:
                continue
            found, edited = given.overlay(pack_text, learner_text, entry.get("functions") or [])
            if found:
                chunks[os.path.splitext(os.path.basename(entry["path"]))[0]] = found
            if edited:
                notes.append({"file": entry["path"], "names": edited,
                              "message": f"{given.join_names(edited)} in {entry['path']} "
                                         f"{'are' if len(edited) > 1 else 'is'} given by the exercise: grading uses "
                                         "the pack's version, so your changes to it have no effect."})
        return chunks, notes

    def check(self, params, cancel, on_result=None):
        """CheckParams -> CheckReport. ``on_result(result, remaining)`` hears each CheckResult the moment it is known
        (the protocol's ``result`` notification); the report lists them in the pack's order."""
        _require(isinstance(params, dict), "`params` must be an object")
        exercise = Exercise(params.get("pack"), params.get("exercise"))
        for name in ("submission", "given"):
            _require(isinstance(params.get(name), str), f"`{name}` must be a folder path")
            if not os.path.isdir(params[name]):
                raise WorkerError(ErrorCode.BAD_REQUEST, f"the {name} folder {params[name]} does not exist")
        seed = params.get("seed")
        _require(seed is None or (type(seed) is int and seed >= 0), "`seed` must be a whole number from 0")
        params = dict(params, limits=limits_of(params))
        self.require(exercise, cancel)
        only = params.get("only")
        selected = [c for c in exercise.spec["checks"] if not only or c.get("id") in only]
        started = time.monotonic()
        results, found, named = [], [], set()
        # where each function is defined: the same for every check of the request
        where = functools.lru_cache(maxsize=None)(functools.partial(locate, params["submission"]))
        with Request(self, exercise, params, cancel) as request:
            for spec in run_order(selected, exercise, params.get("focus")):
                cancel.raise_if_set()
                skipped = not_run_after_timeout(spec, results)
                result = skipped or self._one(request, spec, where, found, named)
                results.append(result)
                if on_result is not None:
                    on_result(linked(result, results, selected, named), len(selected) - len(results))
            notes = [{"file": n["file"], "message": n["message"],
                      **({"line": where(n["file"], n["names"][0])} if where(n["file"], n["names"][0]) else {})}
                     for n in request.edited]
        position = {spec.get("id"): index for index, spec in enumerate(selected)}
        results.sort(key=lambda r: position[r["id"]])
        link_causes(results, selected, named)
        report = {
            "exercise": exercise.id,
            "passed": all(r["passed"] for r in results),
            "points": sum(r["points"] for r in results),
            "maxPoints": sum(r["maxPoints"] for r in results),
            "checks": results,
            "durationMs": round((time.monotonic() - started) * 1000, 1),
            "sandbox": self.zygote.kind,
        }
        if notes:
            report["notes"] = notes
        if found:
            report["kinks"] = found
        return report

    def _one(self, request, spec, where, found, named):
        """The CheckResult of ``spec``; what its kink watch saw joins ``found``, its id joins ``named`` when its
        failure names its own cause."""
        _require(isinstance(spec, dict) and isinstance(spec.get("id"), str), "every check needs an `id`")
        exercise = request.exercise
        started = time.monotonic()
        file = exercise.file_for(spec)
        location = {"file": file, "function": spec.get("function"), "line": where(file, spec.get("function"))}
        context = CheckContext(request, spec)
        sandbox = None
        outcome = {}
        try:
            sandbox = request.learner(spec)
            verdict = checks.evaluate(sandbox, spec, context)
            outcome = {"status": "passed" if verdict.passed else "failed", "message": verdict.message,
                       "verdict": verdict}
            if verdict.names_cause:
                named.add(spec["id"])
        except LearnerError as error:
            outcome = {"status": checks.learner_status(error), "message": error.message, "error": error}
            if error.file in exercise.learner_files and error.line and not spec.get("hidden"):
                location.update(file=error.file, line=error.line)
        except (checks.CheckError, ZygoteError) as error:
            outcome = {"status": "errored", "message": str(error)}
        except WorkerError:
            raise
        except Exception as error:  # a bug in a check kind: this check errs, the others still run
            self.log("error", f"check {spec['id']} of {exercise.id} failed in the grader:\n{traceback.format_exc()}")
            outcome = {"status": "errored", "message": f"the grader failed on this check ({type(error).__name__}: "
                                                       f"{error}); this is a bug in Gradient Lab or in the pack"}
        finally:
            if sandbox is not None:
                found += kinks.findings(spec["id"], request.watched(spec), sandbox.watched_kinks())
            output = sandbox.close() if sandbox is not None else ("", False)
        return checks.result(spec, location=location, duration_ms=(time.monotonic() - started) * 1000,
                             output=output, for_instructor=exercise.form == "authoring", **outcome)


def not_run_after_timeout(spec, results):
    """The result of a check left out because an earlier check of the request that calls the same learner function
    ran out of time: one endless loop costs one time limit, not one per check (None when ``spec`` is to run)."""
    function = spec.get("function")
    stopped = next((r for r in results if r["status"] == "timeout" and function and r.get("function") == function),
                   None)
    if stopped is None:
        return None
    return checks.result(spec, status="timeout", duration_ms=0, location={"function": function},
                         message=f"not run: {stopped['id']} timed out in {function}, which this check calls too")


CAUSE_KINDS = ("gradcheck", "value-graph", "training-loop")  # checks whose diagnosis names a cause

# Without a measured cost (a release's COSTS, which `gradlab build` measures on the reference), what a kind usually
# costs in milliseconds: a gradient check or a test takes a few, a training run a hundred or more.
TYPICAL_MS = {"gradcheck": 5, "test": 5, "value-graph": 20, "training-loop": 40, "run": 150}


def run_order(specs, exercise, focus=None):
    """The order a request runs ``specs`` in: the checks of the functions the learner just edited (``focus``) first,
    their gradient-level ones before the rest, since they name a mistake where it was made; then the cheapest
    first, so that the first verdicts come in milliseconds whatever the slowest check costs. Every check still
    runs: only the order moves."""
    focus = set(focus or ())
    costs = exercise.expected_costs()

    def key(indexed):
        index, spec = indexed
        focused = 2 if spec.get("function") not in focus else 0 if spec.get("kind") in CAUSE_KINDS else 1
        cost = costs.get(spec.get("id"), TYPICAL_MS.get(spec.get("kind"), 50))
        return (focused, cost, index)

    return [spec for _index, spec in sorted(enumerate(specs), key=key)]


def _cause(result, results, kinds, named):
    """The gradient-level check among ``results`` whose diagnosis explains ``result``'s failure, if any."""
    if result["passed"] or result.get("diagnosis") or result["status"] != "failed" \
            or kinds.get(result["id"]) in CAUSE_KINDS or result["id"] in named:
        return None
    uses = (lambda c: True) if kinds.get(result["id"]) == "run" else \
        (lambda c: c.get("function") == result.get("function"))
    return next((c for c in results if c is not result and not c["passed"] and not c["hidden"] and c.get("diagnosis")
                 and kinds.get(c["id"]) in CAUSE_KINDS and uses(c)), None)


def _follows(cause):
    return f" — this follows from what `{cause['id']}` found: {cause['diagnosis']}"


def link_causes(results, specs, named=()):
    """A check that failed without a diagnosis of its own (a training run, a test) while a gradient-level check of a
    function it uses named what is wrong there: point to that diagnosis instead of leaving the learner to guess
    (no "did the training diverge?" beside a gradient that is N times too large). A run uses every function; a
    test the function it is about. ``named``: ids of checks whose failure already names its cause."""
    kinds = {spec["id"]: spec.get("kind") for spec in specs}
    causes = {id(result): _cause(result, results, kinds, named) for result in results}
    for result in results:
        if causes[id(result)] is not None:
            result["message"] += _follows(causes[id(result)])


def linked(result, results, specs, named=()):
    """``result`` as it streams, linked to a cause among the checks finished so far (run_order puts the
    gradient-level checks first, so a cause is usually known by then); the report links it again over all."""
    cause = _cause(result, results, {spec["id"]: spec.get("kind") for spec in specs}, named)
    return dict(result, message=result["message"] + _follows(cause)) if cause is not None else result


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read()
    except OSError:
        return None

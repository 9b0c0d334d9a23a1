"""What a learner release keeps of the reference solution, for the worker's ``record`` request (run by
``gradlab build``): each check kind's ``record`` hook (a hidden test's transcript, gradlab.transcripts) and
``reference`` hook (a training-loop check's reference trajectory), run against the solution-form files."""

from gradlab import checks, transcripts
from gradlab.checks.base import LearnerError
from gradlab.grading import CheckContext, Exercise, Request, limits_of
from gradlab.protocol import ErrorCode, WorkerError


def record(grader, params, cancel):
    """RecordParams -> RecordResult."""
    exercise = Exercise(params.get("pack"), params.get("exercise"))
    if exercise.form != "authoring":
        raise WorkerError(ErrorCode.BAD_REQUEST, "recording needs the authoring form of the pack")
    reference = params.get("reference")
    for name, words in (("reference", "solution"), ("given", "starter")):
        if not isinstance(params.get(name), str):
            raise WorkerError(ErrorCode.BAD_REQUEST, f"`{name}` must be the folder of the {words}-form files")
    grader.require(exercise, cancel)
    recorded, references = {}, {}
    with Request(grader, exercise, dict(params, limits=limits_of(params)), cancel) as request:
        for spec in exercise.spec["checks"]:
            module = checks.kind_module(spec.get("kind"))
            record_hook, reference_hook = getattr(module, "record", None), getattr(module, "reference", None)
            if not (record_hook or reference_hook):
                continue
            cancel.raise_if_set()
            sandbox = request.trusted(reference, spec)
            try:
                transcript = record_hook(sandbox, spec, CheckContext(request, spec)) if record_hook else None
                if transcript is not None:
                    recorded[spec["id"]] = transcript
                if reference_hook:
                    references[spec["id"]] = reference_hook(sandbox, spec)
            except LearnerError as error:
                raise WorkerError(ErrorCode.PACK, f"the reference solution failed the check `{spec['id']}`: "
                                                  f"{error.message}") from None
            except checks.CheckError as error:
                raise WorkerError(ErrorCode.PACK, f"the check `{spec['id']}` cannot be recorded: {error}") from None
            finally:
                sandbox.close()
    return {"transcripts": {"formatVersion": transcripts.FORMAT_VERSION, "tests": recorded}, "references": references,
            "costs": costs(grader, params, cancel)}


def costs(grader, params, cancel):
    """{check id: milliseconds} of each check on the reference solution: a release's run order (grading.COSTS)."""
    report = grader.check(dict(params, submission=params["reference"], gradcheck="auto"), cancel)
    return {result["id"]: result["durationMs"] for result in report["checks"]}

"""What both sandboxes (gradlab.sandbox.choice) share without needing fork: the configuration a learner process
loads its files from, and the error of a sandbox that could not give the grader a learner process."""

FILE_LIMIT_MB = 32


class ZygoteError(RuntimeError):
    """The sandbox (its zygote, a template, or its pool of pre-started processes) could not give us a learner
    process; the message says why."""


def learner_config(workdir, limits, seed, numpy, private, overlay):
    """What a learner process needs to load the files of ``workdir`` (gradlab.sandbox.learner.LearnerProcess)."""
    return {
        "workdir": workdir.path,
        "modules": workdir.modules,
        "files": workdir.files,
        "seed": seed,
        "numpy": numpy,
        "private": [[folder, words] for folder, words in private if folder],
        "overlay": overlay or {},
        "limits": {"timeoutS": limits["timeoutS"], "memoryMb": limits["memoryMb"], "fileMb": FILE_LIMIT_MB},
    }

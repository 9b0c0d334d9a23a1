"""The folder a check's learner process works in: fresh copies of the exercise's files, the given ones and the
training scripts always from the pack (editing them changes nothing), the learner's from the submission (or the
reference solution, or the pack's starter form for the given code's own process)."""

import os
import re
import shutil
import tempfile

from gradlab.protocol import ErrorCode, WorkerError


def exercise_folder(pack_dir, exercise):
    return os.path.join(pack_dir, exercise.get("dir") or exercise["id"])


def learner_paths(exercise):
    return [f["path"] for f in exercise["files"] if f["role"] == "learner"]


def _safe_relative(path):
    normal = os.path.normpath(path)
    if os.path.isabs(normal) or normal == ".." or normal.startswith(".." + os.sep):
        raise WorkerError(ErrorCode.PACK, f"the exercise file path {path!r} leaves the exercise folder")
    return normal


def origins(exercise, folder, source):
    """(relative path, role, where it comes from) for each file of ``exercise`` (pack folder ``folder``) with the
    learner's taken from ``source``; where is None for a file that is not there. Given files and training scripts
    always come from the pack: a learner may edit their copies to experiment, and grading runs the pack's."""
    for entry in exercise["files"]:
        relative = _safe_relative(entry["path"])
        role = entry["role"]
        origin = os.path.join(source if role == "learner" else folder, relative)
        yield relative, role, origin if os.path.isfile(origin) else None


class Workdir:
    def __init__(self, exercise, folder, source, root=None):
        """Copy the files of ``exercise`` (pack folder ``folder``) with the learner's taken from ``source``, into a
        new folder under ``root`` (an isolated sandbox's exchange folder; default: the system's temporary folder)."""
        self.path = tempfile.mkdtemp(prefix="gradlab-check-", dir=root)
        self.source = source
        self.missing = []  # learner files the submission lacks
        self.files = []  # every copied file, relative
        given, learner = [], []
        try:
            for relative, role, origin in origins(exercise, folder, source):
                if origin is None:
                    if role == "learner":
                        self.missing.append(relative)
                        continue
                    if role == "given":
                        raise WorkerError(ErrorCode.PACK, f"the given file {relative} is missing from {folder}")
                    continue  # a missing script is reported by the check that runs it
                target = os.path.join(self.path, relative)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(origin, target)
                self.files.append(relative)
                if relative.endswith(".py") and role in ("given", "learner"):
                    (given if role == "given" else learner).append(relative)
        except BaseException:
            self.remove()
            raise
        # given files first, then the learner's: each importable by its name (`from layers import Linear`)
        self.modules = [{"name": os.path.splitext(os.path.basename(p))[0], "file": p} for p in given + learner]

    def remove(self):
        shutil.rmtree(self.path, ignore_errors=True)


def locate(folder, file, function):
    """The 1-based line of ``def function`` (or ``class function``) in ``folder/file``; for ``Class.method``, the
    method inside that class. The least indented definition wins, so a method beats a helper nested in another
    method. None when absent or unreadable."""
    if not function or not file:
        return None
    try:
        with open(os.path.join(folder, file), encoding="utf-8", errors="replace") as source:
            lines = source.read().splitlines()
    except OSError:
        return None
    *outer, name = function.split(".")
    start, end = 0, len(lines)
    if outer:
        owner = _find(lines, "class", outer[-1], 0, end)
        if owner is not None:
            start, end = owner + 1, _block_end(lines, owner)
    line = _find(lines, "def|class", name, start, end)
    return None if line is None else line + 1


def _indent(line):
    return len(line) - len(line.lstrip())


def _block_end(lines, header):
    for number in range(header + 1, len(lines)):
        text = lines[number]
        if text.strip() and not text.lstrip().startswith("#") and _indent(text) <= _indent(lines[header]):
            return number
    return len(lines)


def _find(lines, keywords, name, start, end):
    pattern = re.compile(rf"^\s*(?:async\s+)?(?:{keywords})\s+{re.escape(name)}\b")
    found = [number for number in range(start, end) if pattern.match(lines[number])]
    return min(found, key=lambda number: (_indent(lines[number]), number)) if found else None

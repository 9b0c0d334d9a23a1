"""The submission corpus (test/fixtures/submissions/corpus.json), read in one place. A case is not a file: it
is its exercise's reference with the case's ``about`` as the first-line docstring and exact ``[old, new]``
text edits applied in order. An edit whose ``old`` does not occur exactly once is an error, so an edit can
never silently stop applying when a reference changes."""

import json
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"


class CorpusError(Exception):
    """The manifest and the reference it edits disagree: fix corpus.json."""


@lru_cache(maxsize=None)
def _manifest() -> str:
    return (ROOT / "corpus.json").read_text(encoding="utf-8")


def load_corpus() -> dict:
    """The exercises of the manifest, a fresh copy for each caller."""
    return json.loads(_manifest())["exercises"]


def reference(exercise: str) -> Path:
    return ROOT / load_corpus()[exercise]["reference"]


def given(exercise: str) -> list:
    return [ROOT / exercise / "_given" / name for name in load_corpus()[exercise]["given"]]


def edited(source: str, edits, where: str = "the reference") -> str:
    """``source`` with each ``[old, new]`` applied in order; each ``old`` must occur exactly once."""
    for old, new in edits:
        count = source.count(old)
        if count != 1:
            raise CorpusError(f"{where}: the edit {old!r} -> {new!r} needs its old text exactly once, "
                              f"found it {count} times")
        source = source.replace(old, new)
    return source


def source(exercise: str, case: str) -> str:
    """The learner file that ``case`` stands for."""
    where = f"{exercise}/{case}"
    text = reference(exercise).read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    if not (first.startswith('"""') and first.endswith('"""') and len(first) > 6):
        raise CorpusError(f"{where}: the reference must start with a one-line docstring for `about` to replace")
    spec = load_corpus()[exercise]["cases"][case]
    return edited(f'"""{spec["about"]}"""\n{rest}', spec["edits"], where)


def write(exercise: str, case: str, folder) -> Path:
    """Write ``case`` into ``folder`` under the learner file's name and return its path; ``case`` None writes
    the reference."""
    path = Path(folder) / load_corpus()[exercise]["learner"]
    text = reference(exercise).read_text(encoding="utf-8") if case is None else source(exercise, case)
    path.write_text(text, encoding="utf-8")
    return path

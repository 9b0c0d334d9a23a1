"""Learners have Python 3.9 to 3.13: the code that runs in their interpreter (the runtime, the packs' code and the
new-pack template) must parse as Python 3.9, whichever newer Python runs this test."""

import ast
import os
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Python code that runs in the learner's interpreter.
FOLDERS = ("runtime", "exercises", "templates")
OLDEST = (3, 9)


def python_files():
    for folder in FOLDERS:
        for parent, dirs, files in os.walk(os.path.join(ROOT, folder)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.join(parent, name)


def evaluated_annotations(tree):
    """Annotations Python 3.9 evaluates when the definition runs: parameters, returns, and module or class fields
    (a local variable's annotation is never evaluated)."""
    def visit(node, in_function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs + [arguments.vararg, arguments.kwarg]
            for arg in every:
                if arg is not None and arg.annotation is not None:
                    yield arg.annotation
            if node.returns is not None:
                yield node.returns
            in_function = True
        elif isinstance(node, ast.AnnAssign) and not in_function:
            yield node.annotation
        for child in ast.iter_child_nodes(node):
            yield from visit(child, in_function)

    return visit(tree, False)


def too_new(source, filename):
    """Problems that stop this source running on Python 3.9, as 'file:line: why'."""
    try:
        tree = ast.parse(source, filename, feature_version=OLDEST)
    except SyntaxError as error:
        return [f"{filename}:{error.lineno}: {error.msg} (Python 3.9 cannot parse it)"]
    postponed = any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
                    and any(alias.name == "annotations" for alias in node.names) for node in tree.body)
    if postponed:
        return []
    return [f"{filename}:{part.lineno}: X | Y in an annotation needs Python 3.10 (use Optional/Union, or "
            "from __future__ import annotations)"
            for annotation in evaluated_annotations(tree) for part in ast.walk(annotation)
            if isinstance(part, ast.BinOp) and isinstance(part.op, ast.BitOr)]


class OldestPythonTest(unittest.TestCase):
    def test_every_file_that_runs_in_the_learners_python_parses_as_python_3_9(self):
        files = list(python_files())
        self.assertGreater(len(files), 20, "found too few Python files: did the folders move?")
        problems = []
        for path in files:
            with open(path, encoding="utf-8") as f:
                problems.extend(too_new(f.read(), os.path.relpath(path, ROOT)))
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def test_newer_only_syntax_is_named_with_its_file_and_line(self):
        # the lines of the offending statement: parsers of different versions point at its start or its end
        cases = {
            "match value:\n    case 1:\n        pass\n": range(1, 4),
            "x = 1\ntry:\n    pass\nexcept* ValueError:\n    pass\n": range(4, 6),
            "def f(x: int | None) -> None:\n    pass\n": range(1, 2),
            "class A:\n    size: 'int' = 1\n    name: str | None = None\n": range(3, 4),
        }
        for source, lines in cases.items():
            with self.subTest(source=source):
                problems = too_new(source, "new.py")
                self.assertEqual(len(problems), 1, problems)
                self.assertRegex(problems[0], r"^new\.py:\d+: ")
                self.assertIn(int(problems[0].split(":")[1]), lines, problems)

    def test_what_python_3_9_runs_is_accepted(self):
        fine = (
            "from __future__ import annotations\ndef f(x: int | None) -> None:\n    pass\n",
            "def f():\n    local: int | None = None\n    return local\n",
            "if (n := 3) > 2:\n    pass\n",
            "def f(a, /, b, *, c):\n    return a | b | c\n",
        )
        for source in fine:
            with self.subTest(source=source):
                self.assertEqual(too_new(source, "old.py"), [])


if __name__ == "__main__":
    unittest.main()

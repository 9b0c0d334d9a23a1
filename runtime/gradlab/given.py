"""The given code of an exercise's learner files: what the pack writes beside the functions the learner writes,
for the learner to read and call but not to change.

A top-level statement of a learner file belongs to the learner when it defines one of the file's ``functions``
(a function, a class, or the class that holds a listed method); every other top-level statement (imports,
constants, given functions and classes) is given. Grading takes the given statements from the pack's starter form,
never from the submission: ``overlay`` lists the pack's given statements that the submission changed or lacks, and
the learner's process executes them into the loaded module (gradlab.sandbox.learner), so that editing given code
changes nothing, which the report says in words. Methods inside a class the learner owns stay the learner's: a
compatible engine of the learner's own design must keep working.
"""

import ast


def _owners(functions):
    """The top-level names a ``functions`` list makes the learner's: ``f``, ``Class.method`` -> Class."""
    return {name.split(".")[0] for name in functions}, {name.split(".")[-1] for name in functions}


def _start(node):
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _key(node):
    """What identifies a top-level statement across two versions of a file: the name it defines, else itself."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return targets[0].id
    return ast.dump(node)


def _learners(node, top, methods):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.name in top
    if isinstance(node, ast.ClassDef):
        return node.name in top or any(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                                       and item.name in methods for item in node.body)
    return False


def given_statements(source, functions):
    """{key: (first line, last line, ast dump)} of the given top-level statements of ``source``; the module
    docstring is left out."""
    tree = ast.parse(source)
    top, methods = _owners(functions)
    found = {}
    for index, node in enumerate(tree.body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant):
            continue
        if not _learners(node, top, methods):
            found[_key(node)] = (_start(node), node.end_lineno, ast.dump(node))
    return found


def overlay(pack_source, learner_source, functions):
    """(chunks, edited): the pack's given statements the learner's file changed or lacks, as [first line, text]
    chunks in the pack's order, and the names among them (for the words). Nothing when the file lists no
    ``functions`` (nothing is known to be given) or when the learner's file does not parse (loading says why)."""
    if not functions:
        return [], []
    try:
        mine = given_statements(learner_source, functions)
    except (SyntaxError, ValueError):
        return [], []
    lines = pack_source.splitlines()
    chunks, edited = [], []
    for key, (first, last, dump) in given_statements(pack_source, functions).items():
        if key in mine and mine[key][2] == dump:
            continue
        chunks.append([first, "\n".join(lines[first - 1:last]) + "\n"])
        if not key.startswith(("Import(", "ImportFrom(", "Expr(")) and key.isidentifier():
            edited.append(key)
    return chunks, edited


def join_names(names):
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]

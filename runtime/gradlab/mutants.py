"""Mutants: the usual mistakes, applied one at a time to the solution regions of a learner file, so that
`gradlab validate` can show which of them an exercise's checks fail to catch.

Each mutant patches the original text at the offsets the syntax tree gives (the rest of the file is
untouched and keeps its line numbers: a shortened multi-line expression keeps its line breaks inside
parentheses). Operators:

  factor      a constant factor dropped:           2 * x -> x,   x / 2 -> x,   2 / n -> 1 / n
  divisor     a division by the sample count gone: e / n -> e   (a sum where the mean belongs)
  sign        a sign flipped:                      a - b -> b - a (not under a square), -x -> x, -= <-> +=
  mean-sum    .mean() <-> .sum(), np.mean <-> np.sum
  accumulate  += replaced by =                     (overwrite instead of accumulate)
  mask        a mask multiplication dropped:       d * (z > 0) -> d
  remove      a statement removed:                 optimizer.zero_grad(), x.grad += ..., self.grad = 1.0
  swap        operands of a non-commutative op:    a / b -> b / a,   a @ b -> b @ a
  transpose   a transpose dropped:                 X.T -> X
  compare     > <-> >=,  < <-> <=
  activation  an activation's derivative dropped:  d * (1 - a ** 2) -> d,   d * s * (1 - s) -> d * s,
                                                   d * relu_grad(z) -> d
  carry       a velocity or moment not carried over from the last step: v = beta * v + g -> v = g
  order       an update done in the wrong order:   v = beta * v + g; w -= lr * v -> w -= lr * v; v = ...
  detach      the graph detached in PyTorch:       out = model(x) -> out = model(x).detach()

Ids are ``<function>:<operator>:<n>`` (the enclosing function's qualified name, n counting that operator
within it in source order), stable for the same source.
"""

import ast
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

SHOWN = 60  # characters of code quoted in a description


@dataclass
class _Edit:
    start: int
    end: int
    text: str
    operator: str
    description: str
    line: int
    wrap: bool = True  # parenthesise, so that precedence survives
    statement: bool = False  # a whole statement replaced (line breaks go after it, not inside parentheses)


class _Source:
    """Character offsets for the (line, UTF-8 byte column) positions of ast nodes."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, col: int) -> int:
        raw = self.lines[line - 1].encode("utf-8")[:col]
        return self.starts[line - 1] + len(raw.decode("utf-8", errors="replace"))

    def span(self, node) -> Tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node) -> str:
        start, end = self.span(node)
        return self.text[start:end]


def _short(code: str) -> str:
    code = " ".join(code.split())
    return code if len(code) <= SHOWN else code[:SHOWN - 3] + "..."


def _number(node) -> Optional[float]:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _simple(node) -> bool:
    """A name, a constant, an attribute, a call or an index: safe anywhere without parentheses."""
    return isinstance(node, (ast.Name, ast.Constant, ast.Attribute, ast.Call, ast.Subscript))


def _atom(src: "_Source", node) -> str:
    code = src.segment(node)
    return code if _simple(node) else f"({code})"


DERIVATIVE_WORDS = ("grad", "prime", "deriv", "backward")


def _is_derivative(node) -> bool:
    """``1 - x`` (tanh's 1 - a**2, the sigmoid's 1 - s) or a call whose name says it is a derivative
    (``relu_grad(z)``, ``sigmoid_prime(z)``): what a layer's backward multiplies the upstream gradient by."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and _number(node.left) == 1:
        return True
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return any(word in name.lower() for word in DERIVATIVE_WORDS)
    return False


def _is_mask(node) -> bool:
    """(z > 0), (z > 0).astype(float), np.where-free masks: a comparison, possibly converted."""
    if isinstance(node, ast.Compare):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_mask(node.func.value)


class _Finder(ast.NodeVisitor):
    def __init__(self, src: _Source, regions: Sequence[Tuple[int, int]], tree: ast.AST):
        self.src = src
        self.parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        self.regions = regions
        self.scope: List[str] = []
        self.functions: List[ast.AST] = []  # the enclosing functions, innermost last
        self.torch = "torch" in src.text
        self.found: List[Tuple[str, _Edit]] = []

    def inside(self, node) -> bool:
        return any(start <= node.lineno and node.end_lineno <= end for start, end in self.regions)

    def add(self, node, start, end, text, operator, description, wrap=True, statement=False):
        function = ".".join(self.scope) or "<module>"
        self.found.append((function, _Edit(start, end, text, operator, description, node.lineno, wrap, statement)))

    def replace(self, node, text, operator, description, simple=False):
        """Replace the whole node; ``simple`` code (a name, a call, ...) and the whole right-hand side of
        an assignment or a return need no parentheses."""
        start, end = self.src.span(node)
        whole = isinstance(self.parents.get(node), (ast.Assign, ast.AugAssign, ast.Return))
        self.add(node, start, end, text, operator, description, wrap=not (simple or whole) or "\n" in text)

    def token(self, node, left, right, old: str, new: str, operator, description):
        """Replace the operator token ``old`` that sits between the nodes ``left`` and ``right``."""
        gap_start = self.src.span(left)[1]
        gap_end = self.src.span(right)[0]
        gap = self.src.text[gap_start:gap_end]
        at = _find_token(gap, old)
        if at is not None:
            start = gap_start + at
            self.add(node, start, start + len(old), new, operator, description, wrap=False)

    # ---- scopes ----

    def _scoped(self, node):
        self.scope.append(node.name)
        is_function = not isinstance(node, ast.ClassDef)
        if is_function:
            self.functions.append(node)
        self.generic_visit(node)
        if is_function:
            self.functions.pop()
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_JoinedStr(self, node):
        return  # positions inside f-strings are not reliable on every Python

    # ---- statements ----

    def _statement(self, node):
        if self.inside(node):
            start, end = self.src.span(node)
            self.add(node, start, end, "pass", "remove", f"removed the line `{_short(self.src.segment(node))}`",
                     wrap=False, statement=True)

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Call):
            self._statement(node)
        self.generic_visit(node)

    def visit_Assign(self, node):
        if all(isinstance(t, (ast.Attribute, ast.Subscript)) for t in node.targets):
            self._statement(node)
        if self.inside(node) and len(node.targets) == 1:
            self._carry(node)
            self._detach(node)
        self.generic_visit(node)

    def _carry(self, node):
        """``v = beta * v + g``: a state updated from its own last value (a velocity, a moment) started
        afresh at every step instead, by dropping the term that carries it over."""
        target = self.src.segment(node.targets[0])
        value = node.value
        if not (isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub))):
            return
        for carried, fresh in ((value.left, value.right), (value.right, value.left)):
            if self._mentions(carried, target) and not self._mentions(fresh, target):
                text = self.src.segment(fresh)
                if isinstance(value.op, ast.Sub) and fresh is value.right:
                    text = f"-{_atom(self.src, fresh)}"
                self.replace(value, text, "carry", f"`{target}` not carried over from the last step: "
                             f"`{target} = {_short(text)}` instead of `{_short(self.src.segment(node))}`",
                             _simple(fresh))

    def _mentions(self, node, code: str) -> bool:
        names = (n for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute, ast.Subscript)))
        return any(self.src.segment(n) == code for n in names)

    def _detach(self, node):
        """In PyTorch code that calls ``.backward()``, a forward result taken out of the graph: the
        parameters before it get no gradient."""
        if not (self.torch and isinstance(node.value, ast.Call) and self._calls_backward()):
            return
        func = node.value.func
        if isinstance(func, ast.Attribute) and func.attr in ("item", "detach", "numpy", "tolist", "zero_grad",
                                                             "step", "backward", "no_grad"):
            return
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in ("torch", "np", "numpy"):
            return  # a tensor made from data (torch.as_tensor(x)) has no graph to detach
        code = self.src.segment(node.value)
        start, end = self.src.span(node.value)
        self.add(node, start, end, f"{code}.detach()", "detach",
                 f"the graph detached: `{_short(code)}.detach()` instead of `{_short(code)}`", wrap=False)

    def _calls_backward(self) -> bool:
        function = self.functions[-1] if self.functions else None
        return function is not None and any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "backward"
            for n in ast.walk(function))

    # ---- the order of updates ----

    def _order(self, body):
        """Two adjacent statements where the first updates what the second reads (``v = beta * v + g``,
        then ``w -= lr * v``), swapped: the second uses the value of the last step."""
        for first, second in zip(body, body[1:]):
            if not (self.inside(first) and self.inside(second)):
                continue
            target = _update_target(self.src, first)
            if target is None or not isinstance(second, (ast.Assign, ast.AugAssign)):
                continue
            if not self._mentions(second.value, target):
                continue
            start, middle = self.src.span(first)
            between, end = self.src.span(second)
            text = self.src.text[between:end] + self.src.text[middle:between] + self.src.text[start:middle]
            self.add(first, start, end, text, "order", f"updated in the wrong order: "
                     f"`{_short(self.src.segment(second))}` before `{_short(self.src.segment(first))}`",
                     wrap=False, statement=True)

    def generic_visit(self, node):
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(node, field, None)
            if isinstance(statements, list) and statements and isinstance(statements[0], ast.stmt):
                self._order(statements)
        super().generic_visit(node)

    def visit_AugAssign(self, node):
        if self.inside(node):
            code = _short(self.src.segment(node))
            self._statement(node)
            if isinstance(node.op, ast.Add):
                self.token(node, node.target, node.value, "+=", "=", "accumulate",
                           f"`=` instead of `+=` in `{code}` (overwrites instead of accumulating)")
                self.token(node, node.target, node.value, "+=", "-=", "sign", f"`-=` instead of `+=` in `{code}`")
            elif isinstance(node.op, ast.Sub):
                self.token(node, node.target, node.value, "-=", "+=", "sign",
                           f"`+=` instead of `-=` in `{code}` (ascent instead of descent)")
        self.generic_visit(node)

    # ---- expressions ----

    def visit_BinOp(self, node):
        if self.inside(node):
            self._binop(node)
        self.generic_visit(node)

    def _binop(self, node):
        src, code = self.src, _short(self.src.segment(node))
        left, right = _atom(src, node.left), _atom(src, node.right)
        if isinstance(node.op, ast.Mult):
            for constant, other in ((node.left, node.right), (node.right, node.left)):
                value = _number(constant)
                if value is not None and value not in (0, 1, -1):
                    self.replace(node, src.segment(other), "factor", f"dropped the factor {value!r} in `{code}`",
                                 _simple(other))
            for derivative, other in ((node.left, node.right), (node.right, node.left)):
                if _is_derivative(derivative):
                    self.replace(node, src.segment(other), "activation", f"dropped the activation's derivative "
                                 f"`{_short(src.segment(derivative))}` in `{code}`", _simple(other))
            for mask, other in ((node.left, node.right), (node.right, node.left)):
                if _is_mask(mask):
                    self.replace(node, src.segment(other), "mask",
                                 f"dropped the mask `{_short(src.segment(mask))}` in `{code}`", _simple(other))
        elif isinstance(node.op, ast.Div):
            value = _number(node.right)
            if value is not None and value not in (0, 1, -1):
                self.replace(node, src.segment(node.left), "factor", f"dropped the division by {value!r} in "
                             f"`{code}`", _simple(node.left))
            elif value is None:
                self.replace(node, src.segment(node.left), "divisor", f"dropped the division by `{_short(right)}` "
                             f"in `{code}`", _simple(node.left))
                self.replace(node, f"{right} / {left}", "swap", f"swapped the operands of `/` in `{code}`")
            numerator = _number(node.left)
            if numerator is not None and numerator not in (0, 1, -1):
                start, end = src.span(node.left)
                self.add(node, start, end, "1", "factor", f"dropped the factor {numerator!r} in `{code}`",
                         wrap=False)
        elif isinstance(node.op, ast.Sub) and not self._squared(node):
            self.replace(node, f"{right} - {left}", "sign", f"flipped the sign: `{_short(right)} - "
                         f"{_short(left)}` instead of `{code}`")
        elif isinstance(node.op, ast.MatMult):
            self.replace(node, f"{right} @ {left}", "swap", f"swapped the operands of `@` in `{code}`")

    def _squared(self, node) -> bool:
        """Inside an even power, a square or an absolute value a flipped sign changes nothing: such a
        mutant could never be caught, so it is not made."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Pow) and parent.left is node:
            power = _number(parent.right)
            return power is not None and power % 2 == 0
        if isinstance(parent, ast.Call) and node in parent.args:
            name = parent.func.attr if isinstance(parent.func, ast.Attribute) else getattr(parent.func, "id", "")
            return name in ("square", "abs", "fabs", "absolute")
        return False

    def visit_UnaryOp(self, node):
        if self.inside(node) and isinstance(node.op, ast.USub):
            self.replace(node, self.src.segment(node.operand), "sign",
                         f"dropped the minus in `{_short(self.src.segment(node))}`", _simple(node.operand))
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if self.inside(node):
            swap = {"mean": "sum", "sum": "mean"}.get(node.attr)
            start, end = self.src.span(node)
            if swap:
                code = _short(self.src.segment(node))
                self.add(node, end - len(node.attr), end, swap, "mean-sum",
                         f"`{code[:-len(node.attr)]}{swap}` instead of `{code}`", wrap=False)
            if node.attr == "T":
                self.replace(node, self.src.segment(node.value), "transpose",
                             f"dropped the transpose in `{_short(self.src.segment(node))}`", _simple(node.value))
        self.generic_visit(node)

    def visit_Compare(self, node):
        if self.inside(node):
            code = _short(self.src.segment(node))
            flips = {ast.Gt: (">", ">="), ast.GtE: (">=", ">"), ast.Lt: ("<", "<="), ast.LtE: ("<=", "<")}
            lefts = [node.left] + node.comparators[:-1]
            for op, left, right in zip(node.ops, lefts, node.comparators):
                if type(op) in flips:
                    old, new = flips[type(op)]
                    self.token(node, left, right, old, new, "compare", f"`{new}` instead of `{old}` in `{code}`")
        self.generic_visit(node)


def _update_target(src: "_Source", node) -> Optional[str]:
    """The code of what ``node`` updates from its own value (``w -= ...``, ``v = beta * v + g``,
    ``self.m[i] = ...self.m[i]...``), or None."""
    if isinstance(node, ast.AugAssign):
        return src.segment(node.target)
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = src.segment(node.targets[0])
        if any(src.segment(n) == target for n in ast.walk(node.value)
               if isinstance(n, (ast.Name, ast.Attribute, ast.Subscript))):
            return target
    return None


def _find_token(gap: str, token: str) -> Optional[int]:
    """The position of an operator token in the text between two operands (which may hold parentheses
    and comments), not mistaking ``>`` for part of ``>=``."""
    i = 0
    while i < len(gap):
        if gap[i] == "#":
            i = gap.find("\n", i)
            if i < 0:
                return None
            continue
        if gap.startswith(token, i) and not (len(token) == 1 and gap[i + 1:i + 2] == "="):
            return i
        i += 1
    return None


def _apply(text: str, edit: _Edit) -> str:
    old = text[edit.start:edit.end]
    missing = max(old.count("\n") - edit.text.count("\n"), 0)
    enclosed = text[edit.start - 1:edit.start] == "(" and text[edit.end:edit.end + 1] == ")"
    replacement = edit.text + "\n" * missing  # inside parentheses, extra line breaks are harmless
    if (edit.wrap or (missing and not edit.statement)) and not enclosed:
        replacement = f"({replacement})"
    return text[:edit.start] + replacement + text[edit.end:]


def generate(source: str, regions: Sequence[Sequence[int]]) -> List[Dict[str, object]]:
    """The mutants of ``source`` inside ``regions`` (1-based inclusive line ranges), each a dict with
    id, line, description and the whole mutated source."""
    tree = ast.parse(source)
    finder = _Finder(_Source(source), [(int(a), int(b)) for a, b in regions], tree)
    finder.visit(tree)
    found = sorted(finder.found, key=lambda item: (item[1].start, item[1].end, item[1].operator, item[1].text))
    counts: Dict[Tuple[str, str], int] = {}
    seen = {source}
    mutants = []
    for function, edit in found:
        mutated = _apply(source, edit)
        if mutated in seen:
            continue
        try:
            ast.parse(mutated)
        except SyntaxError:
            continue
        seen.add(mutated)
        key = (function, edit.operator)
        counts[key] = counts.get(key, 0) + 1
        mutants.append({"id": f"{function}:{edit.operator}:{counts[key]}", "line": edit.line,
                        "description": edit.description, "source": mutated})
    return mutants

"""The `value-graph` check kind: a learner's micrograd-style scalar autograd class, judged only by its
public behaviour (``Value(x)``, operators, ``relu()``, ``.data``, ``.grad``, ``.backward()``).

The grader writes small expression graphs as Python source, runs them in the learner's namespace and
gets back plain numbers: every node's ``.data`` and the leaves' ``.grad`` after ``backward()``. The expected
values come from the grader's own evaluation of the same graph in plain floats (forward values and
reverse-mode derivatives, confirmed by its own finite differences), independent of the learner's class.

Order of the verdict: each operation alone (the exercise's ``focus`` operations first, so the first wrong
one is named), with a constant, under an upstream gradient and with a reused operand (``a * a`` at 3 must
give 6: overwrite instead of accumulate); then graphs where one node feeds two paths of different length
(topological order); then random graphs with reused nodes, constants on either side, chains and fan-out.
"""

import random
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple, Union

from . import CheckError
from .base import LearnerError, Verdict

# op key -> (method, math, constant side: None | "right" | "left" | "exponent")
OPS = {
    "add": ("__add__", "add", None), "radd": ("__radd__", "add", "left"),
    "sub": ("__sub__", "sub", None), "rsub": ("__rsub__", "sub", "left"),
    "mul": ("__mul__", "mul", None), "rmul": ("__rmul__", "mul", "left"),
    "truediv": ("__truediv__", "div", None), "rtruediv": ("__rtruediv__", "div", "left"),
    "neg": ("__neg__", "neg", None), "pow": ("__pow__", "pow", "exponent"), "relu": ("relu", "relu", None),
}
SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
LOCAL = {  # words for the local derivative with respect to the (left, right) operand
    "add": ("1", "1"), "sub": ("1", "-1"), "mul": ("the other factor", "the other factor"),
    "div": ("1 / divisor", "-numerator / divisor**2"), "pow": ("k * x**(k-1)", ""), "neg": ("-1", ""),
    "relu": ("1 where the input is positive, else 0", ""),
}
LEAF_NAMES = "abcdefgh"
STEP = 1e-6
RTOL, ATOL = 1e-6, 1e-9
FD_RTOL, FD_ATOL = 1e-4, 1e-6


@dataclass(frozen=True)
class Const:
    value: float


Operand = Union[int, Const]


@dataclass(frozen=True)
class Node:
    key: str  # "leaf" or an OPS key
    operands: Tuple[Operand, ...] = ()


@dataclass
class Graph:
    """Leaves are nodes 0..len(leaves)-1; the last node is the output."""

    leaves: List[float]
    nodes: List[Node] = field(default_factory=list)

    def __post_init__(self):
        if not self.nodes:
            self.nodes = [Node("leaf") for _ in self.leaves]

    def add(self, key: str, *operands: Operand) -> int:
        self.nodes.append(Node(key, tuple(operands)))
        return len(self.nodes) - 1

    def upto(self, k: int) -> "Graph":
        return Graph(list(self.leaves), self.nodes[:k + 1])

    def name(self, i: int) -> str:
        return LEAF_NAMES[i] if i < len(self.leaves) else f"n{i}"

    def _operand(self, operand: Operand) -> str:
        return repr(operand.value) if isinstance(operand, Const) else self.name(operand)

    def statement(self, i: int) -> str:
        node = self.nodes[i]
        math = OPS[node.key][1]
        parts = [self._operand(o) for o in node.operands]
        if math == "neg":
            return f"-{parts[0]}"
        if math == "relu":
            return f"{parts[0]}.relu()"
        return f"{parts[0]} {SYMBOL[math]} {parts[1]}"

    def expression(self, i: Optional[int] = None) -> str:
        """The output (or node i) as one infix expression of the leaves, reused parts written out."""
        i = len(self.nodes) - 1 if i is None else i
        if i < len(self.leaves):
            return self.name(i)
        node = self.nodes[i]
        math = OPS[node.key][1]

        def part(operand):
            if isinstance(operand, Const):
                return repr(operand.value)
            text = self.expression(operand)
            simple = operand < len(self.leaves) or OPS[self.nodes[operand].key][1] == "relu"
            return text if simple else f"({text})"

        parts = [part(o) for o in node.operands]
        if math == "neg":
            return f"-{parts[0]}"
        if math == "relu":
            return f"{parts[0]}.relu()"
        return f"{parts[0]} {SYMBOL[math]} {parts[1]}"

    def program(self) -> str:
        """The graph as lines a learner can paste to reproduce it."""
        lines = [f"{self.name(i)} = Value({v!r})" for i, v in enumerate(self.leaves)]
        lines += [f"{self.name(i)} = {self.statement(i)}" for i in range(len(self.leaves), len(self.nodes))]
        lines.append(f"{self.name(len(self.nodes) - 1)}.backward()")
        return "; ".join(lines)

    def assignment(self) -> str:
        return ", ".join(f"{LEAF_NAMES[i]} = {v!r}" for i, v in enumerate(self.leaves))

    # ---- the grader's own evaluation, in plain floats ----

    def forward(self, leaves: Optional[Sequence[float]] = None) -> List[float]:
        values: List[float] = list(self.leaves if leaves is None else leaves)
        for node in self.nodes[len(self.leaves):]:
            x = [o.value if isinstance(o, Const) else values[o] for o in node.operands]
            math = OPS[node.key][1]
            values.append({"add": lambda: x[0] + x[1], "sub": lambda: x[0] - x[1], "mul": lambda: x[0] * x[1],
                           "div": lambda: x[0] / x[1], "pow": lambda: x[0] ** x[1], "neg": lambda: -x[0],
                           "relu": lambda: max(x[0], 0.0)}[math]())
        return values

    def partials(self, i: int, values: Sequence[float]) -> List[float]:
        """d node_i / d operand, for each operand."""
        node = self.nodes[i]
        x = [o.value if isinstance(o, Const) else values[o] for o in node.operands]
        math = OPS[node.key][1]
        if math == "add":
            return [1.0, 1.0]
        if math == "sub":
            return [1.0, -1.0]
        if math == "mul":
            return [x[1], x[0]]
        if math == "div":
            return [1.0 / x[1], -x[0] / x[1] ** 2]
        if math == "pow":
            return [x[1] * x[0] ** (x[1] - 1), 0.0]
        if math == "neg":
            return [-1.0]
        return [1.0 if x[0] > 0 else 0.0]

    def gradients(self) -> List[float]:
        """d output / d leaf, by reverse mode over the grader's graph."""
        values = self.forward()
        adjoint = [0.0] * len(self.nodes)
        adjoint[-1] = 1.0
        for i in range(len(self.nodes) - 1, len(self.leaves) - 1, -1):
            for operand, partial in zip(self.nodes[i].operands, self.partials(i, values)):
                if not isinstance(operand, Const):
                    adjoint[operand] += adjoint[i] * partial
        return adjoint[:len(self.leaves)]

    def contributions(self, leaf: int) -> List[float]:
        """What each edge into ``leaf`` adds to its gradient (overwriting keeps only one of them)."""
        values = self.forward()
        adjoint = [0.0] * len(self.nodes)
        adjoint[-1] = 1.0
        found = []
        for i in range(len(self.nodes) - 1, len(self.leaves) - 1, -1):
            for operand, partial in zip(self.nodes[i].operands, self.partials(i, values)):
                if not isinstance(operand, Const):
                    adjoint[operand] += adjoint[i] * partial
                    if operand == leaf:
                        found.append(adjoint[i] * partial)
        return found


# ---- the program that runs in the learner's namespace ----

RUNNER = '''
def _gradlab_number(x):
    if isinstance(x, bool):
        return ("bool",)
    if isinstance(x, (int, float)):
        return float(x)
    numpy = __import__("sys").modules.get("numpy")
    if numpy is not None and isinstance(x, (numpy.integer, numpy.floating)):
        return float(x)
    return (type(x).__name__,)


def _gradlab_error(error):
    import traceback
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith("<")]
    last = frames[-1] if frames else None
    return {"error": [type(error).__name__, str(error)[:300],
                      __import__("os").path.basename(last.filename) if last else None,
                      last.lineno if last else None, last.name if last else None]}


def _gradlab_run(build, leaves):
    try:
        nodes = build(*leaves)
        data = [_gradlab_number(node.data) for node in nodes]
        out = nodes[-1]
        out.backward()
        return {"data": data, "out_grad": _gradlab_number(out.grad),
                "grads": [_gradlab_number(node.grad) for node in nodes[:len(leaves)]]}
    except Exception as error:
        return _gradlab_error(error)
'''


def _builder(graph: Graph, index: int, cls: str) -> str:
    leaves = [graph.name(i) for i in range(len(graph.leaves))]
    lines = [f"def _gradlab_graph_{index}({', '.join(leaves)}):"]
    lines += [f"    {name} = {cls}({name})" for name in leaves]
    lines += [f"    {graph.name(i)} = {graph.statement(i)}" for i in range(len(graph.leaves), len(graph.nodes))]
    lines.append(f"    return [{', '.join(graph.name(i) for i in range(len(graph.nodes)))}]")
    return "\n".join(lines)


def _run(sb, graphs: Sequence[Graph], cls: str) -> List[dict]:
    code = [RUNNER] + [_builder(graph, i, cls) for i, graph in enumerate(graphs)]
    calls = ", ".join(f"_gradlab_run(_gradlab_graph_{i}, {list(map(float, graph.leaves))!r})"
                      for i, graph in enumerate(graphs))
    code.append(f"_gradlab_class = {cls}  # a missing class fails here, once\nresult = [{calls}]")
    # compiled under a name of its own, so that a traceback tells the grader's frames from the learner's
    program = "\n\n".join(code) + "\n"
    return sb.execute(f"exec(compile({program!r}, '<gradlab-value-graph>', 'exec'))\n", {})


# ---- the tests, from the simplest ----

@dataclass
class Case:
    graph: Graph
    kind: str  # alone | constant | chain | upstream | reuse | paths | topology | random
    op: Optional[str] = None  # the OPS key under test


def _leaf_graph(*leaves: float) -> Graph:
    return Graph(list(leaves))


def _upstream(graph: Graph, node: int, ops: Sequence[str]) -> Optional[Graph]:
    """Put an operation after ``node`` that scales the gradient flowing back, using an allowed op."""
    if "mul" in ops:
        graph.add("mul", node, Const(4.0))
    elif "pow" in ops:
        graph.add("pow", node, Const(2.0))
    elif "truediv" in ops:
        graph.add("truediv", node, Const(0.25))
    else:
        return None
    return graph


def op_cases(op: str, ops: Sequence[str]) -> List[Case]:
    method, math, const = OPS[op]
    cases = []
    if const is None and math not in ("neg", "relu"):
        g = _leaf_graph(2.0, -3.0)
        g.add(op, 0, 1)
        cases.append(Case(g, "alone", op))
        g = _leaf_graph(2.0)
        g.add(op, 0, Const(3.0))
        cases.append(Case(g, "constant", op))
        g = _leaf_graph(1.5, -0.5)
        up = _upstream(g, g.add(op, 0, 1), ops)
        if up:
            cases.append(Case(up, "upstream", op))
        g = _leaf_graph(3.0)
        g.add(op, 0, 0)
        cases.append(Case(g, "reuse", op))
        return cases
    if const == "left":
        g = _leaf_graph(2.0)
        g.add(op, Const(3.0), 0)
        cases.append(Case(g, "alone", op))
    elif const == "exponent":
        g = _leaf_graph(1.5)
        g.add(op, 0, Const(3.0))
        cases.append(Case(g, "alone", op))
    elif math == "relu":
        for x in (-1.5, 1.5):  # the ReLU passes nothing back below zero, everything above
            g = _leaf_graph(x)
            g.add(op, 0)
            cases.append(Case(g, "alone", op))
    else:
        g = _leaf_graph(2.0)
        g.add(op, 0)
        cases.append(Case(g, "alone", op))
    up = _upstream(Graph(list(g.leaves), list(g.nodes)), len(g.nodes) - 1, ops)
    if up:
        cases.append(Case(up, "upstream", op))
    if "add" in ops:
        reused = Graph(list(g.leaves), list(g.nodes))
        reused.add("add", len(reused.nodes) - 1, 0)
        cases.append(Case(reused, "reuse", op))
    return cases


def chain_cases(ops: Sequence[str]) -> List[Case]:
    """(a + b) + c: the inner node's backward must wait for the outer one's."""
    if "add" not in ops:
        return []
    g = _leaf_graph(1.0, 2.0, -1.0)
    g.add("add", g.add("add", 0, 1), 2)
    return [Case(g, "chain")]


def path_cases(ops: Sequence[str]) -> List[Case]:
    """``a * a + a`` at 3 gives 7; a node feeding two paths of different length (topological order)."""
    cases = []
    if "mul" in ops and "add" in ops:
        g = _leaf_graph(3.0)
        g.add("add", g.add("mul", 0, 0), 0)
        cases.append(Case(g, "paths", "add"))
        g = _leaf_graph(2.0)
        b = g.add("mul", 0, Const(2.0))
        c = g.add("mul", b, Const(3.0))
        g.add("add", b, c)
        cases.append(Case(g, "topology"))
        g = _leaf_graph(1.5, -2.0)
        b = g.add("mul", 0, 1)
        c = g.add("add", b, 1)
        d = g.add("mul", c, b)
        g.add("add", d, c)
        cases.append(Case(g, "topology"))
    return cases


def random_graph(rnd: random.Random, ops: Sequence[str]) -> Optional[Graph]:
    """Leaves in [-2, 2] and 4 to 8 operations, preferring nodes nothing uses yet (chains) but often
    reusing one (fan-out), constants on either side; then every loose end is joined into one output.
    Values are kept away from division by ~0, negative bases of fractional powers and the ReLU's kink."""
    g = _leaf_graph(*[round(rnd.uniform(-2, 2), 3) for _ in range(rnd.randint(2, 3))])
    values, unused = g.forward(), set(range(len(g.leaves)))
    joins = [op for op in ("add", "mul", "sub") if op in ops]

    def pick():
        pool = sorted(unused) if unused and rnd.random() < 0.6 else range(len(g.nodes))
        return rnd.choice(list(pool))

    def extend(op, operands) -> bool:
        nonlocal g, values
        trial = Graph(list(g.leaves), g.nodes + [Node(op, operands)])
        try:
            value = trial.forward()[-1]
        except (ZeroDivisionError, OverflowError, ValueError):
            return False
        math = OPS[op][1]
        nodes = [o for o in operands if not isinstance(o, Const)]
        if isinstance(value, complex) or abs(value) > 50 or (math == "relu" and abs(values[nodes[0]]) < 1e-3):
            return False
        if math == "div" and abs(operands[1].value if isinstance(operands[1], Const) else values[operands[1]]) < 0.5:
            return False
        g, values = trial, trial.forward()
        unused.difference_update(nodes)
        unused.add(len(g.nodes) - 1)
        return True

    for _ in range(rnd.randint(4, 8)):
        for _attempt in range(20):
            op = rnd.choice(list(ops))
            _method, math, const = OPS[op]
            x, y, c = pick(), pick(), Const(rnd.choice([2.0, -1.5, 0.5, 3.0]))
            if const == "left":
                operands = (c, x)
            elif const == "exponent":
                operands = (x, Const(rnd.choice([2.0, 3.0] + ([0.5] if values[x] > 0.1 else [])
                                                + ([-1.0] if abs(values[x]) > 0.5 else []))))
            elif math in ("neg", "relu"):
                operands = (x,)
            else:
                operands = (x, y if rnd.random() < 0.7 else c)
            if extend(op, operands):
                break
    loose = sorted(i for i in unused if i >= len(g.leaves))
    while joins and len(loose) > 1:
        if not any(extend(op, (loose[0], loose[1])) for op in joins):
            break
        loose = [len(g.nodes) - 1] + loose[2:]
    return g if len(g.nodes) > len(g.leaves) + 1 else None


# ---- judging the learner's answers ----

def _close(a, b, rtol=RTOL, atol=ATOL) -> bool:
    return isinstance(a, float) and abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def _fmt(x) -> str:
    if isinstance(x, tuple):
        return f"a {x[0]}"
    return f"{x:.6g}"


class _Fail(Exception):
    def __init__(self, message: str, diagnosis: str, expected: Optional[str] = None, actual: Optional[str] = None):
        super().__init__(message)
        self.verdict = Verdict(False, message, diagnosis=diagnosis, expected=expected, actual=actual)


def _what(case: Case, cls: str) -> str:
    return f"{cls}.{OPS[case.op][0]}" if case.op else f"{cls}.backward"


def _judge(case: Case, found: dict, cls: str, inert: bool = False) -> bool:
    """Raise _Fail with the words for the first thing wrong in one case's answers; False when a random
    graph cannot be judged (its finite differences disagree with the grader's derivatives: a kink).
    ``inert``: every operation alone left its inputs' gradients at 0, so backward() is to blame."""
    g = case.graph
    expr, where = g.expression(), g.assignment()
    what = _what(case, cls)
    if "error" in found:
        kind, text, file, line, function = found["error"]
        if file is not None:
            raise LearnerError("exception", f"{g.expression()} at {where} raised {kind}: {text}", file=file, line=line,
                               function=function)
        hint = ""
        if kind == "TypeError" and case.op and OPS[case.op][2] == "left":
            hint = f" {cls}.{OPS[case.op][0]} is missing: Python calls it for a number on the left."
        elif kind == "AttributeError" and f"'{cls}' object has no attribute" in text:
            hint = f" {cls} lacks `{text.rsplit(' ', 1)[-1].strip(chr(39))}`, which this exercise needs."
        elif kind == "AttributeError":
            hint = f" Is an operand a plain number that was not wrapped in {cls}(...)?"
        raise _Fail(f"{expr} at {where} raised {kind}: {text}.{hint}", f"{expr} raised {kind}.{hint}")
    values = g.forward()
    for i, (mine, theirs) in enumerate(zip(values, found["data"])):
        if isinstance(theirs, tuple):
            raise _Fail(f"In {expr}, {g.expression(i)}.data is {_fmt(theirs)}, not a number.",
                        f"{cls}'s .data must hold a plain number.")
        if not _close(theirs, mine):
            node = g.nodes[i]
            op = f"{cls}.{OPS[node.key][0]}" if node.key != "leaf" else f"{cls}(x)"
            raise _Fail(f"{g.expression(i)} at {where} gave .data = {_fmt(theirs)}, expected {_fmt(mine)}.",
                        f"{op} computes the wrong value (.data) in its forward pass.",
                        expected=f"{g.expression(i)} = {mine!r}", actual=f"{g.expression(i)} = {theirs!r}")
    if case.kind == "random" and not _confirmed(case):
        return False
    expected = g.gradients()
    grads = found["grads"]
    if all(_close(got, want) for got, want in zip(grads, expected)):
        return True
    for got in grads + [found["out_grad"]]:
        if isinstance(got, tuple):
            raise _Fail(f"After {expr}.backward(), a .grad is {_fmt(got)}, not a number.",
                        f"{cls}'s .grad must hold a plain number.")
    names = [g.name(i) for i in range(len(g.leaves))]
    wrong = [i for i, (got, want) in enumerate(zip(grads, expected)) if not _close(got, want)]
    listing = "; ".join(f"{names[i]}.grad = {_fmt(grads[i])}, expected {_fmt(expected[i])}" for i in wrong)
    report = dict(expected="\n".join(f"{names[i]}.grad = {expected[i]!r}" for i in wrong),
                  actual="\n".join(f"{names[i]}.grad = {grads[i]!r}" for i in wrong))
    message = f"{expr} at {where}: {listing}."
    if found["out_grad"] == 0.0:
        raise _Fail(message, f"{cls}.backward() leaves the output's own .grad at 0: it must start with "
                             "self.grad = 1 before walking the graph.", **report)
    if all(grads[i] == 0.0 for i in wrong) and inert:
        raise _Fail(message, f"After out.backward() the output's .grad is 1 but no operation passed anything to its "
                             f"inputs, whichever operation it was: {cls}.backward() never calls the nodes' backward "
                             "functions (is its list of nodes empty, or the call missing?).", **report)
    if all(grads[i] == 0.0 for i in wrong) and case.kind in ("alone", "constant"):
        raise _Fail(message, f"{what}: after backward() the gradients are still 0: its local backward is never "
                             "attached to the result (out._backward = ...) or never called.", **report)
    if all(grads[i] == 0.0 for i in wrong) and case.kind == "upstream":
        raise _Fail(message, f"{cls}.backward() ran {OPS[case.op][0]}'s backward before the gradient from the "
                             f"operation after it had arrived ({expr}): walk the nodes from the output back to the "
                             "leaves (reverse topological order).", **report)
    if case.kind in ("alone", "constant"):
        node, i = g.nodes[-1], wrong[0]
        position = node.operands.index(i)
        local = LOCAL[OPS[node.key][1]][position]
        raise _Fail(message, f"{what}: the gradient reaching `{names[i]}` in {expr} is wrong: {names[i]}.grad "
                             f"should be {_fmt(expected[i])} (the local derivative, {local}, times out.grad), not "
                             f"{_fmt(grads[i])}.", **report)
    if case.kind == "upstream":
        local = g.upto(len(g.nodes) - 2).gradients()
        if all(_close(grads[i], local[i]) for i in wrong):
            raise _Fail(message, f"{what} ignores the gradient arriving from above: in {expr} the local derivative "
                                 "must be multiplied by out.grad (the chain rule).", **report)
        raise _Fail(message, f"{what}: the gradient is wrong once another operation follows it ({expr}).", **report)
    if case.kind in ("reuse", "paths"):
        i = wrong[0]
        if any(_close(grads[i], part) for part in g.contributions(i)) or case.kind == "paths":
            reused = "is used twice" if case.kind == "reuse" else "reaches the output along two paths"
            raise _Fail(message, f"{expr} at {where} gave {names[i]}.grad = {_fmt(grads[i])}, not "
                                 f"{_fmt(expected[i])}: {names[i]} {reused}, and the second contribution overwrote "
                                 f"the first. {what if case.kind == 'reuse' else cls} must add to .grad "
                                 "(use += in backward), never assign it.", **report)
        raise _Fail(message, f"{what}: the gradient is wrong when the same {cls} is used twice ({expr}).", **report)
    if case.kind == "chain":
        raise _Fail(message, f"{cls}.backward() runs a node's backward before the gradient from the node after "
                             f"it has arrived ({expr}): walk the nodes from the output back to the leaves (reverse "
                             "topological order).", **report)
    if case.kind == "topology":
        raise _Fail(message, f"{cls}.backward() runs a node's backward before every node that uses it has passed "
                             "its gradient down, or runs it more than once: collect the nodes in topological order "
                             "(each after its children, each once) and call their backward in reverse.", **report)
    raise _Fail(message + f" To reproduce: {g.program()}",
                f"Every operation passed on its own, but the gradients are wrong on this graph: check that each "
                f"backward adds (+=) into .grad and that {cls}.backward() visits every node once, after all the "
                "nodes that use it.", **report)


def _confirmed(case: Case) -> bool:
    """The grader's derivatives agree with finite differences of the grader's own evaluation of the graph: false
    only where a random graph sits on a kink, where no single answer is right. Nothing the learner's engine says
    enters this decision, so an engine cannot talk its way out of a graph."""
    graph = case.graph
    for i, want in enumerate(graph.gradients()):
        moved = [list(graph.leaves) for _sign in (1, -1)]
        moved[0][i] += STEP
        moved[1][i] -= STEP
        plus, minus = (graph.forward(leaves)[-1] for leaves in moved)
        if not _close((plus - minus) / (2 * STEP), want, FD_RTOL, FD_ATOL):
            return False
    return True


def _inert(cases: Sequence[Case], results: Sequence[dict]) -> bool:
    """Two or more operations, each alone, all left every input's .grad at 0 with the output's at 1."""
    alone = [(case, found) for case, found in zip(cases, results) if case.kind in ("alone", "constant")]
    ops = {case.op for case, _found in alone}
    return len(ops) > 1 and all("grads" in found and found["out_grad"] == 1.0 and
                                all(g == 0.0 for g in found["grads"]) for _case, found in alone)


# What engines commonly build an operation from (micrograd: a - b is a + (-b), -a is a * -1, a / b is a * b**-1,
# 2 * a is a * 2): each is tried alone only after these, so that a wrong primitive is named as itself and not
# as the operation that happens to use it first.
BUILT_FROM = {"radd": ("add",), "sub": ("add", "neg", "mul"), "rsub": ("add", "neg", "mul"), "neg": ("mul",),
              "rmul": ("mul",), "truediv": ("mul", "pow"), "rtruediv": ("mul", "pow")}


def primitives_first(wanted: Sequence[str], ops: Sequence[str]) -> List[str]:
    """``wanted`` in its order, each preceded by the operations of ``ops`` it may be built from."""
    placed: List[str] = []

    def place(op, inside=()):
        if op in placed or op in inside:
            return
        for part in BUILT_FROM.get(op, ()):
            if part in ops:
                place(part, inside + (op,))
        placed.append(op)

    for op in wanted:
        place(op)
    return placed


def check(sb, spec: dict, context) -> Verdict:
    cls = spec.get("class") or "Value"
    if not cls.isidentifier():
        raise CheckError(f"value-graph {spec.get('id')}: class {cls!r} is not a Python name")
    ops = [op for op in spec["ops"] if op in OPS]
    unknown = [op for op in spec["ops"] if op not in OPS]
    if unknown:
        raise CheckError(f"value-graph {spec.get('id')}: unknown operations {unknown}; known: {sorted(OPS)}")
    focus = [op for op in spec.get("focus") or [] if op in ops]
    order = primitives_first(focus + [op for op in ops if op not in focus], ops)
    per_op = {op: op_cases(op, ops) for op in order}
    # single operations first, the focus ones before the others; `+` is checked early so that a chain of
    # additions can then test backward()'s order before composite operations (a - b is often a + (-b))
    early = primitives_first(focus + (["add"] if "add" in ops else []), ops)
    alone = ("alone", "constant")
    staged = [case for op in early for case in per_op[op] if case.kind in alone] + chain_cases(ops)
    staged += [case for op in order if op not in early for case in per_op[op] if case.kind in alone]
    staged += [case for kind in ("upstream", "reuse") for op in order for case in per_op[op] if case.kind == kind]
    staged += path_cases(ops)
    rnd = random.Random(spec.get("seed", 0))
    graphs = []
    while len(graphs) < int(spec.get("graphs", 25)):
        graph = random_graph(rnd, ops)
        if graph is not None:
            graphs.append(Case(graph, "random"))
    judged = 0
    try:
        for batch in (staged, graphs):
            results = _run(sb, [case.graph for case in batch], cls)
            inert = _inert(batch, results)
            for case, found in zip(batch, results):
                judged += _judge(case, found, cls, inert) and case.kind == "random"
    except _Fail as failure:
        return failure.verdict
    return Verdict(True, f"{cls} gives the right .data and .grad on {len(staged)} small graphs (each operation "
                         f"alone, reused, under an upstream gradient) and {judged} random graphs, "
                         "confirmed by finite differences.")

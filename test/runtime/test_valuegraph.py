"""The value-graph kind: the grader's own derivatives, the graphs it draws, and verdicts on engines."""

import math
import random
import tempfile
import textwrap
import unittest
from pathlib import Path

from gradlab.checks import CheckError, valuegraph
from gradlab.checks.base import LearnerError
from gradlab.checks.valuegraph import Const, Graph

from .corpus import edited, reference
from .local_sandbox import LocalContext, LocalSandbox

ALL = sorted(valuegraph.OPS)
ENGINE = reference("05-value-backward")


class GraphTest(unittest.TestCase):
    def test_reverse_mode_agrees_with_finite_differences_on_random_graphs(self):
        rnd = random.Random(7)
        for _ in range(200):
            g = valuegraph.random_graph(rnd, ALL)
            if g is None:
                continue
            grads = g.gradients()
            for i in range(len(g.leaves)):
                up, down = list(g.leaves), list(g.leaves)
                up[i] += 1e-6
                down[i] -= 1e-6
                numeric = (g.forward(up)[-1] - g.forward(down)[-1]) / 2e-6
                self.assertTrue(math.isclose(grads[i], numeric, rel_tol=1e-4, abs_tol=1e-5), g.program())

    def test_the_lessons_numbers(self):
        g = Graph([3.0])
        g.add("mul", 0, 0)
        self.assertEqual(g.gradients(), [6.0])
        g.add("add", 1, 0)
        self.assertEqual(g.gradients(), [7.0])
        self.assertEqual(g.expression(), "(a * a) + a")

    def test_random_graphs_use_only_the_allowed_ops_and_reuse_nodes(self):
        rnd = random.Random(1)
        ops = ["add", "mul", "rmul", "neg"]
        reused = left_constants = right_constants = 0
        for _ in range(50):
            g = valuegraph.random_graph(rnd, ops)
            uses = {}
            for node in g.nodes[len(g.leaves):]:
                self.assertIn(node.key, ops)
                for operand in node.operands:
                    if isinstance(operand, Const):
                        left_constants += operand is node.operands[0]
                        right_constants += operand is node.operands[-1] and len(node.operands) == 2
                    else:
                        uses[operand] = uses.get(operand, 0) + 1
            reused += any(count > 1 for count in uses.values())
            self.assertEqual(sum(1 for i in range(len(g.nodes) - 1) if i not in uses and i >= len(g.leaves)), 0,
                             "every operation feeds the output")
        self.assertGreater(reused, 25)
        self.assertGreater(left_constants, 5)
        self.assertGreater(right_constants, 5)


class EngineTest(unittest.TestCase):
    SPEC = {"id": "vg", "ops": ALL, "focus": ["mul"], "graphs": 30}

    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)

    def engine(self, source: str) -> LocalSandbox:
        path = Path(self.folder.name) / "engine.py"
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return LocalSandbox([path])

    def reference(self, *edits) -> LocalSandbox:
        return self.engine(edited(ENGINE.read_text(encoding="utf-8"), zip(edits[::2], edits[1::2])))

    def test_any_complete_engine_passes(self):
        # a different micrograd-style engine: its own names, division written out, a class called Scalar
        source = """
        import math


        class Scalar:
            def __init__(self, data, parents=()):
                self.data, self.grad, self.parents, self.local = data, 0, parents, ()

            def _make(self, data, pairs):
                out = Scalar(data, tuple(p for p, _ in pairs))
                out.local = tuple(d for _, d in pairs)
                return out

            @staticmethod
            def lift(x):
                return x if isinstance(x, Scalar) else Scalar(x)

            def __add__(self, o):
                o = Scalar.lift(o)
                return self._make(self.data + o.data, [(self, 1.0), (o, 1.0)])

            __radd__ = __add__

            def __mul__(self, o):
                o = Scalar.lift(o)
                return self._make(self.data * o.data, [(self, o.data), (o, self.data)])

            __rmul__ = __mul__

            def __neg__(self):
                return self * -1

            def __sub__(self, o):
                return self + (-Scalar.lift(o))

            def __rsub__(self, o):
                return Scalar.lift(o) - self

            def __truediv__(self, o):
                o = Scalar.lift(o)
                return self._make(self.data / o.data, [(self, 1 / o.data), (o, -self.data / o.data ** 2)])

            def __rtruediv__(self, o):
                return Scalar.lift(o) / self

            def __pow__(self, k):
                return self._make(self.data ** k, [(self, k * self.data ** (k - 1))])

            def relu(self):
                return self._make(max(self.data, 0.0), [(self, float(self.data > 0))])

            def backward(self):
                order, seen = [], set()

                def visit(v):
                    if id(v) not in seen:
                        seen.add(id(v))
                        for p in v.parents:
                            visit(p)
                        order.append(v)
                visit(self)
                self.grad = 1
                for v in reversed(order):
                    for p, d in zip(v.parents, v.local):
                        p.grad += d * v.grad
        """
        verdict = valuegraph.check(self.engine(source), dict(self.SPEC, **{"class": "Scalar"}), LocalContext())
        self.assertTrue(verdict.passed, verdict.diagnosis)
        self.assertIn("30 random graphs", verdict.message)

    def test_a_wrong_product_is_named_even_where_subtraction_uses_it_first(self):
        # micrograd's own shape: a - b is a + (-b), -b is b * -1, so subtraction has no backward of its own; with
        # the product's backward dropping out.grad, the product is to blame, not the subtraction built on it
        source = """
        class Value:
            def __init__(self, data, _children=(), _op=""):
                self.data, self.grad, self._prev, self._op = data, 0.0, set(_children), _op
                self._backward = lambda: None

            def __add__(self, other):
                other = other if isinstance(other, Value) else Value(other)
                out = Value(self.data + other.data, (self, other), "+")

                def _backward():
                    self.grad += out.grad
                    other.grad += out.grad
                out._backward = _backward
                return out

            def __mul__(self, other):
                other = other if isinstance(other, Value) else Value(other)
                out = Value(self.data * other.data, (self, other), "*")

                def _backward():
                    self.grad += other.data
                    other.grad += self.data
                out._backward = _backward
                return out

            def __pow__(self, k):
                out = Value(self.data ** k, (self,), f"**{k}")

                def _backward():
                    self.grad += k * self.data ** (k - 1) * out.grad
                out._backward = _backward
                return out

            def relu(self):
                out = Value(max(self.data, 0.0), (self,), "ReLU")

                def _backward():
                    self.grad += (out.data > 0) * out.grad
                out._backward = _backward
                return out

            def backward(self):
                topo, visited = [], set()

                def build(v):
                    if v not in visited:
                        visited.add(v)
                        for child in v._prev:
                            build(child)
                        topo.append(v)
                build(self)
                self.grad = 1.0
                for v in reversed(topo):
                    v._backward()

            def __neg__(self):
                return self * -1

            def __radd__(self, other):
                return self + other

            def __sub__(self, other):
                return self + (-other)

            def __rmul__(self, other):
                return self * other
        """
        spec = {"id": "vg", "ops": ["add", "radd", "sub", "neg", "pow", "mul", "rmul", "relu"], "focus": ["relu"]}
        verdict = valuegraph.check(self.engine(source), spec, LocalContext())
        self.assertFalse(verdict.passed)
        self.assertTrue(verdict.diagnosis.startswith("Value.__mul__"), verdict.diagnosis)

    def test_a_wrong_division_is_named(self):
        sb = self.reference("    def __truediv__(self, other):\n        return self * other ** -1",
                            "    def __truediv__(self, other):\n        return self * other ** 1")
        verdict = valuegraph.check(sb, self.SPEC, LocalContext())
        self.assertIn("Value.__truediv__ computes the wrong value", verdict.diagnosis)

    def test_a_wrong_gradient_of_the_right_operand_is_named(self):
        sb = self.reference("            other.grad += self.data * out.grad", "            other.grad += out.grad")
        verdict = valuegraph.check(sb, self.SPEC, LocalContext())
        self.assertIn("Value.__mul__: the gradient reaching `b` in a * b is wrong", verdict.diagnosis)

    def test_overwriting_in_add_is_named_with_a_plus_a(self):
        sb = self.reference("            self.grad += out.grad\n            other.grad += out.grad",
                            "            self.grad = out.grad\n            other.grad = out.grad")
        verdict = valuegraph.check(sb, dict(self.SPEC, focus=[]), LocalContext())
        self.assertIn("a + a at a = 3.0 gave a.grad = 1, not 2", verdict.diagnosis)

    def test_an_engine_without_backward(self):
        sb = self.reference("    def backward(self):", "    def run_backward(self):")
        verdict = valuegraph.check(sb, self.SPEC, LocalContext())
        self.assertFalse(verdict.passed)
        self.assertIn("AttributeError", verdict.message)
        self.assertIn("Value lacks `backward`, which this exercise needs.", verdict.diagnosis)

    def test_a_missing_class_and_a_raising_method(self):
        with self.assertRaises(LearnerError) as caught:
            valuegraph.check(self.engine("x = 1\n"), self.SPEC, LocalContext())
        self.assertEqual(caught.exception.kind, "missing-name")
        sb = self.reference("    def __pow__(self, exponent):\n",
                            "    def __pow__(self, exponent):\n        raise NotImplementedError('write __pow__')\n")
        with self.assertRaises(LearnerError) as caught:
            valuegraph.check(sb, self.SPEC, LocalContext())
        self.assertIn("NotImplementedError: write __pow__", caught.exception.message)
        self.assertEqual((caught.exception.file, caught.exception.function), ("engine.py", "__pow__"))

    def test_only_the_listed_operations_are_used(self):
        sb = self.reference("    def relu(self):", "    def relu_(self):")
        self.assertTrue(valuegraph.check(sb, dict(self.SPEC, ops=[op for op in ALL if op != "relu"]),
                                         LocalContext()).passed)
        self.assertFalse(valuegraph.check(sb, self.SPEC, LocalContext()).passed)
        with self.assertRaises(CheckError):
            valuegraph.check(sb, dict(self.SPEC, ops=["add", "exp"]), LocalContext())


if __name__ == "__main__":
    unittest.main()

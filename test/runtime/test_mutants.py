"""Mutants: what each operator writes, where, under which id; and that the checks catch the mutants of
the corpus references (all but the equivalent ones)."""

import ast
import tempfile
import textwrap
import unittest
from pathlib import Path

from gradlab.checks.base import LearnerError
from gradlab.mutants import generate

from .corpus import load_corpus, reference
from .test_corpus import run_check


def mutants(source: str, regions=None):
    source = textwrap.dedent(source).lstrip("\n")
    lines = len(source.splitlines())
    return source, {m["id"]: m for m in generate(source, regions or [[1, lines]])}


def changed(original: str, mutant: dict):
    """(line number, new line) of the lines the mutant changed."""
    return [(i, new) for i, (old, new) in enumerate(zip(original.splitlines(), mutant["source"].splitlines()), 1)
            if old != new]


class OperatorTest(unittest.TestCase):
    def test_each_operator(self):
        source, found = mutants("""
            def grad(w, x, y):
                e = w * x - y
                g = 2 * np.mean(e * x) / len(x)
                d = e * (x > 0) @ W.T
                w -= 0.1 * g
                total += -g
                model.zero_grad()
                return g / x.sum()
        """)
        expect = {
            "grad:sign:1": "    e = y - (w * x)",
            "grad:factor:1": "    g = np.mean(e * x) / len(x)",
            "grad:mean-sum:1": "    g = 2 * np.sum(e * x) / len(x)",
            "grad:divisor:1": "    g = 2 * np.mean(e * x)",
            "grad:mask:1": "    d = e @ W.T",
            "grad:compare:1": "    d = e * (x >= 0) @ W.T",
            "grad:transpose:1": "    d = e * (x > 0) @ W",
            "grad:swap:1": "    g = len(x) / (2 * np.mean(e * x))",
            "grad:remove:1": "    pass",
            "grad:accumulate:1": "    total = -g",
        }
        for mutant_id, line in expect.items():
            with self.subTest(mutant=mutant_id):
                lines = [new for _n, new in changed(source, found[mutant_id])]
                self.assertIn(line, lines, found[mutant_id]["description"])
        self.assertIn("    w += 0.1 * g", [n for m in found.values() for _i, n in changed(source, m)])
        self.assertIn("    total += g", [n for m in found.values() for _i, n in changed(source, m)])
        self.assertEqual(found["grad:factor:1"]["description"], "dropped the factor 2 in `2 * np.mean(e * x)`")
        self.assertEqual(found["grad:accumulate:1"]["description"],
                         "`=` instead of `+=` in `total += -g` (overwrites instead of accumulating)")
        removed = [m["description"] for m in found.values() if m["id"].startswith("grad:remove")]
        self.assertIn("removed the line `model.zero_grad()`", removed)

    def test_the_mistakes_of_layers_and_optimizers(self):
        source, found = mutants("""
            import torch


            def momentum(w, v, g, lr, beta):
                v = beta * v + g
                w -= lr * v
                return w, v


            def tanh_backward(d, a, s, z):
                return d * (1 - a ** 2) + d * s * (1 - s) + d * relu_grad(z)


            def train(model, x, optimizer):
                out = model(x)
                out.sum().backward()
                optimizer.step()
        """)
        self.assertEqual(changed(source, found["momentum:carry:1"]), [(5, "    v = g")])
        self.assertEqual(found["momentum:carry:1"]["description"],
                         "`v` not carried over from the last step: `v = g` instead of `v = beta * v + g`")
        self.assertEqual(changed(source, found["momentum:order:1"]),
                         [(5, "    w -= lr * v"), (6, "    v = beta * v + g")])
        self.assertEqual(found["momentum:order:1"]["line"], 5)
        dropped = {m["description"] for i, m in found.items() if ":activation:" in i}
        self.assertEqual(dropped, {"dropped the activation's derivative `1 - a ** 2` in `d * (1 - a ** 2)`",
                                   "dropped the activation's derivative `1 - s` in `d * s * (1 - s)`",
                                   "dropped the activation's derivative `relu_grad(z)` in `d * relu_grad(z)`"})
        self.assertEqual(changed(source, found["train:detach:1"]), [(15, "    out = model(x).detach()")])
        # no detach without PyTorch, nor where nothing calls backward()
        self.assertFalse([i for i in mutants("def f(m, x):\n    out = m(x)\n    return out\n")[1] if ":detach:" in i])

    def test_every_mutant_parses_keeps_its_line_count_and_changes_one_place(self):
        source = reference("07-mlp-backward").read_text(encoding="utf-8")
        for m in generate(source, [[1, len(source.splitlines())]]):
            with self.subTest(mutant=m["id"]):
                ast.parse(m["source"])
                self.assertEqual(len(m["source"].splitlines()), len(source.splitlines()))
                lines = [n for n, _new in changed(source, m)]
                # a swap of two updates changes their two lines; every other mutant one
                self.assertEqual(lines, [m["line"], m["line"] + 1] if ":order:" in m["id"] else [m["line"]])

    def test_only_inside_the_regions(self):
        source, found = mutants("""
            def given(x):
                return 2 * x


            def learner(x):
                return 2 * x
        """, [[5, 6]])
        self.assertEqual(sorted(found), ["learner:factor:1"])

    def test_ids_are_stable_and_count_per_function_and_operator(self):
        text = "def f(a, b):\n    return a - b - 1\n\n\ndef g(a):\n    return -a\n"
        first = [m["id"] for m in generate(text, [[1, 6]])]
        self.assertEqual(first, [m["id"] for m in generate(text, [[1, 6]])])
        self.assertEqual(first, ["f:sign:1", "f:sign:2", "g:sign:1"])
        nested = generate("class V:\n    def m(self):\n        def back():\n            self.g += 1\n", [[1, 4]])
        self.assertEqual({m["id"].rsplit(":", 2)[0] for m in nested}, {"V.m.back"})

    def test_multiline_expressions_and_unicode_keep_the_rest_in_place(self):
        source, found = mutants("""
            def f(x, y):
                label = "é→"; z = 2 * (x +
                                       y)
                return z  # ünïcode
        """)
        mutant = found["f:factor:1"]
        self.assertEqual(mutant["source"].splitlines()[1], '    label = "é→"; z = (x +')
        self.assertEqual(len(mutant["source"].splitlines()), len(source.splitlines()))
        self.assertEqual(mutant["source"].splitlines()[-1], source.splitlines()[-1])

    def test_no_sign_flip_where_a_square_hides_it(self):
        _source, found = mutants("""
            def loss(p, t):
                return (p - t) ** 2 + np.square(p - t) + abs(p - t) + (p - t) ** 3
        """)
        flips = [m["description"] for m in found.values() if m["id"].startswith("loss:sign")]
        self.assertEqual(flips, ["flipped the sign: `t - p` instead of `p - t`"])
        self.assertIn("(t - p) ** 3", found["loss:sign:1"]["source"])

    def test_mutants_that_do_not_parse_or_change_nothing_are_left_out(self):
        # removing the line before `; x = 1` would leave `pass; x = 1`: valid; a bare `-0` flip changes nothing
        found = generate("def f(x):\n    g(x); x = 1\n    return x * 1\n", [[1, 3]])
        self.assertEqual([m["id"] for m in found], ["f:remove:1"])


# mutants that no check can catch because they compute the same thing, with the reason
EQUIVALENT = {
    ("05-value-backward", "Value.relu:compare:1"): "relu(0) is 0 with > and with >=",
    ("07-mlp-backward", "backward:compare:1"): "no pre-activation is exactly 0, so Z1 >= 0 and Z1 > 0 agree",
}
LEARNER_FUNCTIONS = {"02-grad-w": ["grad_w", "grad_b"], "04-value-mul": ["__mul__", "__rmul__"],
                     "05-value-backward": ["backward", "relu"], "06-zero-grad": ["zero_grad", "train"],
                     "07-mlp-backward": ["backward"]}


class CatchTest(unittest.TestCase):
    def test_the_checks_catch_every_mutant_of_the_references_but_the_equivalent_ones(self):
        corpus = load_corpus()
        with tempfile.TemporaryDirectory() as folder:
            for exercise, functions in LEARNER_FUNCTIONS.items():
                source = reference(exercise).read_text(encoding="utf-8")
                regions = [[node.body[0].lineno, node.end_lineno] for node in ast.walk(ast.parse(source))
                           if isinstance(node, ast.FunctionDef) and node.name in functions]
                found = generate(source, regions)
                self.assertGreater(len(found), 4, exercise)
                for mutant in found:
                    with self.subTest(exercise=exercise, mutant=mutant["id"]):
                        path = Path(folder) / reference(exercise).name
                        path.write_text(mutant["source"], encoding="utf-8")
                        caught = []
                        for spec in corpus[exercise]["checks"]:
                            try:
                                caught.append(not run_check(exercise, spec, path).passed)
                            except LearnerError:
                                caught.append(True)
                        if (exercise, mutant["id"]) in EQUIVALENT:
                            self.assertFalse(any(caught), "an 'equivalent' mutant was caught")
                        else:
                            self.assertTrue(all(caught), mutant["description"])


if __name__ == "__main__":
    unittest.main()

"""From analytic and numeric gradients to words: each diagnosis on hand-made numbers."""

import unittest

import numpy as np

from gradlab.checks import diagnose
from gradlab.numerics.fd import Samples, Tolerance
from gradlab.numerics.layout import Slot

TOL = Tolerance()


def exact(true: np.ndarray) -> Samples:
    """Samples of every element of a tensor whose true gradient is ``true``."""
    true = np.asarray(true, dtype=float)
    return Samples(true.ravel().copy(), np.zeros(true.size), indices=np.arange(true.size))


def along(true: np.ndarray, count=4, seed=0) -> Samples:
    """Samples of a tensor's true gradient along random unit directions."""
    true = np.asarray(true, dtype=float).ravel()
    directions = np.random.default_rng(seed).normal(size=(count, true.size))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return Samples(directions @ true, np.zeros(count), directions=directions)


def returned(value, shape=(3, 4), label="dW", key=None):
    slot = Slot("params" if key else "W", key, 0, shape)
    return diagnose.receive(slot, label, value)


class RatioTest(unittest.TestCase):
    def words(self, c, n=(20,)):
        found = diagnose.ratio_finding(c, n, single=False)
        return found and found[1]("grad_w", False)

    def test_each_known_ratio_has_its_words(self):
        cases = {0.5: "exactly half the numeric gradient: did the factor 2 from the square go missing?",
                 2.0: "exactly twice", -1.0: "wrong sign: a step along it is ascent instead of descent",
                 20.0: "N = 20 times the numeric gradient: it sums over the 20 samples",
                 1 / 20: "1/N of the numeric gradient (N = 20)",
                 20 / 19: "it divides by N-1 = 19 where the mean divides by N",
                 19 / 20: "(N-1)/N of the numeric gradient (N = 20)"}
        for c, words in cases.items():
            with self.subTest(ratio=c):
                self.assertIn(words, self.words(c))

    def test_two_mistakes_at_once_are_both_named(self):
        self.assertIn("the factor 2 from the square is missing and it sums over the 20 samples", self.words(10.0))
        self.assertIn("the sign is flipped (ascent instead of descent) and the factor 2", self.words(-0.5))

    def test_a_constant_that_names_nothing(self):
        self.assertIn("3.7 times the numeric gradient everywhere", self.words(3.7))
        self.assertIsNone(diagnose.ratio_finding(3.7, (20,), single=True))


class ValuesTest(unittest.TestCase):
    def setUp(self):
        self.true = np.random.default_rng(1).normal(size=(3, 4))

    def judge(self, value, samples=None, shape=(3, 4)):
        r = returned(value, shape)
        return diagnose.judge_values(r, samples or exact(self.true), TOL, (20,))

    def test_right_is_right_in_both_kinds_of_samples(self):
        self.assertTrue(self.judge(self.true.copy()).right)
        self.assertTrue(self.judge(self.true.copy(), along(self.true)).right)

    def test_ratios_show_through_random_directions_too(self):
        finding = self.judge(0.5 * self.true, along(self.true))
        self.assertIn("exactly half", finding.phrase("dW", False))
        finding = self.judge(-self.true, along(self.true))
        self.assertIn("wrong sign", finding.phrase("dW", False))

    def test_all_zeros(self):
        finding = self.judge(np.zeros((3, 4)))
        self.assertEqual(finding.key, "zero")
        self.assertIn("all zeros while the numeric gradient is not", finding.phrase("dW", False))

    def test_a_nonzero_gradient_where_the_loss_does_not_move(self):
        finding = diagnose.judge_values(returned(np.ones((3, 4))), exact(np.zeros((3, 4))), TOL, ())
        self.assertEqual(finding.key, "spurious")

    def test_a_square_matrix_transposed(self):
        true = np.random.default_rng(2).normal(size=(4, 4))
        finding = diagnose.judge_values(returned(true.T.copy(), (4, 4)), exact(true), TOL, ())
        self.assertIn("transpose of the right gradient", finding.phrase("dW", False))

    def test_worst_elements_name_indices_and_both_values(self):
        wrong = self.true.copy()
        wrong[2, 1] += 5.0
        finding = self.judge(wrong)
        self.assertFalse(finding.right)
        where, yours, numeric, rel = finding.worst[0]
        self.assertEqual(where, "dW[2, 1]")
        self.assertAlmostEqual(yours - numeric, 5.0)
        self.assertEqual(len(finding.worst), 1)


class ShapesTest(unittest.TestCase):
    def test_one_value_per_sample_where_a_number_belongs(self):
        per_sample = np.random.default_rng(0).normal(size=20)
        for array, fix in ((per_sample, "average it over the samples"),
                           (per_sample.reshape(-1, 1), "average it over the samples")):
            r = returned(array, shape=None, label="grad_w")
            finding = diagnose.judge_shape(r, exact(np.array(per_sample.mean())), TOL, (20,))
            self.assertIn("one value per sample", finding.phrase("", False))
            self.assertIn(fix, finding.phrase("", False))
        r = returned(per_sample, shape=None, label="grad_w")
        finding = diagnose.judge_shape(r, exact(np.array(per_sample.sum())), TOL, (20,))
        self.assertIn("its sum is the right gradient", finding.phrase("", False))

    def test_one_row_per_sample_for_a_bias(self):
        rows = np.random.default_rng(0).normal(size=(20, 3))
        r = returned(rows, shape=(1, 3), label="db", key="b")
        finding = diagnose.judge_shape(r, along(rows.sum(axis=0, keepdims=True), count=3), TOL, (20,))
        self.assertIn("db has one row per sample (shape (20, 3)) where b has shape (1, 3)", finding.phrase("", False))
        self.assertIn("their sum is the right gradient", finding.phrase("", False))

    def test_transposed_and_kept_dimensions(self):
        true = np.random.default_rng(0).normal(size=(1, 5))
        finding = diagnose.judge_shape(returned(true.T.copy(), (1, 5)), exact(true), TOL, ())
        self.assertIn("transpose of the right gradient (its values are right)", finding.phrase("", False))
        finding = diagnose.judge_shape(returned(2 * true.T, (1, 5)), exact(true), TOL, ())
        self.assertIn("not the right values. Even so: it is exactly twice", finding.phrase("", False))
        finding = diagnose.judge_shape(returned(true.ravel().copy(), (1, 5)), exact(true), TOL, ())
        self.assertIn("right values but shape (5,)", finding.phrase("", False))
        finding = diagnose.judge_shape(returned(np.ones(7), (1, 5)), exact(true), TOL, ())
        self.assertIn("has shape (7,) where W has shape (1, 5)", finding.phrase("", False))


class ReceiveTest(unittest.TestCase):
    def test_unusable_values_are_named(self):
        class Handle:
            type_name = "Tensor"

        cases = [(None, "is None: nothing was returned (is a `return` missing?)"),
                 ([1.0, 2.0], "is a list, not a NumPy array"),
                 ("0.5", "is a string"),
                 (np.zeros((3, 4), dtype=int), "came back as integers (int64)"),
                 (np.zeros((3, 4), dtype=np.float16), "float16"),
                 (np.zeros((3, 4), dtype=bool), "a bool array"),
                 (np.full((3, 4), np.nan), "dW[0, 0] is nan: the gradient is not finite"),
                 (Handle(), "an object of type Tensor")]
        for value, words in cases:
            with self.subTest(value=words):
                self.assertIn(words, returned(value).problem)

    def test_float32_and_size_one_arrays_are_usable(self):
        r = returned(np.ones((3, 4), dtype=np.float32))
        self.assertTrue(r.float32)
        self.assertIsNone(r.problem)
        r = returned(np.array([2.5]), shape=None, label="grad_w")
        self.assertEqual(float(r.value), 2.5)
        self.assertIn("float(...)", r.warnings[0])

    def test_a_dict_of_gradients(self):
        slots = [Slot("params", k, i, (2,)) for i, k in enumerate(("W1", "b1"))]
        labels = {slot: f"d{slot.key}" for slot in slots}
        group, warnings = diagnose.receive_group("params", slots, labels, {"W1": np.ones(2), "extra": 1})
        self.assertIsNone(group[0].problem)
        self.assertIn("no key 'b1' (its keys: 'W1', 'extra')", group[1].problem)
        self.assertIn("'extra'", warnings[0])
        group, _ = diagnose.receive_group("params", slots, labels, (np.ones(2), np.ones(2)))
        self.assertEqual(group[0].problem, group[1].problem)


class TellTest(unittest.TestCase):
    def findings(self, values, true):
        out = []
        for label, value, t in zip(("grad_w", "grad_b"), values, true):
            r = diagnose.receive(Slot(label, None, 0, None), label, value)
            out.append(diagnose.judge_values(r, exact(np.array(t)), TOL, (20,)))
        return out

    def test_right_and_wrong_tensors_are_told_apart(self):
        self.assertEqual(diagnose.tell(self.findings([1.0, 5.0], [1.0, 2.7])), "grad_w is right, grad_b is wrong.")
        text = diagnose.tell(self.findings([0.5, 2.0], [1.0, 2.0]))
        self.assertEqual(text, "grad_w is exactly half the numeric gradient: did the factor 2 from the square go "
                               "missing? grad_b is right.")

    def test_the_same_mistake_is_told_once_for_all_it_touches(self):
        text = diagnose.tell(self.findings([0.5, 1.0], [1.0, 2.0]))
        self.assertTrue(text.startswith("grad_w and grad_b are each exactly half"), text)


class ReluTest(unittest.TestCase):
    def setUp(self):
        # units 0-1 always active, 2-3 mixed, 4 never active
        self.z = np.array([[1.0, 2.0, -1.0, 1.0, -3.0], [2.0, 1.0, 1.0, -1.0, -2.0]])
        self.slot = Slot("params", "W1", 0, (1, 5))
        self.true = np.array([[0.3, -0.2, 0.5, 0.1, 0.0]])

    def run_mask(self, analytic, z=None):
        r = diagnose.receive(self.slot, "dW1", analytic)
        samples = exact(self.true)
        finding = diagnose.judge_values(r, samples, TOL, ())
        other = diagnose.Finding(diagnose.receive(Slot("params", "W2", 5, (5, 1)), "dW2", np.zeros((5, 1))), True)
        return diagnose.relu_mask([finding, other], [self.slot], {self.slot: samples},
                                  self.z if z is None else z, TOL, "Z1")

    def test_wrong_only_where_the_relu_input_is_negative(self):
        analytic = self.true + np.array([[0.0, 0.0, 0.4, -0.3, 0.7]])
        text = self.run_mask(analytic)
        self.assertIn("dW1 is wrong only where the ReLU input is negative", text)
        self.assertIn("right for the hidden units whose ReLU input is positive for every sample", text)
        self.assertIn("not zero for units whose ReLU input is never positive", text)
        self.assertIn("(Z1 > 0)", text)

    def test_a_wrong_always_active_unit_rules_the_mask_out(self):
        analytic = self.true + np.array([[0.2, 0.0, 0.4, -0.3, 0.7]])
        self.assertIsNone(self.run_mask(analytic))

    def test_without_telling_units_the_words_are_a_question(self):
        mixed = np.array([[1.0, -2.0, -1.0, 1.0, 3.0], [-2.0, 1.0, 1.0, -1.0, -2.0]])
        analytic = self.true + np.array([[0.0, 0.0, 0.4, -0.3, 0.7]])
        text = self.run_mask(analytic, mixed)
        self.assertIn("dW1 is wrong, while dW2 is right, so the mistake lies between the ReLU", text)
        self.assertIn("is the ReLU's gradient mask (Z1 > 0) missing?", text)
        findings = [diagnose.Finding(diagnose.receive(self.slot, "dW1", analytic), False),
                    diagnose.Finding(diagnose.receive(Slot("params", "W2", 5, (5, 1)), "dW2", np.zeros((5, 1))), True)]
        self.assertEqual(diagnose.tell(findings, text).count("dW2 is right"), 1)

    def test_the_name_of_the_preactivation(self):
        self.assertEqual(diagnose.preactivation_name("forward(params, X)[1]['Z1']"), "Z1")
        self.assertEqual(diagnose.preactivation_name("cache_z"), "cache_z")
        self.assertEqual(diagnose.preactivation_name("f(x) + 1"), "the pre-activation")


if __name__ == "__main__":
    unittest.main()

"""gradlab.testing, the helpers pack authors' tests use: each wrong answer gets a message in plain words."""

import math
import unittest

import numpy as np

from gradlab.sandbox.handles import Handle
from gradlab.testing import TestFailure, close, equal, fail, same_shape, test


class Close(unittest.TestCase):
    def message(self, actual, expected, **options):
        with self.assertRaises(TestFailure) as caught:
            close(actual, expected, **options)
        return caught.exception.message

    def test_numbers_within_tolerance_pass(self):
        close(1.8000000000000003, 1.8)
        close(6, 6.0)
        close(0.0, 1e-10)
        close(np.array(2.5), 2.5)
        close(101.0, 100.0, rtol=0.02)

    def test_a_wrong_number_names_both_with_enough_digits(self):
        self.assertEqual(self.message(1.6, 1.8, what="the new w after sgd_step(1, 0, -8, -4, 0.1)"),
                         "the new w after sgd_step(1, 0, -8, -4, 0.1): expected 1.8, got 1.6")
        self.assertEqual(self.message(1.80001, 1.8, what="w"), "w: expected 1.8, got 1.80001")

    def test_none_asks_about_return(self):
        self.assertEqual(self.message(None, 2.0, what="loss"),
                         "loss: expected 2, but the code returned None — did you forget `return`?")

    def test_lists_arrays_bools_and_text_are_not_numbers(self):
        self.assertEqual(self.message([1.0, 2.0], 1.0), "the result: expected a single number, got a list of 2 items")
        self.assertEqual(self.message(np.zeros(3), 1.0),
                         "the result: expected a single number, got an array of shape (3,)")
        self.assertEqual(self.message(True, 1.0), "the result: expected a single number, got True")
        self.assertEqual(self.message("1.0", 1.0), "the result: expected a single number, got the text '1.0'")

    def test_handles_are_refused_without_asking_them_anything(self):
        class Untouchable:
            def request(self, message):
                raise AssertionError("close() must not talk to the learner's process")

        handle = Handle(Untouchable(), 1, "Value")
        self.assertIn("expected a single number, got a Value object", self.message(handle, 6.0))

    def test_nan_and_inf_are_named(self):
        self.assertIn("got nan (not a number", self.message(math.nan, 1.0))
        self.assertIn("got inf (an overflow", self.message(math.inf, 1.0))
        close(math.inf, math.inf)

    def test_arrays_compare_shape_first_then_the_worst_element(self):
        self.assertEqual(self.message(np.zeros((3, 1)), np.zeros(3), what="grad_w"),
                         "grad_w: expected shape (3,), got (3, 1) — the right number of elements, arranged "
                         "differently (a reshape or keepdims?)")
        self.assertEqual(self.message(np.zeros((2, 3)), np.zeros((3, 2))),
                         "the result: expected shape (3, 2), got (2, 3) — transposed?")
        self.assertEqual(self.message(np.array([1.0, 2.0, 3.5]), [1.0, 2.0, 3.0]),
                         "the result: 1 of 3 elements differ; the worst, at (2,): expected 3, got 3.5")
        self.assertIn("the element at (1,) is nan", self.message(np.array([1.0, math.nan]), [1.0, 2.0]))
        self.assertIn("got a single number", self.message(1.0, [1.0, 2.0]))
        close([1.0, 2.0], np.array([1.0, 2.0]))

    def test_tuples_and_dicts_are_compared_item_by_item(self):
        close((1.8, 0.4), (1.8, 0.4))
        self.assertEqual(self.message((1.8, 0.3), (1.8, 0.4), what="(w, b)"), "(w, b)[1]: expected 0.4, got 0.3")
        self.assertEqual(self.message(1.8, (1.8, 0.4)), "the result: expected 2 values (a tuple), got a number")
        self.assertEqual(self.message({"W1": np.ones(2)}, {"W1": np.ones(2), "b1": np.zeros(2)}),
                         "the result: the keys differ: missing ['b1']")

    def test_failures_carry_expected_and_actual_for_a_diff(self):
        with self.assertRaises(TestFailure) as caught:
            close(1.6, 1.8)
        self.assertEqual((caught.exception.expected, caught.exception.actual), ("1.8", "1.6"))


class KindOfMistake(unittest.TestCase):
    """What a failure can say without giving away an input or an expected value: what a hidden test tells."""

    def kind(self, actual, expected):
        with self.assertRaises(TestFailure) as caught:
            close(actual, expected)
        return caught.exception.kind

    def test_factors_signs_zeros_and_transposes_are_named(self):
        right = np.array([[0.5, -1.25, 2.0], [3.0, 0.75, -0.5], [1.0, 2.5, -3.0]])
        self.assertEqual(self.kind(right / 2, right), "the result is exactly half the right answer, everywhere")
        self.assertEqual(self.kind(-right, right), "the result has the right size but the wrong sign")
        self.assertEqual(self.kind(3 * right, right), "the result is 3 times the right answer, everywhere")
        self.assertEqual(self.kind(np.zeros((3, 3)), right),
                         "the result is all zeros: was it left at its initial zero, or never computed?")
        self.assertEqual(self.kind(right.T, right), "the result is the transpose of the right answer")
        self.assertEqual(self.kind(-2.9, 2.9), self.kind(-right, right))  # a single number the same way
        self.assertIsNone(self.kind(right + 0.1, right))
        self.assertEqual(self.kind(None, 2.9), "the code returned None where an answer belongs — did you forget "
                                               "`return`?")

    def test_none_of_the_words_carry_a_value(self):
        right = np.array([0.123456, -7.5, 42.0])
        for wrong in (right / 2, -right, np.zeros(3), None, [1.0, 2.0]):
            with self.subTest(wrong=wrong):
                words = self.kind(wrong, right) or ""
                for value in ("0.123", "7.5", "42"):
                    self.assertNotIn(value, words)


class EqualSameShapeFail(unittest.TestCase):
    def test_equal(self):
        equal(3, 3)
        equal((1, "a"), (1, "a"))
        equal(np.arange(3), np.arange(3))
        for actual, expected, words in ((2, 3, "expected 3, got 2"), ("a", 1, "expected 1, got the text 'a'"),
                                        (None, 1, "did you forget `return`"),
                                        (np.arange(3), np.arange(4), "expected shape (4,), got (3,)")):
            with self.assertRaises(TestFailure) as caught:
                equal(actual, expected)
            self.assertIn(words, caught.exception.message)

    def test_same_shape(self):
        same_shape(np.zeros((2, 3)), (2, 3))
        same_shape(np.zeros((2, 3)), np.ones((2, 3)))
        with self.assertRaises(TestFailure) as caught:
            same_shape([1, 2], (2,), what="probabilities")
        self.assertEqual(caught.exception.message, "probabilities: expected an array of shape (2,), got a list of "
                                                   "2 items")

    def test_fail_and_test(self):
        with self.assertRaises(TestFailure) as caught:
            fail("the loss went up")
        self.assertEqual(caught.exception.message, "the loss went up")

        @test("lesson-update")
        def lesson_update(sub):
            pass

        self.assertEqual(lesson_update.gradlab_test, "lesson-update")
        with self.assertRaises(TypeError):
            test("")


if __name__ == "__main__":
    unittest.main()


class UnusableAnswers(unittest.TestCase):
    """A test that cannot use what the learner returned says so in the learner's terms, never with the grader's
    traceback (issue 13: 07's dead-units reported the pack's IndexError and its line in tests.py)."""

    def run_against(self, source, test_function, author=False):
        import tempfile
        import textwrap
        from pathlib import Path

        from gradlab.checks.pack_test import run_test

        from .local_sandbox import LocalSandbox

        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = Path(folder.name) / "mlp.py"
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return run_test(test_function, LocalSandbox([path]), __file__, author=author)  # the tests are here

    def test_a_flat_array_where_the_test_indexes_columns(self):
        def dead_units(sub):
            grads = sub.backward()
            grads["W1"][:, 0]

        source = "import numpy as np\n\ndef backward():\n    return {'W1': np.zeros(64), 'b1': np.zeros(64)}\n"
        verdict = self.run_against(source, dead_units)
        self.assertEqual(verdict.message, "the test could not use what `backward` returned, a dict (W1: an array of "
                                          "shape (64,); b1: an array of shape (64,)): it has fewer dimensions than "
                                          "the test indexes")
        self.assertEqual(verdict.kind, verdict.message)
        self.assertIn("(test_testing.py, line", self.run_against(source, dead_units, author=True).message)

    def test_a_missing_key_none_and_a_single_value(self):
        cases = [("def backward():\n    return {'W2': 1.0}\n", lambda sub: sub.backward()["W1"],
                  "it has no key 'W1'"),
                 ("def backward():\n    pass\n", lambda sub: sub.backward()["W1"],
                  "it is None — is a `return` missing?"),
                 ("def backward():\n    return 1.0\n", lambda sub: tuple(sub.backward()),
                  "it is a single value where the test expects several (a tuple, a list, a dict or an array)")]
        for source, function, why in cases:
            with self.subTest(why=why):
                self.assertTrue(self.run_against(source, function).message.endswith(why))

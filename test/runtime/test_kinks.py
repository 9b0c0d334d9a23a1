"""gradlab.kinks: the watch a check's process keeps on declared kinks while validate grades the solution."""

import types
import unittest

import numpy as np

from gradlab import kinks

RELU = "the ReLU's derivative jumps there"


def module_with(source):
    module = types.ModuleType("watched_exercise")
    exec(source, vars(module))
    return module


SOURCE = '''
import numpy as np

def backward(params, cache, out, y):
    return {"b1": (cache["Z1"] > 0).sum(axis=0)}

def train(params, X, steps=2):
    for _ in range(steps):
        Z1 = X @ params["W1"]
        backward(params, {"Z1": Z1}, None, None)  # called through the module, as a learner's loop does

class Value:
    def __init__(self, data):
        self.data = data

    def relu(self):
        return Value(max(self.data, 0.0))
'''


class WatchTest(unittest.TestCase):
    def watch(self, declared):
        module = module_with(SOURCE)
        namespace = {name: value for name, value in vars(module).items() if not name.startswith("__")}
        return kinks.Watch(declared, namespace, [module], np), namespace, module

    def test_calls_from_the_namespace_and_from_the_modules_own_code_are_watched(self):
        watch, namespace, module = self.watch([{"function": "backward", "value": "cache['Z1']", "why": RELU}])
        namespace["backward"]({}, {"Z1": np.array([[0.5, -2.0]])}, None, None)
        module.train({"W1": np.array([[1.0, -1.0]])}, np.array([[0.0], [3.0]]), steps=3)
        [seen] = watch.report()
        self.assertEqual(seen, {"distance": 0.0, "near": 3, "calls": 4, "error": None})
        self.assertIs(namespace["train"], module.train)  # only the declared function is replaced

    def test_the_answer_is_unchanged(self):
        _, namespace, _ = self.watch([{"function": "backward", "value": "cache['Z1']", "why": RELU}])
        result = namespace["backward"]({}, {"Z1": np.array([[0.5, -2.0, 1.0]])}, None, None)
        np.testing.assert_array_equal(result["b1"], [1, 0, 1])
        self.assertEqual(namespace["backward"].__name__, "backward")

    def test_a_method_is_watched_on_its_class(self):
        watch, namespace, _ = self.watch([{"function": "Value.relu", "value": "self.data", "why": RELU}])
        Value = namespace["Value"]
        self.assertEqual(Value(-3.0).relu().data, 0.0)
        Value(2e-9).relu()
        [seen] = watch.report()
        self.assertEqual((seen["calls"], seen["near"]), (2, 1))
        self.assertAlmostEqual(seen["distance"], 2e-9)

    def test_the_declaration_sets_where_the_kink_is_and_how_close_counts(self):
        watch, namespace, _ = self.watch([
            {"function": "backward", "value": "cache['Z1']", "at": 1.0, "tolerance": 0.1, "why": "a step at 1"}])
        namespace["backward"]({}, {"Z1": np.array([0.0, 0.95, np.nan, np.inf])}, None, None)
        namespace["backward"]({}, {"Z1": np.array([0.0, 2.0])}, None, None)
        [seen] = watch.report()
        self.assertEqual((seen["calls"], seen["near"]), (2, 1))
        self.assertAlmostEqual(seen["distance"], 0.05)

    def test_lists_of_arrays_and_comprehensions_over_the_arguments(self):
        watch, namespace, _ = self.watch([{"function": "backward", "why": RELU,
                                           "value": "[cache[k] for k in sorted(cache) if k.startswith('Z')]"}])
        namespace["backward"]({}, {"Z1": np.array([3.0]), "Z2": np.array([[-0.25]]), "A1": np.zeros(2)}, None, None)
        [seen] = watch.report()
        self.assertEqual(seen["distance"], 0.25)
        self.assertIsNone(seen["error"])

    def test_a_wrong_declaration_is_said_and_the_call_still_answers(self):
        watch, namespace, _ = self.watch([
            {"function": "backward", "value": "cache['Z9']", "why": RELU},
            {"function": "forward", "value": "z", "why": RELU},
            {"function": "Value.tanh", "value": "self.data", "why": RELU},
            {"function": "backward", "value": "'text'", "why": RELU},
        ])
        result = namespace["backward"]({}, {"Z1": np.array([1.0])}, None, None)
        self.assertEqual(result["b1"], 1)
        errors = [seen["error"] for seen in watch.report()]
        self.assertEqual(errors, ["KeyError: 'Z9'", "LookupError: the exercise's files define no `forward`",
                                  "LookupError: `Value` has no method `tanh`",
                                  "ValueError: could not convert string to float: 'text'"])

    def test_findings_keep_only_what_came_near_or_did_not_evaluate(self):
        declared = [{"function": "backward", "value": "cache['Z1']", "why": RELU},
                    {"function": "Value.relu", "value": "self.data", "why": RELU},
                    {"function": "forward", "value": "z", "why": RELU}]
        seen = [{"distance": 0.0, "near": 2, "calls": 5, "error": None},
                {"distance": 0.3, "near": 0, "calls": 9, "error": None},
                {"distance": None, "near": 0, "calls": 0, "error": "LookupError: no forward"}]
        self.assertEqual(kinks.findings("oracle", declared, seen), [
            {"check": "oracle", "function": "backward", "value": "cache['Z1']", "at": 0.0, "calls": 2, "of": 5,
             "why": RELU, "distance": 0.0},
            {"check": "oracle", "function": "forward", "value": "z", "at": 0.0, "calls": 0, "of": 0, "why": RELU,
             "error": "LookupError: no forward"}])
        self.assertEqual(kinks.findings("oracle", declared, None), [])

    def test_training_runs_and_checks_about_the_kink_are_not_watched(self):
        exercise = {"kinks": [{"function": "backward", "value": "cache['Z1']", "why": RELU}]}
        self.assertEqual(kinks.watched_for(exercise, {"id": "a", "kind": "test"}), exercise["kinks"])
        self.assertEqual(kinks.watched_for(exercise, {"id": "b", "kind": "run"}), [])
        self.assertEqual(kinks.watched_for(exercise, {"id": "c", "kind": "test", "onKink": "both sides pass"}), [])
        self.assertEqual(kinks.watched_for({}, {"id": "d", "kind": "test"}), [])


if __name__ == "__main__":
    unittest.main()

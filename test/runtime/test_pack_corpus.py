"""The built-in pack against code written in other styles, through the real worker with hidden tests as code (as
`gradlab grade` runs them): correct implementations written the way other courses and libraries write them pass
every check, and the usual mistakes get words that name them, asserted word for word where the words matter.

A case is the exercise's authoring file (which runs as its solution) with exact ``[old, new]`` edits."""

import json
import os
import shutil
import tempfile
import unittest

from .corpus import edited
from .worker_client import REPO, WorkerProcess

PACK = os.path.join(REPO, "exercises", "training-from-scratch")
SHIFT = "    shifted = logits - logits.max(axis=1, keepdims=True)\n    e = np.exp(shifted)\n"  # 08's softmax

# exercise -> (learner file, {case: (edits, {check id: "passed" or the words its message or diagnosis holds})})
CASES = {
    "07-mlp-backward": ("mlp.py", {
        # CS231n's relu_backward zeroes only the negative inputs: right, and different from (Z1 > 0) only at 0
        "cs231n-mask": ([["    d_Z1 = d_A1 * (Z1 > 0)\n", "    d_Z1 = d_A1.copy()\n    d_Z1[Z1 < 0] = 0.0\n"]], "all"),
        "mask-from-activations": ([["d_A1 * (Z1 > 0)", "d_A1 * (A1 > 0)"]], "all"),
        "loops-over-examples": ([[
            "    d_out = 2.0 * (out - y) / out.size\n    d_A1 = d_out @ params[\"W2\"].T\n"
            "    d_Z1 = d_A1 * (Z1 > 0)\n    return {\n        \"W1\": X.T @ d_Z1,\n"
            "        \"b1\": d_Z1.sum(axis=0, keepdims=True),\n        \"W2\": A1.T @ d_out,\n"
            "        \"b2\": d_out.sum(axis=0, keepdims=True),\n    }\n",
            "    grads = {name: np.zeros_like(value) for name, value in params.items()}\n"
            "    for n in range(len(X)):\n"
            "        d_o = 2.0 * (out[n] - y[n]) / out.size\n"
            "        d_z = (params[\"W2\"] @ d_o) * (Z1[n] > 0)\n"
            "        grads[\"W2\"] += np.outer(A1[n], d_o)\n        grads[\"b2\"] += d_o\n"
            "        grads[\"W1\"] += np.outer(X[n], d_z)\n        grads[\"b1\"] += d_z\n"
            "    return grads\n"]], "all"),
        # lesson 001's d_out divides by the rows; on the 3-8-2 network the mean runs over all N * 2 elements
        "mean-over-rows": ([["d_out = 2.0 * (out - y) / out.size", "d_out = 2.0 * (out - y) / len(out)"]], {
            "backward-fd": "passed",
            "backward-fd-wide": "are each 2 times the numeric gradient, and every sample has 2 values: the loss "
                                "averages all N x 2 elements, so the gradient divides by that (out.size), not by the "
                                "N rows",
        }),
        # an answer of the wrong form: the test says what came back, in the learner's terms
        "flat-dW1": ([['        "W1": X.T @ d_Z1,', '        "W1": (X.T @ d_Z1).ravel(),']], {
            "dead-units": "the test could not use what `backward` returned, a dict (W1: an array of shape (64,); b1: "
                          "an array of shape (1, 64); W2: an array of shape (64, 1); b2: an array of shape (1, 1)): "
                          "it has fewer dimensions than the test indexes",
            "backward-fd": "has the right values but shape (64,) where W1 has shape (1, 64)",
        }),
        "sum-not-mean": ([["d_out = 2.0 * (out - y) / out.size", "d_out = 2.0 * (out - y)"]], {
            "backward-fd": "are each N = 20 times the numeric gradient: it sums over the 20 samples where the loss "
                           "takes their mean (divide by N, or use .mean()).",
            "sine-run": "this follows from what `backward-fd` found",
        }),
    }),
    "04-value-mul": ("engine.py", {
        "mul-forgets-the-other-operand": ([["            other.grad += self.data * out.grad\n", ""]], {
            "mul-graphs": "__mul__",
        }),
    }),
    "08-cross-entropy": ("cross_entropy.py", {
        "no-max-shift": ([[SHIFT, "    shifted = logits\n    e = np.exp(shifted)\n"]], {
            "softmax-stable": "softmax([[1000, 1001, 1002], [0, 1, 2]]) gave [[nan, nan, nan], [0.09, 0.2447, 0.6652]]:"
                              " exp(1000) overflows to inf, and inf / inf is nan. Subtract each row's maximum before "
                              "exp; the probabilities do not change.",
        }),
        "one-maximum-for-the-array": ([[SHIFT, "    shifted = logits - logits.max()\n    e = np.exp(shifted)\n"]], {
            "softmax-stable": "the row [0, 1, 2] was shifted by a maximum that is not its own (the whole array's "
                              "1002, or a column's), so exp(0 - 1002) underflows to 0 and 0 / 0 is nan. Subtract each "
                              "row's own maximum: logits.max(axis=1, keepdims=True).",
        }),
        "log-softmax-style": ([["    shifted = logits - logits.max(axis=1, keepdims=True)\n    e = np.exp(shifted)\n"
                                "    return e / e.sum(axis=1, keepdims=True)\n",
                                "    top = logits.max(axis=1, keepdims=True)\n"
                                "    log_z = top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True))\n"
                                "    return np.exp(logits - log_z)\n"]], "all"),
    }),
    "10-adam": ("optim.py", {
        # Kingma and Ba's Algorithm 1 with the step size folded into lr_t: eps sits beside sqrt(v)
        "paper-lr_t-form": ([["            m_hat = m / correction1\n            v_hat = v / correction2\n"
                              "            p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)\n",
                              "            lr_t = self.lr * np.sqrt(correction2) / correction1\n"
                              "            p.data -= lr_t * m / (np.sqrt(v) + self.eps)\n"]], "all"),
        # PyTorch's own arrangement: the bias corrections divided out of the denominator and the step size
        "pytorch-form": ([["            m_hat = m / correction1\n            v_hat = v / correction2\n"
                           "            p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)\n",
                           "            denominator = np.sqrt(v) / np.sqrt(correction2) + self.eps\n"
                           "            p.data -= (self.lr / correction1) * m / denominator\n"]], "all"),
        "no-bias-correction": ([["            m_hat = m / correction1\n            v_hat = v / correction2\n",
                                 "            m_hat, v_hat = m, v\n"]], {
            "first-step": "every step moved the parameters exactly as an Adam in which m and v are used without "
                          "their bias correction would: divide m by (1 - beta1**t) and v by (1 - beta2**t)",
            "adam-trajectory": "At step 1, optimizer.step() moved the parameters exactly as an Adam in which m and v "
                               "are used without their bias correction would.",
        }),
        "eps-inside-the-root": ([["(np.sqrt(v_hat) + self.eps)", "np.sqrt(v_hat + self.eps)"]], {
            "eps-outside-sqrt": "every step moved the parameters exactly as an Adam in which eps is inside the square "
                                "root would: the denominator is np.sqrt(v_hat) + eps, not np.sqrt(v_hat + eps)",
            "three-steps": "passed",
        }),
    }),
}


class PackCorpusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="gradlab-pack-corpus-")
        cls.worker = WorkerProcess()
        with open(os.path.join(PACK, "pack.json"), encoding="utf-8") as manifest:
            cls.exercises = {e["id"]: e for e in json.load(manifest)["exercises"]}

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()
        shutil.rmtree(cls.folder, ignore_errors=True)

    def results(self, exercise, learner, edits):
        folder = tempfile.mkdtemp(dir=self.folder)
        authoring = os.path.join(PACK, exercise)
        with open(os.path.join(authoring, learner), encoding="utf-8") as file:
            text = edited(file.read(), edits, f"{exercise}/{learner}")
        with open(os.path.join(folder, learner), "w", encoding="utf-8") as file:
            file.write(text)
        # the authoring files run as the solution: the given code, and the reference, come from them
        reply = self.worker.check(folder, exercise=self.exercises[exercise], pack=PACK, given=authoring,
                                  reference=authoring, limits={"timeoutS": 30}, seed=7, timeout=240)
        self.assertNotIn("error", reply, reply.get("error"))
        return {r["id"]: r for r in reply["result"]["checks"]}

    def test_every_case(self):
        for exercise, (learner, cases) in CASES.items():
            for name, (edits, expect) in cases.items():
                with self.subTest(exercise=exercise, case=name):
                    results = self.results(exercise, learner, edits)
                    wanted = {check: "passed" for check in results} if expect == "all" else expect
                    for check, words in wanted.items():
                        result = results[check]
                        said = " ".join(filter(None, [result["message"], result.get("diagnosis"),
                                                      (result.get("instructor") or {}).get("message"),
                                                      (result.get("instructor") or {}).get("diagnosis")]))
                        if words == "passed":
                            self.assertEqual(result["status"], "passed", f"{check}: {said}")
                        else:
                            self.assertEqual(result["status"], "failed", f"{check}: {said}")
                            self.assertIn(words, said, check)


if __name__ == "__main__":
    unittest.main()

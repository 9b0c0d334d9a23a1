"""Tests of exercise 09: shuffled mini-batches of 32 and the 2-8-1 network learning XOR.

Shuffling is random, so the hidden tests ask the submission only questions whose answers every
correct implementation shares (sizes, sets, yes/no), never for a particular order.
"""

import numpy as np

from gradlab.testing import close, equal, fail, test

IDS = np.arange(100.0)
X_IDS = np.column_stack([IDS, -IDS])
Y_IDS = 10 * IDS


def epoch_batches(sub, seed, n=100, batch_size=32):
    return sub.eval("minibatches(X, y, batch_size, np.random.default_rng(seed))",
                    X=X_IDS[:n], y=Y_IDS[:n], batch_size=batch_size, seed=seed)


@test("each-example-once")
def each_example_once(sub):
    batches = epoch_batches(sub, 0)
    equal([len(yb) for _, yb in batches], [32, 32, 32, 4], what="the batch sizes for 100 examples in batches of 32")
    seen = np.concatenate([xb[:, 0] for xb, _ in batches])
    close(np.sort(seen), IDS, what="the examples of one epoch, sorted (each exactly once)")
    if np.array_equal(seen, IDS):
        fail("the batches follow the data's own order: shuffle before cutting them")
    for xb, yb in batches:
        close(yb, 10 * xb[:, 0], what="labels in a batch (each must stay with its own row)")


@test("new-order-each-epoch")
def new_order_each_epoch(sub):
    first, second = sub.eval("[minibatches(X, y, 32, rng) for rng in [np.random.default_rng(7)] for _ in range(2)]",
                             X=X_IDS, y=Y_IDS)
    order_1 = np.concatenate([xb[:, 0] for xb, _ in first])
    order_2 = np.concatenate([xb[:, 0] for xb, _ in second])
    close(np.sort(order_2), IDS, what="the second epoch's examples, sorted")
    if np.array_equal(order_1, order_2):
        fail("two epochs drawn from the same generator came out in the same order: draw a new permutation "
             "from rng on every call")


@test("xor-learned")
def xor_learned(sub):
    X, y = sub.eval("make_xor(np.random.default_rng(42))")
    params, losses = sub.eval("train(init_params(np.random.default_rng(1)), X, y, np.random.default_rng(2))", X=X, y=y)
    equal(len(losses), 500, what="len(losses) for the default 500 epochs")
    acc = sub.accuracy(params, X, y)
    if acc < 0.95:
        fail(f"after 500 epochs at learning rate 0.05 the network classifies {acc:.0%} of the XOR points "
             f"correctly (loss {losses[0]:.3f} -> {losses[-1]:.3f}); a working loop reaches 100%")


@test("uses-given-rng")
def uses_given_rng(sub):
    same = sub.eval(
        "all(np.array_equal(a, b) for (a, _), (b, _) in "
        "zip(minibatches(X, y, 8, np.random.default_rng(5)), minibatches(X, y, 8, np.random.default_rng(5))))",
        X=X_IDS, y=Y_IDS)
    equal(same, True, what="two epochs from two generators with the same seed are identical")


@test("partial-last-batch")
def partial_last_batch(sub):
    sizes = sub.eval("sorted(len(yb) for _, yb in minibatches(X, y, 32, np.random.default_rng(1)))",
                     X=X_IDS[:70], y=Y_IDS[:70])
    equal(sizes, [6, 32, 32], what="the sorted batch sizes for 70 examples in batches of 32")
    sizes = sub.eval("sorted(len(yb) for _, yb in minibatches(X, y, 25, np.random.default_rng(1)))",
                     X=X_IDS[:50], y=Y_IDS[:50])
    equal(sizes, [25, 25], what="the sorted batch sizes for 50 examples in batches of 25")


@test("pairs-stay-together")
def pairs_stay_together(sub):
    together = sub.eval("all(np.array_equal(yb, 10 * xb[:, 0])"
                        " for xb, yb in minibatches(X, y, 16, np.random.default_rng(3)))",
                        X=X_IDS, y=Y_IDS)
    equal(together, True, what="every label stays with its own row")


@test("xor-learned-again")
def xor_learned_again(sub):
    learned = sub.eval("accuracy(train(init_params(np.random.default_rng(3)), X, y, np.random.default_rng(4))[0], X, y)"
                       " >= 0.95",
                       X=sub.eval("make_xor(np.random.default_rng(42))[0]"),
                       y=sub.eval("make_xor(np.random.default_rng(42))[1]"))
    equal(learned, True, what="XOR learned to at least 95% from another initialisation")


@test("loss-after-each-epoch")
def loss_after_each_epoch(sub):
    matches = sub.eval(
        "(lambda result: len(result[1]) == 7 and abs(result[1][-1] - bce(forward(result[0], X)[0], y)) < 1e-9)"
        "(train(init_params(np.random.default_rng(1)), X, y, np.random.default_rng(2), epochs=7))",
        X=sub.eval("make_xor(np.random.default_rng(42))[0]"), y=sub.eval("make_xor(np.random.default_rng(42))[1]"))
    equal(matches, True,
          what="train(..., epochs=7) returns 7 losses, the last being the loss of the returned parameters")


@test("order-matters")
def order_matters(sub):
    differs = sub.eval(
        "not np.allclose("
        "train(init_params(np.random.default_rng(1)), X, y, np.random.default_rng(5), epochs=1)[0]['W1'],"
        " train(init_params(np.random.default_rng(1)), X, y, np.random.default_rng(6), epochs=1)[0]['W1'])",
        X=sub.eval("make_xor(np.random.default_rng(42))[0]"), y=sub.eval("make_xor(np.random.default_rng(42))[1]"))
    equal(differs, True, what="one epoch from two different shuffles ends at different parameters "
                              "(each update must use its own batch's gradient)")

"""Tests of exercise 09: shuffled mini-batches of 32 and the 2-8-1 network learning XOR.

The data sets and starting parameters come from the pack's given code (make_xor, init_params), and the losses
and accuracies a verdict rests on are computed by it too, never by the submission's process. Shuffling is
random, so the hidden tests ask the submission only questions whose answers every correct implementation shares
(sizes, sorted contents, yes/no, or runs whose result does not depend on the order), never for a particular
order; they also draw their data, seeds and sizes at random, different in every graded run.
"""

import numpy as np

from gradlab.testing import close, equal, fail, test

IDS = np.arange(100.0)
X_IDS = np.column_stack([IDS, -IDS])
Y_IDS = 10 * IDS
TRAIN = "train(params, X, y, np.random.default_rng(seed), **options)"
NAMES = ["W1", "W2", "b1", "b2"]


def epoch_batches(sub, seed, n=100, batch_size=32):
    return sub.eval("minibatches(X, y, batch_size, np.random.default_rng(seed))",
                    X=X_IDS[:n], y=Y_IDS[:n], batch_size=batch_size, seed=seed)


def random_ids(rng, n):
    """(X, y) like X_IDS, Y_IDS for n different random ids: rows (id, -id), labels 10 * id."""
    ids = rng.choice(1000, size=n, replace=False).astype(float)
    return np.column_stack([ids, -ids]), 10 * ids


def seed_of(rng):
    return int(rng.integers(1 << 31))


def xor_data(given, seed):
    X, y = given.eval("make_xor(np.random.default_rng(seed))", seed=seed)
    return X, y


def start(given, seed):
    return given.eval("init_params(np.random.default_rng(seed))", seed=seed)


def trained(sub, params, X, y, seed, **options):
    """(params, losses) of the submission's train(params, X, y, default_rng(seed), **options), checked for form."""
    result = sub.eval(TRAIN, params=params, X=X, y=y, seed=seed, options=options)
    if not (isinstance(result, (tuple, list)) and len(result) == 2 and isinstance(result[0], dict)
            and sorted(result[0]) == NAMES):
        fail(f"train returned {type(result).__name__} {str(result)[:80]}; return (params, losses), params being a "
             "dict with the keys W1, b1, W2, b2")
    return result


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
def xor_learned(sub, given):
    X, y = xor_data(given, 42)
    params, losses = trained(sub, start(given, 1), X, y, 2)
    equal(len(losses), 500, what="len(losses) for the default 500 epochs")
    acc = given.accuracy(params, X, y)
    if acc < 0.95:
        fail(f"after 500 epochs at learning rate 0.05 the network classifies {acc:.0%} of the XOR points "
             f"correctly (loss {losses[0]:.3f} -> {losses[-1]:.3f}); a working loop reaches 100%")


@test("uses-given-rng")
def uses_given_rng(sub, rng):
    X, y = random_ids(rng, int(rng.integers(20, 121)))
    for X, y, batch_size, seed in ((X_IDS, Y_IDS, 8, 5), (X, y, int(rng.integers(4, 41)), seed_of(rng))):
        same = sub.eval(
            "all(np.array_equal(a, b) for (a, _), (b, _) in zip(minibatches(X, y, batch_size, np.random.default_rng"
            "(seed)), minibatches(X, y, batch_size, np.random.default_rng(seed))))",
            X=X, y=y, batch_size=batch_size, seed=seed)
        equal(same, True, what=f"two epochs of {len(X)} examples in batches of {batch_size} from two generators "
                               "with the same seed are identical")


@test("partial-last-batch")
def partial_last_batch(sub, rng):
    n, batch_size = int(rng.integers(20, 121)), int(rng.integers(5, 40))
    X, y = random_ids(rng, n)
    random_sizes = sorted([batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else []))
    for X, y, batch_size, sizes in ((X_IDS[:70], Y_IDS[:70], 32, [6, 32, 32]), (X_IDS[:50], Y_IDS[:50], 25, [25, 25]),
                                    (X, y, batch_size, random_sizes)):
        got = sub.eval("sorted(len(yb) for _, yb in minibatches(X, y, batch_size, np.random.default_rng(seed)))",
                       X=X, y=y, batch_size=batch_size, seed=seed_of(rng))
        equal(got, sizes, what=f"the sorted batch sizes for {len(X)} examples in batches of {batch_size}")


@test("pairs-stay-together")
def pairs_stay_together(sub, rng):
    X, y = random_ids(rng, int(rng.integers(20, 121)))
    for X, y, batch_size, seed in ((X_IDS, Y_IDS, 16, 3), (X, y, int(rng.integers(4, 41)), seed_of(rng))):
        rows = sub.eval("(lambda rows: rows[np.argsort(rows[:, 0])])(np.concatenate([np.column_stack([xb, yb]) "
                        "for xb, yb in minibatches(X, y, batch_size, np.random.default_rng(seed))]))",
                        X=X, y=y, batch_size=batch_size, seed=seed)
        order = np.argsort(X[:, 0])
        close(rows, np.column_stack([X[order], y[order]]),
              what=f"the rows and labels of one epoch of {len(X)} examples in batches of {batch_size}, sorted by row "
                   "(every label must stay with its own row)")


@test("xor-learned-again")
def xor_learned_again(sub, given, rng):
    # a yes/no answer, asked of the submission's process with the pack's forward pass written out in NumPy: the
    # trained parameters depend on the order drawn, which differs between correct implementations. A random start
    # gets a second try, because about one random start in 3,000 leaves even the reference below 95%.
    learned = ("any(float(np.mean(((np.maximum(0.0, X @ p['W1'] + p['b1']) @ p['W2'] + p['b2'])[:, 0] > 0.0)"
               " == (y > 0.5))) >= 0.95 for p in (train(params, X, y, np.random.default_rng(seed))[0] "
               "for params, seed in starts))")
    X, y = xor_data(given, 42)
    equal(sub.eval(learned, starts=[(start(given, 3), 4)], X=X, y=y), True,
          what="XOR learned to at least 95% from another initialisation")
    X, y = xor_data(given, seed_of(rng))
    starts = [(start(given, seed_of(rng)), seed_of(rng)) for _ in range(2)]
    equal(sub.eval(learned, starts=starts, X=X, y=y), True,
          what="XOR learned to at least 95% from random data and initialisations (one of two tries)")


@test("loss-after-each-epoch")
def loss_after_each_epoch(sub, given, rng):
    X, y = xor_data(given, seed_of(rng))
    params = start(given, seed_of(rng))
    epochs, learning_rate = int(rng.integers(3, 9)), round(float(rng.uniform(0.05, 0.5)), 3)
    # one batch per epoch: the result does not depend on the order, so every loss and the parameters are known
    expected_params, expected_losses = params, []
    for _ in range(epochs):
        yhat, cache = given.forward(expected_params, X)
        expected_params = given.sgd_update(expected_params, given.backward(expected_params, cache, yhat, y),
                                           learning_rate)
        expected_losses.append(given.bce(given.forward(expected_params, X)[0], y))
    got, losses = trained(sub, params, X, y, seed_of(rng), learning_rate=learning_rate, epochs=epochs,
                          batch_size=len(X))
    run = f"train(..., learning_rate={learning_rate:g}, epochs={epochs}, batch_size={len(X)}) on {len(X)} XOR points"
    equal(len(losses), epochs, what=f"len(losses) of {run}")
    close(losses, expected_losses, rtol=1e-6,
          what=f"the losses of {run}: each the loss on all the data after its epoch's update")
    close(got, expected_params, rtol=1e-6, what=f"the parameters after {run}")
    # several batches at learning rate 0: nothing moves, and every epoch's loss is that of the whole data set
    epochs, batch_size = int(rng.integers(2, 6)), int(rng.choice([16, 24, 32, 48]))
    got, losses = trained(sub, params, X, y, seed_of(rng), learning_rate=0.0, epochs=epochs, batch_size=batch_size)
    run = f"train(..., learning_rate=0, epochs={epochs}, batch_size={batch_size}) on {len(X)} XOR points"
    equal(len(losses), epochs, what=f"len(losses) of {run}: one loss per epoch")
    close(losses, [given.bce(given.forward(params, X)[0], y)] * epochs, rtol=1e-6,
          what=f"the losses of {run}: the loss on all {len(X)} points, not on a batch")


@test("order-matters")
def order_matters(sub, given, rng):
    differs = ("not np.allclose(train(params, X, y, np.random.default_rng(first), epochs=1)[0]['W1'],"
               " train(params, X, y, np.random.default_rng(second), epochs=1)[0]['W1'])")
    for data, init, first, second in ((42, 1, 5, 6), (seed_of(rng), seed_of(rng), seed_of(rng), seed_of(rng))):
        X, y = xor_data(given, data)
        equal(sub.eval(differs, params=start(given, init), X=X, y=y, first=first, second=second), True,
              what="one epoch from two different shuffles ends at different parameters "
                   "(each update must use its own batch's gradient)")
    # copies of one point: every batch has the same gradient whatever the order, so one epoch is known exactly
    X, y = xor_data(given, seed_of(rng))
    copies, batch_size = int(rng.integers(40, 101)), int(rng.integers(8, 33))
    point = int(rng.integers(len(X)))
    X, y = np.repeat(X[point:point + 1], copies, axis=0), np.repeat(y[point:point + 1], copies)
    params = expected = start(given, seed_of(rng))
    updates = -(-copies // batch_size)
    for _ in range(updates):
        yhat, cache = given.forward(expected, X[:1])
        expected = given.sgd_update(expected, given.backward(expected, cache, yhat, y[:1]), 0.05)
    got, _ = trained(sub, params, X, y, seed_of(rng), epochs=1, batch_size=batch_size)
    close(got, expected, rtol=1e-6,
          what=f"the parameters after one epoch over {copies} copies of one point in batches of {batch_size}: "
               f"{updates} updates, one per batch")

"""Mini-batch gradient descent: shuffle every epoch, cut the shuffled data into batches, one update
per batch."""

from network import backward, bce, forward, sgd_update


def minibatches(X, y, batch_size, rng):
    """One epoch's batches: a list of (X_batch, y_batch) covering every example exactly once, in a
    new random order drawn from rng; the last batch may be smaller."""
    # BEGIN SOLUTION
    order = rng.permutation(len(X))
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]]) for i in range(0, len(X), batch_size)]
    # END SOLUTION
    # BEGIN STARTER
    # TODO: draw a random order of the row indices from rng (not from np.random), then slice it into
    # consecutive chunks of batch_size. Index X and y with the same chunk so pairs stay together.
    raise NotImplementedError("minibatches: return a list of (X_batch, y_batch)")
    # END STARTER


def train(params, X, y, rng, learning_rate=0.05, epochs=500, batch_size=32):
    """Returns (params, losses): the trained parameters and, for each epoch, the loss on all of
    X, y after that epoch's updates."""
    # BEGIN SOLUTION
    losses = []
    for _ in range(epochs):
        for X_batch, y_batch in minibatches(X, y, batch_size, rng):
            yhat, cache = forward(params, X_batch)
            params = sgd_update(params, backward(params, cache, yhat, y_batch), learning_rate)
        losses.append(bce(forward(params, X)[0], y))
    return params, losses
    # END SOLUTION
    # BEGIN STARTER
    # TODO: for every epoch, for every batch from minibatches(...): forward, backward, sgd_update.
    # After each epoch, append bce of the whole data set.
    raise NotImplementedError("train: return (params, losses)")
    # END STARTER

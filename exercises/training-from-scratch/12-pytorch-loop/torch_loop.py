"""The regression of exercise 02 again, with PyTorch doing the calculus.

The model is y_hat = w * x + b and the loss the mean squared error, on the lesson's three
shipments (1, 3), (2, 5), (3, 7). x and y are NumPy arrays for the gradient functions; train()
receives tensors.
"""

import numpy as np

try:
    import torch
    from torch import nn
except ModuleNotFoundError as error:
    raise ModuleNotFoundError(
        "This exercise needs PyTorch, which the Python that Gradient Lab runs does not have. Install it "
        "into that environment (for example: python -m pip install torch) or choose an interpreter that has it."
    ) from error


def mse_loss(w, b, x, y):
    """Given: the mean squared error of exercise 02, in NumPy."""
    return float(np.mean((w * x + b - y) ** 2))


def make_model():
    """Given: nn.Linear(1, 1) in float64, with its weight and bias at zero."""
    model = nn.Linear(1, 1).double()
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    return model


def fit(x, y, learning_rate=0.04, epochs=20):
    """Given: train make_model() with SGD through your train(); returns (w, b, losses) as in exercise 02."""
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    features = torch.as_tensor(np.asarray(x, dtype=float).reshape(-1, 1))
    targets = torch.as_tensor(np.asarray(y, dtype=float).reshape(-1, 1))
    losses = train(model, features, targets, optimizer, epochs)
    return model.weight.item(), model.bias.item(), losses


def numpy_gradients(w, b, x, y):
    """(dL/dw, dL/db) of mse_loss, derived by hand, as floats."""
    # BEGIN SOLUTION
    error = w * x + b - y
    return float(2 * np.mean(error * x)), float(2 * np.mean(error))
    # END SOLUTION
    # BEGIN STARTER
    # TODO: the two formulas of exercise 02.
    raise NotImplementedError("numpy_gradients: return (grad_w, grad_b)")
    # END STARTER


def torch_gradients(w, b, x, y):
    """The same pair, computed by autograd: no derivative written by hand. Returns floats."""
    # BEGIN SOLUTION
    w_t = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    b_t = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    x_t = torch.as_tensor(np.asarray(x, dtype=float))
    y_t = torch.as_tensor(np.asarray(y, dtype=float))
    loss = ((w_t * x_t + b_t - y_t) ** 2).mean()
    loss.backward()
    return w_t.grad.item(), b_t.grad.item()
    # END SOLUTION
    # BEGIN STARTER
    # TODO: make w and b tensors that require gradients, write the loss with tensor operations,
    # call backward() on it, and read .grad (as Python floats, with .item()).
    raise NotImplementedError("torch_gradients: return (grad_w, grad_b) from autograd")
    # END STARTER


def train(model, x, y, optimizer, epochs):
    """Full-batch training with nn.MSELoss; returns each epoch's loss (a float), measured before its
    update."""
    # BEGIN SOLUTION
    loss_fn = nn.MSELoss()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    # END SOLUTION
    # BEGIN STARTER
    # TODO: the five lines of every PyTorch loop, once per epoch: clear the gradients, compute the
    # loss, backward, step; and record the loss as a float.
    raise NotImplementedError("train: return the list of losses")
    # END STARTER

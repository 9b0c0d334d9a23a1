"""Plain stochastic gradient descent over Parameters, and the loop that trains with it."""

from layers import mse


class SGD:
    def __init__(self, parameters, lr):
        self.parameters = list(parameters)
        self.lr = lr

    def step(self):
        """Move every parameter against the gradient accumulated in it."""
        for p in self.parameters:
            p.data -= self.lr * p.grad

    def zero_grad(self):
        """Clear every parameter's accumulated gradient, keeping its array and shape."""
        # BEGIN SOLUTION
        for p in self.parameters:
            p.grad[...] = 0.0
        return
        # END SOLUTION
        # BEGIN STARTER
        # TODO: set every element of each parameter's .grad to 0. Keep it an array of the parameter's
        # shape, because backward() adds into it with +=.
        raise NotImplementedError("SGD.zero_grad: clear each parameter's .grad")
        # END STARTER


def train(model, x, y, optimizer, epochs):
    """Full-batch training; returns the loss of each epoch, measured before its update."""
    losses = []
    for _ in range(epochs):
        # BEGIN SOLUTION
        optimizer.zero_grad()
        # END SOLUTION
        # BEGIN STARTER
        # TODO: this loop runs, but every epoch's gradient is added on top of the previous ones.
        # One line is missing; where must it go?
        # END STARTER
        pred = model.forward(x)
        loss, grad_pred = mse(pred, y)
        model.backward(grad_pred)
        optimizer.step()
        losses.append(loss)
    return losses

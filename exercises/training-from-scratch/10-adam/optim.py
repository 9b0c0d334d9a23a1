"""Two optimizers over Parameters: plain SGD, and Adam."""

import numpy as np


class SGD:
    def __init__(self, parameters, lr):
        self.parameters = list(parameters)
        self.lr = lr

    def zero_grad(self):
        for p in self.parameters:
            p.grad[...] = 0.0

    def step(self):
        for p in self.parameters:
            p.data -= self.lr * p.grad


class Adam:
    """Adam (Kingma and Ba, 2015): a step size per parameter element, from running averages of the
    gradient (m, the first moment) and of its square (v, the second moment)."""

    def __init__(self, parameters, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        self.parameters = list(parameters)
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m = [np.zeros_like(p.data) for p in self.parameters]
        self.v = [np.zeros_like(p.data) for p in self.parameters]

    def zero_grad(self):
        for p in self.parameters:
            p.grad[...] = 0.0

    def step(self):
        """One Adam update of every parameter from its current .grad."""
        # BEGIN SOLUTION
        self.t += 1
        correction1 = 1.0 - self.beta1 ** self.t
        correction2 = 1.0 - self.beta2 ** self.t
        for p, m, v in zip(self.parameters, self.m, self.v):
            m[...] = self.beta1 * m + (1.0 - self.beta1) * p.grad
            v[...] = self.beta2 * v + (1.0 - self.beta2) * p.grad ** 2
            m_hat = m / correction1
            v_hat = v / correction2
            p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return
        # END SOLUTION
        # BEGIN STARTER
        # TODO: count this step in self.t; for each parameter update its m and v in place (they are
        # running averages with weights beta1 and beta2), correct both for their start at zero, then
        # move the parameter by lr * m_hat / (sqrt(v_hat) + eps).
        raise NotImplementedError("Adam.step: update m, v and the parameters")
        # END STARTER

"""A scalar autograd engine in the style of micrograd.

Every Value holds one number (`data`), the derivative of the final output with respect to it
(`grad`, filled by `backward()`), the Values it was computed from, and a small function that pushes
its own gradient back into those parents.
"""


class Value:
    def __init__(self, data, _parents=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._parents = tuple(_parents)
        self._op = _op
        self._backward = lambda: None

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __neg__(self):
        out = Value(-self.data, (self,), "neg")

        def _backward():
            self.grad -= out.grad

        out._backward = _backward
        return out

    def __sub__(self, other):
        return self + (-other)

    def __mul__(self, other):
        # BEGIN SOLUTION
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out
        # END SOLUTION
        # BEGIN STARTER
        # TODO: wrap a plain number in a Value, build `out` from the product of the two data, and give
        # `out` a _backward that adds (the other factor's data * out.grad) to each factor's grad.
        raise NotImplementedError("Value.__mul__: build the product node and its _backward")
        # END STARTER

    def __rmul__(self, other):
        # BEGIN SOLUTION
        return self * other
        # END SOLUTION
        # BEGIN STARTER
        # TODO: `2.0 * v` ends up here with other = 2.0; the product is the same either way round.
        raise NotImplementedError("Value.__rmul__: handle number * Value")
        # END STARTER

    def __pow__(self, exponent):
        if not isinstance(exponent, (int, float)):
            raise TypeError("Value ** supports a constant int or float exponent only")
        out = Value(self.data ** exponent, (self,), f"**{exponent}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        """Fill `.grad` of every Value this one depends on, d(self)/d(node)."""
        order, seen = [], set()
        stack = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((parent, False) for parent in node._parents)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

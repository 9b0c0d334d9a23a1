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
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def __pow__(self, exponent):
        if not isinstance(exponent, (int, float)):
            raise TypeError("Value ** supports a constant int or float exponent only")
        out = Value(self.data ** exponent, (self,), f"**{exponent}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        """max(0, x), with the slope 1 where x > 0 and 0 elsewhere."""
        # BEGIN SOLUTION
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            if out.data > 0:
                self.grad += out.grad

        out._backward = _backward
        return out
        # END SOLUTION
        # BEGIN STARTER
        # TODO: build the output node and a _backward that passes out.grad through only where the
        # input was positive.
        raise NotImplementedError("Value.relu: build the ReLU node and its _backward")
        # END STARTER

    def backward(self):
        """Fill `.grad` of every Value this one depends on, d(self)/d(node)."""
        # BEGIN SOLUTION
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
        return
        # END SOLUTION
        # BEGIN STARTER
        # TODO: 1. list every node reachable through _parents, each exactly once, with every node
        #          placed after all of its parents (a topological order);
        #       2. set this node's grad to 1 (d self / d self);
        #       3. call each node's _backward, walking the list from this node back to the leaves.
        raise NotImplementedError("Value.backward: order the graph, then run each _backward once")
        # END STARTER

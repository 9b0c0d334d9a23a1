"""The grader's stand-in for an object that lives in the learner's process (a ``Value``, a model, a function).

Attribute reads, calls, operators and item access are forwarded to the learner's process; whatever comes back
is again plain or another handle. A handle never turns itself into a number or compares itself locally:
``float(handle)`` fails and ``handle == 3`` asks the learner's process, whose answer is a plain ``bool`` at best.
The test helpers in gradlab.testing refuse handles where a number or array is expected.
"""


class Handle:
    __slots__ = ("_sandbox", "_number", "_type")

    def __init__(self, sandbox, number, type_name):
        object.__setattr__(self, "_sandbox", sandbox)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_type", type_name)

    @property
    def type_name(self):
        """The class name of the object in the learner's process."""
        return self._type

    def to_json(self, sandbox):
        if sandbox is not self._sandbox:
            raise TypeError(f"this {self._type} belongs to another learner process (an earlier check?)")
        return {"$handle": self._number, "type": self._type}

    def __repr__(self):
        return f"<{self._type} in the learner's process>"

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # protocols such as __array__ are never probed remotely
        return self._sandbox.request({"op": "getattr", "target": self.to_json(self._sandbox), "name": name})

    def __setattr__(self, name, value):
        self._sandbox.request({"op": "setattr", "target": self.to_json(self._sandbox), "name": name,
                               "value": self._sandbox.encode(value)})

    def __call__(self, *args, **kwargs):
        sandbox = self._sandbox
        return sandbox.request({"op": "call", "target": self.to_json(sandbox),
                                "args": [sandbox.encode(a) for a in args],
                                "kwargs": {k: sandbox.encode(v) for k, v in kwargs.items()}})

    def _apply(self, name, *args):
        return self._sandbox.request({"op": "apply", "fn": name, "args": [self._sandbox.encode(a) for a in args]})

    def __iter__(self):
        return iter(self._apply("list", self))

    def __hash__(self):
        return hash((id(self._sandbox), self._number))


def _forward(name, reflected=False):
    if reflected:
        def method(self, other):
            return self._apply(name, other, self)
    else:
        def method(self, *others):
            return self._apply(name, self, *others)
    return method


for _dunder, _operator in {
    "add": "add", "sub": "sub", "mul": "mul", "truediv": "truediv", "floordiv": "floordiv", "mod": "mod",
    "pow": "pow", "matmul": "matmul", "and": "and_", "or": "or_", "xor": "xor", "lshift": "lshift",
    "rshift": "rshift",
}.items():
    setattr(Handle, f"__{_dunder}__", _forward(_operator))
    setattr(Handle, f"__r{_dunder}__", _forward(_operator, reflected=True))

for _dunder, _operator in {
    "neg": "neg", "pos": "pos", "abs": "abs", "invert": "invert", "lt": "lt", "le": "le", "eq": "eq",
    "ne": "ne", "gt": "gt", "ge": "ge", "getitem": "getitem", "setitem": "setitem", "delitem": "delitem",
    "contains": "contains", "len": "len", "bool": "bool",
}.items():
    setattr(Handle, f"__{_dunder}__", _forward(_operator))

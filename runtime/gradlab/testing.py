"""The test API for pack authors (docs/pack-format.md, "test").

A pack's tests.py binds implementations to the manifest's `test` checks with ``@test("check-id")``; each is a
plain function of ``sub``, the learner's submission, and passes when it returns without raising. The helpers
raise ``TestFailure`` with a message in plain words::

    @test("lesson-update")
    def lesson_update(sub):
        w, b = sub.sgd_step(1.0, 0.0, -8.0, -4.0, 0.1)
        close(w, 1.8, what="the new w after sgd_step(1, 0, -8, -4, 0.1)")

Tests run in the grader, never in the learner's process: every value they get from ``sub`` is already a plain
number, tuple, list, dict or NumPy array (or a handle on an object that stayed in the learner's process, which
these helpers refuse where a number is expected).

A test may also name two more parameters, ``given`` and ``rng``::

    @test("per-example-oracle")
    def per_example_oracle(sub, given, rng):
        x = np.sort(rng.uniform(-np.pi, np.pi, size=(5, 1)), axis=0)
        seed = int(rng.integers(1 << 31))  # a generator cannot travel to another process; its seed can
        params = given.eval("init_params(1, 64, 1, np.random.default_rng(seed))", seed=seed)
        out, cache = given.forward(params, x)
        grads = sub.backward(params, cache, out, y)

``given`` works like ``sub`` over the pack's own given code (the starter form of the learner's files), in a process
the learner's code cannot reach: draw the inputs a verdict rests on there, never with ``sub.eval`` of a given
function, whose answer the learner's process could change. ``rng`` is a NumPy generator seeded by the check and,
in ``gradlab grade``, by the grading run's own seed: inputs drawn from it are new in every graded run, so the
answers a learner release ships for its hidden tests buy nothing there.
"""

import math
import sys

from gradlab.sandbox.handles import Handle

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9
DEFAULT_WHAT = "the result"
SHOWN_ELEMENTS = 60  # arrays larger than this are summarised in expected/actual


class TestFailure(AssertionError):
    """A test's verdict: the learner's answer is wrong, and ``message`` says how."""

    __test__ = False  # not a test class, whatever a test runner thinks of the name

    def __init__(self, message, *, expected=None, actual=None, kind=None, names_cause=False):
        """``kind``: the kind of mistake in words that give away no input and no expected value, which is what a
        hidden test may tell a learner (a factor 2 dropped, a flipped sign, None returned, a transposed array).
        ``names_cause``: the message already says what in the code is wrong, so grading adds no other check's
        diagnosis to it."""
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual
        self.kind = kind
        self.names_cause = names_cause


def test(check_id):
    """Bind the decorated function to the manifest's `test` check ``check_id``."""
    if not isinstance(check_id, str) or not check_id:
        raise TypeError("@test needs the check id from the manifest, e.g. @test(\"lesson-update\")")

    def bind(function):
        function.gradlab_test = check_id
        return function

    return bind


test.__test__ = False


def fail(message, kind=None):
    """Fail the test with ``message``; ``kind``, the mistake in the code in words that give away no input (see
    TestFailure), is what a hidden test may say, and tells grading that the test named the cause itself."""
    raise TestFailure(str(message), kind=kind, names_cause=kind is not None)


# ---- describing values ----

def _numpy():
    return sys.modules.get("numpy")


def _is_array(value):
    numpy = _numpy()
    return numpy is not None and isinstance(value, numpy.ndarray)


def _is_number(value):
    return type(value) in (int, float)


def _kind(value):
    """A few words for what a value is, for messages."""
    if value is None:
        return "None"
    if isinstance(value, Handle):
        return f"a {value.type_name} object"
    if type(value) is bool:
        return repr(value)
    if _is_number(value):
        return "a number"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if _is_array(value):
        return "a single-number array" if value.ndim == 0 else f"an array of shape {tuple(value.shape)}"
    if isinstance(value, (list, tuple, dict)):
        count = len(value)
        noun = {list: "list", tuple: "tuple", dict: "dict"}[type(value)]
        return f"a {noun} of {count} item{'s' if count != 1 else ''}"
    return f"a {type(value).__name__}"


def describe_value(value):
    """What an answer is, in a few words (a dict also names its keys and what each holds)."""
    if isinstance(value, dict) and value and all(isinstance(key, str) for key in value):
        parts = [f"{key}: {_kind(item)}" for key, item in list(value.items())[:6]]
        more = f", and {len(value) - 6} more" if len(value) > 6 else ""
        return f"a dict ({'; '.join(parts)}{more})"
    return _kind(value)


def _pair(expected, actual):
    """Both numbers printed with the digits that show their difference: each printed value is within a hundredth of the
    difference of the true one (2.900001 and 2.90003, not 2.9 and 2.90003)."""
    if not (math.isfinite(expected) and math.isfinite(actual)):
        return f"{expected:.6g}", f"{actual:.6g}"
    near = abs(expected - actual) / 100
    for digits in range(6, 18):
        e, a = f"{expected:.{digits}g}", f"{actual:.{digits}g}"
        if e != a and abs(float(e) - expected) <= near and abs(float(a) - actual) <= near:
            return e, a
    return repr(expected), repr(actual)


def _nonfinite_words(number):
    if math.isnan(number):
        return "nan (not a number: 0/0, inf - inf, or a NaN that crept in earlier)"
    return f"{number} (an overflow, or a division by zero)"


def _none(what, expected_words):
    raise TestFailure(f"{what}: expected {expected_words}, but the code returned None — did you forget `return`?",
                      actual="None", kind="the code returned None where an answer belongs — did you forget `return`?")


def _relation(actual, expected):
    """How a wrong answer relates to the right one (a constant factor, the sign, all zeros, transposed); None when
    it relates in no way these name. It says what the numbers show, not why: a test does not know which step the
    factor came from, where a gradient check does (grading links the two, gradlab.grading.link_causes)."""
    import numpy

    a = numpy.asarray(actual, dtype=numpy.float64)
    e = numpy.asarray(expected, dtype=numpy.float64)
    if a.shape != e.shape or not numpy.all(numpy.isfinite(a)) or not numpy.any(e):
        return None
    if not numpy.any(a):
        return "the result is all zeros: was it left at its initial zero, or never computed?"
    flat_a, flat_e = a.ravel(), e.ravel()
    c = float(flat_a @ flat_e) / float(flat_e @ flat_e)
    if numpy.allclose(flat_a, c * flat_e, rtol=1e-6, atol=1e-12 * float(numpy.max(numpy.abs(flat_e)))):
        if abs(c + 1) < 1e-6:
            return "the result has the right size but the wrong sign"
        words = {0.5: "exactly half", 2.0: "exactly twice"}.get(round(c, 6), f"{c:.4g} times")
        return f"the result is {words} the right answer{'' if e.size == 1 else ', everywhere'}"
    if e.ndim == 2 and e.shape[0] == e.shape[1] > 1 and numpy.allclose(a.T, e):
        return "the result is the transpose of the right answer"
    return None


# ---- close ----

def close(actual, expected, rtol=DEFAULT_RTOL, atol=DEFAULT_ATOL, what=DEFAULT_WHAT):
    """``actual`` equals ``expected`` within ``|actual - expected| <= atol + rtol * |expected|``, element by element;
    numbers, arrays (or lists of numbers), and tuples, lists or dicts of them."""
    if isinstance(expected, bool) or not (_is_number(expected) or _is_array(expected)
                                          or isinstance(expected, (list, tuple, dict))):
        raise TypeError(f"close() compares numbers and arrays; the test passed {_kind(expected)} as expected")
    if _is_number(expected):
        _close_number(actual, expected, rtol, atol, what)
    elif _is_array(expected) or (isinstance(expected, list) and _all_numbers(expected)):
        _close_array(actual, expected, rtol, atol, what)
    elif isinstance(expected, dict):
        _close_dict(actual, expected, rtol, atol, what)
    else:
        _close_sequence(actual, expected, rtol, atol, what)


def _all_numbers(items):
    return all(_is_number(x) or (isinstance(x, list) and _all_numbers(x)) for x in items)


def _close_number(actual, expected, rtol, atol, what):
    if actual is None:
        _none(what, f"{expected:g}")
    if _is_array(actual) and actual.ndim == 0 and actual.dtype.kind in "iuf":
        actual = actual.item()
    if not _is_number(actual):
        extra = " — return a plain number (its .data, or float(...))" if isinstance(actual, Handle) else ""
        raise TestFailure(f"{what}: expected a single number, got {_kind(actual)}{extra}",
                          expected=repr(expected), actual=_kind(actual),
                          kind=f"the code returned {_kind(actual)} where a single number belongs{extra}")
    expected_text, actual_text = _pair(float(expected), float(actual))
    if not math.isfinite(actual):
        if math.isnan(actual) and isinstance(expected, float) and math.isnan(expected):
            return
        if actual != expected:
            raise TestFailure(f"{what}: expected {expected_text}, got {_nonfinite_words(actual)}",
                              expected=expected_text, actual=repr(actual),
                              kind=f"the result is {'nan' if math.isnan(actual) else 'infinite'}, not a number")
        return
    if not abs(actual - expected) <= atol + rtol * abs(expected):
        raise TestFailure(f"{what}: expected {expected_text}, got {actual_text}", expected=expected_text,
                          actual=actual_text, kind=_relation(actual, expected))


def _close_sequence(actual, expected, rtol, atol, what):
    noun = "tuple" if isinstance(expected, tuple) else "list"
    if actual is None:
        _none(what, f"a {noun} of {len(expected)}")
    if not isinstance(actual, (list, tuple)):
        raise TestFailure(f"{what}: expected {len(expected)} values (a {noun}), got {_kind(actual)}",
                          actual=_kind(actual))
    if len(actual) != len(expected):
        raise TestFailure(f"{what}: expected {len(expected)} values, got {len(actual)}",
                          expected=str(len(expected)), actual=str(len(actual)),
                          kind=f"the code returned {len(actual)} values where {len(expected)} belong")
    for index, (a, e) in enumerate(zip(actual, expected)):
        close(a, e, rtol, atol, f"{what}[{index}]")


def _close_dict(actual, expected, rtol, atol, what):
    if actual is None:
        _none(what, "a dict")
    if not isinstance(actual, dict):
        raise TestFailure(f"{what}: expected a dict with keys {sorted(expected)}, got {_kind(actual)}")
    missing = [k for k in expected if k not in actual]
    extra = [k for k in actual if k not in expected]
    if missing or extra:
        parts = ([f"missing {missing}"] if missing else []) + ([f"unexpected {extra}"] if extra else [])
        raise TestFailure(f"{what}: the keys differ: {', '.join(parts)}", kind=f"the keys differ: {', '.join(parts)}")
    for key, e in expected.items():
        close(actual[key], e, rtol, atol, f"{what}[{key!r}]")


def _as_float_array(value, what, expected_shape):
    import numpy

    if _is_array(value):
        if value.dtype.kind not in "biuf":
            raise TestFailure(f"{what}: expected numbers, got an array of {value.dtype}")
        return value.astype(numpy.float64)
    if isinstance(value, (list, tuple)) and _all_numbers(list(value)):
        try:
            return numpy.asarray(value, dtype=numpy.float64)
        except ValueError:
            pass  # ragged nesting: reported below
    if _is_number(value) and not isinstance(value, bool):
        raise TestFailure(f"{what}: expected an array of shape {expected_shape}, got a single number",
                          expected=f"shape {expected_shape}", actual="a single number")
    raise TestFailure(f"{what}: expected an array of shape {expected_shape}, got {_kind(value)}",
                      expected=f"shape {expected_shape}", actual=_kind(value))


def _shape_hint(actual_shape, expected_shape):
    if actual_shape == expected_shape[::-1]:
        return " — transposed?"
    if math.prod(actual_shape) == math.prod(expected_shape):
        return " — the right number of elements, arranged differently (a reshape or keepdims?)"
    if len(actual_shape) < len(expected_shape) and math.prod(actual_shape) < math.prod(expected_shape):
        return " — summed or averaged over an axis that should stay?"
    return ""


def _show(array):
    import numpy

    return numpy.array2string(array, precision=6, threshold=SHOWN_ELEMENTS, separator=", ")


def _close_array(actual, expected, rtol, atol, what):
    import numpy

    expected = numpy.asarray(expected, dtype=numpy.float64)
    shape = tuple(expected.shape)
    if actual is None:
        _none(what, f"an array of shape {shape}")
    actual = _as_float_array(actual, what, shape)
    if tuple(actual.shape) != shape:
        hint = _shape_hint(tuple(actual.shape), shape)
        raise TestFailure(f"{what}: expected shape {shape}, got {tuple(actual.shape)}{hint}",
                          expected=f"shape {shape}", actual=f"shape {tuple(actual.shape)}",
                          kind=f"the result has the wrong shape{hint}")
    bad = ~numpy.isfinite(actual) & numpy.isfinite(expected)
    if bad.any():
        index = tuple(int(i) for i in numpy.argwhere(bad)[0])
        more = int(bad.sum()) - 1
        raise TestFailure(f"{what}: the element at {index} is {_nonfinite_words(float(actual[index]))}"
                          + (f" (and {more} more)" if more else ""), expected=_show(expected), actual=_show(actual))
    with numpy.errstate(invalid="ignore"):
        excess = numpy.abs(actual - expected) - (atol + rtol * numpy.abs(expected))
    excess = numpy.where(numpy.isfinite(expected) | numpy.isfinite(actual), excess, 0.0)
    wrong = excess > 0
    if wrong.any():
        index = numpy.unravel_index(int(numpy.argmax(excess)), shape)
        index = tuple(int(i) for i in index)
        e, a = _pair(float(expected[index]), float(actual[index]))
        if not shape:
            raise TestFailure(f"{what}: expected {e}, got {a}", expected=e, actual=a, kind=_relation(actual, expected))
        count = int(wrong.sum())
        raise TestFailure(f"{what}: {count} of {expected.size} elements differ; the worst, at {index}: "
                          f"expected {e}, got {a}", expected=_show(expected), actual=_show(actual),
                          kind=_relation(actual, expected))


# ---- equal, same_shape ----

def equal(actual, expected, what=DEFAULT_WHAT):
    """``actual == expected`` exactly: ints, strings, booleans, None, and tuples, lists, dicts or arrays of them."""
    if isinstance(actual, Handle):
        raise TestFailure(f"{what}: expected {expected!r}, got {_kind(actual)}", expected=repr(expected),
                          actual=_kind(actual))
    if actual is None and expected is not None:
        _none(what, repr(expected))
    if _is_array(expected) or _is_array(actual):
        import numpy

        if not (_is_array(actual) and _is_array(expected)):
            raise TestFailure(f"{what}: expected {_kind(expected)}, got {_kind(actual)}")
        if actual.shape != expected.shape:
            raise TestFailure(f"{what}: expected shape {tuple(expected.shape)}, got {tuple(actual.shape)}")
        if not numpy.array_equal(actual, expected):
            raise TestFailure(f"{what}: the arrays differ", expected=_show(expected), actual=_show(actual))
        return
    if type(actual) is not type(expected) and not (_is_number(actual) and _is_number(expected)):
        raise TestFailure(f"{what}: expected {expected!r}, got {_kind(actual)}", expected=repr(expected),
                          actual=repr(actual)[:200])
    if actual != expected:
        raise TestFailure(f"{what}: expected {expected!r}, got {actual!r}"[:500], expected=repr(expected)[:200],
                          actual=repr(actual)[:200])


def same_shape(actual, expected, what=DEFAULT_WHAT):
    """``actual`` is an array with the shape ``expected`` (a shape tuple, or an array whose shape to match)."""
    shape = tuple(expected.shape) if _is_array(expected) else tuple(expected)
    if actual is None:
        _none(what, f"an array of shape {shape}")
    if not _is_array(actual):
        raise TestFailure(f"{what}: expected an array of shape {shape}, got {_kind(actual)}",
                          expected=f"shape {shape}", actual=_kind(actual))
    if tuple(actual.shape) != shape:
        raise TestFailure(f"{what}: expected shape {shape}, got {tuple(actual.shape)}"
                          f"{_shape_hint(tuple(actual.shape), shape)}",
                          expected=f"shape {shape}", actual=f"shape {tuple(actual.shape)}")

"""Tests of exercise 04: Value.__mul__ and Value.__rmul__, including the lesson's a * a = 6 and the
shipment loss whose gradients are -8 and -4. The hidden tests also try numbers drawn at random, different
in every graded run."""

from gradlab.testing import close, test


def draw(rng, count):
    """``count`` different numbers with magnitudes in [0.5, 4] and random signs, rounded to two decimals."""
    while True:
        numbers = [round(float(rng.uniform(0.5, 4.0)), 2) * float(rng.choice([-1.0, 1.0])) for _ in range(count)]
        if len({abs(n) for n in numbers}) == count:
            return numbers


@test("a-times-a")
def a_times_a(sub):
    a = sub.Value(3.0)
    square = a * a
    square.backward()
    close(square.data, 9.0, what="(a * a).data at a = 3")
    close(a.grad, 6.0, what="a.grad after (a * a).backward() at a = 3")


@test("lesson-graph")
def lesson_graph(sub):
    x, target = sub.Value(2.0), sub.Value(6.0)
    w, b = sub.Value(1.0), sub.Value(0.0)
    loss = 0.5 * (w * x + b - target) ** 2
    loss.backward()
    close(loss.data, 8.0, what="the loss of the shipment at w = 1, b = 0")
    close(w.grad, -8.0, what="w.grad")
    close(b.grad, -4.0, what="b.grad")
    close(x.grad, -4.0, what="x.grad (the prediction moves by w = 1 per unit of x)")


@test("both-factors")
def both_factors(sub, rng):
    a, b = sub.Value(-1.5), sub.Value(4.0)
    product = a * b
    product.backward()
    close(product.data, -6.0, what="(a * b).data at a = -1.5, b = 4")
    close(a.grad, 4.0, what="a.grad: the other factor, b")
    close(b.grad, -1.5, what="b.grad: the other factor, a")
    p, q = draw(rng, 2)
    a, b = sub.Value(p), sub.Value(q)
    product = a * b
    product.backward()
    close(product.data, p * q, what=f"(a * b).data at a = {p:g}, b = {q:g}")
    close(a.grad, q, what=f"a.grad at a = {p:g}, b = {q:g}: the other factor, b")
    close(b.grad, p, what=f"b.grad at a = {p:g}, b = {q:g}: the other factor, a")


@test("number-either-side")
def number_either_side(sub, rng):
    left = sub.Value(4.0)
    scaled = 2.5 * left
    scaled.backward()
    close(scaled.data, 10.0, what="(2.5 * Value(4)).data")
    close(left.grad, 2.5, what="the Value's grad in 2.5 * Value(4)")
    right = sub.Value(4.0)
    scaled = right * -3
    scaled.backward()
    close(scaled.data, -12.0, what="(Value(4) * -3).data")
    close(right.grad, -3.0, what="the Value's grad in Value(4) * -3")
    data, left_number, right_number = draw(rng, 3)
    left = sub.Value(data)
    scaled = left_number * left
    scaled.backward()
    close(scaled.data, left_number * data, what=f"({left_number:g} * Value({data:g})).data")
    close(left.grad, left_number, what=f"the Value's grad in {left_number:g} * Value({data:g})")
    right = sub.Value(data)
    scaled = right * right_number
    scaled.backward()
    close(scaled.data, data * right_number, what=f"(Value({data:g}) * {right_number:g}).data")
    close(right.grad, right_number, what=f"the Value's grad in Value({data:g}) * {right_number:g}")


@test("square-plus-self")
def square_plus_self(sub, rng):
    a = sub.Value(3.0)
    z = a * a + a
    z.backward()
    close(a.grad, 7.0, what="a.grad for z = a * a + a at a = 3 (3 + 3 + 1)")
    p, = draw(rng, 1)
    a = sub.Value(p)
    z = a * a + a
    z.backward()
    close(z.data, p * p + p, what=f"z = a * a + a at a = {p:g}")
    close(a.grad, 2 * p + 1, what=f"a.grad for z = a * a + a at a = {p:g} (a + a + 1)")


@test("product-of-products")
def product_of_products(sub, rng):
    a, b = sub.Value(2.0), sub.Value(3.0)
    ab = a * b
    y = ab * ab
    y.backward()
    close(y.data, 36.0, what="(a * b) * (a * b) at a = 2, b = 3")
    close(a.grad, 36.0, what="a.grad = 2 * a * b^2")
    close(b.grad, 24.0, what="b.grad = 2 * a^2 * b")
    p, q = draw(rng, 2)
    a, b = sub.Value(p), sub.Value(q)
    ab = a * b
    y = ab * ab
    y.backward()
    close(y.data, (p * q) ** 2, what=f"(a * b) * (a * b) at a = {p:g}, b = {q:g}")
    close(a.grad, 2 * p * q * q, what=f"a.grad = 2 * a * b^2 at a = {p:g}, b = {q:g}")
    close(b.grad, 2 * p * p * q, what=f"b.grad = 2 * a^2 * b at a = {p:g}, b = {q:g}")

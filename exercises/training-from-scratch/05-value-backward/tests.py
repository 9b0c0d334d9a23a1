"""Tests of exercise 05: Value.backward() and Value.relu(). The hidden tests also try numbers drawn at random,
different in every graded run."""

from gradlab.testing import close, test


def draw(rng, low=0.5, high=3.0):
    """A number with magnitude in [low, high] and a random sign, rounded to two decimals."""
    return round(float(rng.uniform(low, high)), 2) * float(rng.choice([-1.0, 1.0]))


@test("lesson-graph")
def lesson_graph(sub):
    x, target = sub.Value(2.0), sub.Value(6.0)
    w, b = sub.Value(1.0), sub.Value(0.0)
    loss = 0.5 * (w * x + b - target) ** 2
    loss.backward()
    close(w.grad, -8.0, what="w.grad for the shipment loss")
    close(b.grad, -4.0, what="b.grad for the shipment loss")


@test("square-plus-self")
def square_plus_self(sub):
    a = sub.Value(3.0)
    z = a * a + a
    z.backward()
    close(a.grad, 7.0, what="a.grad for z = a * a + a at a = 3")


@test("relu-both-sides")
def relu_both_sides(sub):
    negative = sub.Value(-2.0)
    out = negative.relu()
    out.backward()
    close(out.data, 0.0, what="Value(-2).relu().data")
    close(negative.grad, 0.0, what="the gradient through a ReLU whose input is -2")
    positive = sub.Value(3.0)
    out = positive.relu()
    out.backward()
    close(out.data, 3.0, what="Value(3).relu().data")
    close(positive.grad, 1.0, what="the gradient through a ReLU whose input is 3")
    shared = sub.Value(2.0)
    total = shared.relu() + shared.relu() + shared * 3.0
    total.backward()
    close(shared.grad, 5.0, what="a.grad for relu(a) + relu(a) + 3a at a = 2 (1 through each ReLU, 3 directly)")


@test("scalar-layer")
def scalar_layer(sub, rng):
    x, w, b = sub.Value(1.2), sub.Value(1.5), sub.Value(-0.4)
    out = (w * x + b).relu()
    out.backward()
    close(out.data, 1.4, what="relu(1.5 * 1.2 - 0.4)")
    close(w.grad, 1.2, what="w.grad of the active unit")
    close(x.grad, 1.5, what="x.grad of the active unit")
    close(b.grad, 1.0, what="b.grad of the active unit")
    x, w, b = sub.Value(1.2), sub.Value(1.5), sub.Value(-2.5)
    out = (w * x + b).relu()
    out.backward()
    close(out.data, 0.0, what="relu(1.5 * 1.2 - 2.5)")
    close(w.grad, 0.0, what="w.grad of the inactive unit")
    for active in (True, False):
        x0, w0 = draw(rng), draw(rng)
        b0 = round(-x0 * w0 + (1 if active else -1) * float(rng.uniform(0.2, 2.0)), 2)
        z = x0 * w0 + b0
        unit = f"relu({w0:g} * {x0:g} + {b0:g})"
        x, w, b = sub.Value(x0), sub.Value(w0), sub.Value(b0)
        out = (w * x + b).relu()
        out.backward()
        close(out.data, max(z, 0.0), what=unit)
        state = "active" if active else "inactive"
        close(w.grad, x0 if active else 0.0, what=f"w.grad of the {state} unit {unit}")
        close(x.grad, w0 if active else 0.0, what=f"x.grad of the {state} unit {unit}")
        close(b.grad, 1.0 if active else 0.0, what=f"b.grad of the {state} unit {unit}")


@test("seed-gradient")
def seed_gradient(sub, rng):
    alone = sub.Value(5.0)
    alone.backward()
    close(alone.grad, 1.0, what="Value(5).backward() leaves its own grad at 1")
    v = sub.Value(5.0)
    (v * 3.0).backward()
    close(v.grad, 3.0, what="v.grad after (v * 3).backward()")
    data, factor = draw(rng), draw(rng)
    alone = sub.Value(data)
    alone.backward()
    close(alone.grad, 1.0, what=f"Value({data:g}).backward() leaves its own grad at 1")
    v = sub.Value(data)
    (v * factor).backward()
    close(v.grad, factor, what=f"v.grad after (v * {factor:g}).backward() at v = {data:g}")


@test("shared-node-once")
def shared_node_once(sub, rng):
    x = sub.Value(2.0)
    y = x * x
    z = y + y
    z.backward()
    close(z.data, 8.0, what="z = y + y with y = x * x at x = 2")
    close(x.grad, 8.0, what="x.grad: y's _backward must run once, after both of z's contributions")
    data, uses = draw(rng), int(rng.integers(2, 5))
    formula = " + ".join(["y"] * uses)
    x = sub.Value(data)
    y = x * x
    z = y
    for _ in range(uses - 1):
        z = z + y
    z.backward()
    close(z.data, uses * data * data, what=f"z = {formula} with y = x * x at x = {data:g}")
    close(x.grad, 2 * uses * data,
          what=f"x.grad for z = {formula} at x = {data:g}: y's _backward must run once, after all {uses} of its "
               "contributions")


@test("late-contribution")
def late_contribution(sub, rng):
    for order in ("b * c", "c * b"):
        a = sub.Value(1.0)
        b = a * 2.0
        c = b + a
        d = b * c if order == "b * c" else c * b
        d.backward()
        close(d.data, 6.0, what=f"d = {order} with b = 2a, c = b + a at a = 1")
        close(a.grad, 12.0, what=f"a.grad for d = {order}: b's gradient is complete only after c's backward")
    data, factor = draw(rng), draw(rng, 1.5, 3.0)
    for order in ("b * c", "c * b"):
        a = sub.Value(data)
        b = a * factor
        c = b + a
        d = b * c if order == "b * c" else c * b
        d.backward()
        graph = f"d = {order} with b = {factor:g}a, c = b + a at a = {data:g}"
        close(d.data, factor * (factor + 1) * data * data, what=graph)
        close(a.grad, 2 * factor * (factor + 1) * data,
              what=f"a.grad for {graph}: b's gradient is complete only after c's backward")

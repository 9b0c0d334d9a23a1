"""Tests of exercise 05: Value.backward() and Value.relu()."""

from gradlab.testing import close, test


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
def scalar_layer(sub):
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


@test("seed-gradient")
def seed_gradient(sub):
    alone = sub.Value(5.0)
    alone.backward()
    close(alone.grad, 1.0, what="Value(5).backward() leaves its own grad at 1")
    v = sub.Value(5.0)
    (v * 3.0).backward()
    close(v.grad, 3.0, what="v.grad after (v * 3).backward()")


@test("shared-node-once")
def shared_node_once(sub):
    x = sub.Value(2.0)
    y = x * x
    z = y + y
    z.backward()
    close(z.data, 8.0, what="z = y + y with y = x * x at x = 2")
    close(x.grad, 8.0, what="x.grad: y's _backward must run once, after both of z's contributions")


@test("late-contribution")
def late_contribution(sub):
    for order in ("b * c", "c * b"):
        a = sub.Value(1.0)
        b = a * 2.0
        c = b + a
        d = b * c if order == "b * c" else c * b
        d.backward()
        close(d.data, 6.0, what=f"d = {order} with b = 2a, c = b + a at a = 1")
        close(a.grad, 12.0, what=f"a.grad for d = {order}: b's gradient is complete only after c's backward")

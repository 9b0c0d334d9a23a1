"""One gradient-descent update of the line y_hat = w * x + b, by hand.

The lesson's shipment: route-disruption score x = 2, observed delay y = 6 hours,
starting from w = 1, b = 0 with learning rate 0.1.
"""


def predict(w, b, x):
    """The predicted delay of the line at x."""
    # BEGIN SOLUTION
    return w * x + b
    # END SOLUTION
    # BEGIN STARTER
    # TODO: return the prediction of the line, w times x plus b.
    raise NotImplementedError("predict: return w * x + b")
    # END STARTER


def half_squared_error(prediction, target):
    """L = 1/2 (prediction - target)^2."""
    # BEGIN SOLUTION
    return 0.5 * (prediction - target) ** 2
    # END SOLUTION
    # BEGIN STARTER
    # TODO: return half of the squared difference between prediction and target.
    raise NotImplementedError("half_squared_error: return the half squared error")
    # END STARTER


def gradients(w, b, x, target):
    """(dL/dw, dL/db) of half_squared_error(predict(w, b, x), target)."""
    # BEGIN SOLUTION
    error = predict(w, b, x) - target
    return error * x, error
    # END SOLUTION
    # BEGIN STARTER
    # TODO: use the chain rule. dL/d(prediction) is (prediction - target);
    # the prediction changes by x per unit of w and by 1 per unit of b.
    raise NotImplementedError("gradients: return (dL_dw, dL_db)")
    # END STARTER


def sgd_step(w, b, grad_w, grad_b, learning_rate):
    """One step of gradient descent: move each parameter against its gradient."""
    # BEGIN SOLUTION
    return w - learning_rate * grad_w, b - learning_rate * grad_b
    # END SOLUTION
    # BEGIN STARTER
    # TODO: return the new (w, b) after one step of size learning_rate downhill.
    raise NotImplementedError("sgd_step: return (new_w, new_b)")
    # END STARTER

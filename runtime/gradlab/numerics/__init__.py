"""Finite-difference numerics for the gradient checks, free of any sandbox: the grader, the tests and
bench/gradcheck.py call the same functions with a loss that runs wherever it runs."""

"""The Python side of bench/stream.ts and bench/stream_load.ts: log metrics through gradlab as a training loop would.

    python bench/stream_emit.py --steps 200000 [--metrics 2] [--rate 0]

--rate 0 logs as fast as it can; --rate N logs N points (metric values) per second, each step carrying the wall-clock
time it was logged (metric "sent") so the reader can measure latency. Prints the logging rate it achieved.
"""

import argparse
import time

import gradlab

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=200_000)
parser.add_argument("--metrics", type=int, default=2, help="metric values per step (train_loss, val_loss, m2, ...)")
parser.add_argument("--rate", type=float, default=0, help="points per second; 0: as fast as possible")
args = parser.parse_args()

names = ["train_loss", "val_loss"] + [f"m{i}" for i in range(2, args.metrics)]
names = names[: args.metrics]
started = time.perf_counter()
with gradlab.run("stream-bench", config=vars(args)):
    for step in range(args.steps):
        values = {name: 1.0 / (step + 1 + i) for i, name in enumerate(names)}
        if args.rate:
            due = started + step * args.metrics / args.rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            values[names[-1]] = time.time()  # the send time, in place of the last metric
        gradlab.log(step=step, **values)
elapsed = time.perf_counter() - started
rate = args.steps * args.metrics / elapsed
print(f"python: {args.steps:,} steps x {args.metrics} metrics logged in {elapsed:.2f} s ({rate:,.0f} points/s)")

"""Train the lesson's one-shipment problem at learning rates 0.01, 0.1 and 0.5, one logged run each,
so the training panel draws the three curves side by side (try its log scale).

    python compare_rates.py                 # the lesson's three rates
    python compare_rates.py --lr 0.3        # one run at another rate
"""

import argparse

import gradlab

from learning_rate import classify, losses_for_rate

RATES = (0.01, 0.1, 0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lr", type=float, help="train at this rate only (default: the lesson's three)")
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()

    for rate in RATES if args.lr is None else (args.lr,):
        losses = losses_for_rate(rate, args.steps)
        with gradlab.run(f"lr={rate}", config={"learning_rate": rate, "steps": args.steps}):
            for step, loss in enumerate(losses):
                gradlab.log(step=step, train_loss=loss)
        table = ", ".join(f"{loss:.3f}" for loss in losses)
        print(f"lr={rate:.2f}: {table}  -> {classify(losses)}")


if __name__ == "__main__":
    main()

"""Train the lesson's one-shipment problem at learning rates 0.01, 0.1 and 0.5, one logged run each,
so the training panel draws the three curves side by side (try its log scale)."""

import gradlab

from learning_rate import classify, losses_for_rate

RATES = (0.01, 0.1, 0.5)
STEPS = 5


def main():
    for rate in RATES:
        losses = losses_for_rate(rate, STEPS)
        with gradlab.run(f"lr={rate}", config={"learning_rate": rate, "steps": STEPS}):
            for step, loss in enumerate(losses):
                gradlab.log(step=step, train_loss=loss)
        table = ", ".join(f"{loss:.3f}" for loss in losses)
        print(f"lr={rate:.2f}: {table}  -> {classify(losses)}")


if __name__ == "__main__":
    main()

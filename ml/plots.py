"""PNG plots beside a model's metrics file, for people who would rather look than read."""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_training_curves(history: dict, path: Path) -> None:
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4))
    loss_ax.plot(epochs, history["loss"], label="train")
    loss_ax.plot(epochs, history["val_loss"], label="validation")
    loss_ax.set(title="Loss", xlabel="epoch", yscale="log")
    acc_ax.plot(epochs, 100 * np.asarray(history["accuracy"]), label="train (augmented)")
    acc_ax.plot(epochs, 100 * np.asarray(history["val_accuracy"]), label="validation")
    acc_ax.set(title="Accuracy (%)", xlabel="epoch", ylim=(90, 100))
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_confusion_matrix(matrix: list[list[int]], path: Path, title: str = "MNIST test") -> None:
    matrix = np.asarray(matrix)
    off_diagonal = matrix - np.diag(np.diag(matrix))
    fig, ax = plt.subplots(figsize=(6, 5.5))
    image = ax.imshow(off_diagonal, cmap="Reds")
    for (row, col), count in np.ndenumerate(matrix):
        if count:
            ax.text(col, row, str(count), ha="center", va="center", fontsize=7,
                    color="black" if row != col else "tab:blue")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true",
           title=f"{title}: confusion matrix (colour = errors)")
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_reliability(evaluations: dict[str, dict], path: Path) -> None:
    """Stated confidence against real accuracy per validation set (a reliability diagram): a calibrated
    model's points lie on the diagonal. Uses each evaluation's `reliability` bins."""
    fig, ax = plt.subplots(figsize=(6, 5.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfectly calibrated")
    for name, figures in evaluations.items():
        bins = [b for b in figures.get("reliability") or [] if b["count"]]
        if bins:
            ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o", markersize=3,
                    label=f"{name} (ECE {100 * figures['ece']:.1f}%)")
    ax.set(xlabel="stated confidence", ylabel="accuracy", xlim=(0, 1), ylim=(0, 1.01), title="Reliability")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)

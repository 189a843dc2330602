"""Does the confidence mean what it says? Calibration error, AUROC and a reliability diagram.

Pure but for the plot: `points` are (confidence, correct) pairs, one per question asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def expected_calibration_error(points: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """The gap between confidence and accuracy, averaged over equal-width confidence bins weighted by
    their share of the questions (0: answers shown at 0.8 are right 80% of the time)."""
    if not points:
        return 0.0
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in points if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if inside:
            mean_conf = sum(c for c, _ in inside) / len(inside)
            accuracy = sum(ok for _, ok in inside) / len(inside)
            total += len(inside) / len(points) * abs(mean_conf - accuracy)
    return total


def auroc(points: Sequence[tuple[float, bool]]) -> float | None:
    """The chance that a right answer has a higher confidence than a wrong one (ties count half);
    None when either kind is missing."""
    right = [c for c, ok in points if ok]
    wrong = [c for c, ok in points if not ok]
    if not right or not wrong:
        return None
    ordered = sorted([(c, 1) for c in right] + [(c, 0) for c in wrong])
    rank_sum = 0.0
    i = 0
    while i < len(ordered):  # average ranks over ties
        j = i
        while j + 1 < len(ordered) and ordered[j + 1][0] == ordered[i][0]:
            j += 1
        mean_rank = (i + j) / 2 + 1
        rank_sum += mean_rank * sum(label for _, label in ordered[i : j + 1])
        i = j + 1
    return (rank_sum - len(right) * (len(right) + 1) / 2) / (len(right) * len(wrong))


def reliability_rows(points: Sequence[tuple[float, bool]], bins: int = 10) -> list[tuple[float, float, float, int]]:
    """Per non-empty bin: its lower edge, the mean confidence, the accuracy and the count."""
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in points if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if inside:
            rows.append(
                (lo, sum(c for c, _ in inside) / len(inside), sum(ok for _, ok in inside) / len(inside), len(inside))
            )
    return rows


def plot_reliability(curves: dict[str, Sequence[tuple[float, bool]]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), dpi=110)
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle=":", label="perfect calibration")
    for name, points in curves.items():
        rows = reliability_rows(points)
        ax.plot([r[1] for r in rows], [r[2] for r in rows], marker="o", label=f"{name} (n={len(points)})")
    ax.set_xlabel("confidence shown (bin mean)")
    ax.set_ylabel("share right")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(title, fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

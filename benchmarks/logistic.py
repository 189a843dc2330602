"""The logistic fits the tuning scripts share: an L2-regularised logistic regression (its classes balanced or
not), its out-of-fold probabilities, and the lowest threshold that reaches a precision. Plain NumPy and SciPy;
nothing here reads data or writes files.
"""

from __future__ import annotations

import random

import numpy as np
from scipy.optimize import minimize


def fit(x: np.ndarray, y: np.ndarray, l2: float, balanced: bool) -> tuple[np.ndarray, float]:
    """Weights and bias; `balanced` weighs the two classes to count alike (else the output is a probability)."""
    positive = max(float(y.sum()), 1.0)
    weight = (
        np.where(y == 1, len(y) / (2 * positive), len(y) / (2 * max(len(y) - positive, 1.0)))
        if balanced
        else np.ones(len(y))
    )

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        p = 1 / (1 + np.exp(-np.clip(x @ w + b, -30, 30)))
        value = -np.sum(weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))) + l2 * np.dot(w, w)
        g = weight * (p - y)
        return float(value), np.concatenate([x.T @ g + 2 * l2 * w, [g.sum()]])

    params = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B").x
    return np.asarray(params[:-1]), float(params[-1])


def out_of_fold(
    x: np.ndarray, y: np.ndarray, rng: random.Random, l2: float, balanced: bool, folds: int = 5
) -> np.ndarray:
    """Each row's probability from a model fitted on the other folds."""
    order = list(range(len(y)))
    rng.shuffle(order)
    p = np.zeros(len(y))
    for k in range(folds):
        test = np.array(order[k::folds])
        train = np.setdiff1d(np.arange(len(y)), test)
        w, b = fit(x[train], y[train], l2, balanced)
        p[test] = 1 / (1 + np.exp(-np.clip(x[test] @ w + b, -30, 30)))
    return p


def threshold_at(p: np.ndarray, y: np.ndarray, precision: float) -> tuple[float, float, float]:
    """The lowest threshold whose kept rows are right at least `precision` of the time, with that precision and
    the recall; (0.99, 0, 0) when none is."""
    for t in sorted(set(np.round(p, 4))):
        kept = p >= t
        if kept.sum() and y[kept].mean() >= precision:
            return float(t), float(y[kept].mean()), float(y[kept].sum() / max(y.sum(), 1))
    return 0.99, 0.0, 0.0

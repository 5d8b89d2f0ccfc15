"""Classification metrics in plain numpy: accuracy, macro precision/recall/F1, one-vs-rest AUC."""
import numpy as np

NUM_CLASSES = 10


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int = NUM_CLASSES) -> np.ndarray:
    """Rows are true labels, columns predictions."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def roc_auc(scores: np.ndarray, positives: np.ndarray) -> float:
    """Area under the ROC curve via the rank-sum (Mann-Whitney) statistic, ties averaged."""
    positives = positives.astype(bool)
    n_pos, n_neg = positives.sum(), (~positives).sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(len(scores), dtype=np.float64)
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average_rank = first + (counts + 1) / 2.0  # 1-based mean rank of each tie group
    ranks[order] = np.repeat(average_rank, counts)
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def classification_report(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """Everything the metrics file records about one evaluation."""
    labels = np.asarray(labels)
    predicted = probabilities.argmax(axis=1)
    matrix = confusion_matrix(labels, predicted)
    true_positive = np.diag(matrix).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(true_positive / matrix.sum(axis=0))
        recall = np.nan_to_num(true_positive / matrix.sum(axis=1))
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    auc = [roc_auc(probabilities[:, k], labels == k) for k in range(NUM_CLASSES)]
    defined_auc = [value for value in auc if not np.isnan(value)]  # a class present in every row, or in none: NaN
    return {
        "count": int(len(labels)),
        "accuracy": float((predicted == labels).mean()),
        "errors": int((predicted != labels).sum()),
        "macro_precision": float(precision.mean()),
        "macro_recall": float(recall.mean()),
        "macro_f1": float(f1.mean()),
        "macro_auc_ovr": float(np.mean(defined_auc)) if defined_auc else float("nan"),
        "per_class": {
            str(k): {"precision": float(precision[k]), "recall": float(recall[k]), "f1": float(f1[k]), "auc": auc[k]}
            for k in range(NUM_CLASSES)
        },
        "confusion_matrix": matrix.tolist(),
    }



def reliability(labels: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> list[dict]:
    """Per equal-width confidence bin: count, mean confidence and accuracy (a reliability diagram's points)."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    rows = []
    for b in range(bins):
        in_bin = which == b
        rows.append({
            "low": float(edges[b]), "high": float(edges[b + 1]), "count": int(in_bin.sum()),
            "confidence": float(confidence[in_bin].mean()) if in_bin.any() else None,
            "accuracy": float(correct[in_bin].mean()) if in_bin.any() else None,
        })
    return rows


def expected_calibration_error(labels: np.ndarray, probabilities: np.ndarray, bins: int = 15) -> float:
    """How far the stated confidence is from the real accuracy: the bins' gaps weighted by their size
    (Guo et al. 2017). 0 is perfectly calibrated."""
    total = max(len(labels), 1)
    return float(sum(
        row["count"] / total * abs(row["accuracy"] - row["confidence"])
        for row in reliability(labels, probabilities, bins) if row["count"]
    ))

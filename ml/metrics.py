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
    return {
        "count": int(len(labels)),
        "accuracy": float((predicted == labels).mean()),
        "errors": int((predicted != labels).sum()),
        "macro_precision": float(precision.mean()),
        "macro_recall": float(recall.mean()),
        "macro_f1": float(f1.mean()),
        "macro_auc_ovr": float(np.nanmean(auc)),
        "per_class": {
            str(k): {"precision": float(precision[k]), "recall": float(recall[k]), "f1": float(f1[k]), "auc": auc[k]}
            for k in range(NUM_CLASSES)
        },
        "confusion_matrix": matrix.tolist(),
    }

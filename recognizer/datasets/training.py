"""`manage.py train --dataset NAME`: the confirmed drawings of chosen datasets join the training mix.

Each dataset is exported (npz, the model inputs as stored) into the training's work folder, so the files
stay beside the model as a record of what it learned from; `ml.datasets.training_mix` reads them as
`MixConfig.extra` and the report lists each as a data source "extra:NAME" with its count and sha256.
"""
import dataclasses
from pathlib import Path

from recognizer.datasets.archive import DatasetError
from recognizer.datasets.exporters import confirmed_drawings, dataset_export

FOLDER = "datasets"


def with_datasets(config, names: list[str], work: Path):
    """`config` (ml.training.TrainConfig) with the datasets' npz files added to its mix."""
    folder = Path(work) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in dict.fromkeys(names):
        result = dataset_export(confirmed_drawings(datasets=[name]), "npz")
        if result.count == 0:
            raise DatasetError(f"dataset {name!r} has no confirmed drawings")
        path = folder / f"{name}.npz"
        path.write_bytes(result.data)
        paths.append(str(path))
    return dataclasses.replace(config, mix=dataclasses.replace(config.mix, extra=(*config.mix.extra, *paths)))

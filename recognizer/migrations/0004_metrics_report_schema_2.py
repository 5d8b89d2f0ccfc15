"""Rewrite every stored metrics report in the one layout of `ml.report` (schema 2), once."""
from django.db import migrations

from ml.report import Report


def upgrade_reports(apps, schema_editor):
    ModelVersion = apps.get_model("recognizer", "ModelVersion")
    for version in ModelVersion.objects.all():
        if version.metrics and version.metrics.get("schema") != 2:
            version.metrics = Report.from_dict(version.metrics).to_dict()
            version.save(update_fields=["metrics"])


class Migration(migrations.Migration):
    dependencies = [("recognizer", "0003_drawing_not_a_digit")]
    operations = [migrations.RunPython(upgrade_reports, migrations.RunPython.noop)]

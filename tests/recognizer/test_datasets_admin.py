"""The dataset upload page and the export action in the admin: staff only, refusals as form errors."""
import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from recognizer.models import Drawing
from tests.recognizer.dataset_archives import image_zip, labels_csv, notmnist_letters, zip_bytes

pytestmark = pytest.mark.django_db

UPLOAD = "admin:recognizer_drawing_import_dataset"
CHANGELIST = "admin:recognizer_drawing_changelist"


@pytest.fixture
def archive(mnist_test) -> bytes:
    images, labels = mnist_test
    return image_zip(images[:5], labels[:5], notmnist_letters(2))


def upload(client, data: bytes, name="admin-set", **fields):
    file = io.BytesIO(data)
    file.name = "dataset.zip"
    return client.post(reverse(UPLOAD), {"file": file, "name": name, "format": "auto", **fields})


def test_changelist_links_to_the_upload_page(admin_client):
    html = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert f'href="{reverse(UPLOAD)}"' in html


def test_staff_import_a_good_archive(admin_client, archive, admin_user):
    assert admin_client.get(reverse(UPLOAD)).status_code == 200
    response = upload(admin_client, archive)

    assert response.status_code == 302 and response["Location"].endswith("?dataset=admin-set")
    stored = Drawing.objects.filter(dataset="admin-set")
    assert stored.count() == 7 and set(stored.values_list("confirmed_by", flat=True)) == {admin_user.pk}
    page = admin_client.get(response["Location"])
    assert page.status_code == 200 and len(page.context["cl"].result_list) == 7
    assert "Imported 7 drawing(s) into dataset &#x27;admin-set&#x27;" in page.content.decode()


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"not a zip at all", "bad", "not a zip archive"),
        (zip_bytes({"labels.csv": labels_csv([("a.png", "12")])}), "bad", "label &#x27;12&#x27; is not a digit"),
        (None, "has space", "dataset name"),
    ],
)
def test_bad_uploads_are_form_errors_and_import_nothing(admin_client, archive, data, name, message):
    response = upload(admin_client, archive if data is None else data, name=name)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errornote"' in html and "Nothing was imported" in html and message in html
    assert not Drawing.objects.exists()


def test_admin_limits_entries_per_upload(admin_client, archive, settings):
    settings.DIGITS_DATASET_ADMIN_MAX_ENTRIES = 3
    response = upload(admin_client, archive)

    assert "the limit is 3" in response.content.decode() and not Drawing.objects.exists()


def test_missing_file_is_a_field_error(admin_client):
    response = admin_client.post(reverse(UPLOAD), {"name": "x"})
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_non_staff_and_view_only_staff_cannot_import(client, django_user_model, archive):
    user = django_user_model.objects.create_user("plain", password="pw-plain-1")
    client.force_login(user)
    assert upload(client, archive).status_code == 302  # to the admin login
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_drawing"))
    assert upload(client, archive).status_code == 403
    assert not Drawing.objects.exists()


def test_export_action_downloads_the_selected_confirmed_drawings(admin_client, archive, digit_image):
    from recognizer.services import drawing_create

    upload(admin_client, archive)
    unconfirmed = drawing_create(image=digit_image(4), source="api")
    chosen = list(Drawing.objects.filter(dataset="admin-set").values_list("pk", flat=True)[:4]) + [unconfirmed.pk]
    response = admin_client.post(reverse(CHANGELIST), {"action": "export_selected", "_selected_action": chosen})

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as exported:
        rows = exported.read("labels.csv").decode().splitlines()
    assert rows[0] == "file,label" and len(rows) == 5  # the unconfirmed drawing is left out
    assert upload(admin_client, response.content, name="again").status_code == 302
    assert Drawing.objects.filter(dataset="again").count() == 4


def test_export_action_with_nothing_confirmed_says_so(admin_client, digit_image):
    from recognizer.services import drawing_create

    drawing = drawing_create(image=digit_image(4), source="api")
    response = admin_client.post(
        reverse(CHANGELIST), {"action": "export_selected", "_selected_action": [drawing.pk]}, follow=True
    )
    assert "None of the selected drawings is confirmed" in response.content.decode()


# --- as a background job ---------------------------------------------------------------------------


@pytest.fixture
def uploads(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "dataset-uploads"


def test_background_import_queues_a_job_the_worker_runs(admin_client, archive, uploads):
    from recognizer.jobs.tasks import run_job
    from recognizer.models import Job

    response = upload(admin_client, archive, background="on")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:recognizer_job_change", args=[job.pk])
    assert job.kind == Job.Kind.IMPORT and job.status == Job.Status.QUEUED and not Drawing.objects.exists()
    assert len(list(uploads.iterdir())) == 1

    assert run_job.call(str(job.pk)) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.result == {"dataset": "admin-set", "format": "zip", "digits": 5, "not_digits": 2, "ignored": 0}
    assert job.progress["done"] == job.progress["total"] == 7 and "imported 7 drawing(s)" in job.log
    assert Drawing.objects.filter(dataset="admin-set", confirmed_by=job.created_by).count() == 7
    assert list(uploads.iterdir()) == []  # the kept upload is gone


def test_background_import_of_a_bad_archive_fails_the_job_and_imports_nothing(admin_client, uploads):
    from recognizer.jobs.tasks import run_job
    from recognizer.models import Job

    upload(admin_client, zip_bytes({"labels.csv": b"name,digit\n"}), background="on")
    job = Job.objects.get()
    assert run_job.call(str(job.pk)) == Job.Status.FAILED
    job.refresh_from_db()
    assert "labels.csv must start with the header line" in job.error
    assert not Drawing.objects.exists() and list(uploads.iterdir()) == []


def test_a_cancelled_import_job_imports_nothing(admin_client, archive, uploads, monkeypatch):
    from recognizer.datasets import services
    from recognizer.jobs.tasks import run_job
    from recognizer.models import Job

    monkeypatch.setattr(services, "BATCH", 2)  # several batches, so the cancel lands between two of them
    upload(admin_client, archive, background="on")
    job = Job.objects.get()
    original = services.Drawing.objects.bulk_create

    def bulk_create_then_cancel(objs, *args, **kwargs):
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)  # staff click Cancel meanwhile
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(services.Drawing.objects, "bulk_create", bulk_create_then_cancel)
    assert run_job.call(str(job.pk)) == Job.Status.CANCELLED
    assert not Drawing.objects.exists() and list(uploads.iterdir()) == []


def test_background_import_with_a_used_name_is_a_form_error(admin_client, archive, uploads):
    from recognizer.models import Job

    upload(admin_client, archive)
    response = upload(admin_client, archive, background="on")
    assert "already exists" in response.content.decode() and not Job.objects.exists()
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_background_export_writes_a_file_the_job_page_links(admin_client, archive, uploads, digit_image):
    from recognizer.jobs.tasks import run_job
    from recognizer.models import Job
    from recognizer.services import drawing_create

    upload(admin_client, archive)
    unconfirmed = drawing_create(image=digit_image(4), source="api")
    chosen = [*Drawing.objects.filter(dataset="admin-set").values_list("pk", flat=True), unconfirmed.pk]
    response = admin_client.post(reverse(CHANGELIST),
                                 {"action": "export_selected_in_background", "_selected_action": chosen})
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert response["Location"] == reverse("admin:recognizer_job_change", args=[job.pk])
    download = reverse("admin:recognizer_drawing_export_download", args=[job.pk])
    assert admin_client.get(download).status_code == 404  # not finished yet

    assert run_job.call(str(job.pk)) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.result["count"] == 7 and job.result["download"] == download
    response = admin_client.get(download)
    assert response.status_code == 200 and 'filename="drawings.zip"' in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert upload(admin_client, data, name="again").status_code == 302
    assert Drawing.objects.filter(dataset="again").count() == 7


def test_background_export_of_nothing_confirmed_fails_the_job(admin_client, uploads, digit_image):
    from recognizer.jobs.tasks import run_job
    from recognizer.models import Job
    from recognizer.services import drawing_create

    drawing = drawing_create(image=digit_image(4), source="api")
    admin_client.post(reverse(CHANGELIST), {"action": "export_selected_in_background", "_selected_action": [drawing.pk]})
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert run_job.call(str(job.pk)) == Job.Status.FAILED
    job.refresh_from_db()
    assert "nothing to export" in job.error


def test_export_download_is_staff_only(client, admin_client, uploads):
    url = reverse("admin:recognizer_drawing_export_download", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 302  # to the login
    assert admin_client.get(url).status_code == 404

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from recognizer import apis, number_apis, pwa, saliency_apis, seed_apis, views

app_name = "recognizer"

router = SimpleRouter()
router.register("predictions", apis.PredictionViewSet, basename="prediction")
router.register("numbers", number_apis.NumberViewSet, basename="number")

urlpatterns = [
    path("", views.index, name="index"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),  # installable: recognizer/pwa.py
    path("sw.js", pwa.service_worker, name="service-worker"),  # at the root, so its scope is the site
    path("predict", seed_apis.SeedPredictApi.as_view(), name="seed-predict"),
    path("predict/", seed_apis.SeedPredictSlashApi.as_view(), name="seed-predict-slash"),  # the demo page's URL
    path("health", seed_apis.HealthApi.as_view(), name="health"),
    path("api/predictions/<str:pk>/image", apis.DrawingImageApi.as_view(), name="prediction-image"),
    path("api/predictions/<str:pk>/input", apis.DrawingInputApi.as_view(), name="prediction-input"),
    path("api/predictions/<str:pk>/saliency", saliency_apis.DrawingSaliencyApi.as_view(), name="prediction-saliency"),
    path("api/numbers/<str:pk>/image", number_apis.NumberImageApi.as_view(), name="number-image"),
    path("api/", include(router.urls)),
]

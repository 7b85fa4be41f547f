from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "papersift.images"
    label = "images"
    verbose_name = "Images (local copies of thumbnails and avatars)"

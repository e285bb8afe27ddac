from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "images"
    verbose_name = "Pictures"
    # Contributors upload and describe pictures for their articles; editors keep the library.
    desk_roles = {
        "Contributors": ["add_image", "change_image", "view_image"],
        "Editors": ["*"],
        "Administrators": ["*"],
    }

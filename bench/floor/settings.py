"""The floor: the smallest Django site, one view saying hello, for comparison with
Colophon under the same gunicorn settings (bench/load.py)."""

SECRET_KEY = "floor-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "floor.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True

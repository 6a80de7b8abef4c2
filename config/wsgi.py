import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What a server process loaded lives as long as it does: frozen, the
# collector's full collections stop walking it; its young collections are
# spaced so that a page's objects are freed before one comes (core.memory).
from core.memory import freeze_loaded_objects, space_young_collections  # noqa: E402

freeze_loaded_objects()
space_young_collections()

"""R0 under gunicorn (`bench.r0.wsgi`), whatever DJANGO_SETTINGS_MODULE the caller had."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.r0.settings"
application = get_wsgi_application()

"""Settings for `make bench`: the app's own settings, plus a trivial baseline view and a
throwaway STATIC_ROOT, so benchmarking touches neither the app's URLs nor its staticfiles/."""

import os

from mentoring.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT  # noqa: F405

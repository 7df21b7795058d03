"""Settings of `make bench` (``manage.py bench``): the production settings, unchanged, read
from the environment the benchmark sets (DEBUG off, a secret key, plain local HTTP, a
throwaway database) — except that the collected static files go to the benchmark's own
temporary folder (``BENCH_STATIC_ROOT``), so a run leaves the checkout as it found it.
"""

import os

from config.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]

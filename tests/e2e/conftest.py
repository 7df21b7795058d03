"""Browser tests: pytest-playwright driving Debian's Chromium against ``live_server``.

Never ``playwright install`` here: it downloads a browser and fails offline (STACK.md).
"""

import os
from pathlib import Path

import pytest

from tests.compiled_messages import compile_messages_if_stale

# pytest-playwright keeps an event loop running in the main thread, where the test's own
# ORM calls run; Django would refuse them as "async unsafe" (STACK.md, gotcha 4).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _compiled_messages():
    """The story reads Chinese off the pages."""
    compile_messages_if_stale()

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


AXE = Path(__file__).resolve().parent.parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core, installed from the npm registry by ``make test`` (tests/a11y, ``npm ci``).

    A test tool only: never served by the site, never loaded from a CDN.
    """
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE}): run `make test`, which installs it from "
            "tests/a11y/package-lock.json (or by hand: npm ci --prefix tests/a11y)"
        )
    return AXE

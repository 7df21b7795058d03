import pytest

from tests.compiled_messages import compile_messages_if_stale


@pytest.fixture(scope="session", autouse=True)
def _compiled_messages():
    """The pages are checked in Chinese, which needs the compiled catalog."""
    compile_messages_if_stale()

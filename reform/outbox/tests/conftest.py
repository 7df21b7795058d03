"""The outbox's own mail-server fixtures; the shared ones (smtp_port, mail_service,
mail_server) are in the root conftest.py."""

import pytest

from reform.outbox.testing import MailServer, SmtpService


@pytest.fixture
def flaky_mail_server(smtp_port):
    """Refuses the first two deliveries with a temporary error, then accepts."""
    handler = MailServer(refuse=2)
    service = SmtpService(handler, smtp_port)
    service.start()
    yield handler
    service.stop()


@pytest.fixture
def stopped_mail_service(smtp_port):
    """A server the test starts and stops itself (an outage): not started yet."""
    service = SmtpService(MailServer(), smtp_port)
    yield service
    service.stop()

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Evidence files of a test go to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


# --- a real mail server (aiosmtpd), for any test that follows an email to the wire ------------


@pytest.fixture
def smtp_port(settings):
    """Django sends by SMTP to 127.0.0.1:<port> (pytest-django installs the in-memory
    backend otherwise); nothing listens there until a server is started."""
    from reform.outbox.testing import free_port, use_smtp

    port = free_port()
    use_smtp(settings, port)
    settings.SITE_URL = "https://reform.example.gov.cn"
    return port


@pytest.fixture
def mail_service(smtp_port):
    """A mail server the test may stop and start again (an outage); started."""
    from reform.outbox.testing import MailServer, SmtpService

    service = SmtpService(MailServer(), smtp_port)
    service.start()
    yield service
    service.stop()


@pytest.fixture
def mail_server(mail_service):
    """What the mail server received."""
    return mail_service.handler

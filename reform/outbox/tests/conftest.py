"""A real mail server (aiosmtpd) for the outbox tests, and ports that nobody answers on."""

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    """Keeps what it accepted; answers "451 try again later" to the first ``refuse`` DATAs."""

    def __init__(self, refuse: int = 0):
        self.refuse = refuse
        self.refused = 0
        self.received: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.peers = []  # the client's (host, port) per accepted message: one per connection
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.refused < self.refuse:
                self.refused += 1
                return "451 try again later"
            self.envelopes.append(envelope)
            self.peers.append(session.peer)
            self.received.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.received]


class SmtpService:
    """An aiosmtpd Controller that can be stopped and started again on the same port."""

    def __init__(self, handler: MailServer, port: int):
        self.handler = handler
        self.port = port
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port(settings):
    """Django sends by SMTP to 127.0.0.1:<port> (pytest-django installs the in-memory
    backend otherwise); nothing listens there until a test starts a server."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "改革办 <reform-tracker@example.gov.cn>"
    return port


@pytest.fixture
def mail_server(smtp_port):
    handler = MailServer()
    service = SmtpService(handler, smtp_port)
    service.start()
    yield handler
    service.stop()


@pytest.fixture
def flaky_mail_server(smtp_port):
    """Refuses the first two deliveries with a temporary error, then accepts."""
    handler = MailServer(refuse=2)
    service = SmtpService(handler, smtp_port)
    service.start()
    yield handler
    service.stop()


@pytest.fixture
def mail_service(smtp_port):
    """A server the test starts and stops itself (an outage)."""
    service = SmtpService(MailServer(), smtp_port)
    yield service
    service.stop()

"""The SMTP alert channel against a real SMTP receiver on 127.0.0.1: the mail arrives, to the configured
recipients, with the payload and without any configured secret; an unreachable server is an error, not
silence."""

from __future__ import annotations

import email
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message

import pytest

from orchestration.alerts import AlertConfig, send_alert


@dataclass
class Mailbox:
    port: int
    envelopes: list[tuple[str, list[str], Message]] = field(default_factory=list)


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT (no STARTTLS)."""

    mailbox: Mailbox

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        sender, recipients = "", []
        self.reply("220 127.0.0.1 test receiver")
        while raw := self.rfile.readline():
            command = raw.decode().rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 127.0.0.1")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip().strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                self.mailbox.envelopes.append((sender, recipients, email.message_from_bytes(b"".join(lines))))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # RSET, NOOP
                self.reply("250 OK")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    box = Mailbox(port=server.server_address[1])
    _SMTPHandler.mailbox = box
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()


def test_alert_mail_reaches_the_recipients_without_secrets(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__WORKDAY__CLIENT_SECRET", "s3cret-client-value")
    config = AlertConfig(
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_from="pipeline@campus.example",
        smtp_to=("oncall@campus.example", "data@campus.example"),
    )
    sent = send_alert(
        "campus run failed: workday",
        {"source": "workday", "error": "401 for client secret s3cret-client-value"},
        config,
    )
    assert sent == ["smtp"]
    [(sender, recipients, message)] = mailbox.envelopes
    assert sender == "pipeline@campus.example"
    assert recipients == ["oncall@campus.example", "data@campus.example"]
    assert message["Subject"] == "campus run failed: workday"
    body = message.get_payload(decode=True).decode()
    assert '"source": "workday"' in body
    assert "s3cret-client-value" not in body and "***" in body


def test_an_unreachable_mail_server_is_an_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = AlertConfig(
        smtp_host="127.0.0.1", smtp_port=port, smtp_from="a@b.example", smtp_to=("c@d.example",)
    )
    with pytest.raises(RuntimeError, match="alert not delivered: smtp"):
        send_alert("campus run failed", {"error": "boom"}, config)

"""Delivery through a real SMTP server (aiosmtpd) started by each test on a free loopback port."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import xlsxwriter
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from adapters.delivery import ManagerReport, deliver_reports, report_message
from settings.sources import SmtpConfig

AS_OF = date(2026, 11, 28)
SENDER = "对账系统 <recon@example.com>"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Mailbox:
    """An aiosmtpd handler that keeps every accepted message and refuses the given recipients."""

    def __init__(self, refused: tuple[str, ...] = ()):
        self.refused = refused
        self.received: list[tuple[list[str], bytes]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _server(mailbox: Mailbox, **smtp_options):
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port(), **smtp_options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def _smtp(port: int, **options) -> SmtpConfig:
    return SmtpConfig(**{"host": "127.0.0.1", "port": port, "sender": SENDER, "tls": "none",
                         "timeout_seconds": 10, **options})


def _report(tmp_path: Path, manager: str, email: str | None) -> ManagerReport:
    html = tmp_path / f"conflicts_{AS_OF}_{manager}.html"
    html.write_text(f"<html><body><h1>{manager} 撞单</h1></body></html>", encoding="utf-8")
    xlsx = tmp_path / f"conflicts_{AS_OF}_{manager}.xlsx"
    with xlsxwriter.Workbook(xlsx) as workbook:
        workbook.add_worksheet("撞单").write(0, 0, manager)
    return ManagerReport(manager=manager, email=email, as_of=AS_OF, attachments=(html, xlsx))


def _received(mailbox: Mailbox) -> dict[str, object]:
    """Recipient → the parsed message; each message must have had exactly one recipient."""
    by_recipient = {}
    for recipients, content in mailbox.received:
        assert len(recipients) == 1
        by_recipient[recipients[0]] = message_from_bytes(content, policy=policy.default)
    assert len(by_recipient) == len(mailbox.received)
    return by_recipient


def _attachments(message) -> list[tuple[str, str, bytes]]:
    return [(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            for part in message.iter_attachments()]


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "recon test mail server")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "server.pem", tmp_path / "server.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def _server_tls(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


def test_each_manager_receives_exactly_their_own_report(tmp_path):
    guo = _report(tmp_path, "郭博文", "guo.bowen@example-corp.cn")
    liu = _report(tmp_path, "刘洋", "liu.yang@example-corp.cn")
    mailbox = Mailbox()
    with _server(mailbox) as port:
        statuses = deliver_reports(_smtp(port), [guo, liu])

    assert statuses == {"郭博文": "sent", "刘洋": "sent"}
    received = _received(mailbox)
    assert sorted(received) == ["guo.bowen@example-corp.cn", "liu.yang@example-corp.cn"]
    for report in (guo, liu):
        message = received[report.email]
        assert message["To"].addresses[0].display_name == report.manager
        assert message["From"].addresses[0].addr_spec == "recon@example.com"
        assert "撞单报告" in message["Subject"] and "Conflict report" in message["Subject"]
        assert "2026-11-28" in message["Subject"] and report.manager in message["Subject"]
        assert "2026-11-28" in message.get_body(("plain",)).get_content()
        html, xlsx = report.attachments
        assert _attachments(message) == [
            (html.name, "text/html", html.read_bytes()),
            (xlsx.name, XLSX, xlsx.read_bytes()),
        ]


def test_a_manager_without_address_is_not_sent_anything(tmp_path):
    reports = [_report(tmp_path, "郭博文", None), _report(tmp_path, "张伟", "  "),
               _report(tmp_path, "刘洋", "liu.yang@example-corp.cn")]
    mailbox = Mailbox()
    with _server(mailbox) as port:
        statuses = deliver_reports(_smtp(port), reports)

    assert statuses == {"郭博文": "no address", "张伟": "no address", "刘洋": "sent"}
    assert list(_received(mailbox)) == ["liu.yang@example-corp.cn"]


def test_a_refused_recipient_fails_only_that_manager(tmp_path):
    reports = [_report(tmp_path, "郭博文", "guo.bowen@example-corp.cn"),
               _report(tmp_path, "刘洋", "liu.yang@example-corp.cn")]
    mailbox = Mailbox(refused=("guo.bowen@example-corp.cn",))
    with _server(mailbox) as port:
        statuses = deliver_reports(_smtp(port), reports)

    assert statuses["郭博文"] == (
        "failed: recipient guo.bowen@example-corp.cn refused: 550 5.1.1 mailbox unavailable")
    assert statuses["刘洋"] == "sent"
    assert list(_received(mailbox)) == ["liu.yang@example-corp.cn"]


def test_an_unreachable_server_fails_every_manager_with_the_reason(tmp_path):
    reports = [_report(tmp_path, "郭博文", "guo.bowen@example-corp.cn"),
               _report(tmp_path, "刘洋", "liu.yang@example-corp.cn")]
    statuses = deliver_reports(_smtp(_free_port()), reports)  # nothing listens there
    assert set(statuses) == {"郭博文", "刘洋"}
    assert all(status.startswith("failed: ") and "refused" in status.lower()
               for status in statuses.values())


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_a_self_signed_server_is_trusted_only_through_ca_file(tmp_path, tls):
    server_context, cert_file = _server_tls(tmp_path)
    options = ({"tls_context": server_context, "require_starttls": True} if tls == "starttls"
               else {"ssl_context": server_context})
    report = _report(tmp_path, "郭博文", "guo.bowen@example-corp.cn")
    mailbox = Mailbox()
    with _server(mailbox, **options) as port:
        refused = deliver_reports(_smtp(port, tls=tls), [report])
        assert "certificate verify failed" in refused["郭博文"]
        assert refused["郭博文"].startswith("failed: ")
        assert mailbox.received == []

        trusted = deliver_reports(_smtp(port, tls=tls, ca_file=cert_file), [report])
    assert trusted == {"郭博文": "sent"}
    assert list(_received(mailbox)) == ["guo.bowen@example-corp.cn"]


def test_the_login_uses_the_password_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RECON_TEST_SMTP_PASSWORD", "s3cret pass")
    server_context, cert_file = _server_tls(tmp_path)
    mailbox = Mailbox()
    with _server(mailbox, tls_context=server_context, require_starttls=True,
                 auth_required=True, authenticator=mailbox.authenticate) as port:
        smtp = _smtp(port, tls="starttls", ca_file=cert_file, username="recon@example.com",
                     password_env="RECON_TEST_SMTP_PASSWORD")
        statuses = deliver_reports(smtp, [_report(tmp_path, "郭博文", "guo.bowen@example-corp.cn")])
    assert statuses == {"郭博文": "sent"}
    assert mailbox.logins == [(b"recon@example.com", b"s3cret pass")]
    assert len(mailbox.received) == 1


def test_the_message_names_its_attachments_in_utf8():
    report = ManagerReport(manager="郭博文", email="guo.bowen@example-corp.cn", as_of=AS_OF,
                           attachments=())
    message = report_message(SENDER, report, [("conflicts_2026-11-28_郭博文.html", b"<p>x</p>"),
                                              ("conflicts_2026-11-28_郭博文.xlsx", b"PK\x03\x04")])
    raw = message.as_bytes()
    assert b"filename*=utf-8''conflicts_2026-11-28_%E9%83%AD%E5%8D%9A%E6%96%87.xlsx" in raw
    assert raw.isascii()  # no SMTPUTF8 needed: every header is encoded
    assert [p.get_content_type() for p in message.iter_attachments()] == ["text/html", XLSX]


def test_two_reports_for_one_manager_are_refused(tmp_path):
    report = _report(tmp_path, "郭博文", "guo.bowen@example-corp.cn")
    with pytest.raises(ValueError, match="several reports for manager"):
        deliver_reports(_smtp(_free_port()), [report, report])

"""E-mailing each sales manager their conflict report through the SMTP server of `sources.yaml`.

Building a message is pure (`report_message`); `deliver_reports` reads the attachments and sends,
one SMTP session per manager, so a refused recipient or a dropped connection costs only that
manager's message. The server's certificate is always verified.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from settings.sources import SmtpConfig

SENT = "sent"
NO_ADDRESS = "no address"

# By suffix; anything else goes as a plain byte stream.
_MIME_TYPES = {
    ".html": ("text", "html"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ManagerReport:
    """One manager's conflict report files for one night."""

    manager: str  # display name, e.g. 郭博文
    email: str | None  # manager_email from the roster; None or blank: nothing is sent
    as_of: date
    attachments: tuple[Path, ...]  # the HTML and XLSX files


def report_message(
    sender: str, report: ManagerReport, attachments: Sequence[tuple[str, bytes]]
) -> EmailMessage:
    """The e-mail for one manager (whose `email` is set): bilingual subject and body, each
    `(file name, bytes)` attached with its MIME type; Chinese file names go RFC 2231 UTF-8."""
    day = report.as_of.isoformat()
    message = EmailMessage()
    message["Subject"] = f"撞单报告 Conflict report {day} – {report.manager}"
    message["From"] = sender
    message["To"] = Address(display_name=report.manager, addr_spec=report.email.strip())
    message.set_content(
        f"{report.manager}，您好：\n\n"
        f"附件是截至 {day} 您团队的撞单报告（网页版与 Excel 版）。\n\n"
        f"Hello {report.manager},\n\n"
        f"attached is your team's conflict report as of {day} (HTML and Excel).\n\n"
        "-- recon 客户报备对账（自动发送 / sent automatically）\n"
    )
    for name, content in attachments:
        suffix = Path(name).suffix.lower()
        maintype, subtype = _MIME_TYPES.get(suffix, ("application", "octet-stream"))
        # our HTML is UTF-8; say so, or a mail client previewing it guesses and garbles the Chinese
        params = {"charset": "utf-8"} if maintype == "text" else None
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name, params=params)
    return message


def deliver_reports(smtp: SmtpConfig, reports: list[ManagerReport]) -> dict[str, str]:
    """Send each manager their report; returns manager → 'sent' | 'no address' | 'failed: <reason>'.
    A failure for one manager does not stop the others. Manager names must be unique."""
    names = [r.manager for r in reports]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise ValueError(f"several reports for manager(s) {', '.join(doubled)}")
    password = smtp.password()
    statuses: dict[str, str] = {}
    for report in reports:
        if not (report.email or "").strip():
            statuses[report.manager] = NO_ADDRESS
            log.warning("conflict report for %s not sent: no manager_email", report.manager)
            continue
        try:
            attachments = [(path.name, path.read_bytes()) for path in report.attachments]
            message = report_message(smtp.sender, report, attachments)
            _send(smtp, password, message)
        except (smtplib.SMTPException, OSError, ValueError, MessageError) as exc:
            statuses[report.manager] = f"failed: {_reason(exc)}"
            log.warning("conflict report for %s not sent: %s", report.manager, _reason(exc))
        else:
            statuses[report.manager] = SENT
            log.info("conflict report sent to %s <%s>", report.manager, report.email)
    return statuses


def _send(smtp: SmtpConfig, password: str | None, message: EmailMessage) -> None:
    """One SMTP session for one message; Date and Message-ID are stamped here, not in the pure
    builder."""
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain=parseaddr(smtp.sender)[1].rpartition("@")[2])
    # With a ca_file only that (company) CA is trusted; without one, the system's CAs.
    context = ssl.create_default_context(cafile=smtp.ca_file)
    if smtp.tls == "ssl":
        session = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds,
                                   context=context)
    else:
        session = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    with session:
        if smtp.tls == "starttls":
            session.starttls(context=context)
        if smtp.username is not None:
            session.login(smtp.username, password)
        session.send_message(message)


def _reason(exc: Exception) -> str:
    """A one-line reason a sales-ops reader can act on (smtplib's own strings are dict reprs)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"recipient {address} refused: {code} {text.decode(errors='replace')}"
                         for address, (code, text) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"server said {exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    return str(exc) or type(exc).__name__

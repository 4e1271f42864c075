"""The optional e-mailing of managers' reports in sources.yaml: the mail server and how to log in."""

from __future__ import annotations

import os
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from settings.base import ConfigError, Strict


class SmtpConfig(Strict):
    """The mail server the reports go through. The password is never in the YAML: `password_env`
    names the environment variable that holds it, and it must be set when the file is loaded."""

    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    sender: str
    tls: Literal["starttls", "ssl", "none"]
    username: str | None = None
    password_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    ca_file: Path | None = None
    timeout_seconds: float = Field(default=30, gt=0)

    @field_validator("sender")
    @classmethod
    def _sender_is_an_address(cls, sender: str) -> str:
        if "@" not in parseaddr(sender)[1]:
            raise ValueError(f"{sender!r} is not an e-mail address")
        return sender

    @field_validator("password_env")
    @classmethod
    def _password_is_set(cls, name: str | None) -> str | None:
        if name is not None and not os.environ.get(name):
            raise ValueError(_password_unset(name))
        return name

    @field_validator("ca_file")
    @classmethod
    def _ca_file_exists(cls, ca_file: Path | None, info: ValidationInfo) -> Path | None:
        """Relative to the YAML file's folder (passed as validation context by `load_sources`)."""
        if ca_file is None:
            return None
        resolved = (Path((info.context or {}).get("base_dir", ".")) / ca_file).resolve()
        if not resolved.is_file():
            raise ValueError(f"no file at {resolved}")
        return resolved

    @model_validator(mode="after")
    def _login_and_ca_need_tls(self) -> SmtpConfig:
        if (self.username is None) != (self.password_env is None):
            raise ValueError("username and password_env go together")
        if self.username is not None and self.tls == "none":
            raise ValueError("a login needs tls starttls or ssl (never a password in clear)")
        if self.ca_file is not None and self.tls == "none":
            raise ValueError("ca_file is only used with tls starttls or ssl")
        return self

    def password(self) -> str | None:
        """The password from `password_env` (None without a login); ConfigError if it is unset."""
        if self.password_env is None:
            return None
        password = os.environ.get(self.password_env)
        if not password:
            raise ConfigError(_password_unset(self.password_env))
        return password


def _password_unset(name: str) -> str:
    return f"environment variable {name} (the SMTP password) is not set or empty"


class DeliveryConfig(Strict):
    """Optional e-mailing of each manager's conflict report; absent means nothing is sent."""

    smtp: SmtpConfig



"""config/web.yaml: who may use `recon web` besides the roster's reps and managers, and how they
sign in (a password, or a trusted reverse proxy's header)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Literal

from pydantic import Field

from settings.base import ConfigError, Strict, load_yaml_model

LOGIN_PATTERN = r"^[A-Za-z0-9._@+-]{1,80}$"


class WebUser(Strict):
    """A reviewer (sales-ops), an admin, or a manager or rep the roster does not list."""

    login: str = Field(pattern=LOGIN_PATTERN)
    name: str = Field(min_length=1, max_length=80)
    role: Literal["rep", "manager", "reviewer", "admin"]
    teams: tuple[str, ...] = ()  # a manager's teams; the roster's own managers get theirs from it


class TrustedProxy(Strict):
    """Requests from `addresses` carrying `header` are signed in as the login it names; the proxy
    must strip the header from what its clients send."""

    header: str = Field(default="X-Remote-User", pattern=r"^[A-Za-z0-9-]{1,64}$")
    addresses: tuple[IPv4Address | IPv6Address, ...] = Field(min_length=1)


class WebConfig(Strict):
    users: tuple[WebUser, ...] = ()
    trusted_proxy: TrustedProxy | None = None
    session_hours: int = Field(default=12, ge=1, le=168)
    secure_cookies: bool = False  # true when served over https (the cookies then never travel in clear)


def load_web_config(path: Path) -> WebConfig:
    """config/web.yaml as a WebConfig; ConfigError names the file and key."""
    config = load_yaml_model(path, WebConfig.model_validate, ConfigError)
    logins = [user.login for user in config.users]
    doubled = sorted({login for login in logins if logins.count(login) > 1})
    if doubled:
        raise ConfigError(f"{path.name}: users: login(s) {', '.join(doubled)} listed twice")
    return config

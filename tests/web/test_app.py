"""The screens over HTTP (Starlette's test client): sign-in, rights, CSRF, and that what is typed
into a company name is shown as text."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, unquote

import duckdb
import pytest
from starlette.testclient import TestClient

from tests.web.conftest import ADMIN, MANAGER_OTHER, MANAGER_OWN, PASSWORD, REP, REVIEWER, csrf_of
from web.app import create_app
from web.sessions import password_matches


def signed_in(site, login: str) -> TestClient:
    client = TestClient(create_app(site.settings))
    form = client.get("/login")
    answer = client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": csrf_of(form.text),
                                         "next": "/"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def first_card(client: TestClient) -> tuple[str, str]:
    queue = client.get("/review")
    review_id = unquote(queue.text.split('href="/review/')[1].split('"')[0])
    card = client.get(f"/review/{quote(review_id, safe='')}")
    assert card.status_code == 200
    return review_id, csrf_of(card.text)


def seen_on_card(client: TestClient, review_id: str) -> str:
    return re.search(r'name="seen" value="([^"]*)"', client.get(f"/review/{quote(review_id, safe='')}").text).group(1)


def test_strangers_are_sent_to_sign_in(site):
    client = TestClient(create_app(site.settings))
    assert client.get("/review", follow_redirects=False).headers["location"] == "/login?next=/review"
    assert client.get("/api/suggest?q=wz").status_code == 401


def test_a_wrong_password_or_unknown_login_signs_nobody_in(site):
    client = TestClient(create_app(site.settings))
    for login, password in ((REVIEWER, "wrong password!"), ("nobody", PASSWORD)):
        form = client.get("/login")
        answer = client.post("/login", data={"login": login, "password": password, "csrf_token": csrf_of(form.text)})
        assert answer.status_code == 401 and "账号或密码不正确" in answer.text
    assert client.get("/review", follow_redirects=False).status_code == 303


def test_sign_in_needs_the_forms_token(site):
    client = TestClient(create_app(site.settings))
    client.get("/login")
    answer = client.post("/login", data={"login": REVIEWER, "password": PASSWORD, "csrf_token": "forged"})
    assert answer.status_code == 403


def test_sign_in_never_redirects_to_another_site(site):
    client = TestClient(create_app(site.settings))
    form = client.get("/login")
    answer = client.post("/login", data={"login": REVIEWER, "password": PASSWORD, "csrf_token": csrf_of(form.text),
                                         "next": "//evil.example/"}, follow_redirects=False)
    assert answer.headers["location"] == "/"


def test_a_rep_sees_only_the_lookup(site):
    client = signed_in(site, REP)
    assert client.get("/").status_code == 200
    for page in ("/review", "/audit", "/appeals", "/extensions"):
        assert client.get(page).status_code == 403, page
    assert 'href="/review"' not in client.get("/").text


def test_a_write_without_its_csrf_token_is_refused(site):
    client = signed_in(site, REVIEWER)
    review_id, token = first_card(client)
    for headers, data in (({}, {"decision": "same"}), ({}, {"decision": "same", "csrf_token": "guess"})):
        assert client.post(f"/review/{quote(review_id, safe='')}", data=data, headers=headers).status_code == 403
    assert site.store.decisions().is_empty()
    answer = client.post(f"/review/{quote(review_id, safe='')}", data={"decision": "same", "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert site.store.decisions()["decision"].to_list() == ["same"]


def test_a_decision_is_recorded_with_who_and_when_and_a_later_one_reverses_it(site):
    client = signed_in(site, REVIEWER)
    review_id, token = first_card(client)
    path = f"/review/{quote(review_id, safe='')}"
    client.post(path, data={"decision": "same", "note": "同一法人", "csrf_token": token})
    audit = client.get("/audit").text
    assert "同一法人" in audit and "运营-陈静（ops.chenjing）" in audit and "现行" in audit
    client.post(path, data={"decision": "different", "note": "看错了", "csrf_token": token, "return": "audit",
                             "seen": seen_on_card(client, review_id)})
    decisions = site.store.decisions()
    assert decisions["decision"].to_list() == ["same", "different"]
    assert decisions["login"].unique().to_list() == [REVIEWER]
    assert "已被改判" in client.get("/audit").text


def test_a_skip_after_an_answer_leaves_the_answer_standing(site):
    client = signed_in(site, REVIEWER)
    review_id, token = first_card(client)
    path = f"/review/{quote(review_id, safe='')}"
    client.post(path, data={"decision": "same", "csrf_token": token})
    client.post(path, data={"decision": "skip", "csrf_token": token})
    queue = client.get("/review").text
    assert "已判 1 对" in queue and "同一客户" in queue
    audit = client.get("/audit").text
    assert audit.count("现行") == 1 and "不改变判断" in audit
    assert "改为不同客户" in audit  # the standing answer can still be reversed


def test_an_answer_given_meanwhile_by_someone_else_is_not_overwritten(site):
    first, second = signed_in(site, REVIEWER), signed_in(site, ADMIN)
    review_id, token = first_card(first)
    _, other_token = first_card(second)
    path = f"/review/{quote(review_id, safe='')}"
    first.post(path, data={"decision": "same", "csrf_token": token, "seen": ""})
    late = second.post(path, data={"decision": "different", "csrf_token": other_token, "seen": ""})
    assert late.status_code == 409 and "运营-陈静" in late.text and "未记录" in late.text
    assert site.store.decisions()["decision"].to_list() == ["same"]


def test_an_answer_on_a_pair_outside_the_queue_is_refused(site):
    client = signed_in(site, REVIEWER)
    _, token = first_card(client)
    answer = client.post(f"/review/{quote('L-1|L-2', safe='')}", data={"decision": "same", "csrf_token": token})
    assert answer.status_code == 400 and site.store.decisions().is_empty()


def test_a_manager_sees_and_rules_only_their_own_teams_appeals(site):
    own, other = signed_in(site, MANAGER_OWN), signed_in(site, MANAGER_OTHER)
    assert "AP-0003" in own.get("/appeals").text
    page = other.get("/appeals")
    assert page.status_code == 200 and "AP-0003" not in page.text
    refused = other.post("/appeals/AP-0003",
                         data={"decision": "overturn", "reason": "x", "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403 and site.store.appeal_rulings().is_empty()
    token = csrf_of(own.get("/appeals").text)
    for wrong in ({"decision": "overturn", "reason": ""}, {"decision": "same", "reason": "x"}):
        assert own.post("/appeals/AP-0003", data=wrong | {"csrf_token": token}).status_code == 400
    own.post("/appeals/AP-0003", data={"decision": "overturn", "reason": "原负责人未跟进", "csrf_token": token})
    ruling = site.store.appeal_rulings().row(0, named=True)
    assert (ruling["appeal_id"], ruling["decision"], ruling["login"]) == ("AP-0003", "overturn", MANAGER_OWN)


def test_a_manager_rules_only_their_own_teams_extension_requests(site):
    own, other = signed_in(site, MANAGER_OWN), signed_in(site, MANAGER_OTHER)
    token = csrf_of(other.get("/extensions").text)
    assert other.post("/extensions/EXT-0003", data={"decision": "approve", "reason": "x",
                                                    "csrf_token": token}).status_code == 403
    token = csrf_of(own.get("/extensions").text)
    own.post("/extensions/EXT-0003", data={"decision": "approve", "reason": "客户预算审批中", "csrf_token": token})
    assert site.store.extension_rulings()["approved"].to_list() == [True]


def test_no_page_shows_another_teams_contact_details(site):
    with duckdb.connect(str(site.settings.warehouse)) as con:
        # the claim AP-0003 appeals lost to a rep of another team than the appellant's (华中组)
        con.execute("update conflict_details set owner_team = '华东大客户组' "
                    "where claim_id = (select claim_id from appeals where appeal_id = 'AP-0003')")
        phone, owner_phone = con.execute(
            "select c.phone, d.owner_phone from appeals a join claims c using (claim_id) "
            "join conflict_details d using (claim_id) where a.appeal_id = 'AP-0003'").fetchall()[0]
    assert phone and owner_phone
    own = signed_in(site, MANAGER_OWN).get("/appeals").text
    reviewer = signed_in(site, REVIEWER).get("/appeals").text
    assert phone in own and owner_phone not in own and "其他团队的联系方式不显示" in own
    assert phone in reviewer and owner_phone in reviewer
    suggestions = signed_in(site, REP).get("/api/suggest", params={"q": phone}).json()["suggestions"]
    assert suggestions and phone not in json.dumps(suggestions, ensure_ascii=False)


@pytest.mark.parametrize("login", [REVIEWER, ADMIN])
def test_injected_html_in_a_company_name_shows_as_text(site, login):
    attack = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    with duckdb.connect(str(site.settings.warehouse)) as con:
        con.execute("update review_queue set company_name_l = ? where rank = 1", [attack])
    client = signed_in(site, login)
    for page in (client.get("/review").text, client.get(f"/review/{quote(first_card(client)[0], safe='')}").text):
        assert attack not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_every_page_carries_the_security_headers(site):
    answer = signed_in(site, REVIEWER).get("/review")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"


def test_a_trusted_proxys_header_signs_in_only_from_its_addresses(site, tmp_path):
    config = tmp_path / "web.yaml"
    config.write_text("users:\n  - {login: ops.chenjing, name: 运营-陈静, role: reviewer}\n"
                      "trusted_proxy:\n  header: X-Remote-User\n  addresses: [127.0.0.1]\n", encoding="utf-8")
    settings = replace(site.settings, web_config=config)
    proxied = TestClient(create_app(settings), client=("127.0.0.1", 40000))
    page = proxied.get("/review", headers={"X-Remote-User": REVIEWER})
    assert page.status_code == 200
    assert proxied.get("/review", headers={"X-Remote-User": REP}).status_code == 403
    assert proxied.get("/review", headers={"X-Remote-User": "nobody"}, follow_redirects=False).status_code == 303
    # a client's own header passed on beside the proxy's: nobody is signed in
    doubled = TestClient(create_app(settings), client=("127.0.0.1", 40002))
    answer = doubled.get("/review", headers=[("X-Remote-User", REVIEWER), ("X-Remote-User", ADMIN)],
                         follow_redirects=False)
    assert answer.status_code == 303
    reviewer = TestClient(create_app(settings), client=("127.0.0.1", 40001), headers={"X-Remote-User": REVIEWER})
    review_id, token = first_card(reviewer)
    elsewhere = TestClient(create_app(settings), client=("10.0.0.9", 40000))
    assert elsewhere.get("/review", headers={"X-Remote-User": REVIEWER}, follow_redirects=False).status_code == 303
    # a write still needs the session's CSRF token, which the proxied person's pages carry
    path = f"/review/{quote(review_id, safe='')}"
    assert reviewer.post(path, data={"decision": "same"}).status_code == 403
    answered = reviewer.post(path, data={"decision": "same", "csrf_token": token}, follow_redirects=False)
    assert answered.status_code == 303
    assert site.store.decisions()["login"].to_list() == [REVIEWER]


def test_recon_web_starts_from_any_folder_with_an_empty_environment(site, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    recon = Path(sys.executable).with_name("recon")
    server = subprocess.Popen(
        [str(recon), "web", "--warehouse", str(site.settings.warehouse), "--port", str(port)],
        cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
                    assert json.load(answer) == {"status": "ok"}
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                time.sleep(0.3)
        else:
            pytest.fail("recon web did not answer within 60 s")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
            assert "登录" in answer.read().decode()
    finally:
        server.terminate()
        server.wait(10)


def test_recon_web_password_sets_a_password_read_from_stdin(site):
    recon = Path(sys.executable).with_name("recon")
    done = subprocess.run([str(recon), "web-password", REVIEWER, "--warehouse", str(site.settings.warehouse),
                           "--password-stdin"], input="a new long password\n", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert password_matches(site.store, REVIEWER, "a new long password")
    short = subprocess.run([str(recon), "web-password", REVIEWER, "--warehouse", str(site.settings.warehouse),
                            "--password-stdin"], input="short\n", capture_output=True, text=True)
    assert short.returncode == 2 and "at least" in short.stderr

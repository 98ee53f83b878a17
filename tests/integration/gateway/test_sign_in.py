"""Signing in: rate limits, revocation, expiry, roles read from the database, first sign-in, browser sessions with
CSRF, and sign-in that takes as long whether or not the user exists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from gateway.models import AuthToken, User

LOGIN = "/api/v1/auth/login"


def _login(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, json={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address})


def test_five_failures_a_minute_lock_the_username_then_429_with_retry_after(sqlite_stack):
    # SQLite only: the limits live in Redis; the database only answers the password checks
    sqlite_stack.sign_in()
    gateway = sqlite_stack.client("gateway")
    for _ in range(5):
        assert _login(gateway, "student1", "wrong-password").status_code == 401
    locked = _login(gateway, "student1", "student-demo")  # even the right password, for the rest of the minute
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 60
    assert locked.get_json()["error"] == "too_many_attempts" and "username" in locked.get_json()["fields"]
    assert _login(gateway, "student2", "student-demo").status_code == 200  # another username is not locked
    # an unknown username is counted the same way (nothing tells it apart)
    for _ in range(5):
        assert _login(gateway, "nobody-here", "wrong-password").status_code == 401
    assert _login(gateway, "nobody-here", "wrong-password").status_code == 429


def test_one_address_is_limited_across_usernames(sqlite_stack):
    # SQLite only: the limits live in Redis
    sqlite_stack.sign_in()
    gateway = sqlite_stack.client("gateway")
    for n in range(30):
        assert _login(gateway, f"guess-{n}", "wrong-password", "10.9.9.9").status_code == 401
    refused = _login(gateway, "student3", "student-demo", "10.9.9.9")
    assert refused.status_code == 429 and "address" in refused.get_json()["fields"]
    assert _login(gateway, "student3", "student-demo", "10.1.1.1").status_code == 200


def test_sign_out_password_change_reset_and_expiry_revoke_tokens(stack):
    teacher = stack.sign_in()
    gateway = stack.client("gateway")
    first, second = (stack.sign_in("student1", "student-demo") for _ in range(2))
    assert gateway.get("/api/v1/shops", headers=first).status_code == 200
    assert gateway.post("/api/v1/auth/logout", headers=first).status_code == 204
    assert gateway.get("/api/v1/shops", headers=first).status_code == 401
    assert gateway.get("/api/v1/shops", headers=second).status_code == 200  # only that sign-in ended

    changed = gateway.post(
        "/api/v1/auth/password",
        headers=second,
        json={"current_password": "student-demo", "new_password": "my-own-password"},
    )
    assert changed.status_code == 200
    assert gateway.get("/api/v1/shops", headers=second).status_code == 401  # every older token is revoked
    fresh = {"Authorization": f"Bearer {changed.get_json()['token']}"}
    assert gateway.get("/api/v1/shops", headers=fresh).status_code == 200
    assert _login(gateway, "student1", "student-demo").status_code == 401

    # the instructor resets the student: their sign-ins end, and the new password must be changed first
    user_id = gateway.get("/api/v1/auth/me", headers=fresh).get_json()["id"]
    reset = gateway.post(f"/api/v1/classes/demo-class/students/{user_id}/reset-password", headers=teacher)
    assert reset.status_code == 200, reset.get_json()
    assert gateway.get("/api/v1/shops", headers=fresh).status_code == 401
    again = _login(gateway, "student1", reset.get_json()["initial_password"])
    assert again.get_json()["user"]["must_change_password"] is True
    pending = {"Authorization": f"Bearer {again.get_json()['token']}"}
    blocked = gateway.get("/api/v1/shops", headers=pending)
    assert blocked.status_code == 403 and blocked.get_json()["error"] == "password_change_required"
    assert gateway.get("/api/v1/auth/me", headers=pending).status_code == 200

    # a token past its school day is refused
    with stack.runtime("gateway").db.writing() as session:
        session.execute(update(AuthToken).values(expires_wall_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert gateway.get("/api/v1/shops", headers=teacher).status_code == 401


def test_the_role_is_read_from_the_database_not_from_the_token(stack):
    teacher = stack.sign_in()
    gateway = stack.client("gateway")
    with stack.runtime("gateway").db.writing() as session:
        session.execute(update(User).where(User.username == "teacher").values(role="student"))
    refused = gateway.post("/api/v1/shops", json={"name": "x", "platform": "ebay"}, headers=teacher)
    assert refused.status_code == 403
    assert gateway.get("/api/v1/shops", headers=teacher).get_json() == []  # a "student" who sits in no shop
    assert gateway.get("/api/v1/shops", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_sign_in_checks_one_argon2_hash_of_the_same_cost_whether_or_not_the_user_exists(sqlite_stack, monkeypatch):
    # What makes both answers take as long is doing the same work: one argon2id check with the same parameters.
    # Asserted on the work itself, not on a stopwatch (a shared machine's timings prove nothing either way).
    # SQLite only: the check is the password hash, the same on either database.
    from gateway import passwords

    sqlite_stack.sign_in()
    gateway = sqlite_stack.client("gateway")
    checked: list[str] = []
    real = passwords._HASHER

    class RecordingHasher:  # argon2's hasher has __slots__: wrap it instead of patching its method
        def __getattr__(self, name: str):
            return getattr(real, name)

        def verify(self, stored_hash: str, password: str) -> bool:
            checked.append(stored_hash)
            return real.verify(stored_hash, password)

    monkeypatch.setattr(passwords, "_HASHER", RecordingHasher())

    def parameters(stored_hash: str) -> str:  # "$argon2id$v=19$m=19456,t=2,p=1$salt$hash" -> the cost part
        return "$".join(stored_hash.split("$")[:4])

    assert _login(gateway, "teacher", "wrong-password", "10.2.1.1").status_code == 401
    assert _login(gateway, "no-such-user", "wrong-password", "10.2.2.1").status_code == 401
    assert len(checked) == 2, checked
    known, unknown = checked
    assert known.startswith("$argon2id$") and parameters(unknown) == parameters(known)
    assert unknown != known  # the unknown name was checked against the dummy, not against someone's hash


def test_browser_sessions_use_an_httponly_samesite_cookie_and_csrf_on_writes(stack):
    stack.sign_in()
    gateway = stack.client("gateway")
    signed = gateway.post("/api/v1/auth/session", json={"username": "teacher", "password": "teacher-demo"})
    assert signed.status_code == 200
    cookie = signed.headers["Set-Cookie"]
    assert "shoplab_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on the embedded default; SHOPLAB_COOKIE_SECURE=1 or HTTPS sets it
    csrf = signed.get_json()["csrf_token"]
    assert gateway.get("/api/v1/shops").status_code == 200  # the cookie signs the request in
    body = {"name": "网页开的店", "platform": "taobao"}
    refused = gateway.post("/api/v1/shops", json=body)
    assert refused.status_code == 403 and "csrf_token" in refused.get_json()["fields"]
    assert gateway.post("/api/v1/shops", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert gateway.post("/api/v1/shops", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert gateway.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert gateway.get("/api/v1/shops").status_code == 401


def test_secret_files_are_readable_by_their_owner_only(tmp_path, monkeypatch):
    from shoplab import settings

    monkeypatch.setenv("SHOPLAB_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SHOPLAB_SECRET_KEY", raising=False)
    monkeypatch.delenv("SHOPLAB_INTERNAL_TOKEN", raising=False)
    (tmp_path / "internal_token").write_text("left-by-an-older-version")
    (tmp_path / "internal_token").chmod(0o644)
    key, token = settings.secret_key(), settings.internal_token()
    assert key and token == "left-by-an-older-version"
    for name in ("secret_key", "internal_token"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert settings.secret_key() == key  # the same on every read

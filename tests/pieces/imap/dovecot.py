"""A throwaway Dovecot IMAP server for tests: its own config, users file and maildirs in a temp dir.

As root (CI) it runs as usual, mail owned by the `mail` user; otherwise everything runs as the
current user. STARTTLS is offered with the given certificate.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass(frozen=True, slots=True, kw_only=True)
class Dovecot:
    """A running server: where it listens and the account it knows."""

    port: int
    user: str
    password: str


def _config(*, root: Path, port: int, cert: Path, key: Path, owner: pwd.struct_passwd) -> str:
    running_as_root = os.geteuid() == 0
    login_user = "dovenull" if running_as_root else owner.pw_name
    internal_user = "dovecot" if running_as_root else owner.pw_name
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
# Wrong-password tests must not wait for the fixed delay (the per-IP penalty still grows, so
# such tests use a fresh server each).
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {owner.pw_uid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def dovecot(*, cert: Path, key: Path) -> Iterator[Dovecot]:
    """Starts dovecot in the foreground on a free port; stops it when the block ends.

    Its files live in a fresh dir under the system temp dir (not pytest's, whose 0700 parents
    the dovecot users could not enter), removed at the end; `cert` and `key` are copied in.
    """
    root = Path(tempfile.mkdtemp(prefix="pw-dovecot-"))
    os.chmod(root, 0o755)
    shutil.copy(cert, root / "cert.pem")
    shutil.copy(key, root / "key.pem")
    cert, key = root / "cert.pem", root / "key.pem"
    os.chmod(key, 0o644)
    try:
        with _running(root, cert=cert, key=key) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _running(root: Path, *, cert: Path, key: Path) -> Iterator[Dovecot]:
    owner = pwd.getpwnam("mail") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    os.chown(root / "mail", owner.pw_uid, owner.pw_gid)
    user, password = "ada@example.com", "correct horse"
    (root / "users").write_text(f"{user}:{{PLAIN}}{password}\n")
    port = _free_port()
    conf = root / "dovecot.conf"
    conf.write_text(_config(root=root, port=port, cert=cert, key=key, owner=owner))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_for(port, process, root)
        yield Dovecot(port=port, user=user, password=password)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_for(port: int, process: "subprocess.Popen[bytes]", root: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            log = (
                (root / "dovecot.log").read_text(errors="replace")
                if (root / "dovecot.log").exists()
                else ""
            )
            raise RuntimeError(f"dovecot exited ({process.returncode}): {output}\n{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                if conn.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not start listening within 15 s")

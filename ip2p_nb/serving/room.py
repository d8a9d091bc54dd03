"""A workshop room's key and private folders (`app --shared`, or `app` on an address other than loopback).

- `room_token()`: a random token; Voila's own token check (`--token`) refuses a page request without it
  (a redirect to its login page), and the link printed for the room carries it (`room_link`).
- `qr_terminal(link)` / `qr_data_uri(link)`: a QR code of the link, for the terminal and the app's first
  page (segno, optional: without it the link alone is shown).
- `room_dir()` and `visitor_folder(visitor)`: visitors' posters and full-size pictures go to
  `IP2P_ROOM_DIR/<visitor>/`, outside the folder Voila serves (it serves every .png/.jpg under the
  notebook's folder at /voila/files/... without asking for the token); a visitor id is random and
  unguessable (`new_visitor_id`), and a folder name that is not one is refused.
- `voila_room_args(token)`: what Voila is told in a room: the token, and no files served at all.
Uploaded photos are never written to disk in shared mode: the page's kernel sends the bytes to the
worker, which edits them in memory.
"""
import io
import os
import re
import secrets
import socket
from pathlib import Path

from ..errors import UserError

__all__ = ["room_token", "room_link", "lan_address", "qr_terminal", "qr_data_uri", "room_dir", "new_visitor_id",
           "visitor_folder", "voila_room_args", "jupyter_room_args", "check_outside", "ROOM_DIR_ENV", "ROOM_LINK_ENV"]

ROOM_DIR_ENV = "IP2P_ROOM_DIR"      # where visitors' folders go (set by `app` for the kernels)
ROOM_LINK_ENV = "IP2P_ROOM_LINK"    # the link with the token, for the app's first page
_VISITOR = re.compile(r"[A-Za-z0-9_-]{1,64}")


def room_token() -> str:
    """A random token (32 URL-safe characters, 192 bits)."""
    return secrets.token_urlsafe(24)


def lan_address() -> str:
    """This machine's address on its network (what other machines reach), or 127.0.0.1 when it has none.

    A UDP socket "connected" to a private address sends nothing; it only asks the kernel which source
    address it would use."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def room_link(ip: str, port: int, token: str | None) -> str:
    """The address attendees open: the listening address (this machine's network address for 0.0.0.0) and the token."""
    host = lan_address() if ip in ("0.0.0.0", "::", "") else ip
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/" + (f"?token={token}" if token else "")


def _qr(link: str):
    try:
        import segno  # noqa: PLC0415
    except ImportError:
        return None
    return segno.make(link, error="m")


def qr_terminal(link: str) -> str | None:
    """The QR code of `link` as text for a terminal (half-block characters), or None without segno."""
    qr = _qr(link)
    if qr is None:
        return None
    out = io.StringIO()
    qr.terminal(out=out, compact=True)
    return out.getvalue()


def qr_data_uri(link: str) -> str | None:
    """The QR code of `link` as a data: URL of a PNG (for an <img> in the page), or None without segno."""
    qr = _qr(link)
    return None if qr is None else qr.png_data_uri(scale=5, border=2)


def room_dir(env=None) -> Path:
    """The folder of the room's visitors' folders: `IP2P_ROOM_DIR`, else ~/ip2p-room."""
    env = os.environ if env is None else env
    return Path(env.get(ROOM_DIR_ENV) or Path.home() / "ip2p-room")


def new_visitor_id() -> str:
    """A visitor's id and folder name: random, unguessable (128 bits), safe as one path component."""
    return secrets.token_urlsafe(16)


def visitor_folder(visitor: str, env=None) -> Path:
    """`room_dir()/visitor`, created (owner only); an id that is not one plain folder name is refused."""
    if not isinstance(visitor, str) or not _VISITOR.fullmatch(visitor):
        raise UserError(f"The visitor id {visitor!r} is not a plain folder name of 1-64 letters, digits, '-' or '_'; "
                        "a visitor's files must stay in their own folder.")
    folder = room_dir(env) / visitor
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def voila_room_args(token: str | None) -> list[str]:
    """Voila's options in a room: the token (none with --no-token) and nothing served from /voila/files/."""
    return ([f"--token={token}"] if token else []) + ["--VoilaConfiguration.file_allowlist=[]"]


def jupyter_room_args(token: str | None) -> list[str]:
    """JupyterLab's options in a room: the token (an empty one turns the check off)."""
    return [f"--IdentityProvider.token={token or ''}"]


def check_outside(folder: Path, served: Path) -> None:
    """Refuse a room folder inside the folder the server serves."""
    folder, served = Path(folder).resolve(), Path(served).resolve()
    if folder == served or served in folder.parents:
        raise UserError(f"The room folder {str(folder)!r} is inside the notebook folder {str(served)!r}, which the "
                        "server shows to every visitor; choose a folder outside it with --room-dir.")

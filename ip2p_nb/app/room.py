"""The app's side of a workshop room (ip2p_nb/serving/room.py): the link and its QR code on the first page,
and each visitor's own folder outside what the server serves.

- `room_panel()`: a box at the top of the page with the room's link (with its token) and a QR code of
  it, so a presenter can put the page on the projector and attendees join by scanning; hidden outside a room.
- `outputs_folder(editor, workdir)`: where the app writes posters and full-size pictures: the
  notebook's folder for a model of its own; for a page of a shared room, the visitor's private folder
  `IP2P_ROOM_DIR/<visitor>/` (the download link is a data: URL, so nothing is fetched from the server).
"""
import html
import os
from pathlib import Path

import ipywidgets as widgets

from ..serving.room import ROOM_LINK_ENV, qr_data_uri, visitor_folder

__all__ = ["room_panel", "outputs_folder"]


def room_panel(env=None) -> widgets.HTML:
    """The room's link and QR code (hidden when the app is not served as a room)."""
    link = (os.environ if env is None else env).get(ROOM_LINK_ENV)
    if not link:
        return widgets.HTML("", layout=widgets.Layout(display="none"))
    qr = qr_data_uri(link)
    image = f"<img src='{qr}' alt='QR' style='width:140px;height:140px;margin-right:12px'>" if qr else ""
    text = (f"<div><b>加入这个房间 Join this room</b><br>扫码或打开链接 Scan the code or open the link:<br>"
            f"<code style='user-select:all'>{html.escape(link)}</code></div>")
    return widgets.HTML(f"<div style='display:flex;align-items:center;padding:6px;border:1px solid #ddd;"
                        f"border-radius:6px;margin-bottom:8px'>{image}{text}</div>")


def outputs_folder(editor, workdir) -> Path:
    """The folder the app writes into for `editor` (see the module docstring)."""
    visitor = getattr(editor, "visitor", None)
    return visitor_folder(visitor) if visitor else Path(workdir)

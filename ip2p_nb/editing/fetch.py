"""Downloading an image from a web address (http or https only), with a size limit and a timeout.

`load_image("https://...")` comes here. A workshop must not hang on a slow server or fill the
memory with a huge download, so the whole download has a deadline and a byte limit, and every
failure (no network, 404, not http, too big, too slow) is one sentence. Only the bytes are
returned: the address never becomes a file path.
"""
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from ..errors import UserError

__all__ = ["fetch_bytes", "is_url"]

# 30 MB holds any phone photo (a 108 MP JPEG is ~25 MB); larger is not a photo a beginner edits.
MAX_BYTES = 30 * 1024 * 1024
# Seconds for the whole download: long enough for a photo on a slow connection, short enough for a live demo.
TIMEOUT = 20.0
_SCHEMES = ("http", "https")


def is_url(text) -> bool:
    """True for a string that starts like a web address (any scheme followed by ://)."""
    return isinstance(text, str) and "://" in text[:16]


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): urllib would also follow one to ftp://."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in _SCHEMES:
            raise UserError(f"The address redirected to {newurl!r}; only http and https downloads are allowed.")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _read_capped(response, url, max_bytes, timeout) -> bytes:
    deadline = time.monotonic() + timeout
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise UserError(f"{url!r} is {int(declared) / 2**20:.0f} MB, more than the {max_bytes / 2**20:.0f} MB allowed; download a smaller image.")
    chunks, size = [], 0
    while chunk := response.read1(64 * 1024):  # read1: whatever has arrived, so a trickling server meets the deadline
        size += len(chunk)
        if size > max_bytes:
            raise UserError(f"{url!r} is more than the {max_bytes / 2**20:.0f} MB allowed; download a smaller image.")
        if time.monotonic() > deadline:
            raise UserError(f"Downloading {url!r} took longer than the {timeout:g} s allowed; try again or save the image and load the file.")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_bytes(url: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT) -> bytes:
    """The content at `url` (http or https), at most `max_bytes`, within `timeout` seconds in all."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in _SCHEMES:
        raise UserError(f"Only http and https addresses can be downloaded, not {scheme}://; save the image and give its file.")
    opener = urllib.request.build_opener(_HttpOnlyRedirects())
    request = urllib.request.Request(url, headers={"User-Agent": "ip2p_nb"})
    try:
        with opener.open(request, timeout=timeout) as response:
            return _read_capped(response, url, max_bytes, timeout)
    except urllib.error.HTTPError as e:
        raise UserError(f"The server answered {e.code} ({e.reason}) for {url!r}; check the address.") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise UserError(f"Could not download {url!r} ({reason}); check the address and the network, or save the image and give its file.") from None

"""A loopback ModelScope on 127.0.0.1 answering the two calls of its download API (tests only).

The shapes are those ModelScope's own client reads (modelscope 1.40 `hub/file_download.py`, modelscope-hub 0.5
`_legacy_api.py` and `_download.py`):
- `GET /api/v1/models/<owner>/<name>/repo/files?Revision=master&Recursive=True`:
  `{"Code": 200, "Success": true, "Data": {"Files": [{"Name", "Path", "Type": "blob"|"tree", "Size", "Sha256",
  "Revision"}]}}`; an unknown model: 404 with `{"Code": 10010205001, "Success": false, "Message": "模型不存在"}`;
- `GET /api/v1/models/<owner>/<name>/repo?Revision=master&FilePath=<path>`: the bytes, `Range: bytes=N-` -> 206.
`requests` records (method, path, FilePath, Range); `drop_after = {path: n}` sends n bytes of that file then hangs
up and refuses every later connection (`broken`) until cleared; `corrupt = {path}` alters the file's last byte.
"""
import hashlib
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

__all__ = ["LoopbackModelScope"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LoopbackModelScope:
    """`with LoopbackModelScope({modelscope name: {path: bytes}}) as ms:` serves at `ms.url` (IP2P_MODELSCOPE_ENDPOINT)."""

    def __init__(self, repos: dict):
        self.repos = repos
        self.requests = []       # (method, url path, FilePath or None, Range or None)
        self.drop_after = {}
        self.broken = False
        self.corrupt = set()

    def start(self):
        self.server = _Server(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def files_fetched(self) -> list[str]:
        return [f for m, p, f, r in self.requests if f]

    def listing(self, name: str) -> dict:
        files = self.repos[name]
        folders = sorted({"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)})
        entries = [{"Name": d.rsplit("/", 1)[-1], "Path": d, "Type": "tree", "Size": 0} for d in folders]
        entries += [{"Name": p.rsplit("/", 1)[-1], "Path": p, "Type": "blob", "Size": len(data),
                     "Sha256": hashlib.sha256(data).hexdigest(), "Revision": "a" * 40} for p, data in files.items()]
        return {"Code": 200, "Success": True, "Message": "success", "Data": {"Files": entries}}

    def _handler(self):
        ms = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle(self):
                if not ms.broken:
                    return super().handle()
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                ms.requests.append(("GET", url.path, query.get("FilePath"), self.headers.get("Range")))
                m = re.fullmatch(r"/api/v1/models/([^/]+/[^/]+)/repo(/files)?", url.path)
                if not m or m.group(1) not in ms.repos:
                    body = {"Code": 10010205001, "Success": False, "Message": "模型不存在", "RequestId": "0"}
                    return self._send(404, json.dumps(body).encode(), "application/json")
                name = m.group(1)
                if m.group(2):
                    return self._send(200, json.dumps(ms.listing(name)).encode(), "application/json")
                data = ms.repos[name].get(query.get("FilePath"))
                if data is None:
                    return self._send(404, json.dumps({"Code": 404, "Success": False, "Message": "file not found"}).encode(),
                                      "application/json")
                if query["FilePath"] in ms.corrupt:
                    data = data[:-1] + bytes([data[-1] ^ 0xFF])
                start = 0
                r = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
                extra = {}
                if r:
                    start = int(r.group(1))
                    extra = {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
                body = data[start:]
                cut = ms.drop_after.get(query["FilePath"])
                if cut is None:
                    return self._send(206 if r else 200, body, "application/octet-stream", extra)
                ms.broken = True
                self.close_connection = True
                try:
                    self._head(206 if r else 200, len(body), "application/octet-stream", extra)
                    self.wfile.write(body[:max(0, cut - start)])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _head(self, status, length, kind, extra=None):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(length))
                self.send_header("Accept-Ranges", "bytes")
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()

            def _send(self, status, body, kind, extra=None):
                self._head(status, len(body), kind, extra)
                self.wfile.write(body)

        return Handler

"""A loopback stand-in for Google Translate, reached through googletrans' own code path.

googletrans 4 always sends its token-free "gtx" requests to https://translate.googleapis.com,
so the test cannot point it at 127.0.0.1 directly. Instead `GoogleLoopback` is an HTTP proxy on
127.0.0.1 that accepts `CONNECT translate.googleapis.com:443`, answers TLS itself with a
certificate for that host signed by a throw-away CA (made with `trustme`; the test trusts it via
SSL_CERT_FILE, which httpx reads each time googletrans builds a client), and then replies in
Google's JSON format, or with the failure chosen by `mode`:
  "ok" (a translation from `replies`), "echo" (the input back), "429", "500",
  "malformed" (a 200 that is not JSON), "hang" (never answer the CONNECT).
The server runs in daemon threads, is bounded (it stops itself after `lifetime` seconds) and is
used as a context manager.
"""

import json
import socket
import socketserver
import ssl
import threading
import urllib.parse

import trustme

__all__ = ["GoogleLoopback", "GOOGLE_HOST"]

GOOGLE_HOST = "translate.googleapis.com"


class GoogleLoopback:
    """`with GoogleLoopback(tmp_path) as g:` then use `g.proxy_url`, `g.ca_file`, `g.mode`."""

    def __init__(self, directory, mode="ok", replies=None, lifetime=20.0):
        self.mode = mode
        self.replies = dict(replies or {})  # Chinese -> English for mode "ok"
        self.connects = []                  # CONNECT targets seen
        self.requests = []                  # query dicts of the GET requests seen
        self.stop = threading.Event()
        ca = trustme.CA()
        self.ca_file = str(directory / "loopback-ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(GOOGLE_HOST).configure_cert(self._tls)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.proxy_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._timer = threading.Timer(lifetime, self.close)
        self._timer.daemon = True

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if not self.stop.is_set():
            self.stop.set()
            self._timer.cancel()
            self._server.shutdown()
            self._server.server_close()

    def reply_body(self, query):
        """The body Google would send: [[[english, source, null, null, 10]], null, "zh-CN", ...]."""
        text = query.get("q", "")
        english = text if self.mode == "echo" else self.replies.get(text, "translated by loopback")
        return json.dumps([[[english, text, None, None, 10]], None, "zh-CN", None, None, None, 1.0])


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        owner = self.server.owner
        self.request.settimeout(10)
        head = _read_head(self.request)
        target = head.split(" ")[1] if head.startswith("CONNECT ") else head
        owner.connects.append(target)
        if owner.mode == "hang":
            owner.stop.wait(10)  # say nothing until the test ends (bounded)
            return
        if target != f"{GOOGLE_HOST}:443":
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            tls = owner._tls.wrap_socket(self.request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client refused our certificate
        self._answer(owner, tls)
        tls.close()

    def _answer(self, owner, tls):
        line = _read_head(tls).split("\r\n")[0]  # GET /translate_a/single?... HTTP/1.1
        url = urllib.parse.urlsplit(line.split(" ")[1])
        query = dict(urllib.parse.parse_qsl(url.query))
        owner.requests.append(dict(query, path=url.path))
        status, body = {"429": (429, "Too Many Requests"), "500": (500, "Server Error"),
                        "malformed": (200, "<html>)]}' not json")}.get(owner.mode, (200, None))
        body = (body if body is not None else owner.reply_body(query)).encode()
        tls.sendall(f"HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)


def _read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        try:
            chunk = sock.recv(4096)
        except (socket.timeout, OSError):
            break
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")

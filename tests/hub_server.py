"""A loopback model hub on 127.0.0.1 that the real huggingface_hub client downloads from (tests only).

It answers the parts of the hub's HTTP API that `snapshot_download`, `hf_hub_download` and
`model_info` use (checked against huggingface_hub 2.4.0 by running the client against it):

- `GET /api/models/<repo>[/revision/<rev>]`: model info with `sha` and `siblings` (sizes, blob ids
  and LFS sha256 with `?blobs=true`); an unknown repo is a 404 with `X-Error-Code: RepoNotFound`;
- `GET /api/models/<repo>/tree/<rev>?recursive=true`: the file list with `oid`, `size` and `lfs`;
- `HEAD|GET /<repo>/resolve/<rev>/<path>`: small files answer 200 with `ETag` (the git blob id),
  `Content-Length` and `X-Repo-Commit`; LFS files (weights, as the real repo's .gitattributes
  says) answer 302 to a second "CDN" port with `X-Linked-Etag` (the sha256), `X-Linked-Size` and
  `X-Repo-Commit`, like huggingface.co;
- `GET /cdn/<sha256>` on the CDN port: the bytes, honouring `Range: bytes=N-` with a 206.

Every request is recorded (`server.requests`: method, path, Range). `drop_after = {path: n}`
sends n bytes of that file and then cuts the connection, after which every new connection is
closed at once (`broken`) until the test clears it: a network that goes down mid-file.
`stall_after = {path: n}` sends n bytes and then nothing, leaving the connection open: a stalled download.
`corrupt = {path}` serves that file with its last byte changed; `gated = {repo}` answers 401 GatedRepo.
`silent_port()` gives a port that accepts connections and never answers.
"""
import hashlib
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

__all__ = ["LoopbackHub", "ip2p_layout", "silent_port", "closed_port"]

LFS_SUFFIXES = (".safetensors", ".bin", ".ckpt", ".pt", ".msgpack", ".onnx")
COMMIT = "f1e2d3c4b5a6978877665544332211009988aabb"   # 40 hex digits, like a git commit


def _git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _lfs_pointer(data: bytes) -> bytes:
    return (f"version https://git-lfs.github.com/spec/v1\noid sha256:{hashlib.sha256(data).hexdigest()}\n"
            f"size {len(data)}\n").encode()


def pipeline_layout(pipe, folder: Path) -> dict:
    """`ip2p_layout` of `pipe` saved (safetensors, its warnings silenced) into `folder`."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe.save_pretrained(folder, safe_serialization=True)
    return ip2p_layout(folder)


def ip2p_layout(folder: Path) -> dict:
    """{repo path: bytes}: a saved diffusers pipeline in `folder`, plus the files the real
    `timbrooks/instruct-pix2pix` has besides it: the original checkpoint at the root (.ckpt and a
    single-file .safetensors), a `.bin` twin of every weight file, README.md and .gitattributes."""
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    for path in [p for p in files if p.endswith(".safetensors")]:
        twin = path.replace("model.safetensors", "pytorch_model.bin") if path.endswith("/model.safetensors") \
            else path.replace(".safetensors", ".bin")
        files[twin] = b"PK-not-a-real-pickle-" + files[path][:4096]   # never fetched: its content does not matter
    files["instruct-pix2pix-00-22000.ckpt"] = b"\0" * 3_000_000
    files["instruct-pix2pix-00-22000.safetensors"] = b"\1" * 2_000_000
    files["README.md"] = b"---\nlicense: mit\n---\n# loopback copy of the InstructPix2Pix layout\n"
    files[".gitattributes"] = b"".join(b"*%s filter=lfs diff=lfs merge=lfs -text\n" % s.encode() for s in LFS_SUFFIXES)
    return files


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LoopbackHub:
    """`with LoopbackHub({repo_id: files}) as hub:` serves at `hub.url` (set HF_ENDPOINT to it)."""

    def __init__(self, repos: dict, commit: str = COMMIT):
        self.repos = {repo: {"files": files, "commit": commit} for repo, files in repos.items()}
        self.requests = []            # (method, path, Range header or None), in arrival order
        self.drop_after = {}          # {repo path: bytes to send before cutting the connection}
        self.broken = False           # after a drop: close every new connection at once
        self.stall_after = {}         # {repo path: bytes to send before going silent, connection left open}
        self.corrupt = set()          # repo paths whose bytes the CDN alters (the listed sha256 stays the true one)
        self.gated = set()            # repo ids answered like a gated repo without an accepted licence
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._servers = []

    # ---- life cycle
    def start(self):
        self.hub = self._serve(self._handler(cdn=False))
        self.cdn = self._serve(self._handler(cdn=True))
        self.url = f"http://127.0.0.1:{self.hub.server_address[1]}"
        self.cdn_url = f"http://127.0.0.1:{self.cdn.server_address[1]}"
        return self

    def _serve(self, handler):
        server = _Server(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._servers.append(server)
        return server

    def stop(self):
        self._stopped.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def paths(self, method=None) -> list[str]:
        """The recorded request paths (without the query), optionally of one method."""
        return [p for m, p, _ in self.requests if method in (None, m)]

    # ---- content
    def _entry(self, repo: str, path: str) -> dict:
        data = self.repos[repo]["files"][path]
        entry = {"type": "file", "path": path, "size": len(data), "oid": _git_blob_id(data)}
        if path.endswith(LFS_SUFFIXES):
            pointer = _lfs_pointer(data)
            entry.update(oid=_git_blob_id(pointer),
                         lfs={"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": len(pointer)})
        return entry

    def model_info(self, repo: str, blobs: bool) -> dict:
        siblings = []
        for path in self.repos[repo]["files"]:
            entry = self._entry(repo, path)
            sibling = {"rfilename": path}
            if blobs:
                sibling.update(size=entry["size"], blobId=entry["oid"])
                if "lfs" in entry:
                    sibling["lfs"] = {"sha256": entry["lfs"]["oid"], "size": entry["size"], "pointerSize": entry["lfs"]["pointerSize"]}
            siblings.append(sibling)
        return {"_id": "0" * 24, "id": repo, "modelId": repo, "sha": self.repos[repo]["commit"], "private": False,
                "gated": False, "disabled": False, "downloads": 0, "likes": 0, "library_name": "diffusers",
                "tags": ["diffusers", "safetensors"], "lastModified": "2023-01-20T00:00:00.000Z",
                "createdAt": "2023-01-20T00:00:00.000Z", "siblings": siblings}

    def tree(self, repo: str) -> list:
        files = self.repos[repo]["files"]
        folders = sorted({"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)})
        return [{"type": "directory", "path": d, "oid": "0" * 40, "size": 0} for d in folders] + \
               [self._entry(repo, p) for p in files]

    def blob(self, sha256: str) -> bytes | None:
        for repo in self.repos.values():
            for data in repo["files"].values():
                if hashlib.sha256(data).hexdigest() == sha256:
                    return data
        return None

    def path_of(self, sha256: str) -> str | None:
        for repo in self.repos.values():
            for path, data in repo["files"].items():
                if hashlib.sha256(data).hexdigest() == sha256:
                    return path
        return None

    # ---- HTTP
    def _handler(self, cdn: bool):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle(self):
                if not hub.broken:
                    return super().handle()
                try:   # the network is down: the connection closes before any answer
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def do_HEAD(self):
                self._answer(head=True)

            def do_GET(self):
                self._answer(head=False)

            def _answer(self, head):
                url = urlparse(self.path)
                with hub._lock:
                    hub.requests.append((self.command, unquote(url.path), self.headers.get("Range")))
                if cdn:
                    return self._cdn(url.path.rsplit("/", 1)[-1], head)
                m = re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/revision/([^/]+))?", url.path)
                if m:
                    return self._api(m.group(1), lambda: hub.model_info(m.group(1), "blobs" in parse_qs(url.query)))
                m = re.fullmatch(r"/api/models/([^/]+/[^/]+)/tree/([^/]+)(/.*)?", url.path)
                if m:
                    return self._api(m.group(1), lambda: hub.tree(m.group(1)))
                m = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", unquote(url.path))
                if m:
                    return self._resolve(m.group(1), m.group(3), head)
                self._send(404, b'{"error": "Not found"}', {"Content-Type": "application/json"}, head)

            def _api(self, repo, make):
                if repo in hub.gated:
                    body = json.dumps({"error": "Access to this model is restricted."}).encode()
                    return self._send(401, body, {"Content-Type": "application/json", "X-Error-Code": "GatedRepo"}, False)
                if repo not in hub.repos:
                    body = json.dumps({"error": "Repository not found"}).encode()
                    return self._send(404, body, {"Content-Type": "application/json", "X-Error-Code": "RepoNotFound"}, False)
                self._send(200, json.dumps(make()).encode(), {"Content-Type": "application/json"}, False)

            def _resolve(self, repo, path, head):
                if repo not in hub.repos:
                    return self._send(404, b"Repository not found", {"X-Error-Code": "RepoNotFound"}, head)
                files, commit = hub.repos[repo]["files"], hub.repos[repo]["commit"]
                if path not in files:
                    return self._send(404, b"Entry not found", {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": commit}, head)
                entry = hub._entry(repo, path)
                headers = {"X-Repo-Commit": commit, "ETag": f'"{entry["oid"]}"', "Accept-Ranges": "bytes"}
                if "lfs" in entry:
                    sha = entry["lfs"]["oid"]
                    headers.update({"X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(entry["size"]),
                                    "Location": f"{hub.cdn_url}/cdn/{sha}"})
                    return self._send(302, b"", headers, head)
                self._send(200, files[path], headers, head)

            def _cdn(self, sha, head):
                data = hub.blob(sha)
                if data is None:
                    return self._send(404, b"", {}, head)
                start = 0
                m = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
                if m:
                    start = int(m.group(1))
                status = 206 if m else 200
                headers = {"ETag": f'"{sha}"', "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
                if m:
                    headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                if hub.path_of(sha) in hub.corrupt:
                    data = data[:-1] + bytes([data[-1] ^ 0xFF])
                body = data[start:]
                stall = hub.stall_after.get(hub.path_of(sha))
                if stall is not None and not head:   # send some, then nothing more until the server stops
                    self._send_head(status, len(body), headers)
                    self.wfile.write(body[:max(0, stall - start)])
                    self.wfile.flush()
                    hub._stopped.wait(120)
                    self.close_connection = True
                    return
                cut = hub.drop_after.get(hub.path_of(sha))
                if cut is None or head:
                    return self._send(status, body, headers, head)
                hub.broken = True
                self.close_connection = True
                try:   # promise everything, send `cut` bytes, hang up
                    self._send_head(status, len(body), headers)
                    self.wfile.write(body[:max(0, cut - start)])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _send_head(self, status, length, headers):
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(length))
                self.end_headers()

            def _send(self, status, body, headers, head):
                self._send_head(status, len(body), headers)
                if not head:
                    self.wfile.write(body)

        return Handler


def silent_port() -> tuple[socket.socket, int]:
    """A listening socket that never accepts: connections open, and no answer ever comes."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    return s, s.getsockname()[1]


def closed_port() -> int:
    """A port on 127.0.0.1 that refuses connections (nothing listens there)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

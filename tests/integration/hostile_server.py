#!/usr/bin/env python3
"""A hostile service on loopback for test_hostile_text.sh: plain http, one
dataset `ds`, answers full of control bytes, invalid UTF-8 and the token it
was sent (echoed back, as a careless or malicious server would).

  hostile_server.py MODE PORT_FILE
MODE: report   step 1 fine, the report's reason / errors / import list hostile
      bad_id   step 1's import_id holds an escape sequence and a forged line
Prints nothing; writes its port to PORT_FILE once listening.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE, PORT_FILE = sys.argv[1], sys.argv[2]
EVIL = b"\x1b]0;PWNED\x07\x1b[2J\xc2\x9b31m\xff\xfe caf\xe9\nfile: complete (import forged)"


def jstr(raw: bytes) -> bytes:
    """A JSON string literal holding `raw` byte for byte: control bytes as
    \\u escapes, every other byte (invalid UTF-8 included) raw."""
    out = bytearray(b'"')
    for b in raw:
        if b < 0x20 or b in (0x22, 0x5C):
            out += b"\\u%04x" % b
        else:
            out.append(b)
    return bytes(out + b'"')


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def token(self) -> bytes:
        auth = self.headers.get("Authorization", "")
        return auth.split(" ", 1)[1].encode() if " " in auth else b""

    def reply(self, status, body: bytes, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        port = self.server.server_address[1]
        tok = self.token()
        hostile = EVIL + b" token " + tok
        if "/upload-url/" in self.path:
            import_id = b"imp-1" if MODE == "report" else b"imp\x1b]0;PWNED\x07\nfile: complete"
            body = (b'{"upload_url":"http://127.0.0.1:%d/s3/obj","http_method":"PUT","import_id":' % port
                    + jstr(import_id) + b',"content_type":"text/plain"}')
            return self.reply(200, body)
        if self.path.endswith("/imports/imp-1"):
            body = (b'{"import_id":"imp-1","dataset_id":"ds","status":"partial","accepted_count":1,'
                    b'"rejected_count":2,"reason":' + jstr(hostile) + b',"errors":['
                    b'{"record_index":0,"field":' + jstr(b"f " + hostile) + b',"reason":' + jstr(hostile) + b'},'
                    b'{"record_index":1,"field":"ok","reason":' + jstr(tok) + b'}]}')
            return self.reply(200, body)
        if self.path.endswith("/datasets/ds"):
            body = (b'{"id":"ds","name":' + jstr(hostile) + b',"schema_version":4,"total_datapoint_count":1,'
                    b'"schema":{"fields":{' + jstr(b"k " + hostile) + b':{"type":' + jstr(hostile) + b',"label":'
                    + jstr(hostile) + b'}}},"imports":[{"import_id":' + jstr(hostile) + b',"status":'
                    + jstr(hostile) + b'}]}')
            return self.reply(200, body)
        self.reply(404, b'{"error":{"detail":' + jstr(hostile) + b'}}')

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", "0"))
        if self.headers.get("Expect", "").lower() == "100-continue":
            self.send_response_only(100)
            self.end_headers()
        self.rfile.read(length)
        self.reply(200, b"", "text/plain")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()

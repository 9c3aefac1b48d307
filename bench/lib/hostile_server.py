"""A hostile API + upload host on loopback, for bench/hostile_rss.sh.

    hostile_server.py PURPOSE SHAPE BYTES

Answers the upload flow (dataset, step 1, the PUT, the poll) normally,
except PURPOSE (upload_url | poll | dataset | upload), which gets a body of
about BYTES bytes of SHAPE:
  deep     "[" repeated (the nesting a DOM parser pays for per level)
  flat     {"import_id":..,"status":"partial","errors":[0,0,0,...]}
  errors   a well-formed partial answer with as many errors[] items as fit
  xml403   (upload) a 403 S3 error whose <Message> fills BYTES
Prints "listening on PORT" once ready. Loopback only; threads, so answers
to many files can be in flight at once.
"""
import http.server
import json
import socketserver
import sys

PURPOSE, SHAPE, SIZE = sys.argv[1], sys.argv[2], int(sys.argv[3])


def hostile_body():
    if SHAPE == "deep":
        return b"[" * SIZE, "application/json"
    if SHAPE == "flat":
        head = b'{"import_id":"imp1","status":"partial","accepted_count":1,"rejected_count":1,"errors":['
        n = max(0, (SIZE - len(head) - 2) // 2)
        return head + b"0," * n + b"0]}", "application/json"
    if SHAPE == "errors":
        items, size, i = [], 0, 0
        while size < SIZE - 200:
            item = '{"record_index":%d,"field":"prompt","reason":"Field required: the prompt is missing"}' % i
            items.append(item)
            size += len(item) + 1
            i += 1
        body = '{"import_id":"imp1","status":"partial","accepted_count":1,"rejected_count":%d,"errors":[%s]}' % (
            i, ",".join(items))
        return body.encode(), "application/json"
    if SHAPE == "xml403":
        return (b"<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>" + b"x" * SIZE +
                b"</Message></Error>"), "application/xml"
    raise SystemExit("unknown shape " + SHAPE)


BODY, BODY_TYPE = hostile_body()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def purpose(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if self.command == "PUT":
            return "upload"
        if "upload-url" in parts:
            return "upload_url"
        if "imports" in parts:
            return "poll"
        if parts and parts[-1] == "status":
            return "dataset_status"
        return "dataset"

    def do_GET(self):
        p = self.purpose()
        port = self.server.server_address[1]
        name = self.path.rstrip("/").split("/")[-1]
        if p == PURPOSE:  # a poll answer names the import it was asked about
            return self.answer(200, BODY.replace(b'"imp1"', json.dumps(name).encode(), 1), BODY_TYPE)
        if p == "upload_url":
            return self.answer(200, json.dumps({"upload_url": "http://127.0.0.1:%d/s3/%s" % (port, name),
                                                "http_method": "PUT", "import_id": "imp-" + name}).encode())
        if p == "poll":
            return self.answer(200, json.dumps({"import_id": name, "status": "complete", "accepted_count": 1,
                                                "rejected_count": 0, "errors": []}).encode())
        return self.answer(200, json.dumps({"id": "ds", "name": "bench", "total_datapoint_count": 1}).encode())

    def do_PUT(self):
        if self.headers.get("Expect", "").lower() == "100-continue" and PURPOSE != "upload":
            self.send_response_only(100)
            self.end_headers()
        if PURPOSE == "upload":
            self.close_connection = True
            return self.answer(403, BODY, BODY_TYPE)
        left = int(self.headers.get("Content-Length", "0"))
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                break
            left -= len(chunk)
        self.answer(200, b"")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", 0), Handler)
print("listening on %d" % server.server_address[1], flush=True)
server.serve_forever()

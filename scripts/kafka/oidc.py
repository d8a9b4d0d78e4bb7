#!/usr/bin/env python3
"""A minimal OAuth 2 identity provider for the test broker's OIDC listener (scripts/kafka.sh with
KAFKA_TLS=1): the client-credentials grant at /token, the signing key at /jwks. Tokens are JWTs
signed RS256 with openssl (no Python package needed), for one client:
kafkainit-client / kafkainit-client-secret, subject kafkainit, audience kafka.

usage: oidc.py PORT KEY_PEM
"""

import base64
import json
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

CLIENT_ID = "kafkainit-client"
CLIENT_SECRET = "kafkainit-client-secret"
SUBJECT = "kafkainit"
AUDIENCE = "kafka"
KEY_ID = "kafka-init-test"
LIFETIME = 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwks(key: str) -> bytes:
    out = subprocess.run(["openssl", "rsa", "-in", key, "-noout", "-modulus"],
                         check=True, capture_output=True, text=True).stdout
    modulus = bytes.fromhex(out.strip().split("=", 1)[1])
    jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KEY_ID,
           "n": b64url(modulus), "e": b64url((65537).to_bytes(3, "big"))}
    return json.dumps({"keys": [jwk]}).encode()


def token(key: str, issuer: str, scope: str) -> str:
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": KEY_ID}
    claims = {"iss": issuer, "sub": SUBJECT, "aud": AUDIENCE, "iat": now, "nbf": now,
              "exp": now + LIFETIME, "scope": scope}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode())).encode()
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input,
                               check=True, capture_output=True).stdout
    return signing_input.decode() + "." + b64url(signature)


def main() -> None:
    port, key = int(sys.argv[1]), sys.argv[2]
    issuer = f"http://127.0.0.1:{port}"
    keys = jwks(key)

    class Handler(BaseHTTPRequestHandler):
        def reply(self, code: int, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path == "/jwks":
                self.reply(200, keys)
            else:
                self.reply(404, b'{"error":"not_found"}')

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/token":
                self.reply(404, b'{"error":"not_found"}')
                return
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            client = (form.get("client_id"), form.get("client_secret"))
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                client = (user, password)
            if form.get("grant_type") != "client_credentials":
                self.reply(400, b'{"error":"unsupported_grant_type"}')
            elif client != (CLIENT_ID, CLIENT_SECRET):
                self.reply(401, b'{"error":"invalid_client"}')
            else:
                body = {"access_token": token(key, issuer, form.get("scope", "kafka")),
                        "token_type": "Bearer", "expires_in": LIFETIME}
                self.reply(200, json.dumps(body).encode())

        def log_message(self, fmt: str, *args) -> None:
            sys.stderr.write("oidc.py: " + (fmt % args) + "\n")

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()

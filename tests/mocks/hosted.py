#!/usr/bin/python3
"""hosted.py: a fake of one hosted ICE credential API, for iceupd's tests.

One HTTPS server on 127.0.0.1 that impersonates Twilio (Network Traversal
tokens), Cloudflare (Realtime TURN keys), Metered (TURN credentials),
Xirsys (_turn) or Turnix (ICE credentials).  It
checks that each request is exactly the one the provider documents, then
answers as the chosen scenario says.  Python standard library only.

    hosted.py --provider twilio --cert server.pem --key server.key \\
        --port-file port --log requests.jsonl --scenario ok \\
        --account-sid AC... --auth AC...:token

The documented requests (tests/fixtures and the provider notes):
  twilio      POST /2010-04-01/Accounts/{AccountSid}/Tokens.json, HTTP Basic
              (--auth user:secret), Content-Type
              application/x-www-form-urlencoded, body empty or Ttl=<n>
  cloudflare  POST /v1/turn/keys/{key id}/credentials/generate-ice-servers,
              Authorization: Bearer <--token>, Content-Type application/json,
              body {"ttl": <n>}
  metered     GET /api/v1/turn/credentials?apiKey=<--api-key>, no body
  xirsys      PUT /_turn/<--channel>?expire=<n>, HTTP Basic (--auth
              ident:secret), Content-Type application/json, body
              {"format": "urls"}
  turnix      POST /api/v1/credentials/ice, Authorization: Bearer
              <--token>, Content-Type application/json, body {"ttl": <n>}
A request that differs gets HTTP 400 with a JSON body whose "message" says
what differed (never the expected secret), and its log line lists the same
under "mismatch" (an empty list when the request was right).  --expect-body
pins the exact request body.

Scenarios (what the server answers to a right request):
  ok                 the documented success: Twilio 201 (ttl a string, each
                     entry's urls one string), Cloudflare 201 (urls arrays,
                     :53 URLs included), Metered 200 (a top-level array),
                     Xirsys 200 {"v":{"iceServers":{one object}},"s":"ok"},
                     Turnix 200 (iceServers and expiresAt, the ttl asked
                     or --grant-ttl from now)
  legacy             Twilio "url" instead of "urls"; Cloudflare "iceServers"
                     as one object; Metered "url" instead of "urls"; Xirsys
                     without format=urls (an array, one "url" each);
                     Turnix without expiresAt (the docs' example)
  unauthorized       401 with the provider's error body
  notfound           404 with the provider's error body (Twilio 20404)
  ratelimit          429 with Retry-After: 1 once, then ok
  ratelimit_forever  429 with Retry-After: 1, always
  error500           500 once, then ok
  error500_forever   500, always
  malformed          success status, body not JSON (cut in the middle)
  empty              success status, valid JSON without servers
  badurls            good servers mixed with invalid URIs (turn://x,
                     http://x, port 99999, a stun URI with ?transport)
  huge               a 10 MB answer
  hang               reads the request and never answers
  trickle            headers at once, then the ok body 1 byte every 200 ms
  truncated          Content-Length 100 bytes more than sent, then close
  nul                TURN entries only, each credential holding a NUL
                     (the JSON escape \\u0000)
  backslash          TURN entries only, each credential holding the text
                     \u0000 (an escaped backslash, then "u0000": no NUL)
  badutf8            TURN entries only, each credential holding bytes that
                     are not UTF-8
  echo               400 whose error repeats the request's path and query
                     (as a careless API does: secrets in the query too)
  retry_huge         429 with Retry-After: 9223372036854775807, always
  error200           Xirsys only: {"s":"error","v":"unauthorized"} with
                     HTTP 200
  ratelimit_hour     429 with Retry-After: 3600, always

The log (--log) gets one JSON line per request received: n, conn (the
number of the connection it came on, from 1), time (Unix
seconds, when the request had been read), method, path,
query (decoded, name -> list of values), headers (lower-case names), body,
status (the answer's status, null for hang) and mismatch.

SIGTERM or SIGINT stops the server cleanly (exit 0).
"""

import argparse
import base64
import json
import re
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fakeserver import Request, serve, tls_context

SCENARIOS = (
    "ok", "legacy", "unauthorized", "notfound", "ratelimit",
    "ratelimit_forever", "error500", "error500_forever", "malformed",
    "empty", "badurls", "huge", "hang", "trickle", "truncated", "nul",
    "backslash", "badutf8", "echo", "retry_huge", "error200",
    "ratelimit_hour",
)

# What each fake hands out: never the API secrets the tests pass in.
DEFAULT_USERNAME = {
    "twilio": "twilio-turn-user-5d1c0b7e",
    "cloudflare": "cloudflare-turn-user-61f0a2",
    "metered": "metered-turn-user-0c94",
    "xirsys": "xirsys-turn-user-7b21",
    "turnix": "turnix-turn-user-e5a0",
}
DEFAULT_CREDENTIAL = {
    "twilio": "twilio-turn-cred-9a7e44",
    "cloudflare": "cloudflare-turn-cred-3b8d",
    "metered": "metered-turn-cred-e27f",
    "xirsys": "xirsys-turn-cred-c4d9",
    "turnix": "turnix-turn-cred-19b6",
}

BAD_URLS = ["turn://x", "http://x", "turn:x:99999",
            "stun:x:3478?transport=udp"]
HUGE_BYTES = 10 * 1024 * 1024

stopping = threading.Event()


# --- the answers of each provider ------------------------------------------

def twilio_error(status, code, message):
    """The 2010 API's JSON error body."""
    return {"code": code, "message": message,
            "more_info": "https://www.twilio.com/docs/errors/%d" % code,
            "status": status}


class Provider:
    """What the fakes of the providers share: the options, a 200 on
    success, no headers of their own on an error."""
    ok_status = 200

    def __init__(self, opt):
        self.opt = opt

    def error_headers(self, status):
        return []


class Twilio(Provider):
    name = "twilio"
    ok_status = 201
    host_turn = "global.turn.twilio.com"

    def path(self):
        return "/2010-04-01/Accounts/%s/Tokens.json" % self.opt.account_sid

    def check(self, rq, bad):
        check_line(rq, "POST", self.path(), bad)
        check_no_query(rq, bad)
        check_basic(rq, self.opt.auth, bad)
        check_content_type(rq, "application/x-www-form-urlencoded", bad)
        if self.opt.expect_body is None and rq.body != b"" and \
                not re.fullmatch(rb"Ttl=[1-9][0-9]*", rq.body):
            bad.append("body: expected nothing or Ttl=<seconds>, got %r"
                       % shown(rq.body))

    def ttl(self, rq):
        if self.opt.answer_ttl is not None:
            return self.opt.answer_ttl
        m = re.fullmatch(rb"Ttl=([1-9][0-9]*)", rq.body)
        return m.group(1).decode() if m else "86400"

    def servers(self, user, cred, legacy=False, urls=None):
        key = "url" if legacy else "urls"
        out = [{key: "stun:global.stun.twilio.com:3478"}]
        for u in urls or ["turn:%s:3478?transport=udp" % self.host_turn,
                          "turn:%s:3478?transport=tcp" % self.host_turn,
                          "turn:%s:443?transport=tcp" % self.host_turn]:
            out.append({key: u, "username": user, "credential": cred})
        return out

    def token(self, rq, servers):
        """The Token resource, fields in the order of the spec example."""
        now = formatdate(usegmt=False).replace("-0000", "+0000")
        return {"username": self.opt.username, "ice_servers": servers,
                "date_updated": now, "account_sid": self.opt.account_sid,
                "ttl": self.ttl(rq), "date_created": now,
                "password": self.opt.credential}

    def ok(self, rq, legacy=False):
        return self.token(rq, self.servers(self.opt.username,
                                           self.opt.credential, legacy))

    def empty(self, rq):
        return self.token(rq, [])

    def badurls(self, rq):
        s = self.servers(self.opt.username, self.opt.credential)
        bad = [{"urls": u, "username": self.opt.username,
                "credential": self.opt.credential} for u in BAD_URLS]
        return self.token(rq, s[:1] + bad[:2] + s[1:2] + bad[2:] + s[2:])

    def turn_only(self, rq, cred):
        return self.token(rq, self.servers(self.opt.username, cred)[1:])

    def error(self, status):
        if status == 401:
            return twilio_error(401, 20003, "Authenticate")
        if status == 404:
            return twilio_error(404, 20404, "The requested resource %s was "
                                "not found" % self.path())
        if status == 429:
            return twilio_error(429, 20429, "Too Many Requests")
        return twilio_error(status, 20500, "Internal Server Error")

    def error_headers(self, status):
        if status == 401:
            return [("WWW-Authenticate", 'Basic realm="Twilio API"')]
        return []


class Cloudflare(Provider):
    name = "cloudflare"
    ok_status = 201

    def path(self):
        return ("/v1/turn/keys/%s/credentials/generate-ice-servers"
                % self.opt.key_id)

    def check(self, rq, bad):
        check_bearer_post(rq, self.path(), self.opt.token,
                          "the TURN key API token", bad)
        if self.opt.expect_body is not None:
            return
        try:
            doc = json.loads(rq.body.decode("utf-8"))
        except ValueError:
            bad.append("body: not JSON: %r" % shown(rq.body))
            return
        if not isinstance(doc, dict) or set(doc) != {"ttl"} or \
                type(doc["ttl"]) is not int or doc["ttl"] < 1:
            bad.append('body: expected {"ttl": <seconds>}, got %r'
                       % shown(rq.body))

    def servers(self, user, cred, urls=None):
        t = "turn.cloudflare.com"
        return [
            {"urls": ["stun:stun.cloudflare.com:3478",
                      "stun:stun.cloudflare.com:53"]},
            {"urls": urls or [
                "turn:%s:3478?transport=udp" % t,
                "turn:%s:53?transport=udp" % t,
                "turn:%s:3478?transport=tcp" % t,
                "turn:%s:80?transport=tcp" % t,
                "turns:%s:5349?transport=tcp" % t,
                "turns:%s:443?transport=tcp" % t],
             "username": user, "credential": cred},
        ]

    def ok(self, rq, legacy=False):
        s = self.servers(self.opt.username, self.opt.credential)
        if legacy:
            # The older .../credentials/generate: one object.
            return {"iceServers": {"urls": s[0]["urls"] + s[1]["urls"],
                                   "username": self.opt.username,
                                   "credential": self.opt.credential}}
        return {"iceServers": s}

    def empty(self, rq):
        return {"iceServers": []}

    def badurls(self, rq):
        t = "turn.cloudflare.com"
        urls = ["turn:%s:3478?transport=udp" % t, BAD_URLS[0], BAD_URLS[1],
                "turn:%s:3478?transport=tcp" % t, BAD_URLS[2],
                "turns:%s:443?transport=tcp" % t]
        s = self.servers(self.opt.username, self.opt.credential, urls)
        s[0]["urls"].append(BAD_URLS[3])
        return {"iceServers": s}

    def turn_only(self, rq, cred):
        return {"iceServers": self.servers(self.opt.username, cred)[1:]}

    # The error body of rtc.live.cloudflare.com is not documented: this is
    # the usual Cloudflare API envelope.
    def error(self, status):
        text = {401: "Authentication error", 404: "Not found",
                429: "Too many requests"}.get(status, "Internal error")
        return {"success": False, "errors": [{"code": status,
                                              "message": text}],
                "messages": [], "result": None}


class Metered(Provider):
    name = "metered"
    host = "global.relay.metered.ca"

    def check(self, rq, bad):
        check_line(rq, "GET", "/api/v1/turn/credentials", bad)
        if rq.query != {"apiKey": [self.opt.api_key]}:
            keys = sorted(rq.query)
            if keys != ["apiKey"] or len(rq.query["apiKey"]) != 1:
                bad.append("query: expected apiKey=<key> alone, got "
                           "parameters %s" % keys)
            else:
                bad.append("query: apiKey is not the expected API key")
        if rq.body != b"" or rq.header("content-length") not in (None, "0"):
            bad.append("body: a GET carries none, got %r" % shown(rq.body))
        if rq.header("transfer-encoding") is not None:
            bad.append("transfer-encoding: a GET carries no body")

    def servers(self, user, cred, legacy=False, urls=None):
        key = "url" if legacy else "urls"
        out = [{key: "stun:stun.relay.metered.ca:80"}]
        for u in urls or ["turn:%s:80" % self.host,
                          "turn:%s:80?transport=tcp" % self.host,
                          "turn:%s:443" % self.host,
                          "turns:%s:443?transport=tcp" % self.host]:
            out.append({key: u, "username": user, "credential": cred})
        return out

    def ok(self, rq, legacy=False):
        return self.servers(self.opt.username, self.opt.credential, legacy)

    def empty(self, rq):
        return []

    def badurls(self, rq):
        s = self.servers(self.opt.username, self.opt.credential)
        bad = [{"urls": u, "username": self.opt.username,
                "credential": self.opt.credential} for u in BAD_URLS]
        return s[:2] + bad[:2] + s[2:3] + bad[2:] + s[3:]

    def turn_only(self, rq, cred):
        return self.servers(self.opt.username, cred)[1:]

    def error(self, status):
        if status == 401:
            return {"error": "Invalid API Key"}
        return {"error": {404: "Not Found", 429: "Too Many Requests"}.get(
            status, "Internal Server Error")}


def xirsys_error(reason):
    """Xirsys's error envelope (its own clients' tests)."""
    return {"s": "error", "v": reason}


class Xirsys(Provider):
    name = "xirsys"
    host = "eu-turn1.xirsys.com"

    def check(self, rq, bad):
        check_line(rq, "PUT", "/_turn/" + self.opt.channel, bad)
        expire = rq.query.get("expire", [])
        if sorted(rq.query) != ["expire"] or len(expire) != 1 or \
                not re.fullmatch(r"[1-9][0-9]*", expire[0]):
            bad.append("query: expected expire=<seconds> alone, got "
                       "parameters %s" % sorted(rq.query))
        check_basic(rq, self.opt.auth, bad)
        check_content_type(rq, "application/json", bad)
        if self.opt.expect_body is not None:
            return
        doc = json_body(rq)
        if doc != {"format": "urls"}:
            bad.append('body: expected {"format": "urls"}, got %r'
                       % shown(rq.body))

    def urls(self):
        h = self.host
        return ["stun:%s" % h, "turn:%s:80?transport=udp" % h,
                "turn:%s:3478?transport=udp" % h,
                "turn:%s:80?transport=tcp" % h,
                "turn:%s:3478?transport=tcp" % h,
                "turns:%s:443?transport=tcp" % h,
                "turns:%s:5349?transport=tcp" % h]

    def answer(self, servers):
        return {"v": {"iceServers": servers}, "s": "ok"}

    def ok(self, rq, legacy=False, urls=None, cred=None):
        cred = self.opt.credential if cred is None else cred
        urls = self.urls() if urls is None else urls
        if legacy:
            # Without format=urls: one entry per URL, each with "url".
            return self.answer([{"url": u, "username": self.opt.username,
                                 "credential": cred} for u in urls])
        return self.answer({"username": self.opt.username, "urls": urls,
                            "credential": cred})

    def empty(self, rq):
        return self.answer([])

    def badurls(self, rq):
        u = self.urls()
        return self.ok(rq, urls=u[:2] + BAD_URLS[:2] + u[2:4] +
                       BAD_URLS[2:] + u[4:])

    def turn_only(self, rq, cred):
        return self.ok(rq, urls=self.urls()[1:], cred=cred)

    # The reasons but "unauthorized" are not documented; the envelope is.
    def error(self, status):
        return xirsys_error({401: "unauthorized", 404: "not_found",
                             429: "too_many_requests"}.get(
                                 status, "internal_error"))

    def error200(self):
        return xirsys_error("unauthorized")


class Turnix(Provider):
    name = "turnix"
    host = "eu-central.turnix.io"

    def check(self, rq, bad):
        check_bearer_post(rq, "/api/v1/credentials/ice", self.opt.token,
                          "the API token", bad)
        if self.opt.expect_body is not None:
            return
        doc = json_body(rq)
        if not isinstance(doc, dict) or set(doc) != {"ttl"} or \
                type(doc["ttl"]) is not int or doc["ttl"] < 1:
            bad.append('body: expected {"ttl": <seconds>}, got %r'
                       % shown(rq.body))

    def granted(self, rq):
        """Seconds granted: the ttl asked, at most --grant-ttl."""
        doc = json_body(rq)
        ttl = doc.get("ttl", 30) if isinstance(doc, dict) else 30
        if not isinstance(ttl, int):
            ttl = 30        # Turnix's default
        if self.opt.grant_ttl is not None:
            ttl = min(ttl, self.opt.grant_ttl)
        return ttl

    def servers(self, user, cred, urls=None):
        h = self.host
        return [{"urls": ["stun:stun.turnix.io:3478"]},
                {"username": user, "credential": cred,
                 "urls": urls or ["turn:%s:3478?transport=udp" % h,
                                  "turn:%s:3478?transport=tcp" % h]}]

    def answer(self, rq, servers, legacy=False):
        if legacy:      # the docs' example: no expiresAt
            return {"iceServers": servers}
        at = time.time() + self.granted(rq)
        return {"iceServers": servers,
                "expiresAt": time.strftime("%Y-%m-%dT%H:%M:%S",
                                           time.gmtime(at)) +
                ".%03dZ" % (int(at * 1000) % 1000)}

    def ok(self, rq, legacy=False):
        return self.answer(rq, self.servers(self.opt.username,
                                            self.opt.credential), legacy)

    def empty(self, rq):
        return self.answer(rq, [])

    def badurls(self, rq):
        h = self.host
        urls = ["turn:%s:3478?transport=udp" % h, BAD_URLS[0], BAD_URLS[1],
                "turn:%s:3478?transport=tcp" % h, BAD_URLS[2]]
        s = self.servers(self.opt.username, self.opt.credential, urls)
        s[0]["urls"].append(BAD_URLS[3])
        return self.answer(rq, s)

    def turn_only(self, rq, cred):
        return self.answer(rq, self.servers(self.opt.username, cred)[1:])

    # Turnix does not document its error body: a plain {"error": ...}.
    def error(self, status):
        return {"error": {401: "Invalid API token", 404: "Not found",
                          429: "Too many requests"}.get(
                              status, "Internal server error")}


PROVIDERS = {"twilio": Twilio, "cloudflare": Cloudflare, "metered": Metered,
             "xirsys": Xirsys, "turnix": Turnix}


# --- request checks ----------------------------------------------------------

def json_body(rq):
    """The request's body as JSON, or None when it is not JSON."""
    try:
        return json.loads(rq.body.decode("utf-8"))
    except ValueError:
        return None


def shown(body, limit=80):
    text = body.decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else text[:limit] + "..."


def auth_kind(value):
    """An Authorization header described without its secret."""
    if value is None:
        return "none"
    return "a %s header" % value.split(" ", 1)[0][:20]


def check_line(rq, method, path, bad):
    if rq.method != method:
        bad.append("method: expected %s, got %s" % (method, rq.method))
    if rq.path != path:
        bad.append("path: expected %s, got %s" % (path, rq.path))


def check_no_query(rq, bad):
    if rq.raw_query != "":
        bad.append("query: expected none, got parameters %s"
                   % sorted(rq.query))


def check_basic(rq, auth, bad):
    got = rq.header("authorization")
    user = auth.split(":", 1)[0]
    if got is None or not got.startswith("Basic "):
        bad.append("authorization: expected Basic, got %s" % auth_kind(got))
        return
    try:
        pair = base64.b64decode(got[6:], validate=True).decode("utf-8")
    except ValueError:
        bad.append("authorization: Basic value is not base64 of UTF-8")
        return
    if pair.split(":", 1)[0] != user:
        bad.append("authorization: expected user %s, got user %s"
                   % (user, pair.split(":", 1)[0][:40]))
    elif pair != auth:
        bad.append("authorization: the secret of user %s is not the "
                   "expected one" % user)


def check_content_type(rq, want, bad):
    got = rq.header("content-type")
    if got != want:
        bad.append("content-type: expected %s, got %s" % (want, got))


def check_bearer_post(rq, path, token, what, bad):
    """A POST of JSON to PATH, no query, authorized by Bearer TOKEN (WHAT
    names it in the mismatch)."""
    check_line(rq, "POST", path, bad)
    check_no_query(rq, bad)
    got = rq.header("authorization")
    if got != "Bearer " + token:
        bad.append("authorization: expected Bearer with %s, got %s"
                   % (what, auth_kind(got)))
    check_content_type(rq, "application/json", bad)


# --- the server ----------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hosted-fake/1"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass    # the JSON log says what happened

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.conns += 1
            self.conn = self.server.conns

    def read_body(self):
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_request(self):
        srv = self.server
        rq = Request(self, self.read_body())
        rq.conn = self.conn
        bad = []
        for name in ("authorization", "content-type", "content-length"):
            if len(rq.headers.get(name, [])) > 1:
                bad.append("%s: sent %d times" % (name,
                                                  len(rq.headers[name])))
        srv.api.check(rq, bad)
        if srv.opt.expect_body is not None and \
                rq.body != srv.opt.expect_body.encode():
            bad.append("body: expected %r, got %r"
                       % (srv.opt.expect_body, shown(rq.body)))
        with srv.lock:
            srv.count += 1
            n = srv.count
            if not bad:
                srv.good += 1
            good = srv.good
        if bad:
            plan = (400, [], json_bytes({
                "message": "request mismatch: " + "; ".join(bad),
                "mismatch": bad}))
        else:
            plan = self.plan(rq, good)
        srv.log_request(n, rq, plan[0] if plan else None, bad)
        if plan is None:
            stopping.wait(srv.opt.lifetime)     # hang: never answer
            self.close_connection = True
            return
        status, headers, body = plan
        if srv.opt.delay_ms > 0:
            stopping.wait(srv.opt.delay_ms / 1000.0)
        if srv.opt.scenario == "trickle" and not bad:
            self.answer(status, headers, b"", length=len(body))
            self.trickle(body)
        elif srv.opt.scenario == "truncated" and not bad:
            self.answer(status, headers, body, length=len(body) + 100)
            self.close_connection = True
        else:
            self.answer(status, headers, body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_request

    def plan(self, rq, good):
        """(status, extra headers, body) for a right request, or None to
        hang."""
        api, sc = self.server.api, self.server.opt.scenario
        fails = {"unauthorized": 401, "notfound": 404,
                 "ratelimit_forever": 429, "error500_forever": 500}
        if sc in ("ratelimit", "error500") and good == 1:
            fails[sc] = 429 if sc == "ratelimit" else 500
        if sc in fails:
            status = fails[sc]
            headers = list(api.error_headers(status))
            if status == 429:
                headers.append(("Retry-After", "1"))
            return (status, headers, json_bytes(api.error(status)))
        if sc == "echo":	# a 400 repeating the request, secrets and all
            return (400, [], json_bytes({"error": "bad request %s?%s" % (
                rq.path, rq.raw_query)}))
        if sc == "retry_huge":
            return (429, [("Retry-After", "9223372036854775807")],
                    json_bytes(api.error(429)))
        if sc == "ratelimit_hour":
            return (429, list(api.error_headers(429)) +
                    [("Retry-After", "3600")], json_bytes(api.error(429)))
        if sc == "hang":
            return None
        if sc == "error200":    # Xirsys: an error with HTTP 200
            return (200, [], json_bytes(api.error200()))
        if sc == "legacy":
            return (api.ok_status, [], json_bytes(api.ok(rq, legacy=True)))
        if sc == "empty":
            return (api.ok_status, [], json_bytes(api.empty(rq)))
        if sc == "badurls":
            return (api.ok_status, [], json_bytes(api.badurls(rq)))
        if sc == "nul":
            doc = api.turn_only(rq, self.server.opt.credential[:8] +
                                "\u0000" + self.server.opt.credential[8:])
            return (api.ok_status, [], json_bytes(doc))
        if sc == "backslash":
            doc = api.turn_only(rq, self.server.opt.credential[:8] +
                                "\\u0000" + self.server.opt.credential[8:])
            return (api.ok_status, [], json_bytes(doc))
        if sc == "badutf8":
            mark = "@@NOT-UTF-8@@"
            doc = json_bytes(api.turn_only(rq, self.server.opt.credential +
                                           mark))
            return (api.ok_status, [],
                    doc.replace(mark.encode(), b"\xff\xfe\xc3\x28"))
        body = json_bytes(api.ok(rq))
        if sc == "malformed":
            return (api.ok_status, [], body[:len(body) // 2])
        if sc == "huge":
            doc = api.ok(rq)
            pad = "x" * HUGE_BYTES
            if isinstance(doc, list):
                doc.append({"urls": "stun:pad.example.org", "pad": pad})
            else:
                doc["pad"] = pad
            return (api.ok_status, [], json_bytes(doc))
        return (api.ok_status, [], body)

    def answer(self, status, headers, body, length=None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length",
                             str(len(body) if length is None else length))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            view = memoryview(body)
            for i in range(0, len(body), 65536):
                if stopping.is_set():
                    break
                self.wfile.write(view[i:i + 65536])
            self.wfile.flush()
        except OSError:
            self.close_connection = True    # the client went away

    def trickle(self, body):
        try:
            for i in range(len(body)):
                if stopping.wait(0.2):
                    break
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True


def json_bytes(doc):
    return json.dumps(doc).encode("utf-8")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, opt, api, context):
        super().__init__(("127.0.0.1", 0), Handler)
        self.opt = opt
        self.api = api
        self.lock = threading.Lock()
        self.count = 0
        self.good = 0
        self.conns = 0
        # The handshake happens in the connection's thread, at its first
        # read, so a client that stalls in it holds up nobody else.
        self.socket = context.wrap_socket(self.socket, server_side=True,
                                          do_handshake_on_connect=False)
        self.logfile = open(opt.log, "a") if opt.log else None

    def log_request(self, n, rq, status, bad):
        if self.logfile is None:
            return
        line = json.dumps({
            "n": n, "conn": rq.conn, "time": round(time.time(), 3),
            "method": rq.method, "path": rq.path,
            "query": rq.query,
            "headers": {k: rq.header(k) for k in rq.headers},
            "body": rq.body.decode("utf-8", "backslashreplace"),
            "status": status, "mismatch": bad})
        with self.lock:
            self.logfile.write(line + "\n")
            self.logfile.flush()

    def handle_error(self, request, client_address):
        # TLS handshakes a client refused, resets: the client's business.
        err = sys.exc_info()[1]
        if not isinstance(err, OSError):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(
        description="Fake hosted ICE credential API over HTTPS on "
        "127.0.0.1.")
    ap.add_argument("--provider", required=True, choices=sorted(PROVIDERS))
    ap.add_argument("--scenario", default="ok", choices=SCENARIOS)
    ap.add_argument("--cert", required=True, help="server certificate PEM")
    ap.add_argument("--key", required=True, help="its private key PEM")
    ap.add_argument("--port-file", required=True,
                    help="where to write the port chosen")
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--account-sid", default="AC" + "0" * 32,
                    help="twilio: the AC sid expected in the path")
    ap.add_argument("--auth", default="",
                    help="twilio, xirsys: the expected Basic user:secret")
    ap.add_argument("--key-id", default="turnkey",
                    help="cloudflare: the TURN key id expected in the path")
    ap.add_argument("--token", default="",
                    help="cloudflare, turnix: the expected Bearer token")
    ap.add_argument("--api-key", default="",
                    help="metered: the expected apiKey query value")
    ap.add_argument("--channel", default="default",
                    help="xirsys: the channel path expected after /_turn/")
    ap.add_argument("--grant-ttl", type=int,
                    help="turnix: grant at most this many seconds "
                    "(expiresAt)")
    ap.add_argument("--expect-body",
                    help="the exact request body expected")
    ap.add_argument("--answer-ttl",
                    help="twilio: the ttl string answered (default: the "
                    "Ttl asked, else 86400)")
    ap.add_argument("--username", help="TURN username handed out")
    ap.add_argument("--credential", help="TURN credential handed out")
    ap.add_argument("--delay-ms", type=int, default=0,
                    help="answer this many milliseconds late (benchmarks)")
    ap.add_argument("--lifetime", type=float, default=600,
                    help="stop by itself after this many seconds")
    opt = ap.parse_args()
    if opt.scenario == "error200" and opt.provider != "xirsys":
        ap.error("error200 is Xirsys's")
    if opt.username is None:
        opt.username = DEFAULT_USERNAME[opt.provider]
    if opt.credential is None:
        opt.credential = DEFAULT_CREDENTIAL[opt.provider]

    server = Server(opt, PROVIDERS[opt.provider](opt),
                    tls_context(opt.cert, opt.key))
    serve(server, opt.port_file, stopping, opt.lifetime)
    return 0


if __name__ == "__main__":
    sys.exit(main())

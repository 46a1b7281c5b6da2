#!/usr/bin/python3
"""google.py: fakes of the Google APIs `iceupd deploy` talks to, for tests.

Two servers on 127.0.0.1, in one process:
  HTTPS  the OAuth token endpoint (POST /token), the Cloud Run Admin API v2
         (GET and PATCH /v2/projects/P/locations/L/services/S, operations
         by POST {name}:wait and GET {name}) and Secret Manager v1
         (GET /v1/projects/P/secrets/S/versions, POST ...:addVersion,
         POST .../versions/V:disable)
  HTTP   the metadata server (/computeMetadata/v1/...), which demands the
         header Metadata-Flavor: Google
The port file gets one line: "<https port> <http port>".

Every request is checked against what the API documents (method, path,
query, Authorization, Content-Type, body); a wrong one gets HTTP 400 with
the differences in "mismatch".  The token endpoint takes two grants.  The
JWT bearer grant of a service account: it verifies the JWT's RS256
signature (with the `openssl` command and --sa-pubkey, as Python has no
RSA), header (alg, typ, kid) and claims (iss, scope, aud = this endpoint's
URL, iat within five minutes of now, exp = iat + 3600).  The refresh-token
grant of user credentials (what `gcloud auth application-default login`
writes), RFC 6749 section 6: the form holds exactly grant_type=
refresh_token, client_id, client_secret and refresh_token, each once and
equal to --client-id, --client-secret and --refresh-token; it hands out
--user-token.

A service PATCH is refused (400 INVALID_ARGUMENT) as the v2 definitions
say the API refuses it: labels or annotations in the system namespaces
(run.googleapis.com, cloud.googleapis.com, serving.knative.dev,
autoscaling.knative.dev), output-only fields that differ from the
service's, unknown fields, a bad updateMask.  updateMask is applied as
AIP-134 has it: each path copied from the body, cleared when the body
lacks it; without a mask, every field the body sets.

The APIs accept a Bearer token only when it is one of --access-token,
--sa-token or --user-token (handed out by /token) or --metadata-token
(handed out by the metadata server); the log names which ("auth":
"access", "sa", "user", "metadata", "none" or "unknown"), never the
token.

Scenarios (--scenario, a comma list):
  ok               everything as documented
  unauthorized     401 UNAUTHENTICATED to every Cloud Run call
  forbidden_get    403 PERMISSION_DENIED (run.services.get) to GET service
  forbidden_patch  403 PERMISSION_DENIED (run.services.update) to PATCH
  conflict_once    the first PATCH gets 409 ABORTED, and the service is
                   changed meanwhile (annotation other.example/writer, new
                   etag), as if someone else had updated it
  ratelimit_once   the first GET of a service gets 429 with Retry-After: 1
  unavailable_once the first PATCH gets 503 UNAVAILABLE
  op_error         operations end with an error (code 9)
  op_slow          :wait answers done=false --op-polls times first
  no_wait          :wait is 404 (polling GET works; --op-polls applies)
  token_refused    /token answers 400 invalid_grant
  stall_connect_once  the first connection to the HTTPS server gets no TLS
                   handshake: it is held silent for 4 s (past iceupd's 3 s
                   connect cap), then closed
  stall_connect    the same for every connection to the HTTPS server

The log (--log) gets one JSON line per request: n, server ("api" or
"metadata"), conn (the number of the connection it came on, counted per
server from 1), method, path, query, auth, content_type, body, status,
mismatch.  The services as they end up are written to --state at exit.
SIGTERM stops the servers (exit 0).
"""

import argparse
import base64
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import fakeserver
from fakeserver import stop_on_signal, tls_context, write_port

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
stopping = threading.Event()


def now_rfc3339(offset=0):
    t = time.time() + offset
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ".%06dZ" % int((t % 1) * 1e6)


def gerror(code, status, message):
    return {"error": {"code": code, "message": message, "status": status}}


# google.cloud.run.v2.Service (service.proto): the fields a request may
# set, those the server alone sets, and RevisionTemplate's fields
# (revision_template.proto).  Container.buildInfo (k8s.min.proto) is
# output only too.
SERVICE_FIELDS = {
    "name", "description", "labels", "annotations", "client",
    "clientVersion", "ingress", "launchStage", "binaryAuthorization",
    "template", "traffic", "scaling", "invokerIamDisabled",
    "defaultUriDisabled", "iapEnabled", "multiRegionSettings",
    "customAudiences", "buildConfig", "etag"}
OUTPUT_ONLY = {
    "uid", "generation", "createTime", "updateTime", "deleteTime",
    "expireTime", "creator", "lastModifier", "urls", "observedGeneration",
    "terminalCondition", "conditions", "latestReadyRevision",
    "latestCreatedRevision", "trafficStatuses", "uri", "satisfiesPzs",
    "threatDetectionEnabled", "reconciling"}
TEMPLATE_FIELDS = {
    "revision", "labels", "annotations", "scaling", "vpcAccess", "timeout",
    "serviceAccount", "containers", "volumes", "executionEnvironment",
    "encryptionKey", "maxInstanceRequestConcurrency", "serviceMesh",
    "encryptionKeyRevocationAction", "encryptionKeyShutdownDuration",
    "sessionAffinity", "healthCheckDisabled", "nodeSelector",
    "gpuZonalRedundancyDisabled"}
# "Cloud Run API v2 does not support labels [annotations] with
# run.googleapis.com, cloud.googleapis.com, serving.knative.dev, or
# autoscaling.knative.dev namespaces, and they will be rejected."
SYSTEM_NAMESPACES = ("run.googleapis.com", "cloud.googleapis.com",
                     "serving.knative.dev", "autoscaling.knative.dev")


def system_key(key):
    if "/" not in key:
        return False
    prefix = key.split("/", 1)[0].lower()
    return any(prefix == ns or prefix.endswith("." + ns)
               for ns in SYSTEM_NAMESPACES)


def refused_input(body, cur):
    """Why the API refuses this Service as input, or None."""
    tpl = body.get("template")
    for where, m in (("labels", body.get("labels")),
                     ("annotations", body.get("annotations")),
                     ("template.labels", (tpl or {}).get("labels")),
                     ("template.annotations", (tpl or {}).get("annotations"))):
        if m is None:
            continue
        if not isinstance(m, dict):
            return "%s: not a map" % where
        for k in m:
            if system_key(k):
                return "%s: the key '%s' is in a namespace reserved for " \
                    "the system" % (where, k)
    for k in body:
        if k in OUTPUT_ONLY:
            if body[k] != cur.get(k):
                return "%s is output only and cannot be changed" % k
        elif k not in SERVICE_FIELDS:
            return "unknown field %s" % k
    if tpl is not None:
        if not isinstance(tpl, dict):
            return "template: not an object"
        for k in tpl:
            if k not in TEMPLATE_FIELDS:
                return "unknown field template.%s" % k
        old = {c.get("name"): c for c in
               cur.get("template", {}).get("containers", [])}
        for c in tpl.get("containers") or []:
            if "buildInfo" in c and c["buildInfo"] != old.get(
                    c.get("name"), {}).get("buildInfo"):
                return "template.containers.buildInfo is output only"
    return None


def mask_paths(mask):
    """The paths of an updateMask, or a string saying why it is wrong."""
    if mask is None:
        return None
    paths = [p.strip() for p in mask.split(",")]
    for p in paths:
        parts = p.split(".")
        if p == "*":
            continue
        if not p or parts[0] not in SERVICE_FIELDS - {"name", "etag"} or \
                len(parts) > 2 or (len(parts) == 2 and (
                    parts[0] != "template" or
                    parts[1] not in TEMPLATE_FIELDS)):
            return "invalid field mask path '%s'" % p
    return paths


def apply_mask(cur, body, paths):
    """The service cur updated from body as the API does: with a mask, each
    path is copied (cleared when body lacks it); without one, every field
    the body sets; "*" replaces everything a request may set."""
    new = copy.deepcopy(cur)
    if paths is None:
        paths = [k for k in body if k in SERVICE_FIELDS - {"name", "etag"}]
    elif "*" in paths:
        paths = sorted(SERVICE_FIELDS - {"name", "etag"})
    for p in paths:
        parts = p.split(".")
        src, dst = body, new
        for k in parts[:-1]:
            src = src.get(k) if isinstance(src, dict) else None
            dst = dst.setdefault(k, {})
        k = parts[-1]
        if isinstance(src, dict) and k in src:
            dst[k] = copy.deepcopy(src[k])
        else:
            dst.pop(k, None)
    # Output only: the server keeps its own.
    old = {c.get("name"): c for c in
           cur.get("template", {}).get("containers", [])}
    for c in new.get("template", {}).get("containers", []):
        c.pop("buildInfo", None)
        if "buildInfo" in old.get(c.get("name"), {}):
            c["buildInfo"] = copy.deepcopy(old[c.get("name")]["buildInfo"])
    return new


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class State:
    def __init__(self, opt):
        self.opt = opt
        self.lock = threading.Lock()
        self.services = {}
        for path in opt.service or []:
            with open(path) as f:
                svc = json.load(f)
            self.services[svc["name"]] = svc
        self.ops = {}
        self.calls = {}
        self.scenarios = set(opt.scenario.split(",")) if opt.scenario \
            else set()
        self.versions = []
        for i in range(1, opt.secret_versions + 1):
            self.versions.append({
                "name": "%s/versions/%d" % (self.secret_numbered(), i),
                "createTime": now_rfc3339(-3600 * (opt.secret_versions -
                                                   i + 2)),
                "state": "ENABLED" if i != 1 else "DISABLED",
                "etag": '"%x"' % i})

    def secret_numbered(self):
        m = re.fullmatch(r"projects/([^/]+)/secrets/([^/]+)",
                         self.opt.secret or "projects/p/secrets/s")
        return "projects/%s/secrets/%s" % (self.opt.project_number,
                                           m.group(2))

    def first(self, what):
        """True the first time `what` happens."""
        with self.lock:
            n = self.calls.get(what, 0)
            self.calls[what] = n + 1
            return n == 0

    def has(self, sc):
        return sc in self.scenarios


class Request(fakeserver.Request):
    def json(self, bad):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError:
            bad.append("body: not JSON")
            return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "google-fake/1"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def handle(self):
        st = self.server.state
        if self.server.kind == "api" and (
                st.has("stall_connect") or
                (st.has("stall_connect_once") and st.first("stall"))):
            stopping.wait(4)
            return
        with self.server.loglock:
            self.server.conns += 1
            self.conn_id = self.server.conns
        super().handle()

    def read_body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_request(self):
        srv = self.server
        rq = Request(self, self.read_body())
        bad = []
        try:
            if srv.kind == "metadata":
                status, ctype, body, extra = self.metadata(rq, bad)
            else:
                status, ctype, body, extra = self.api(rq, bad)
        except Exception as e:     # a bug in the fake: say so, loudly
            bad.append("fake error: %r" % e)
            status, ctype, body, extra = 500, "application/json", {}, []
        if bad and status != 500:
            status, ctype, body, extra = 400, "application/json", {
                "message": "request mismatch: " + "; ".join(bad),
                "mismatch": bad}, []
        srv.log(rq, status, bad, self.auth_label(rq), self.conn_id)
        data = body if isinstance(body, bytes) else \
            json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_request

    def auth_label(self, rq):
        a = rq.header("authorization")
        if a is None:
            return "none"
        o = self.server.opt
        for label, tok in (("access", o.access_token), ("sa", o.sa_token),
                           ("user", o.user_token),
                           ("metadata", o.metadata_token)):
            if tok and a == "Bearer " + tok:
                return label
        return "unknown"

    # --- metadata server ---------------------------------------------------

    def metadata(self, rq, bad):
        o = self.server.opt
        if rq.header("metadata-flavor") != "Google":
            return 403, "text/html", b"Missing Metadata-Flavor:Google " \
                b"header.", []
        if rq.method != "GET":
            bad.append("method: expected GET, got %s" % rq.method)
        if "authorization" in rq.headers:
            bad.append("authorization: the metadata server needs none")
        p = rq.path
        base = "/computeMetadata/v1/"
        if p == base + "instance/service-accounts/default/token":
            return 200, "application/json", {
                "access_token": o.metadata_token, "expires_in": 3599,
                "token_type": "Bearer"}, [("Metadata-Flavor", "Google")]
        if p == base + "project/project-id":
            return 200, "application/text", o.project.encode(), \
                [("Metadata-Flavor", "Google")]
        if p == base + "instance/region":
            return 200, "application/text", ("projects/%s/regions/%s" % (
                o.project_number, o.region)).encode(), \
                [("Metadata-Flavor", "Google")]
        return 404, "text/html", b"Not Found", []

    # --- HTTPS APIs ----------------------------------------------------------

    def api(self, rq, bad):
        if rq.path == "/token":
            return self.token(rq, bad)
        label = self.auth_label(rq)
        if label in ("none", "unknown") or \
                self.server.state.has("unauthorized"):
            return 401, "application/json", gerror(
                401, "UNAUTHENTICATED", "Request had invalid authentication "
                "credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential."), \
                [("WWW-Authenticate", 'Bearer realm="https://accounts.'
                  'google.com/"')]
        if rq.path.startswith("/v2/"):
            return self.run(rq, bad)
        if rq.path.startswith("/v1/"):
            return self.secrets(rq, bad)
        return 404, "application/json", gerror(404, "NOT_FOUND",
                                               "no such path"), []

    def token(self, rq, bad):
        o = self.server.opt
        if rq.method != "POST":
            bad.append("method: expected POST, got %s" % rq.method)
        if rq.header("content-type") != "application/x-www-form-urlencoded":
            bad.append("content-type: expected application/x-www-form-"
                       "urlencoded, got %s" % rq.header("content-type"))
        if "authorization" in rq.headers:
            bad.append("authorization: the token endpoint needs none")
        form = parse_qs(rq.body.decode("ascii", "replace"),
                        keep_blank_values=True)
        if form.get("grant_type") == ["refresh_token"]:
            return self.refresh_grant(form, bad)
        if form.get("grant_type") != [GRANT]:
            bad.append("grant_type: expected %s" % GRANT)
        jwt = (form.get("assertion") or [""])[0]
        self.check_jwt(jwt, bad)
        if bad:
            return 400, "application/json", {}, []
        if self.server.state.has("token_refused"):
            return 400, "application/json", {
                "error": "invalid_grant",
                "error_description": "Invalid JWT Signature."}, []
        return 200, "application/json", {
            "access_token": o.sa_token, "expires_in": 3599,
            "token_type": "Bearer"}, []

    def refresh_grant(self, form, bad):
        o = self.server.opt
        want = {"grant_type": ["refresh_token"], "client_id": [o.client_id],
                "client_secret": [o.client_secret],
                "refresh_token": [o.refresh_token]}
        for k in sorted(set(want) | set(form)):
            if k not in want:
                bad.append("%s: not a field of the refresh-token grant" % k)
            elif form.get(k) != want[k]:
                bad.append("%s: not the one of the credentials file" % k)
        if not o.refresh_token or not o.user_token:
            bad.append("refresh_token: this fake has no user credentials")
        if bad:
            return 400, "application/json", {}, []
        if self.server.state.has("token_refused"):
            return 400, "application/json", {
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked."}, []
        return 200, "application/json", {
            "access_token": o.user_token, "expires_in": 3599,
            "scope": SCOPE, "token_type": "Bearer"}, []

    def check_jwt(self, jwt, bad):
        o = self.server.opt
        parts = jwt.split(".")
        if len(parts) != 3:
            bad.append("assertion: not three dot-separated parts")
            return
        try:
            head = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            sig = b64url_decode(parts[2])
        except ValueError:
            bad.append("assertion: not base64url JSON")
            return
        for part in parts:
            if "=" in part or "+" in part or "/" in part:
                bad.append("assertion: not unpadded base64url")
        want_head = {"alg": "RS256", "typ": "JWT"}
        if o.sa_key_id:
            want_head["kid"] = o.sa_key_id
        if head != want_head:
            bad.append("jwt header: expected %s, got %s" % (want_head, head))
        aud = "https://127.0.0.1:%d/token" % self.server.port
        for k, v in (("iss", o.sa_email), ("scope", SCOPE), ("aud", aud)):
            if claims.get(k) != v:
                bad.append("jwt claim %s: expected %s, got %r"
                           % (k, v, claims.get(k)))
        iat, exp = claims.get("iat"), claims.get("exp")
        if type(iat) is not int or abs(iat - time.time()) > 300:
            bad.append("jwt claim iat: not within five minutes of now")
        elif exp != iat + 3600:
            bad.append("jwt claim exp: expected iat + 3600")
        extra = set(claims) - {"iss", "scope", "aud", "iat", "exp"}
        if extra:
            bad.append("jwt claims: unexpected %s" % sorted(extra))
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "in"), "wb") as f:
                f.write((parts[0] + "." + parts[1]).encode())
            with open(os.path.join(d, "sig"), "wb") as f:
                f.write(sig)
            r = subprocess.run(["openssl", "dgst", "-sha256", "-verify",
                                o.sa_pubkey, "-signature",
                                os.path.join(d, "sig"),
                                os.path.join(d, "in")],
                               capture_output=True)
            if r.returncode != 0:
                bad.append("jwt signature: does not verify with the "
                           "service account's public key")

    # --- Cloud Run v2 --------------------------------------------------------

    def run(self, rq, bad):
        st = self.server.state
        m = re.fullmatch(r"/v2/(projects/[^/]+/locations/[^/]+/services/"
                         r"[^/:]+)", rq.path)
        if m:
            if rq.method == "GET":
                return self.get_service(rq, bad, m.group(1))
            if rq.method == "PATCH":
                return self.patch_service(rq, bad, m.group(1))
            bad.append("method: %s on a service" % rq.method)
            return 400, "application/json", {}, []
        m = re.fullmatch(r"/v2/(projects/[^/]+/locations/[^/]+/operations/"
                         r"[^/:]+)(:wait)?", rq.path)
        if m:
            return self.operation(rq, bad, m.group(1), m.group(2))
        return 404, "application/json", gerror(404, "NOT_FOUND",
                                               "no such path"), []

    def no_body(self, rq, bad):
        if rq.body:
            bad.append("body: a GET carries none")
        if rq.raw_query:
            bad.append("query: expected none, got %s" % rq.raw_query)

    def get_service(self, rq, bad, name):
        st = self.server.state
        self.no_body(rq, bad)
        if bad:
            return 400, "application/json", {}, []
        if st.has("forbidden_get"):
            return 403, "application/json", gerror(
                403, "PERMISSION_DENIED", "Permission 'run.services.get' "
                "denied on resource '%s' (or resource may not exist)."
                % name), []
        if st.has("ratelimit_once") and st.first("get"):
            return 429, "application/json", gerror(
                429, "RESOURCE_EXHAUSTED", "Quota exceeded."), \
                [("Retry-After", "1")]
        with st.lock:
            svc = st.services.get(name)
            if svc is None:
                return 404, "application/json", gerror(
                    404, "NOT_FOUND", "Resource '%s' was not found" % name), []
            return 200, "application/json", copy.deepcopy(svc), []

    def patch_service(self, rq, bad, name):
        st = self.server.state
        if rq.header("content-type") != "application/json":
            bad.append("content-type: expected application/json, got %s"
                       % rq.header("content-type"))
        validate, mask = False, None
        for k, v in rq.query.items():
            if k == "validateOnly" and v == ["true"]:
                validate = True
            elif k == "updateMask" and len(v) == 1:
                mask = v[0]
            else:
                bad.append("query: unexpected %s=%s" % (k, v))
        body = rq.json(bad)
        if bad:
            return 400, "application/json", {}, []
        if not isinstance(body, dict) or body.get("name") != name:
            bad.append("body: name is not %s" % name)
            return 400, "application/json", {}, []
        if st.has("forbidden_patch"):
            return 403, "application/json", gerror(
                403, "PERMISSION_DENIED", "Permission 'run.services.update' "
                "denied on resource '%s' (or resource may not exist)."
                % name), []
        if st.has("unavailable_once") and st.first("patch503"):
            return 503, "application/json", gerror(
                503, "UNAVAILABLE", "The service is currently "
                "unavailable."), []
        with st.lock:
            cur = st.services.get(name)
            if cur is None:
                return 404, "application/json", gerror(
                    404, "NOT_FOUND", "Resource '%s' was not found" % name), []
            if st.has("conflict_once") and st.calls.get("conflict", 0) == 0:
                st.calls["conflict"] = 1
                cur.setdefault("template", {}).setdefault(
                    "annotations", {})["other.example/writer"] = "1"
                cur["etag"] = '"%s"' % uuid.uuid4().hex[:16]
                return 409, "application/json", gerror(
                    409, "ABORTED", "Conflict for resource '%s': version "
                    "'%s' was specified but current version is '%s'."
                    % (name, body.get("etag"), cur["etag"])), []
            if "etag" in body and body["etag"] != cur.get("etag"):
                return 409, "application/json", gerror(
                    409, "ABORTED", "etag mismatch"), []
            paths = mask_paths(mask)
            why = paths if isinstance(paths, str) else \
                refused_input(body, cur)
            if why is not None:
                return 400, "application/json", gerror(
                    400, "INVALID_ARGUMENT", why), []
            new = apply_mask(cur, body, paths)
            rev = new.get("template", {}).get("revision")
            if rev and rev == cur.get("template", {}).get("revision") and \
                    new.get("template") != cur.get("template"):
                return 409, "application/json", gerror(
                    409, "ALREADY_EXISTS", "Revision named '%s' with "
                    "different configuration already exists." % rev), []
            gen = int(cur.get("generation", "1")) + 1
            short = name.rsplit("/", 1)[1]
            revname = "%s/revisions/%s-%05d-%s" % (
                name, short, gen, uuid.uuid4().hex[:3])
            new["generation"] = str(gen)
            new["etag"] = '"%s"' % uuid.uuid4().hex[:16]
            new["latestCreatedRevision"] = revname
            new["latestReadyRevision"] = revname
            new["updateTime"] = now_rfc3339()
            if not validate:
                st.services[name] = new
            loc = name.split("/services/")[0]
            opname = "%s/operations/%s" % (loc, uuid.uuid4())
            op = {"name": opname, "polls": 0, "response": new,
                  "validate": validate}
            st.ops[opname] = op
            return 200, "application/json", self.op_json(op, False), []

    def op_json(self, op, finished):
        out = {"name": op["name"], "metadata": {
            "@type": "type.googleapis.com/google.cloud.run.v2.Service",
            "name": op["response"]["name"]}}
        if finished:
            out["done"] = True
            if self.server.state.has("op_error"):
                out["error"] = {"code": 9, "message": "Revision '%s' is not "
                                "ready and cannot serve traffic. The user-"
                                "provided container failed to start." %
                                op["response"]["latestCreatedRevision"]
                                .rsplit("/", 1)[1]}
            else:
                r = dict(op["response"])
                r["@type"] = "type.googleapis.com/google.cloud.run.v2.Service"
                out["response"] = r
        return out

    def operation(self, rq, bad, name, wait):
        st = self.server.state
        if wait:
            if rq.method != "POST":
                bad.append("method: expected POST for :wait")
            if rq.header("content-type") != "application/json":
                bad.append("content-type: expected application/json")
            body = rq.json(bad)
            if not isinstance(body, dict) or set(body) != {"timeout"} or \
                    not re.fullmatch(r"[1-9][0-9]*s", str(body["timeout"])) \
                    or int(body["timeout"][:-1]) > 60:
                bad.append("body: expected {\"timeout\": \"<1..60>s\"}")
            if rq.raw_query:
                bad.append("query: expected none")
            if bad:
                return 400, "application/json", {}, []
            if st.has("no_wait"):
                return 404, "application/json", gerror(
                    404, "NOT_FOUND", "Method not found."), []
        else:
            if rq.method != "GET":
                bad.append("method: expected GET for an operation")
            self.no_body(rq, bad)
            if bad:
                return 400, "application/json", {}, []
        with st.lock:
            op = st.ops.get(name)
            if op is None:
                return 404, "application/json", gerror(
                    404, "NOT_FOUND", "Operation not found"), []
            op["polls"] += 1
            slow = st.has("op_slow") or st.has("no_wait")
            finished = not slow or op["polls"] > self.server.opt.op_polls
            doc = self.op_json(op, finished)
        if wait and not finished:
            time.sleep(0.2)
        return 200, "application/json", doc, []

    # --- Secret Manager v1 -----------------------------------------------------

    def secrets(self, rq, bad):
        st, o = self.server.state, self.server.opt
        m = re.fullmatch(r"projects/([^/]+)/secrets/([^/]+)", o.secret or "")
        proj = "(?:%s|%s)" % (re.escape(m.group(1)),
                              re.escape(o.project_number))
        sec = re.escape(m.group(2))
        p = rq.path
        if re.fullmatch(r"/v1/projects/%s/secrets/%s/versions" % (proj, sec),
                        p):
            if rq.method != "GET" or rq.body:
                bad.append("versions: expected a GET without body")
            for k in rq.query:
                if k not in ("pageSize", "pageToken", "filter"):
                    bad.append("query: unexpected %s" % k)
            if bad:
                return 400, "application/json", {}, []
            with st.lock:
                vs = list(reversed(st.versions))
            return 200, "application/json", {"versions": vs,
                                             "totalSize": len(vs)}, []
        if re.fullmatch(r"/v1/projects/%s/secrets/%s:addVersion"
                        % (proj, sec), p):
            if rq.method != "POST":
                bad.append("method: expected POST")
            if rq.header("content-type") != "application/json":
                bad.append("content-type: expected application/json")
            body = rq.json(bad)
            try:
                data = base64.b64decode(body["payload"]["data"],
                                        validate=True)
                json.loads(data)
                if set(body) != {"payload"} or \
                        set(body["payload"]) - {"data", "dataCrc32c"}:
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                bad.append("body: expected {\"payload\":{\"data\":"
                           "<base64 of the JSON>}}")
            if bad:
                return 400, "application/json", {}, []
            with st.lock:
                n = len(st.versions) + 1
                v = {"name": "%s/versions/%d" % (st.secret_numbered(), n),
                     "createTime": now_rfc3339(), "state": "ENABLED",
                     "etag": '"%x"' % n}
                st.versions.append(v)
            return 200, "application/json", v, []
        m2 = re.fullmatch(r"/v1/projects/%s/secrets/%s/versions/([0-9]+)"
                          r":disable" % (proj, sec), p)
        if m2:
            if rq.method != "POST":
                bad.append("method: expected POST")
            if bad:
                return 400, "application/json", {}, []
            with st.lock:
                i = int(m2.group(1)) - 1
                if i >= len(st.versions):
                    return 404, "application/json", gerror(
                        404, "NOT_FOUND", "no such version"), []
                st.versions[i]["state"] = "DISABLED"
                return 200, "application/json", st.versions[i], []
        return 404, "application/json", gerror(404, "NOT_FOUND",
                                               "no such path"), []


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, kind, opt, state, logf, lock, context=None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.kind = kind
        self.opt = opt
        self.state = state
        self.logf = logf
        self.loglock = lock
        self.port = self.server_address[1]
        self.count = [0]
        self.conns = 0
        if context is not None:
            self.socket = context.wrap_socket(self.socket, server_side=True,
                                              do_handshake_on_connect=False)

    def log(self, rq, status, bad, auth, conn):
        if self.logf is None:
            return
        with self.loglock:
            self.state.calls["n"] = self.state.calls.get("n", 0) + 1
            self.logf.write(json.dumps({
                "n": self.state.calls["n"], "server": self.kind,
                "conn": conn,
                "method": rq.method, "path": rq.path, "query": rq.query,
                "auth": auth, "content_type": rq.header("content-type"),
                "flavor": rq.header("metadata-flavor"),
                "body": rq.body.decode("utf-8", "backslashreplace"),
                "status": status, "mismatch": bad}) + "\n")
            self.logf.flush()

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="Fake Google APIs on "
                                 "127.0.0.1 for iceupd deploy's tests.")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--state", help="write the services here at exit")
    ap.add_argument("--service", action="append",
                    help="a Service JSON file to serve (repeatable)")
    ap.add_argument("--scenario", default="ok")
    ap.add_argument("--access-token", default="")
    ap.add_argument("--sa-email", default="")
    ap.add_argument("--sa-key-id", default="")
    ap.add_argument("--sa-pubkey", default="")
    ap.add_argument("--sa-token", default="")
    ap.add_argument("--metadata-token", default="")
    ap.add_argument("--client-id", default="")
    ap.add_argument("--client-secret", default="")
    ap.add_argument("--refresh-token", default="")
    ap.add_argument("--user-token", default="")
    ap.add_argument("--project", default="demo-project")
    ap.add_argument("--project-number", default="123456789012")
    ap.add_argument("--region", default="europe-west1")
    ap.add_argument("--secret")
    ap.add_argument("--secret-versions", type=int, default=0)
    ap.add_argument("--op-polls", type=int, default=2)
    ap.add_argument("--lifetime", type=float, default=120)
    opt = ap.parse_args()

    state = State(opt)
    logf = open(opt.log, "a") if opt.log else None
    lock = threading.Lock()
    api = Server("api", opt, state, logf, lock,
                 tls_context(opt.cert, opt.key))
    meta = Server("metadata", opt, state, logf, lock)

    stop_on_signal(stopping, [api, meta], opt.lifetime)
    t = threading.Thread(target=meta.serve_forever, args=(0.1,), daemon=True)
    t.start()
    write_port(opt.port_file, api.port, meta.port)
    api.serve_forever(poll_interval=0.1)
    t.join(2)
    if opt.state:
        with open(opt.state, "w") as f:
            json.dump(state.services, f)
    if logf:
        logf.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

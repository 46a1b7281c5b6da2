#!/usr/bin/env python3
"""openapi_answers.py DOC ANSWERS: checks every answer recorded in ANSWERS
(JSON lines: method, path, status, ctype, body) against the OpenAPI
document DOC: the route, method and status are documented, the content
type is the documented one, and a JSON body holds to its schema.  Prints
one line per answer that does not, and exits 1 if any."""
import json
import sys
import warnings

# RefResolver is deprecated in newer releases, but Debian's has only it.
warnings.filterwarnings("ignore", category=DeprecationWarning)
import jsonschema  # noqa: E402


def check(doc, a):
    path = a["path"].split("?", 1)[0]
    method = a["method"].lower()
    status = str(a["status"])
    ops = doc["paths"].get(path)
    if ops is None:
        return None if status == "404" else "route not in the document"
    if method == "head":
        method = "get"
    op = ops.get(method)
    if op is None:
        return None if status == "405" else "method not documented"
    resp = op["responses"].get(status)
    if resp is None:
        return "status %s not documented" % status
    if "$ref" in resp:
        resp = doc["components"]["responses"][resp["$ref"].split("/")[-1]]
    content = resp.get("content")
    ctype = (a["ctype"] or "").split(";")[0].strip()
    if content is None:
        # libmicrohttpd's own answers carry an untyped page.
        return None if a["body"] == "" or ctype == "" else \
            "a %s body where none is documented" % ctype
    if ctype not in content:
        return "content type %r not documented" % ctype
    if ctype != "application/json" or a["method"] == "HEAD":
        return None
    try:
        body = json.loads(a["body"])
    except ValueError as e:
        return "not JSON: %s" % e
    schema = content[ctype]["schema"]
    validator = jsonschema.Draft202012Validator(
        schema, resolver=jsonschema.RefResolver("", doc),
        format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(body), key=lambda e: e.path)
    if errors:
        return "; ".join("%s: %s" % (list(e.absolute_path), e.message)
                         for e in errors[:3])
    return None


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    bad = 0
    n = 0
    with open(sys.argv[2]) as f:
        for line in f:
            a = json.loads(line)
            n += 1
            why = check(doc, a)
            if why is not None:
                bad += 1
                print("%s %s %s: %s" % (a["method"], a["path"], a["status"],
                                        why))
    if n == 0:
        print("no answer recorded")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Send one AWS Query (IAM, STS) request signed with SigV4, for an operation
newer than the installed aws CLI and boto3 both. The standard library only:
the signature is computed here (Signature Version 4, header-signed).

usage: query_json.py SERVICE OPERATION [PARAMS_JSON | NAME=VALUE ...]

  SERVICE      iam or sts (the signing name; both sign in us-east-1)
  PARAMS_JSON  the operation's input as one JSON object, serialized as the
               Query protocol does: structures as Name.Member, lists as
               Name.member.N
  NAME=VALUE   or Query parameters as the API reference names them
               (Audience.member.1=..., Tags.member.1.Key=...)

Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN and the endpoint from GATEHOUSE_ENDPOINT. On success the
operation's Result element is printed as JSON (lists as arrays) and the exit
status is 0. On an error the aws CLI's error line is printed on stderr, "An
error occurred (CODE) when calling the OP operation: MESSAGE", and the exit
status is 254, as boto_call.py does.
"""
import datetime
import hashlib
import hmac
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15"}


def flatten(prefix, value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(prefix + "." + k if prefix else k, v, out)
    elif isinstance(value, list):
        for i, v in enumerate(value, 1):
            flatten("%s.member.%d" % (prefix, i), v, out)
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    else:
        out[prefix] = str(value)


def to_json(el):
    children = list(el)
    if not children:
        return el.text or ""
    if all(c.tag.split("}")[-1] == "member" for c in children):
        return [to_json(c) for c in children]
    return {c.tag.split("}")[-1]: to_json(c) for c in children}


def sign(method, url, body, service):
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    u = urllib.parse.urlsplit(url)
    headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8", "host": u.netloc, "x-amz-date": amz_date}
    token = os.environ.get("AWS_SESSION_TOKEN")
    if token:
        headers["x-amz-security-token"] = token
    names = sorted(headers)
    canonical = "\n".join([method, u.path or "/", "", "".join("%s:%s\n" % (n, headers[n]) for n in names), ";".join(names),
                           hashlib.sha256(body).hexdigest()])
    scope = "%s/us-east-1/%s/aws4_request" % (day, service)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + os.environ["AWS_SECRET_ACCESS_KEY"]).encode()
    for part in (day, "us-east-1", service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        os.environ["AWS_ACCESS_KEY_ID"], scope, ";".join(names), sig)
    return headers


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    service, operation = sys.argv[1], sys.argv[2]
    params = {"Action": operation, "Version": VERSIONS[service]}
    args = sys.argv[3:]
    if len(args) == 1 and args[0].lstrip().startswith("{"):
        flatten("", json.loads(args[0]), params)
    else:
        for kv in args:
            name, sep, value = kv.partition("=")
            if not sep:
                print("query_json.py: %r is neither a JSON object nor NAME=VALUE" % kv, file=sys.stderr)
                return 2
            params[name] = value
    body = urllib.parse.urlencode(params).encode()
    url = os.environ["GATEHOUSE_ENDPOINT"].rstrip("/") + "/"
    req = urllib.request.Request(url, data=body, method="POST", headers=sign("POST", url, body, service))
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            root = ET.fromstring(resp.read())
    except urllib.error.HTTPError as e:
        doc = e.read()
        code, msg = "HTTP%d" % e.code, doc.decode(errors="replace")
        try:
            err = ET.fromstring(doc)
            code = next(x.text for x in err.iter() if x.tag.split("}")[-1] == "Code")
            msg = next((x.text or "" for x in err.iter() if x.tag.split("}")[-1] == "Message"), "")
        except (ET.ParseError, StopIteration):
            pass
        print("An error occurred (%s) when calling the %s operation: %s" % (code, operation, msg), file=sys.stderr)
        return 254
    result = next((c for c in root if c.tag.split("}")[-1] == operation + "Result"), None)
    out = to_json(result) if result is not None else {}
    print(json.dumps(out if out != "" else {}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

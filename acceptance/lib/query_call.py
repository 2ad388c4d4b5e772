#!/usr/bin/env python3
"""Send one AWS Query request (IAM, STS) signed with SigV4 (botocore's signer),
for an operation newer than the installed aws CLI and boto3 both.

usage: query_call.py SIGNING-NAME OPERATION [NAME=VALUE ...]

  SIGNING-NAME  the service's SigV4 signing name: iam or sts
  OPERATION     the Action, e.g. GetWebIdentityToken
  NAME=VALUE    Query parameters as the API reference names them
                (Audience.member.1=..., Tags.member.1.Key=...)

Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN and the endpoint from GATEHOUSE_ENDPOINT. On success the
operation's result element is printed as JSON (elements with children become
objects, "member" lists arrays, leaves strings) and the exit status is 0. On
an error the aws CLI's error line is printed on stderr, "An error occurred
(CODE) when calling the OP operation: MESSAGE", and the exit status is 254, as
boto_call.py does.
"""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15"}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def to_json(el):
    kids = list(el)
    if not kids:
        return el.text or ""
    if all(local(k.tag) == "member" for k in kids):
        return [to_json(k) for k in kids]
    return {local(k.tag): to_json(k) for k in kids}


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    name, operation = sys.argv[1:3]
    params = [("Action", operation), ("Version", VERSIONS[name])]
    for kv in sys.argv[3:]:
        k, _, v = kv.partition("=")
        params.append((k, v))
    body = urllib.parse.urlencode(params).encode()
    url = os.environ["GATEHOUSE_ENDPOINT"].rstrip("/") + "/"
    creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                        os.environ.get("AWS_SESSION_TOKEN") or None)
    req = AWSRequest(method="POST", url=url, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(creds, name, "us-east-1").add_auth(req)
    prepared = urllib.request.Request(url, data=body, method="POST", headers=dict(req.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=30) as resp:
            root = ET.fromstring(resp.read())
    except urllib.error.HTTPError as e:
        raw = e.read()
        code, msg = "Unknown", raw.decode(errors="replace")
        try:
            err = ET.fromstring(raw)
            for el in err.iter():
                if local(el.tag) == "Code":
                    code = el.text or code
                elif local(el.tag) == "Message":
                    msg = el.text or ""
        except ET.ParseError:
            pass
        print(f"An error occurred ({code}) when calling the {operation} operation: {msg}", file=sys.stderr)
        return 254
    result = {}
    for el in root:
        if local(el.tag) == operation + "Result":
            result = to_json(el)
            if result == "":
                result = {}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Send one REST-JSON request signed with SigV4 (botocore's signer), for an
operation newer than the installed aws CLI and boto3 both.

usage: rest_call.py SIGNING-NAME OPERATION METHOD PATH [BODY_JSON]

  SIGNING-NAME  the service's SigV4 signing name, e.g. access-analyzer
  OPERATION     the API operation's name, for the error line

Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN and the endpoint from GATEHOUSE_ENDPOINT. On success the
response body is printed and the exit status is 0. On an error the aws CLI's
error line is printed on stderr, "An error occurred (CODE) when calling the
OP operation: MESSAGE", and the exit status is 254, as boto_call.py does.
"""
import json
import os
import sys
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    name, operation, method, path = sys.argv[1:5]
    body = sys.argv[5].encode() if len(sys.argv) > 5 else b""
    url = os.environ["GATEHOUSE_ENDPOINT"].rstrip("/") + path
    creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                        os.environ.get("AWS_SESSION_TOKEN") or None)
    req = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(creds, name, "us-east-1").add_auth(req)
    prepared = urllib.request.Request(url, data=body or None, method=method, headers=dict(req.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=30) as resp:
            print(resp.read().decode())
            return 0
    except urllib.error.HTTPError as e:
        raw = e.read().decode(errors="replace")
        code = (e.headers.get("x-amzn-ErrorType") or "").split(":")[0]
        msg = ""
        try:
            doc = json.loads(raw)
            code = code or doc.get("__type", doc.get("code", "Unknown")).split("#")[-1]
            msg = doc.get("message", doc.get("Message", ""))
        except ValueError:
            msg = raw
        print(f"An error occurred ({code or 'Unknown'}) when calling the {operation} operation: {msg}", file=sys.stderr)
        return 254


if __name__ == "__main__":
    sys.exit(main())

# Generates testdata/botocore_s3.json: requests signed by botocore's S3 client
# (what the AWS CLI uses), captured by a before-send hook instead of sent.
import json, botocore.config, botocore.session
from botocore.awsrequest import AWSResponse

class Raw:
    def __init__(self, body): self.body = body
    def stream(self, **kw): yield self.body

captured = []
def before_send(request, **kwargs):
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    captured.append({
        "method": request.method,
        "url": request.url,
        "headers": {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()},
        "body": (body or b"").decode("ascii"),
    })
    if request.method == "GET":
        return AWSResponse(request.url, 200, {"Content-Length": "2"}, Raw(b"ok"))
    return AWSResponse(request.url, 200, {"ETag": '"x"'}, Raw(b""))

vectors = []
keys = ["plain.txt", "with space.txt", "a+b=c&d.txt", "ünïcødé/日本語.txt", "double//slash", "dot/./seg/../x", "!$'()*,;:@~"]
for endpoint in ["https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:9000"]:
    for style in ["path", "virtual"]:
        if endpoint.startswith("http:") and style == "virtual":
            continue
        s = botocore.session.get_session()
        c = s.create_client("s3", region_name="us-east-1", endpoint_url=endpoint,
                            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                            config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": style}, retries={"max_attempts": 0}))
        c.meta.events.register("before-send.s3", before_send)
        for key in keys:
            for op in ["put", "get"]:
                captured.clear()
                if op == "put":
                    c.put_object(Bucket="bucket", Key=key, Body=b"x" * 1000)
                else:
                    c.get_object(Bucket="bucket", Key=key)
                v = captured[0]
                v["name"] = f"{endpoint.split(':')[0]} {style} {op} {key}"
                vectors.append(v)
        url = c.generate_presigned_url("get_object", Params={"Bucket": "bucket", "Key": keys[3]}, ExpiresIn=600)
        vectors.append({"name": f"{endpoint.split(':')[0]} {style} presigned get", "method": "GET", "url": url, "headers": {}, "body": ""})
for v in vectors:
    for k in ["User-Agent", "amz-sdk-invocation-id", "amz-sdk-request", "Expect"]:
        v["headers"].pop(k, None)
json.dump({"botocore": botocore.__version__, "vectors": vectors}, open("botocore_s3.json", "w"), indent=1, ensure_ascii=False)
print(len(vectors))
for v in vectors[:3] + vectors[-2:]:
    print(v["name"], v["url"], v["headers"].get("x-amz-content-sha256"), v["headers"].get("Content-Encoding"), v["headers"].get("X-Amz-Trailer"))

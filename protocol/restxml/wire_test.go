package restxml_test

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/api/s3codec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
)

// resolve routes a request for the tests.
func resolve(t *testing.T, method, bucket, key, query string, header map[string]string) (*restxml.Service, *restxml.Request) {
	t.Helper()
	svc := s3codec.Service()
	r := httptest.NewRequest(method, "/", nil)
	r.URL.RawQuery = query
	for k, v := range header {
		r.Header.Set(k, v)
	}
	req, err := svc.Resolve(r, bucket, key)
	if err != nil {
		t.Fatalf("%s %s/%s?%s: %v", method, bucket, key, query, err)
	}
	return svc, req
}

// TestErrorDocument pins S3's error document: the XML declaration, <Error>
// without a namespace, Code, Message, the extra members, RequestId and
// HostId; the x-amz-request-id and x-amz-id-2 headers. Shape: "REST error
// responses" of the Amazon S3 API Reference
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses).
func TestErrorDocument(t *testing.T) {
	svc := s3codec.Service()
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/b/k", nil)
	ae := (&awserr.Error{Code: "NoSuchKey", Status: 404, Message: "The specified key does not exist."}).
		WithMembers(map[string]any{"Key": "a<b>"})
	if err := svc.WriteError(w, r, "REQ1", ae); err != nil {
		t.Fatal(err)
	}
	want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>" +
		"<Key>a&lt;b&gt;</Key><RequestId>REQ1</RequestId><HostId>" + restxml.HostID("REQ1") + "</HostId></Error>"
	if w.Code != 404 || w.Body.String() != want {
		t.Errorf("got %d\n%s\nwant\n%s", w.Code, w.Body, want)
	}
	if w.Header().Get("x-amz-request-id") != "REQ1" || w.Header().Get("x-amz-id-2") == "" || w.Header().Get("Content-Type") != "application/xml" {
		t.Errorf("headers %v", w.Header())
	}

	// HEAD: the status alone.
	w = httptest.NewRecorder()
	_ = svc.WriteError(w, httptest.NewRequest("HEAD", "/b/k", nil), "REQ2", ae)
	if w.Code != 404 || w.Body.Len() != 0 || w.Header().Get("x-amz-request-id") != "REQ2" {
		t.Errorf("HEAD error: %d %q %v", w.Code, w.Body, w.Header())
	}

	// Internal causes are never rendered.
	w = httptest.NewRecorder()
	_ = svc.WriteError(w, r, "REQ3", restxml.ErrorOf(fmt.Errorf("disk on fire")))
	if w.Code != 500 || strings.Contains(w.Body.String(), "fire") || !strings.Contains(w.Body.String(), "<Code>InternalError</Code>") {
		t.Errorf("internal error: %d %s", w.Code, w.Body)
	}
}

// TestResponseDocuments pins the encoding of a document: root element in
// the S3 namespace, timestamps with milliseconds, flattened lists written
// flat, and ACL grantees with their xsi:type attribute (response syntax of
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketAcl.html).
func TestResponseDocuments(t *testing.T) {
	svc, req := resolve(t, "GET", "b", "", "acl", nil)
	w := httptest.NewRecorder()
	out := &s3api.GetBucketAclOutput{
		Owner: &s3api.Owner{ID: ptr("id1")},
		Grants: []s3api.Grant{{Grantee: &s3api.Grantee{Type: s3api.TypeCanonicalUser, ID: ptr("id1")},
			Permission: ptr(s3api.PermissionFULL_CONTROL)}},
	}
	if err := svc.WriteResponse(w, req, "R", out); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>id1</ID></Owner><AccessControlList>` +
		`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>id1</ID></Grantee>` +
		`<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`
	if w.Code != 200 || w.Body.String() != want {
		t.Errorf("got\n%s\nwant\n%s", w.Body, want)
	}

	svc, req = resolve(t, "GET", "b", "", "list-type=2", nil)
	w = httptest.NewRecorder()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	lo := &s3api.ListObjectsV2Output{Name: ptr("b"),
		Contents:       []s3api.Object{{Key: ptr("a"), LastModified: &at}, {Key: ptr("b")}},
		CommonPrefixes: []s3api.CommonPrefix{{Prefix: ptr("p/")}}, KeyCount: ptr(int32(2))}
	if err := svc.WriteResponse(w, req, "R", lo); err != nil {
		t.Fatal(err)
	}
	want = `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Contents><Key>a</Key><LastModified>2026-01-02T02:04:05.000Z</LastModified></Contents>` +
		`<Contents><Key>b</Key></Contents><Name>b</Name><CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes><KeyCount>2</KeyCount></ListBucketResult>`
	if !strings.HasSuffix(w.Body.String(), want) {
		t.Errorf("got\n%s\nwant suffix\n%s", w.Body, want)
	}

	// GetBucketLocation: the constraint is the root's text; none (us-east-1)
	// is an empty root.
	svc, req = resolve(t, "GET", "b", "", "location", nil)
	w = httptest.NewRecorder()
	_ = svc.WriteResponse(w, req, "R", &s3api.GetBucketLocationOutput{})
	if !strings.HasSuffix(w.Body.String(), `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`) {
		t.Errorf("location %s", w.Body)
	}

	// A string payload is written raw.
	svc, req = resolve(t, "GET", "b", "", "policy", nil)
	w = httptest.NewRecorder()
	_ = svc.WriteResponse(w, req, "R", &s3api.GetBucketPolicyOutput{Policy: ptr(`{"Version":"2012-10-17"}`)})
	if w.Body.String() != `{"Version":"2012-10-17"}` {
		t.Errorf("policy %s", w.Body)
	}
}

// TestResponseHeadersAndStatus: header members (Last-Modified in RFC 1123,
// metadata), the success status of the model (204 for DeleteObject),
// WithStatus, and no body for HEAD.
func TestResponseHeadersAndStatus(t *testing.T) {
	svc, req := resolve(t, "HEAD", "b", "k", "", nil)
	w := httptest.NewRecorder()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	out := &s3api.HeadObjectOutput{ContentLength: ptr(int64(12)), LastModified: &at, ETag: ptr(`"e"`),
		Metadata: map[string]string{"color": "blue"}, DeleteMarker: ptr(false), PartsCount: ptr(int32(3))}
	if err := svc.WriteResponse(w, req, "R", out); err != nil {
		t.Fatal(err)
	}
	h := w.Header()
	if w.Code != 200 || w.Body.Len() != 0 || h.Get("Last-Modified") != "Fri, 02 Jan 2026 03:04:05 GMT" || h.Get("Content-Length") != "12" ||
		h.Get("x-amz-meta-color") != "blue" || h.Get("ETag") != `"e"` || h.Get("x-amz-delete-marker") != "false" || h.Get("x-amz-mp-parts-count") != "3" ||
		h.Get("x-amz-request-id") != "R" {
		t.Errorf("HeadObject %d %v %q", w.Code, h, w.Body)
	}

	svc, req = resolve(t, "DELETE", "b", "k", "", nil)
	w = httptest.NewRecorder()
	_ = svc.WriteResponse(w, req, "R", &s3api.DeleteObjectOutput{VersionId: ptr("v")})
	if w.Code != http.StatusNoContent || w.Header().Get("x-amz-version-id") != "v" {
		t.Errorf("DeleteObject %d %v", w.Code, w.Header())
	}

	svc, req = resolve(t, "GET", "b", "k", "", nil)
	w = httptest.NewRecorder()
	_ = svc.WriteResponse(w, req, "R", restxml.WithStatus(&s3api.GetObjectOutput{ETag: ptr(`"e"`)}, http.StatusNotModified))
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("304 %d %q", w.Code, w.Body)
	}

	// An object without a content type is not sniffed.
	w = httptest.NewRecorder()
	_ = svc.WriteResponse(w, req, "R", &s3api.GetObjectOutput{Body: io.NopCloser(strings.NewReader("<html>")), ContentLength: ptr(int64(6))})
	if ct, ok := w.Result().Header["Content-Type"]; ok && len(ct) > 0 {
		t.Errorf("sniffed %v", ct)
	}
	if w.Body.String() != "<html>" {
		t.Errorf("body %q", w.Body)
	}
}

// decodeBody resolves and decodes a request; its body's Content-MD5 is
// added unless the header map has a checksum or is nil-checksummed with
// "-".
func decodeBody(t *testing.T, method, bucket, key, query string, header map[string]string, body string) (any, error) {
	t.Helper()
	h := map[string]string{}
	for k, v := range header {
		h[k] = v
	}
	if _, ok := h["-"]; ok {
		delete(h, "-")
	} else if !hasChecksumHeader(h) {
		h["Content-MD5"] = contentMD5(body)
	}
	svc, req := resolve(t, method, bucket, key, query, h)
	return svc.Decode(req, strings.NewReader(body))
}

func hasChecksumHeader(h map[string]string) bool {
	for k := range h {
		if strings.EqualFold(k, "Content-MD5") || strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
			return true
		}
	}
	return false
}

func contentMD5(body string) string {
	sum := md5.Sum([]byte(body))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func errCode(err error) string {
	if ae, ok := awserr.As(err); ok {
		return ae.Code
	}
	return fmt.Sprint(err)
}

// TestDecodeFailures: S3's errors for bad requests — MalformedXML for a
// document that is not well-formed, has another root or lacks a required
// element, or names more than 1,000 keys
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html);
// MaxMessageLengthExceeded past the bound; InvalidArgument with
// ArgumentName/ArgumentValue for a bad integer; InvalidRequest for a missing
// required header; KeyTooLongError past 1,024 bytes
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html);
// InvalidBucketName for a name S3 refuses to create
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
func TestDecodeFailures(t *testing.T) {
	keys := func(n int) string {
		var b strings.Builder
		b.WriteString("<Delete>")
		for i := range n {
			fmt.Fprintf(&b, "<Object><Key>k%d</Key></Object>", i)
		}
		b.WriteString("</Delete>")
		return b.String()
	}
	tests := []struct {
		name                       string
		method, bucket, key, query string
		header                     map[string]string
		body                       string
		want                       string
	}{
		{"not XML", "POST", "b", "", "delete", nil, "<Delete><Object>", restxml.CodeMalformedXML},
		{"garbage", "POST", "b", "", "delete", nil, "hello", restxml.CodeMalformedXML},
		{"wrong root", "POST", "b", "", "delete", nil, "<Tagging/>", restxml.CodeMalformedXML},
		{"no objects", "POST", "b", "", "delete", nil, "<Delete><Quiet>true</Quiet></Delete>", restxml.CodeMalformedXML},
		{"no key", "POST", "b", "", "delete", nil, "<Delete><Object><VersionId>v</VersionId></Object></Delete>", restxml.CodeMalformedXML},
		{"bad bool", "POST", "b", "", "delete", nil, "<Delete><Object><Key>k</Key></Object><Quiet>yes</Quiet></Delete>", restxml.CodeMalformedXML},
		{"two roots", "POST", "b", "", "delete", nil, "<Delete><Object><Key>k</Key></Object></Delete><Delete/>", restxml.CodeMalformedXML},
		{"empty required payload", "POST", "b", "", "delete", nil, "", restxml.CodeMalformedXML},
		{"1001 keys", "POST", "b", "", "delete", nil, keys(1001), restxml.CodeMalformedXML},
		{"too large", "PUT", "b", "", "tagging", nil, "<Tagging><TagSet>" + strings.Repeat(" ", restxml.MaxXMLBody) + "</TagSet></Tagging>", restxml.CodeMaxMessageLengthExceeded},
		{"empty policy", "PUT", "b", "", "policy", nil, "", restxml.CodeMissingRequestBody},
		{"bad max-keys", "GET", "b", "", "list-type=2&max-keys=ten", nil, "", restxml.CodeInvalidArgument},
		{"bad part number", "PUT", "b", "k", "partNumber=x&uploadId=u", nil, "", restxml.CodeInvalidArgument},
		{"missing attributes header", "GET", "b", "k", "attributes", nil, "", restxml.CodeInvalidRequest},
		{"key too long", "GET", "b", strings.Repeat("k", 1025), "", nil, "", restxml.CodeKeyTooLong},
		{"bad bucket name", "PUT", "Bad_Bucket", "", "", nil, "", restxml.CodeInvalidBucketName},
		{"ip bucket name", "PUT", "192.168.5.4", "", "", nil, "", restxml.CodeInvalidBucketName},
		// Operations the model marks requestChecksumRequired refuse a body
		// without Content-MD5 or x-amz-checksum-* (recorded against S3 in
		// versity/versitygw issues 1040 and 1521).
		{"no checksum", "POST", "b", "", "delete", map[string]string{"-": ""}, keys(1), restxml.CodeInvalidRequest},
		{"no checksum, tagging", "PUT", "b", "", "tagging", map[string]string{"-": ""}, "<Tagging><TagSet/></Tagging>", restxml.CodeInvalidRequest},
		{"bad Content-MD5", "POST", "b", "", "delete", map[string]string{"Content-MD5": "nope"}, keys(1), "InvalidDigest"},
		{"wrong Content-MD5", "POST", "b", "", "delete", map[string]string{"Content-MD5": contentMD5("other")}, keys(1), "BadDigest"},
		{"wrong CRC32", "POST", "b", "", "delete", map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}, keys(1), "BadDigest"},
		{"bad CRC32", "POST", "b", "", "delete", map[string]string{"x-amz-checksum-crc32": "AAAA"}, keys(1), restxml.CodeInvalidRequest},
	}
	for _, tt := range tests {
		_, err := decodeBody(t, tt.method, tt.bucket, tt.key, tt.query, tt.header, tt.body)
		if got := errCode(err); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
	_, err := decodeBody(t, "GET", "b", "", "list-type=2&max-keys=ten", nil, "")
	if ae, _ := awserr.As(err); ae.Members["ArgumentName"] != "max-keys" || ae.Members["ArgumentValue"] != "ten" {
		t.Errorf("InvalidArgument members %v", ae.Members)
	}
	_, err = decodeBody(t, "GET", "b", "k", "attributes", nil, "")
	if ae, _ := awserr.As(err); ae.Message != "Missing required header for this request: x-amz-object-attributes" {
		t.Errorf("missing header message %q", ae.Message)
	}
	if _, err := decodeBody(t, "POST", "b", "", "delete", nil, keys(1000)); err != nil {
		t.Errorf("1000 keys: %v", err)
	}
	crc := crc32.ChecksumIEEE([]byte(keys(2)))
	sum := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	if _, err := decodeBody(t, "POST", "b", "", "delete", map[string]string{"x-amz-checksum-crc32": sum}, keys(2)); err != nil {
		t.Errorf("CRC32: %v", err)
	}
	// Operations that do not require a checksum go without.
	if _, err := decodeBody(t, "PUT", "bkt", "", "", map[string]string{"-": ""}, ""); err != nil {
		t.Errorf("CreateBucket without checksum: %v", err)
	}
}

// TestDecodeDocuments: the S3 namespace is accepted with or without,
// whitespace between elements ignored, ACL grantees read with their
// xsi:type; an optional payload may be absent.
func TestDecodeDocuments(t *testing.T) {
	for _, body := range []string{
		`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a b</Key></Object><Quiet>true</Quiet></Delete>`,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete>\n  <Object>\n    <Key>a b</Key>\n  </Object>\n  <Quiet>true</Quiet>\n</Delete>\n",
	} {
		in, err := decodeBody(t, "POST", "b", "", "delete", nil, body)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		d := in.(*s3api.DeleteObjectsRequest)
		if len(d.Delete.Objects) != 1 || d.Delete.Objects[0].Key != "a b" || d.Delete.Quiet == nil || !*d.Delete.Quiet {
			t.Errorf("%s: decoded %+v", body, d.Delete)
		}
	}
	acl := `<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant>` +
		`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>` +
		`<Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`
	in, err := decodeBody(t, "PUT", "b", "k", "acl", nil, acl)
	if err != nil {
		t.Fatal(err)
	}
	p := in.(*s3api.PutObjectAclRequest).AccessControlPolicy
	if p == nil || len(p.Grants) != 1 || p.Grants[0].Grantee.Type != s3api.TypeGroup || *p.Grants[0].Permission != s3api.PermissionREAD {
		t.Errorf("ACL decoded %+v", p)
	}
	// A grantee without its type is MalformedXML.
	_, err = decodeBody(t, "PUT", "b", "k", "acl", nil, strings.Replace(acl, ` xsi:type="Group"`, "", 1))
	if errCode(err) != restxml.CodeMalformedXML {
		t.Errorf("grantee without type: %v", err)
	}
	// PutObjectAcl with a canned ACL header and no document.
	in, err = decodeBody(t, "PUT", "b", "k", "acl", map[string]string{"x-amz-acl": "public-read"}, "")
	if err != nil || in.(*s3api.PutObjectAclRequest).AccessControlPolicy != nil || *in.(*s3api.PutObjectAclRequest).ACL != s3api.ObjectCannedACLPublicread {
		t.Errorf("canned ACL: %v %+v", err, in)
	}
	// CreateBucket without a configuration.
	in, err = decodeBody(t, "PUT", "my.bucket-1", "", "", nil, "")
	if err != nil || in.(*s3api.CreateBucketRequest).Bucket != "my.bucket-1" {
		t.Errorf("CreateBucket: %v %+v", err, in)
	}
	// Conditional headers are HTTP dates.
	in, err = decodeBody(t, "GET", "b", "k", "", map[string]string{"If-Modified-Since": "Fri, 02 Jan 2026 03:04:05 GMT"}, "")
	if err != nil || !in.(*s3api.GetObjectRequest).IfModifiedSince.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("If-Modified-Since: %v %+v", err, in)
	}
	// An invalid conditional date is ignored (RFC 9110, 13.1.3); another
	// invalid date header is InvalidArgument.
	in, err = decodeBody(t, "GET", "b", "k", "", map[string]string{"If-Modified-Since": "yesterday"}, "")
	if err != nil || in.(*s3api.GetObjectRequest).IfModifiedSince != nil {
		t.Errorf("invalid If-Modified-Since: %v %+v", err, in)
	}
	_, err = decodeBody(t, "PUT", "b", "k", "", map[string]string{"x-amz-object-lock-retain-until-date": "soon"}, "")
	if errCode(err) != restxml.CodeInvalidArgument {
		t.Errorf("invalid retain-until date: %v", err)
	}
}

// TestStreamingPayloadUnread: the decoder hands PutObject the body stream
// without reading it.
func TestStreamingPayloadUnread(t *testing.T) {
	svc, req := resolve(t, "PUT", "b", "k", "", nil)
	body := &countingReader{r: strings.NewReader("data")}
	in, err := svc.Decode(req, body)
	if err != nil {
		t.Fatal(err)
	}
	if body.n != 0 {
		t.Errorf("decoder read %d bytes", body.n)
	}
	if in.(*s3api.PutObjectRequest).Body != io.Reader(body) {
		t.Error("Body is not the server's stream")
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestErrorMemberOrder: the extra elements come in S3's order, as in the
// SignatureDoesNotMatch documents S3 returns (AWSAccessKeyId, StringToSign,
// SignatureProvided, StringToSignBytes, CanonicalRequest,
// CanonicalRequestBytes: S3 responses quoted in public client test suites,
// e.g. a Vonage Python SDK test of a failed S3 upload).
func TestErrorMemberOrder(t *testing.T) {
	ae := (&awserr.Error{Code: "SignatureDoesNotMatch", Status: 403, Message: "m"}).WithMembers(map[string]any{
		"CanonicalRequest": "c", "AWSAccessKeyId": "AKID", "StringToSign": "s", "SignatureProvided": "p", "Zeta": 1,
	})
	got := string(restxml.MarshalError(ae, "R"))
	want := "<Code>SignatureDoesNotMatch</Code><Message>m</Message><AWSAccessKeyId>AKID</AWSAccessKeyId><StringToSign>s</StringToSign>" +
		"<SignatureProvided>p</SignatureProvided><CanonicalRequest>c</CanonicalRequest><Zeta>1</Zeta><RequestId>R</RequestId>"
	if !strings.Contains(got, want) {
		t.Errorf("got %s", got)
	}
}

// TestNilOutput: an operation without output, or a nil output of the
// right type, answers the success status with an empty body.
func TestNilOutput(t *testing.T) {
	svc, req := resolve(t, "PUT", "b", "k", "", nil)
	for _, out := range []any{nil, (*s3api.PutObjectOutput)(nil)} {
		w := httptest.NewRecorder()
		if err := svc.WriteResponse(w, req, "R", out); err != nil {
			t.Fatal(err)
		}
		if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != "0" {
			t.Errorf("%T: %d %q %v", out, w.Code, w.Body, w.Header())
		}
	}
}

// TestParseXMLLinear: text split by many comments is gathered in linear
// time (a 2 MiB document of alternating text and comments parses fast).
func TestParseXMLLinear(t *testing.T) {
	doc := "<Tagging><TagSet><Tag><Key>" + strings.Repeat("a<!---->", restxml.MaxXMLBody/8-10) + "</Key></Tag></TagSet></Tagging>"
	start := time.Now()
	n, err := restxml.ParseXML(strings.NewReader(doc), restxml.MaxXMLBody)
	if err != nil {
		t.Fatal(err)
	}
	if k := n.Child("TagSet").Child("Tag").Child("Key"); k == nil || len(k.Text) != restxml.MaxXMLBody/8-10 {
		t.Fatal("text lost")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("parse took %v", d)
	}
}

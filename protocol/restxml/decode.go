package restxml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

// MaxXMLBody bounds an XML or string request payload: S3 answers
// MaxMessageLengthExceeded past it. The largest S3 request documents are
// DeleteObjects' (1,000 keys of up to 1,024 bytes each).
const MaxXMLBody = 2 << 20

// MaxKeyLength is S3's limit on an object key, in bytes (KeyTooLongError):
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html.
const MaxKeyLength = 1024

// Time formats of bound timestamps.
const (
	// TimeRFC822 is HTTP's date ("Mon, 02 Jan 2006 15:04:05 GMT"), REST's
	// default for headers.
	TimeRFC822 = "rfc822"
	// TimeISO8601 is "2006-01-02T15:04:05.000Z", the default in documents
	// and query strings.
	TimeISO8601 = "iso8601"
	// TimeEpoch is seconds since the epoch.
	TimeEpoch = "epoch-seconds"
)

// Decoder is what the generated decoders read a request through. It keeps
// the first failure: decoding goes on, and Decode returns that failure.
type Decoder struct {
	req  *Request
	body io.Reader
	err  *awserr.Error
}

// Fail records err unless a failure is already recorded.
func (d *Decoder) Fail(err *awserr.Error) {
	if d.err == nil {
		d.err = err
	}
}

// Decode decodes req into a new input of its operation. body is the
// request's (verified) body stream: XML and string payloads are read from it
// with the MaxXMLBody bound; a streaming payload is handed to the input
// unread. The error is nil or an *awserr.Error: S3's KeyTooLongError,
// InvalidBucketName (CreateBucket), MalformedXML, InvalidArgument,
// InvalidRequest (a missing required header), MaxMessageLengthExceeded, or
// NotImplemented for an operation whose shapes are not generated.
func (s *Service) Decode(req *Request, body io.Reader) (any, error) {
	if req.op.NewInput == nil {
		return nil, notImplemented(req.op.Name)
	}
	if len(req.key) > MaxKeyLength {
		return nil, (&awserr.Error{Code: CodeKeyTooLong, Status: http.StatusBadRequest, Sender: true, Message: msgKeyTooLong}).
			WithMembers(map[string]any{"MaxSizeAllowed": strconv.Itoa(MaxKeyLength), "Size": strconv.Itoa(len(req.key))})
	}
	if req.op.Name == "CreateBucket" && !ValidBucketName(req.bucket) {
		return nil, (&awserr.Error{Code: CodeInvalidBucketName, Status: http.StatusBadRequest, Sender: true, Message: msgInvalidBucketName}).
			WithMembers(map[string]any{"BucketName": req.bucket})
	}
	if req.op.ChecksumRequired && !hasChecksum(req.http.Header) {
		return nil, missingChecksum()
	}
	if body == nil {
		body = http.NoBody
	}
	d := &Decoder{req: req, body: body}
	in := req.op.NewInput()
	if !s.DecodeInput(d, in) {
		return nil, fmt.Errorf("decode %s: no decoder for %T", req.op.Name, in)
	}
	if d.err != nil {
		return nil, d.err
	}
	return in, nil
}

// ValidBucketName reports whether name follows S3's rules for new general
// purpose buckets: 3 to 63 lower-case letters, digits, dots and hyphens,
// starting and ending with a letter or digit, no two adjacent dots, not an
// IPv4 address, not prefixed xn--, sthree- or amzn-s3-demo-, not suffixed
// -s3alias, --ol-s3, .mrap or --x-s3
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return false
			}
			if c == '.' && name[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, suf := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3"} {
		if strings.HasSuffix(name, suf) {
			return false
		}
	}
	parts := strings.Split(name, ".")
	if len(parts) == 4 {
		ip := true
		for _, p := range parts {
			if _, err := strconv.ParseUint(p, 10, 8); err != nil {
				ip = false
			}
		}
		if ip {
			return false
		}
	}
	return true
}

// Label returns a URI label: "Bucket" or "Key".
func (d *Decoder) Label(name string) string {
	if name == "Key" {
		return d.req.key
	}
	return d.req.bucket
}

// Query returns the query parameter name, if present.
func (d *Decoder) Query(name string) (string, bool) {
	vs, ok := d.req.query[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// Header returns the header name, if present.
func (d *Decoder) Header(name string) (string, bool) {
	vs := d.req.http.Header.Values(name)
	if len(vs) == 0 {
		return "", false
	}
	return strings.Join(vs, ","), true
}

// HeaderList returns a list header's comma-separated elements, trimmed.
func (d *Decoder) HeaderList(name string) ([]string, bool) {
	v, ok := d.Header(name)
	if !ok {
		return nil, false
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out, true
}

// HeaderMap returns the headers whose names start with prefix
// ("x-amz-meta-"), keyed by the rest of their name in lower case, or nil
// when there are none.
func (d *Decoder) HeaderMap(prefix string) map[string]string {
	var out map[string]string
	for k, vs := range d.req.http.Header {
		if len(k) > len(prefix) && strings.EqualFold(k[:len(prefix)], prefix) {
			if out == nil {
				out = map[string]string{}
			}
			out[strings.ToLower(k[len(prefix):])] = strings.Join(vs, ",")
		}
	}
	return out
}

// Missing records that a required parameter is absent: S3's InvalidRequest
// "Missing required header for this request: name" for a header, and
// InvalidArgument for a query parameter.
func (d *Decoder) Missing(location, name string) {
	if location == "header" {
		d.Fail(InvalidRequest("Missing required header for this request: " + name))
		return
	}
	d.Fail(InvalidArgument("Missing required parameter "+name+".", name, ""))
}

// Int32 converts a bound parameter's text; a value that is not an integer
// is InvalidArgument.
func (d *Decoder) Int32(name, text string) int32 {
	v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 32)
	if err != nil {
		d.Fail(InvalidArgument("Provided "+name+" not an integer or within integer range", name, text))
	}
	return int32(v)
}

// Int64 converts a bound parameter's text; a value that is not an integer
// is InvalidArgument.
func (d *Decoder) Int64(name, text string) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil {
		d.Fail(InvalidArgument("Provided "+name+" not an integer or within integer range", name, text))
	}
	return v
}

// Bool converts a bound parameter's text ("true" or "false", any case).
func (d *Decoder) Bool(name, text string) bool {
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "true":
		return true
	case "false":
		return false
	}
	d.Fail(InvalidArgument("Invalid value for "+name+": "+text, name, text))
	return false
}

// Time converts a bound parameter's text in format (TimeRFC822, TimeISO8601
// or TimeEpoch); any of them is accepted, as S3 does.
func (d *Decoder) Time(name, text, format string) time.Time {
	if t, ok := parseTime(text, format); ok {
		return t
	}
	d.Fail(InvalidArgument("Invalid date for "+name+": "+text, name, text))
	return time.Time{}
}

// HeaderTime converts a timestamp header. A conditional header
// (If-Modified-Since, x-amz-copy-source-if-unmodified-since...) whose date
// is invalid is ignored, as HTTP requires (RFC 9110, section 13.1.3); any
// other is InvalidArgument. ok is false when there is no value to set.
func (d *Decoder) HeaderTime(name, text, format string) (time.Time, bool) {
	if t, ok := parseTime(text, format); ok {
		return t, true
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "if-") || strings.HasPrefix(lower, "x-amz-copy-source-if-") {
		return time.Time{}, false
	}
	d.Fail(InvalidArgument("Invalid date for "+name+": "+text, name, text))
	return time.Time{}, false
}

func parseTime(text, format string) (time.Time, bool) {
	text = strings.TrimSpace(text)
	try := func(f string) (time.Time, bool) {
		switch f {
		case TimeRFC822:
			t, err := http.ParseTime(text)
			return t.UTC(), err == nil
		case TimeEpoch:
			f, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return time.Time{}, false
			}
			sec := int64(f)
			return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
		}
		t, err := time.Parse(time.RFC3339Nano, text)
		return t.UTC(), err == nil
	}
	if t, ok := try(format); ok {
		return t, true
	}
	for _, f := range []string{TimeISO8601, TimeRFC822, TimeEpoch} {
		if f != format {
			if t, ok := try(f); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// Stream returns the request body for a streaming payload, unread.
func (d *Decoder) Stream() io.Reader { return d.body }

// readAll reads the body with the MaxXMLBody bound and checks it against
// the digests its headers carry (Content-MD5, x-amz-checksum-*).
func (d *Decoder) readAll() ([]byte, bool) {
	b, err := io.ReadAll(io.LimitReader(d.body, MaxXMLBody+1))
	if err != nil {
		d.Fail(bodyError(err))
		return nil, false
	}
	if len(b) > MaxXMLBody {
		d.Fail(tooLarge())
		return nil, false
	}
	if err := verifyDigests(d.req.http.Header, b); err != nil {
		d.Fail(err)
		return nil, false
	}
	return b, true
}

// bodyError is the error of a body that could not be read: the body
// stream's own *awserr.Error (a failed payload signature), else
// IncompleteBody.
func bodyError(err error) *awserr.Error {
	if ae, ok := awserr.As(err); ok {
		return ae
	}
	return (&awserr.Error{Code: CodeIncompleteBody, Status: http.StatusBadRequest, Sender: true,
		Message: "You did not provide the number of bytes specified by the Content-Length HTTP header."}).WithCause(err)
}

func tooLarge() *awserr.Error {
	return (&awserr.Error{Code: CodeMaxMessageLengthExceeded, Status: http.StatusBadRequest, Sender: true, Message: msgMaxMessageLengthExceeded}).
		WithMembers(map[string]any{"MaxMessageLengthBytes": strconv.Itoa(MaxXMLBody)})
}

// PayloadString reads a string payload (a bucket policy), if the body is
// not empty.
func (d *Decoder) PayloadString() (string, bool) {
	b, ok := d.readAll()
	if !ok || len(b) == 0 {
		return "", false
	}
	return string(b), true
}

// PayloadXML reads the XML payload (bounded, its digests checked) and
// parses it; its root element must be root. An empty body is nil
// (MalformedXML when required); a document that is not well-formed, or
// whose root is another element, is MalformedXML.
func (d *Decoder) PayloadXML(root string, required bool) *Node {
	b, ok := d.readAll()
	if !ok {
		return nil
	}
	n, err := ParseXML(bytes.NewReader(b), MaxXMLBody)
	switch {
	case errors.Is(err, errTooLarge):
		d.Fail(tooLarge())
		return nil
	case errors.Is(err, errMalformed):
		if errors.Is(err, errNoRoot) {
			if required {
				d.Fail(MalformedXML())
			}
			return nil
		}
		d.Fail(MalformedXML().WithCause(err))
		return nil
	case err != nil:
		d.Fail(bodyError(err))
		return nil
	}
	if n.Name != root {
		d.Fail(MalformedXML().WithCause(fmt.Errorf("root element %s, want %s", n.Name, root)))
		return nil
	}
	return n
}

// XML conversions: a malformed value in a document is MalformedXML.

// XMLInt32 converts an element's text.
func (d *Decoder) XMLInt32(n *Node) int32 {
	v, err := strconv.ParseInt(strings.TrimSpace(n.Text), 10, 32)
	if err != nil {
		d.Fail(MalformedXML())
	}
	return int32(v)
}

// XMLInt64 converts an element's text.
func (d *Decoder) XMLInt64(n *Node) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(n.Text), 10, 64)
	if err != nil {
		d.Fail(MalformedXML())
	}
	return v
}

// XMLBool converts an element's text ("true" or "false").
func (d *Decoder) XMLBool(n *Node) bool {
	switch strings.TrimSpace(n.Text) {
	case "true":
		return true
	case "false":
		return false
	}
	d.Fail(MalformedXML())
	return false
}

// XMLTime converts an element's text (ISO 8601).
func (d *Decoder) XMLTime(n *Node) time.Time {
	t, ok := parseTime(n.Text, TimeISO8601)
	if !ok {
		d.Fail(MalformedXML())
	}
	return t
}

// XMLString returns an element's text, which must be valid UTF-8.
func (d *Decoder) XMLString(n *Node) string {
	if !utf8.ValidString(n.Text) {
		d.Fail(MalformedXML())
	}
	return n.Text
}

// MissingElement records that a required element is absent (MalformedXML).
func (d *Decoder) MissingElement(string) { d.Fail(MalformedXML()) }

// MaxItems records MalformedXML when a list has more than limit elements
// (DeleteObjects' 1,000 keys).
func (d *Decoder) MaxItems(n, limit int) {
	if n > limit {
		d.Fail(MalformedXML())
	}
}

// DecodeStruct decodes the element n into a new structure with dec, the
// structure's generated decoder.
func DecodeStruct[T any](d *Decoder, n *Node, dec func(*Decoder, *Node, *T)) T {
	var x T
	dec(d, n, &x)
	return x
}

// MissingBody records that a required string payload is absent: S3's
// MissingRequestBodyError "Request Body is empty".
func (d *Decoder) MissingBody() {
	d.Fail(&awserr.Error{Code: CodeMissingRequestBody, Status: http.StatusBadRequest, Sender: true, Message: msgMissingRequestBody})
}

// DecodeDocument parses doc, an XML document whose root element is root,
// with decode (a generated DecodeXML method): how a document kept by the
// service (a bucket configuration as it was put) is read back. The error is
// MalformedXML, with the cause, for a document that does not parse.
func DecodeDocument(doc []byte, root string, decode func(*Decoder, *Node)) error {
	n, err := ParseXML(bytes.NewReader(doc), MaxXMLBody)
	if err != nil {
		return MalformedXML().WithCause(err)
	}
	if n.Name != root {
		return MalformedXML().WithCause(fmt.Errorf("root element %s, want %s", n.Name, root))
	}
	d := &Decoder{}
	decode(d, n)
	if d.err != nil {
		return d.err
	}
	return nil
}

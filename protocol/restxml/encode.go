package restxml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Namespace is the XML namespace of S3's documents.
const Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// ISO8601 is the layout of timestamps in S3's documents: milliseconds,
// always written.
const ISO8601 = "2006-01-02T15:04:05.000Z"

// Encoder writes an XML document; the first element it starts is the root,
// which gets the S3 namespace.
type Encoder struct {
	buf   bytes.Buffer
	depth int
}

// Start writes a start tag with attributes given as name, value pairs.
func (e *Encoder) Start(name string, attrs ...string) {
	e.buf.WriteByte('<')
	e.buf.WriteString(name)
	if e.depth == 0 {
		e.buf.WriteString(` xmlns="` + Namespace + `"`)
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		e.buf.WriteString(" " + attrs[i] + `="`)
		_ = xml.EscapeText(&e.buf, []byte(attrs[i+1])) // a bytes.Buffer does not fail
		e.buf.WriteByte('"')
	}
	e.buf.WriteByte('>')
	e.depth++
}

// End writes an end tag.
func (e *Encoder) End(name string) {
	e.buf.WriteString("</" + name + ">")
	e.depth--
}

// String writes <name>text</name>, the text escaped.
func (e *Encoder) String(name, text string) {
	e.Start(name)
	_ = xml.EscapeText(&e.buf, []byte(text)) // a bytes.Buffer does not fail
	e.End(name)
}

// Int writes an integer element.
func (e *Encoder) Int(name string, v int64) { e.String(name, strconv.FormatInt(v, 10)) }

// Bool writes a boolean element.
func (e *Encoder) Bool(name string, v bool) { e.String(name, strconv.FormatBool(v)) }

// Time writes a timestamp element in ISO 8601 with milliseconds, in UTC.
func (e *Encoder) Time(name string, t time.Time) { e.String(name, t.UTC().Format(ISO8601)) }

// Bytes returns the document written so far.
func (e *Encoder) Bytes() []byte { return e.buf.Bytes() }

// Output is implemented by outputs written by hand rather than generated
// (WithStatus, documents the model lacks): EncodeResponse sets the
// response's header members and payload.
type Output interface {
	EncodeResponse(r *Response)
}

// Response is a response being built from an output.
type Response struct {
	// Status, if not zero, replaces the operation's success status.
	Status int
	// Header holds the header members.
	Header http.Header
	// Body is an XML document or a string payload; Stream a streaming
	// payload, copied to the client and closed. At most one is set.
	Body   []byte
	Stream io.ReadCloser
	// ContentType is the media type of Body.
	ContentType string
	// encode writes the generated output types (Service.EncodeOutput).
	encode func(*Response, any) bool
}

// NewResponse returns a response whose headers are h, for outputs written
// outside WriteResponse (S3 Control's).
func (s *Service) NewResponse(h http.Header) *Response {
	return &Response{Header: h, encode: s.EncodeOutput}
}

// Encode sets out's header members and payload: out is an Output, a
// generated output type of the service, or nil (nothing to set).
func (r *Response) Encode(out any) {
	switch o := out.(type) {
	case nil:
	case Output:
		o.EncodeResponse(r)
	default:
		if r.encode != nil {
			r.encode(r, out)
		}
	}
}

// XML sets the body to the document that write writes, with its XML
// declaration.
func (r *Response) XML(write func(e *Encoder)) {
	var e Encoder
	e.buf.WriteString(xml.Header)
	write(&e)
	r.Body, r.ContentType = e.Bytes(), "application/xml"
}

// Raw sets the body to a string payload (GetBucketPolicy's JSON).
func (r *Response) Raw(s string) { r.Body = []byte(s) }

// SetString sets a header member.
func (r *Response) SetString(name, v string) { r.Header.Set(name, v) }

// SetInt sets an integer header member.
func (r *Response) SetInt(name string, v int64) { r.Header.Set(name, strconv.FormatInt(v, 10)) }

// SetBool sets a boolean header member.
func (r *Response) SetBool(name string, v bool) { r.Header.Set(name, strconv.FormatBool(v)) }

// SetTime sets a timestamp header member in format (TimeRFC822 by
// default).
func (r *Response) SetTime(name string, t time.Time, format string) {
	switch format {
	case TimeISO8601:
		r.Header.Set(name, t.UTC().Format(ISO8601))
	case TimeEpoch:
		r.Header.Set(name, strconv.FormatInt(t.Unix(), 10))
	default:
		r.Header.Set(name, t.UTC().Format(http.TimeFormat))
	}
}

// SetList sets a list header member, its elements joined by commas.
func (r *Response) SetList(name string, vs []string) {
	if len(vs) > 0 {
		r.Header.Set(name, joinComma(vs))
	}
}

func joinComma(vs []string) string {
	var b bytes.Buffer
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v)
	}
	return b.String()
}

// SetMap sets one header per entry, named prefix + key ("x-amz-meta-").
func (r *Response) SetMap(prefix string, m map[string]string) {
	for k, v := range m {
		r.Header.Set(prefix+k, v)
	}
}

// WithStatus returns out (see Response.Encode) answering with status
// instead of the operation's success status (206 for a range, 304 not
// modified...).
func WithStatus(out any, status int) Output { return statusOutput{out, status} }

type statusOutput struct {
	out    any
	status int
}

func (s statusOutput) EncodeResponse(r *Response) {
	r.Encode(s.out)
	r.Status = s.status
}

// WriteResponse writes the successful response of req: out's header
// members, the operation's success status (or the one out chose), the
// x-amz-request-id and x-amz-id-2 headers, and out's payload — none for a
// HEAD request or a 204/304. A streaming payload is copied and closed. out
// (see Response.Encode) may be nil for an operation without output.
func (s *Service) WriteResponse(w http.ResponseWriter, req *Request, requestID string, out any) error {
	resp := s.NewResponse(w.Header())
	resp.Encode(out)
	if resp.Stream != nil {
		defer resp.Stream.Close()
	}
	status := resp.Status
	if status == 0 {
		status = req.op.Status
	}
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", HostID(requestID))
	noBody := req.http != nil && req.http.Method == http.MethodHead || status == http.StatusNoContent || status == http.StatusNotModified
	if resp.Body != nil && !noBody {
		if resp.ContentType != "" && h.Get("Content-Type") == "" {
			h.Set("Content-Type", resp.ContentType)
		}
		h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	}
	if resp.Stream != nil {
		if _, ok := h["Content-Type"]; !ok {
			h["Content-Type"] = nil // an object's bytes are not sniffed
		}
	}
	if resp.Body == nil && resp.Stream == nil && !noBody && h.Get("Content-Length") == "" {
		h.Set("Content-Length", "0")
	}
	w.WriteHeader(status)
	if noBody {
		return nil
	}
	if resp.Body != nil {
		if _, err := w.Write(resp.Body); err != nil {
			return fmt.Errorf("write S3 response: %w", err)
		}
		return nil
	}
	if resp.Stream != nil {
		if _, err := io.Copy(w, resp.Stream); err != nil {
			return fmt.Errorf("copy S3 response body: %w", err)
		}
	}
	return nil
}

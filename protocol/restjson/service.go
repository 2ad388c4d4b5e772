package restjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/jsondecode"
	"github.com/gatehouse-iam/gatehouse/protocol/jsonwire"
)

// ContentType is the media type of REST-JSON responses.
const ContentType = "application/json"

// Location says where a bound input member travels.
type Location uint8

// The locations of bound members.
const (
	// InURI is a label of the request URI template ("{analyzerName}").
	InURI Location = iota + 1
	// InQuery is a query-string parameter.
	InQuery
	// InHeader is a request header.
	InHeader
)

// Kind is the type a bound member's text is converted to.
type Kind uint8

// The kinds of bound members.
const (
	KindString Kind = iota + 1
	KindInt
	KindBool
	// KindStringList is a repeated query-string parameter.
	KindStringList
)

// Binding binds one input member to the URI, the query string or a header.
type Binding struct {
	// Name is the member's location name: the label, parameter or header.
	Name string
	In   Location
	Kind Kind
}

// Operation is one entry of a service's generated operation table.
type Operation struct {
	// Name is the operation name, e.g. "GetAnalyzer".
	Name string
	// Method and URI are the HTTP method and request URI template.
	Method, URI string
	// Status is the HTTP status of a successful response.
	Status int
	// Errors lists the error codes the model declares for the operation.
	Errors []string
	// Bindings are the input members bound outside the body.
	Bindings []Binding
	// NewInput returns a new, empty input value (a pointer to the
	// operation's generated input type) to decode into.
	NewInput func() any
}

// Service describes one REST-JSON service.
type Service struct {
	// Name is the signing name, e.g. "access-analyzer".
	Name string
	// DecodeInput decodes the members of in, a generated input type of the
	// service, from obj (with the decoder both JSON protocols share:
	// REST-JSON differs from AWS JSON 1.1 only in its policy); it reports
	// false for a value of another type.
	DecodeInput func(d *jsondecode.Decoder, obj jsondecode.Object, in any) bool
	// EncodeOutput writes out, a generated output type of the service, as a
	// JSON object; it reports false (and writes nothing) for a value of
	// another type.
	EncodeOutput func(e *Encoder, out any) bool
	routes       []route
}

// route is an operation with its parsed URI template.
type route struct {
	op       Operation
	segments []segment
	literals int
}

// segment is one path segment of a URI template: literal text, or a label
// (greedy when written "{name+}").
type segment struct {
	text   string
	label  bool
	greedy bool
}

// NewService returns the service with the given signing name, operations
// and generated codec (see Service). It panics on a malformed URI template,
// which the generator rules out.
func NewService(name string, ops []Operation, dec func(*jsondecode.Decoder, jsondecode.Object, any) bool, enc func(*Encoder, any) bool) *Service {
	s := &Service{Name: name, DecodeInput: dec, EncodeOutput: enc}
	for _, op := range ops {
		path, _, _ := strings.Cut(op.URI, "?")
		rt := route{op: op}
		for _, p := range splitPath(path) {
			if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
				name := p[1 : len(p)-1]
				greedy := strings.HasSuffix(name, "+")
				rt.segments = append(rt.segments, segment{text: strings.TrimSuffix(name, "+"), label: true, greedy: greedy})
				continue
			}
			if strings.ContainsAny(p, "{}") {
				panic("restjson: unsupported URI template " + op.URI)
			}
			rt.segments = append(rt.segments, segment{text: p})
			rt.literals++
		}
		s.routes = append(s.routes, rt)
	}
	return s
}

// splitPath splits a path into its segments, without empty ones at either end.
func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match matches the (still escaped) path segments against the template and
// returns the unescaped labels.
func (rt *route) match(parts []string) (map[string]string, bool) {
	labels := map[string]string{}
	i := 0
	for _, seg := range rt.segments {
		if i >= len(parts) {
			return nil, false
		}
		if seg.greedy {
			v, err := url.PathUnescape(strings.Join(parts[i:], "/"))
			if err != nil || v == "" {
				return nil, false
			}
			labels[seg.text] = v
			i = len(parts)
			continue
		}
		v, err := url.PathUnescape(parts[i])
		if err != nil {
			return nil, false
		}
		if seg.label {
			if v == "" {
				return nil, false
			}
			labels[seg.text] = v
		} else if v != seg.text {
			return nil, false
		}
		i++
	}
	return labels, i == len(parts)
}

// Request is a routed REST-JSON request.
type Request struct {
	// Op is the operation the method and path name.
	Op Operation
	// Labels are the URI template's labels, unescaped.
	Labels map[string]string
	Query  url.Values
	Header http.Header
	// Body is the request body.
	Body []byte
}

// Resolve routes r (whose body has been read into body) to an operation: the
// template with the request's method that matches its path, preferring the
// one with the most literal segments. No match is UnknownOperationException.
func (s *Service) Resolve(r *http.Request, body []byte) (*Request, error) {
	parts := splitPath(r.URL.EscapedPath())
	var best *route
	var labels map[string]string
	for i := range s.routes {
		rt := &s.routes[i]
		if rt.op.Method != r.Method || (best != nil && rt.literals <= best.literals) {
			continue
		}
		if l, ok := rt.match(parts); ok {
			best, labels = rt, l
		}
	}
	if best == nil {
		return nil, &awserr.Error{Code: "UnknownOperationException", Status: http.StatusNotFound, Sender: true,
			Message: "No operation matches " + r.Method + " " + r.URL.Path + "."}
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || (mt != ContentType && !strings.HasPrefix(mt, "application/x-amz-json")) {
				return nil, &awserr.Error{Code: "UnsupportedMediaTypeException", Status: http.StatusUnsupportedMediaType, Sender: true,
					Message: "Content type " + ct + " is not supported."}
			}
		}
	}
	return &Request{Op: best.op, Labels: labels, Query: r.URL.Query(), Header: r.Header, Body: body}, nil
}

// Decode decodes the request into a new input of its operation: the body's
// members, then the bound members (which replace any body member of the same
// name). The error is nil or an *awserr.Error: SerializationException, or
// ValidationException (with its reason and fieldList members) for constraint
// failures.
func (s *Service) Decode(req *Request) (any, error) {
	obj, err := jsondecode.ParseObject(req.Body)
	if err != nil {
		return nil, err
	}
	for _, b := range req.Op.Bindings {
		delete(obj, b.Name)
		var text []string
		switch b.In {
		case InURI:
			if v, ok := req.Labels[b.Name]; ok {
				text = []string{v}
			}
		case InQuery:
			text = req.Query[b.Name]
		case InHeader:
			text = req.Header.Values(b.Name)
		}
		if len(text) == 0 {
			continue
		}
		v, err := bound(b, text)
		if err != nil {
			return nil, err
		}
		obj[b.Name] = v
	}
	in := req.Op.NewInput()
	if err := policy.Decode(obj, in, s.DecodeInput); err != nil {
		return nil, fmt.Errorf("decode %s: %w", req.Op.Name, err)
	}
	return in, nil
}

// bound converts a bound member's text to the JSON value DecodeJSON reads.
func bound(b Binding, text []string) (any, error) {
	switch b.Kind {
	case KindInt:
		if _, err := strconv.ParseInt(text[0], 10, 32); err != nil {
			return nil, jsondecode.Serialization("Expected an integer for " + b.Name + ".")
		}
		return json.Number(text[0]), nil
	case KindBool:
		switch text[0] {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, jsondecode.Serialization("Expected true or false for " + b.Name + ".")
	case KindStringList:
		out := make([]any, len(text))
		for i, t := range text {
			out[i] = t
		}
		return out, nil
	}
	return text[0], nil
}

// MarshalResponse renders a successful response body; an operation without
// output (out nil, or not a generated output type) answers "{}".
func (s *Service) MarshalResponse(out any) []byte { return jsonwire.Marshal(s.EncodeOutput, out) }

// WriteResponse writes a successful response of op with its status, the JSON
// content type and the x-amzn-RequestId header.
func (s *Service) WriteResponse(w http.ResponseWriter, op Operation, requestID string, out any) error {
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	return write(w, status, requestID, s.MarshalResponse(out))
}

// ErrorOf returns err as an *awserr.Error; any other error becomes an
// InternalServerException whose cause is err (and is never rendered).
func ErrorOf(err error) *awserr.Error {
	return awserr.OfProtocol(err, awserr.Error{Code: "InternalServerException", Status: http.StatusInternalServerError,
		Message: "Internal server error."})
}

// MarshalError renders an error document: {"message":"...", ...members}
// (the error's Members: resourceId, resourceType, reason, fieldList...).
// The internal cause is never rendered.
func MarshalError(err error) []byte {
	ae := ErrorOf(err)
	doc := map[string]any{"message": ae.Message}
	for k, v := range ae.Members {
		if k != "message" {
			doc[k] = v
		}
	}
	b, merr := json.Marshal(doc)
	if merr != nil {
		return []byte(`{"message":"Internal server error."}`)
	}
	return b
}

// WriteError writes err with the error's HTTP status, its code in the
// x-amzn-ErrorType header the SDKs read, and the error document.
func (s *Service) WriteError(w http.ResponseWriter, requestID string, err error) error {
	ae := ErrorOf(err)
	status := ae.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	w.Header().Set("x-amzn-ErrorType", ae.Code)
	return write(w, status, requestID, MarshalError(err))
}

func write(w http.ResponseWriter, status int, requestID string, body []byte) error {
	return jsonwire.Write(w, status, ContentType, requestID, body)
}

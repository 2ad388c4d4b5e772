package query

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/header"
)

// DefaultMaxBodyBytes is the default bound on a request's form body.
const DefaultMaxBodyBytes = 2 << 20

// FaultNamespace is the XML namespace of the envelope AWS uses for
// protocol-level errors (InvalidAction), rather than the service's own: an
// STS probe shows <ErrorResponse
// xmlns="http://webservices.amazon.com/AWSFault/2005-15-09"> for an unknown
// action or version.
const FaultNamespace = "http://webservices.amazon.com/AWSFault/2005-15-09"

// NoVersion is the version AWS reports when the request has no Version
// parameter ("Could not find operation X for version NO_VERSION_SPECIFIED").
const NoVersion = "NO_VERSION_SPECIFIED"

// ErrNotQuery means that a request is not an AWS Query call at all: no
// Action parameter, a POST that is not a form, or another method. AWS answers
// these with a 302 redirect to https://aws.amazon.com/iam rather than an
// error document (observed on STS); the server chooses what to do.
var ErrNotQuery = errors.New("not an AWS Query request")

// Request is a parsed AWS Query request.
type Request struct {
	// Action is the first Action parameter.
	Action string
	// Version is the first Version parameter, or NoVersion.
	Version string
	// Params holds every parameter, Action and Version included.
	Params url.Values
}

// ParseRequest reads the parameters of an AWS Query request: the URL query
// of a GET, or the application/x-www-form-urlencoded body of a POST (read up
// to maxBody bytes; 0 means DefaultMaxBodyBytes). Errors are *awserr.Error,
// or wrap ErrNotQuery.
func ParseRequest(r *http.Request, maxBody int64) (*Request, error) {
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	var body []byte
	if r.Method == http.MethodPost {
		if err := checkForm(r); err != nil {
			return nil, err
		}
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			return nil, awserr.MalformedQueryString("The request body could not be read.").WithCause(fmt.Errorf("read body: %w", err))
		}
		if int64(len(body)) > maxBody {
			return nil, &awserr.Error{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge, Sender: true,
				Message: "Request body must be at most " + strconv.FormatInt(maxBody, 10) + " bytes."}
		}
	}
	return ParseBody(r, body)
}

// ParseBody is ParseRequest for a request whose body the caller has read
// (and bounded) already.
func ParseBody(r *http.Request, body []byte) (*Request, error) {
	var raw string
	switch r.Method {
	case http.MethodGet:
		raw = r.URL.RawQuery
	case http.MethodPost:
		if err := checkForm(r); err != nil {
			return nil, err
		}
		raw = string(body)
	default:
		return nil, fmt.Errorf("method %s: %w", r.Method, ErrNotQuery)
	}
	params, err := url.ParseQuery(raw)
	if err != nil {
		return nil, awserr.MalformedQueryString("The query string contains a syntax error.").WithCause(fmt.Errorf("parse form: %w", err))
	}
	action, ok := params["Action"]
	if !ok || len(action) == 0 {
		return nil, fmt.Errorf("no Action parameter: %w", ErrNotQuery)
	}
	req := &Request{Action: action[0], Version: NoVersion, Params: params}
	if v, ok := params["Version"]; ok && len(v) > 0 {
		req.Version = v[0]
	}
	return req, nil
}

// checkForm refuses a POST whose body is not a form.
func checkForm(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	switch ct {
	case "application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded":
		return nil // what the SDKs and the aws CLI send, without parsing it
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return fmt.Errorf("POST with content type %q: %w", ct, ErrNotQuery)
	}
	return nil
}

// Operation is one entry of a service's generated operation table.
type Operation struct {
	// Name is the action name, e.g. "CreateUser".
	Name string
	// ResultWrapper is the element that wraps the output members, e.g.
	// "CreateUserResult"; empty when the operation has no output.
	ResultWrapper string
	// HTTPMethod is the model's HTTP method (POST for every IAM and STS
	// operation; GET is accepted too, as AWS does).
	HTTPMethod string
	// Errors lists the error codes the model declares for the operation.
	Errors []string
	// NewInput returns a new, empty input value (a pointer to the
	// operation's generated input type) to decode into.
	NewInput func() any
}

// Service describes one AWS Query service: its version, XML namespace and
// operation table.
type Service struct {
	// Name is the signing name, e.g. "iam".
	Name string
	// Version is the API version, e.g. "2010-05-08".
	Version string
	// Namespace is the XML namespace of responses and service errors.
	Namespace string
	// Lookup finds an operation by action name.
	Lookup func(action string) (Operation, bool)
	// HideValues leaves the offending values out of validation messages:
	// IAM answers "1 validation error detected: Value at 'versionId' failed
	// to satisfy constraint: ..." where STS quotes the value ("Value
	// 'Session1:2' at 'roleSessionName' ..."), both as recorded against AWS
	// in localstack/localstack tests/aws/services/iam/*.snapshot.json and
	// tests/aws/services/sts/test_sts.snapshot.json.
	HideValues bool
	// DecodeInput decodes the members of in, a generated input type of the
	// service, from d; it reports false for a value of another type.
	DecodeInput func(d *Decoder, in any) bool
	// EncodeOutput writes the members of out, a generated output type of
	// the service, in model order; it reports false (and writes nothing)
	// for a value of another type.
	EncodeOutput func(e *Encoder, out any) bool
}

// Resolve finds the operation a request names. An unknown action, or a
// version other than the service's, is AWS's InvalidAction error: "Could not
// find operation X for version V" (fog/fog-aws issue #368 for IAM; the STS
// probe for a missing, empty or other version).
func (s *Service) Resolve(req *Request) (Operation, error) {
	op, ok := s.Lookup(req.Action)
	if !ok || req.Version != s.Version {
		return Operation{}, awserr.InvalidAction("Could not find operation %s for version %s", req.Action, req.Version)
	}
	return op, nil
}

// Decode decodes req's parameters into a new input of op. The error is nil,
// or an *awserr.Error (ValidationError or MalformedInput).
func (s *Service) Decode(op Operation, req *Request) (any, error) {
	in := op.NewInput()
	d := NewDecoder(req.Params)
	if s.HideValues {
		d.HideValues()
	}
	if !s.DecodeInput(d, in) {
		return nil, fmt.Errorf("decode %s: no decoder for %T", op.Name, in)
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("decode %s: %w", op.Name, err)
	}
	return in, nil
}

// MarshalResponse renders a successful response:
// <{Action}Response xmlns="ns"><{Action}Result>...</{Action}Result>
// <ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></{Action}Response>.
// The Result element is omitted when op has no output; out may then be nil.
// out is the operation's generated output type; a value of another type
// (operation.NoOutput) writes no members.
func (s *Service) MarshalResponse(op Operation, requestID string, out any) []byte {
	var e Encoder
	s.encodeResponse(&e, op, requestID, out)
	return e.Bytes()
}

// encodeResponse writes MarshalResponse's document to e.
func (s *Service) encodeResponse(e *Encoder, op Operation, requestID string, out any) {
	e.buf.WriteByte('<')
	e.buf.WriteString(op.Name)
	e.buf.WriteString(`Response xmlns="`)
	e.Text(s.Namespace)
	e.buf.WriteString(`">`)
	if op.ResultWrapper != "" {
		e.Start(op.ResultWrapper)
		if out != nil {
			s.EncodeOutput(e, out)
		}
		e.End(op.ResultWrapper)
	}
	e.Start("ResponseMetadata")
	e.String("RequestId", requestID)
	e.End("ResponseMetadata")
	e.buf.WriteString("</")
	e.buf.WriteString(op.Name)
	e.buf.WriteString("Response>")
}

// encoders reuses the buffers responses are written from: a response is
// written whole before its buffer is returned (io.Writer's contract: Write
// does not retain what it is given).
var encoders = sync.Pool{New: func() any { e := new(Encoder); e.buf.Grow(2048); return e }}

// maxPooled is the largest buffer returned to encoders: a rare huge
// response (GetAccountAuthorizationDetails) is not kept alive.
const maxPooled = 64 << 10

// WriteResponse writes a successful response (see MarshalResponse) with
// status 200, Content-Type text/xml and the x-amzn-RequestId header.
func (s *Service) WriteResponse(w http.ResponseWriter, op Operation, requestID string, out any) error {
	e := encoders.Get().(*Encoder)
	e.buf.Reset()
	s.encodeResponse(e, op, requestID, out)
	err := write(w, http.StatusOK, requestID, e.Bytes())
	if e.buf.Cap() <= maxPooled {
		encoders.Put(e)
	}
	return err
}

// MarshalError renders an AWS Query error envelope:
// <ErrorResponse xmlns="ns"><Error><Type>Sender</Type><Code>..</Code>
// <Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>.
// The internal cause is never rendered; an empty message is omitted.
// InvalidAction uses FaultNamespace, as AWS does.
func (s *Service) MarshalError(requestID string, err error) []byte {
	ae := awserr.Of(err)
	ns := s.Namespace
	if ae.Code == awserr.CodeInvalidAction {
		ns = FaultNamespace
	}
	var e Encoder
	e.buf.WriteString(`<ErrorResponse xmlns="`)
	e.Text(ns)
	e.buf.WriteString(`">`)
	e.Start("Error")
	e.String("Type", ae.Type())
	e.String("Code", ae.Code)
	if ae.Message != "" {
		e.String("Message", ae.Message)
	}
	e.End("Error")
	e.String("RequestId", requestID)
	e.End("ErrorResponse")
	return e.Bytes()
}

// WriteError writes err as an error envelope (see MarshalError) with the
// error's HTTP status, Content-Type text/xml and the x-amzn-RequestId header.
func (s *Service) WriteError(w http.ResponseWriter, requestID string, err error) error {
	ae := awserr.Of(err)
	status := ae.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	return write(w, status, requestID, s.MarshalError(requestID, ae))
}

// textXML is the Content-Type of every response (shared: never modified).
var textXML = []string{"text/xml"}

func write(w http.ResponseWriter, status int, requestID string, body []byte) error {
	header.Set(w.Header(), textXML, len(body), requestID)
	w.WriteHeader(status)
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}

package awsjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/jsondecode"
	"github.com/gatehouse-iam/gatehouse/protocol/jsonwire"
)

// ContentType is the media type of JSON 1.1 requests and responses.
const ContentType = "application/x-amz-json-1.1"

// ErrNotJSON means that a request is not an AWS JSON call: it has no
// X-Amz-Target header.
var ErrNotJSON = errors.New("not an AWS JSON request")

// Request is a parsed AWS JSON request.
type Request struct {
	// Prefix is the target prefix, e.g. "AWSOrganizationsV20161128".
	Prefix string
	// Operation is the operation name, e.g. "ListAccounts".
	Operation string
	// Body is the JSON document.
	Body []byte
}

// Target returns the request's target prefix and operation from the
// X-Amz-Target header, or an error wrapping ErrNotJSON.
func Target(r *http.Request) (prefix, op string, err error) {
	t := r.Header.Get("X-Amz-Target")
	if t == "" {
		return "", "", fmt.Errorf("no X-Amz-Target header: %w", ErrNotJSON)
	}
	// The prefix may itself hold dots (CloudTrail's
	// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"); the
	// operation is the last segment.
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return t[:i], t[i+1:], nil
	}
	return t, "", nil
}

// ParseRequest reads an AWS JSON request whose body has been read into body.
// Errors are *awserr.Error, or wrap ErrNotJSON.
func ParseRequest(r *http.Request, body []byte) (*Request, error) {
	prefix, op, err := Target(r)
	if err != nil {
		return nil, err
	}
	if r.Method != http.MethodPost {
		return nil, &awserr.Error{Code: "UnknownOperationException", Status: http.StatusNotFound, Sender: true,
			Message: "AWS JSON requests are POST requests."}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != ContentType && mt != "application/x-amz-json-1.0" && mt != "application/json") {
			return nil, &awserr.Error{Code: "UnsupportedMediaTypeException", Status: http.StatusUnsupportedMediaType, Sender: true,
				Message: "Content type " + ct + " is not supported."}
		}
	}
	return &Request{Prefix: prefix, Operation: op, Body: body}, nil
}

// Operation is one entry of a service's generated operation table.
type Operation struct {
	// Name is the operation name, e.g. "CreatePolicy".
	Name string
	// Errors lists the error codes the model declares for the operation.
	Errors []string
	// NewInput returns a new, empty input value (a pointer to the
	// operation's generated input type) to decode into.
	NewInput func() any
}

// Service describes one AWS JSON service.
type Service struct {
	// Name is the signing name, e.g. "organizations".
	Name string
	// TargetPrefix is the X-Amz-Target prefix, e.g. "AWSOrganizationsV20161128".
	TargetPrefix string
	// Lookup finds an operation by name.
	Lookup func(name string) (Operation, bool)
	// MessageKey is the member that carries an error's message in the
	// service's exception shapes ("Message" for Organizations; "message"
	// when empty).
	MessageKey string
	// SelfValidating says the service checks its inputs' constraints
	// itself, each failure with the operation's own exception (CloudTrail's
	// InvalidMaxResultsException, InvalidLookupAttributesException, ...):
	// decoding then fails only on a value of the wrong JSON type
	// (SerializationException) and leaves the model's constraints to the
	// service. Otherwise a constraint failure is InvalidInputException with
	// its Reason (Organizations).
	SelfValidating bool
	// DecodeInput decodes the members of in, a generated input type of the
	// service, from obj; it reports false for a value of another type.
	DecodeInput func(d *jsondecode.Decoder, obj jsondecode.Object, in any) bool
	// EncodeOutput writes out, a generated output type of the service, as a
	// JSON object; it reports false (and writes nothing) for a value of
	// another type.
	EncodeOutput func(e *Encoder, out any) bool
}

// Prefixes returns the X-Amz-Target prefixes the service answers to: the
// model's targetPrefix and, when that is qualified by a namespace, its last
// segment, the service's Smithy name, which the SDKs generated from the
// Smithy models send. AWS accepts both: the AWS CLI (botocore) sends
// CloudTrail's "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
// aws-sdk-go-v2's CloudTrail client "CloudTrail_20131101.LookupEvents"
// (service/cloudtrail/serializers.go).
func (s *Service) Prefixes() []string {
	if i := strings.LastIndexByte(s.TargetPrefix, '.'); i >= 0 {
		return []string{s.TargetPrefix, s.TargetPrefix[i+1:]}
	}
	return []string{s.TargetPrefix}
}

// Resolve finds the operation a request names. A target with another
// prefix, or an unknown operation, is UnknownOperationException, as AWS JSON
// services answer (the SDKs' protocol tests name it the generic client error
// for an unmodelled target).
func (s *Service) Resolve(req *Request) (Operation, error) {
	op, ok := s.Lookup(req.Operation)
	if !ok || !slices.Contains(s.Prefixes(), req.Prefix) {
		return Operation{}, &awserr.Error{Code: "UnknownOperationException", Status: http.StatusBadRequest, Sender: true}
	}
	return op, nil
}

// Decode decodes req's body into a new input of op. The error is nil or an
// *awserr.Error (SerializationException, or, unless the service is
// SelfValidating, InvalidInputException with its Reason member).
func (s *Service) Decode(op Operation, req *Request) (any, error) {
	in := op.NewInput()
	decode := Decode
	if s.SelfValidating {
		decode = DecodeTypes
	}
	if err := decode(req.Body, in, s.DecodeInput); err != nil {
		return nil, fmt.Errorf("decode %s: %w", op.Name, err)
	}
	return in, nil
}

// MarshalResponse renders a successful response body; an operation without
// output (out nil, or not a generated output type) answers "{}".
func (s *Service) MarshalResponse(out any) []byte { return jsonwire.Marshal(s.EncodeOutput, out) }

// WriteResponse writes a successful response with status 200, the JSON 1.1
// content type and the x-amzn-RequestId header.
func (s *Service) WriteResponse(w http.ResponseWriter, requestID string, out any) error {
	return write(w, http.StatusOK, requestID, s.MarshalResponse(out))
}

// MarshalError renders an error document: {"__type":"Code","message":"..."},
// followed by the error's members (Organizations' "Reason"), in name order.
// The internal cause is never rendered.
func MarshalError(err error) []byte { return marshalError(err, "message") }

// marshalError is MarshalError with the message under key.
func marshalError(err error, key string) []byte {
	ae := awserr.Of(err)
	var e Encoder
	e.Begin()
	e.String("__type", ae.Code)
	if ae.Message != "" {
		e.String(key, ae.Message)
	}
	for _, k := range slices.Sorted(maps.Keys(ae.Members)) {
		if k == "__type" || k == key {
			continue
		}
		if s, ok := ae.Members[k].(string); ok {
			e.String(k, s)
			continue
		}
		b, merr := json.Marshal(ae.Members[k])
		if merr != nil {
			continue
		}
		e.Raw(k, b)
	}
	e.End()
	return e.Bytes()
}

// WriteError writes err as an error document (see MarshalError) with the
// error's HTTP status, the JSON 1.1 content type, the x-amzn-RequestId header
// and the x-amzn-ErrorType header the SDKs read first.
func (s *Service) WriteError(w http.ResponseWriter, requestID string, err error) error {
	ae := awserr.Of(err)
	status := ae.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	w.Header().Set("x-amzn-ErrorType", ae.Code)
	key := s.MessageKey
	if key == "" {
		key = "message"
	}
	return write(w, status, requestID, marshalError(err, key))
}

func write(w http.ResponseWriter, status int, requestID string, body []byte) error {
	return jsonwire.Write(w, status, ContentType, requestID, body)
}

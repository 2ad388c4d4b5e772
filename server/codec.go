package server

import (
	"net/http"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/awsjson"
	"github.com/gatehouse-iam/gatehouse/protocol/query"
	"github.com/gatehouse-iam/gatehouse/protocol/restjson"
)

// A codec is one AWS wire protocol as one service speaks it: how a request
// names its operation and carries its input, and how outputs and errors are
// written. Adding a protocol to Gatehouse is writing a codec and registering
// an endpoint with it; the pipeline (pipeline.go) is the same for all.
type codec interface {
	// parse reads the operation a request calls from its headers and its
	// body (already read).
	parse(r *http.Request, body []byte) (call, error)
	// write renders a successful response of c; out is the operation's
	// output (an *operation.NoOutput or nil writes no members).
	write(w http.ResponseWriter, requestID string, c call, out any) error
	// errorOf returns err as this protocol names it: its code for an
	// authorization failure, a store outage or an unexpected failure.
	errorOf(err error) *awserr.Error
	// bodyError returns an error of readBody as this protocol answers it.
	bodyError(err error) error
	// writeError renders an error returned by errorOf.
	writeError(w http.ResponseWriter, r *http.Request, requestID string, ae *awserr.Error) error
}

// A call is one parsed request: the operation it names and its input,
// decoded on demand — after authentication, so that an unauthenticated
// request learns nothing of the model's constraints.
type call interface {
	operation() string
	decode() (any, error)
}

// queryCodec is AWS Query (IAM, STS): form parameters in, XML out.
type queryCodec struct{ api *query.Service }

type queryCall struct {
	api *query.Service
	op  query.Operation
	req *query.Request
}

func (c queryCall) operation() string    { return c.op.Name }
func (c queryCall) decode() (any, error) { return c.api.Decode(c.op, c.req) }

func (q queryCodec) parse(r *http.Request, body []byte) (call, error) {
	req, err := parseQuery(r, body)
	if err != nil {
		return nil, err
	}
	op, err := q.api.Resolve(req)
	if err != nil {
		return nil, err
	}
	return queryCall{api: q.api, op: op, req: req}, nil
}

func (q queryCodec) write(w http.ResponseWriter, requestID string, c call, out any) error {
	return q.api.WriteResponse(w, c.(queryCall).op, requestID, out)
}

func (queryCodec) errorOf(err error) *awserr.Error { return unavailable(awserr.Of(err)) }

func (queryCodec) bodyError(err error) error { return queryBodyError(err) }

func (q queryCodec) writeError(w http.ResponseWriter, _ *http.Request, requestID string, ae *awserr.Error) error {
	return q.api.WriteError(w, requestID, ae)
}

// jsonCodec is AWS JSON 1.1 (Organizations, CloudTrail): X-Amz-Target names
// the operation, JSON documents both ways. throttling is the service's
// throttling error ("" for Organizations' TooManyRequestsException).
type jsonCodec struct {
	api        *awsjson.Service
	throttling string
}

type jsonCall struct {
	api *awsjson.Service
	op  awsjson.Operation
	req *awsjson.Request
}

func (c jsonCall) operation() string    { return c.op.Name }
func (c jsonCall) decode() (any, error) { return c.api.Decode(c.op, c.req) }

func (j jsonCodec) parse(r *http.Request, body []byte) (call, error) {
	req, err := awsjson.ParseRequest(r, body)
	if err != nil {
		return nil, err
	}
	op, err := j.api.Resolve(req)
	if err != nil {
		return nil, err
	}
	return jsonCall{api: j.api, op: op, req: req}, nil
}

func (j jsonCodec) write(w http.ResponseWriter, requestID string, _ call, out any) error {
	return j.api.WriteResponse(w, requestID, out)
}

// errorOf names an authorization failure AccessDeniedException, as the JSON
// services do, and a store outage ServiceUnavailableException.
func (jsonCodec) errorOf(err error) *awserr.Error {
	return jsonAccessDenied(awserr.Of(unavailableJSON(err)))
}

func (j jsonCodec) bodyError(err error) error {
	if j.throttling != "" {
		return jsonBodyError(err, j.throttling)
	}
	return jsonBodyError(err, "TooManyRequestsException")
}

func (j jsonCodec) writeError(w http.ResponseWriter, _ *http.Request, requestID string, ae *awserr.Error) error {
	return j.api.WriteError(w, requestID, ae)
}

// restCodec is REST-JSON (IAM Access Analyzer): method and URI name the
// operation; input is bound from path, query, headers and a JSON body.
type restCodec struct{ api *restjson.Service }

type restCall struct {
	api *restjson.Service
	req *restjson.Request
}

func (c restCall) operation() string    { return c.req.Op.Name }
func (c restCall) decode() (any, error) { return c.api.Decode(c.req) }

func (rc restCodec) parse(r *http.Request, body []byte) (call, error) {
	req, err := rc.api.Resolve(r, body)
	if err != nil {
		return nil, err
	}
	return restCall{api: rc.api, req: req}, nil
}

func (rc restCodec) write(w http.ResponseWriter, requestID string, c call, out any) error {
	return rc.api.WriteResponse(w, c.(restCall).req.Op, requestID, out)
}

func (restCodec) errorOf(err error) *awserr.Error {
	return accessDeniedException(restjson.ErrorOf(unavailableJSON(err)))
}

func (restCodec) bodyError(err error) error { return jsonBodyError(err, "ThrottlingException") }

func (rc restCodec) writeError(w http.ResponseWriter, _ *http.Request, requestID string, ae *awserr.Error) error {
	return rc.api.WriteError(w, requestID, ae)
}

// accessDeniedException returns ae with the JSON services' code for an
// authorization failure (the Query services' AccessDenied).
func accessDeniedException(ae *awserr.Error) *awserr.Error {
	if ae.Code != awserr.CodeAccessDenied {
		return ae
	}
	c := *ae
	c.Code = "AccessDeniedException"
	return &c
}

// jsonAccessDenied is accessDeniedException with the status of AWS JSON 1.1
// services: their models give AccessDeniedException no HTTP status, so it
// is the protocol's 400 (Organizations' API reference lists it among the
// 400 errors), where REST-JSON's Access Analyzer models 403.
func jsonAccessDenied(ae *awserr.Error) *awserr.Error {
	out := accessDeniedException(ae)
	if out != ae {
		out.Status = http.StatusBadRequest
	}
	return out
}

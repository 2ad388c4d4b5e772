package server

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/stscodec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/protocol/awsjson"
	"github.com/gatehouse-iam/gatehouse/protocol/query"
	"github.com/gatehouse-iam/gatehouse/sigv4"
	"github.com/gatehouse-iam/gatehouse/workload"
)

// endpoint is one service on the port: its signing name, its wire protocol,
// its SigV4 verifier and its operations.
type endpoint struct {
	name     string
	codec    codec
	verifier *sigv4.Verifier
	ops      map[string]operation.Op
}

// The one request path. Every request, whatever its protocol and service,
// goes through the same phases:
//
//	route → precheck (the credential, before the body) → read the body →
//	parse (the operation) → authenticate → decode → authorize → run →
//	encode → record (log, metrics)
//
// Only parse, decode, encode and the error documents differ by protocol:
// they are the endpoint's codec.

// serveAWS handles one AWS API request.
func (s *Server) serveAWS(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	// A request has readTimeout to arrive whole; a streamed S3 body gets as
	// long as it keeps moving (server/stream.go).
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(readTimeout))
	ex := &exchange{start: start, reqID: newRequestID()}
	err := s.handle(w, r, ex)
	ep, action := ex.ep, ex.action
	name := "unknown"
	if ep != nil {
		name = ep.name
	}
	outcome := "ok"
	if err != nil {
		if ep == nil {
			ep = s.errorEndpoint(r)
		}
		ae := ep.codec.errorOf(err)
		if rerr := s.record(r, ex, ae); rerr != nil {
			s.log.Error("request failed and its event could not be recorded", "request_id", ex.reqID, "service", name,
				"action", action, "code", ae.Code, "err", rerr)
			ae = ep.codec.errorOf(rerr)
		}
		outcome = ae.Code
		if werr := ep.codec.writeError(w, r, ex.reqID, ae); werr != nil {
			s.log.Debug("writing error response", "err", werr)
		}
		level := slog.LevelInfo
		if ae.Status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request failed", "request_id", ex.reqID, "service", name, "action", action,
			"code", ae.Code, "status", ae.Status, "cause", causeOf(ae))
	}
	if action == "" {
		// An unknown action is not a metrics label: clients choose it freely.
		action = "unknown"
	}
	s.metrics.requests.WithLabelValues(name, action, outcome).Inc()
	s.metrics.latency.WithLabelValues(name, action).Observe(s.now().Sub(start).Seconds())
}

// handle runs the pipeline. It writes successful responses itself, after
// their event is recorded, and returns errors; ex holds what it learnt of
// the request (the endpoint that renders an error, nil before routing found
// one; the operation's name once known; the caller once authenticated).
func (s *Server) handle(w http.ResponseWriter, r *http.Request, ex *exchange) error {
	// The authentication is parsed once: it routes the request, and is
	// checked up to its key before the body is read.
	auth, authErr := sigv4.Parse(r)
	if authErr == nil {
		ex.keyID = auth.AccessKeyID
	}
	ep, err := s.route(r, auth)
	ex.ep = ep
	if err != nil {
		return err
	}
	if ep != nil {
		if sc, ok := ep.codec.(streamCodec); ok {
			return s.handleStream(w, r, ex, sc, auth, authErr)
		}
	}

	limit := int64(maxUnsignedBody)
	var checked *sigv4.Checked
	if authErr == nil && ep != nil {
		ctx, c, err := s.check(r, ep.verifier, auth)
		if err != nil {
			return err
		}
		r, checked = r.WithContext(ctx), c
		limit = maxBody
	}
	body, release, err := s.readBody(r, limit)
	defer release()
	if err != nil {
		if ep == nil {
			ep = s.errorEndpoint(r)
		}
		return ep.codec.bodyError(err)
	}

	// Parse: which operation.
	var c call
	if ep == nil {
		ep, c, err = s.routeQuery(r, body)
		ex.ep = ep
	} else {
		c, err = ep.codec.parse(r, body)
	}
	if err != nil {
		return err
	}
	action := c.operation()
	ex.action = action
	o, implemented := ep.ops[action]

	// Authenticate. An anonymous operation's caller presents no signature:
	// what it presents authenticates it inside the operation.
	caller := &identity.Caller{Time: s.now(), Region: requestedRegion(ep.name, ""), SourceIP: clientIP(r), SecureTransport: r.TLS != nil, Clock: &s.clock}
	if !(implemented && o.Anonymous && authErr != nil) {
		var verified *sigv4.Auth
		if checked != nil {
			verified, err = checked.Verify(r.Context(), r, body)
		} else {
			verified, err = ep.verifier.Verify(r.Context(), r, body)
		}
		if err != nil {
			return authError(err)
		}
		release()
		if caller, err = s.caller(r, verified); err != nil {
			return err
		}
		addRequestFacts(r, caller, verified)
	} else {
		addRequestFacts(r, caller, nil)
	}
	ex.caller = caller

	// Decode: the model's constraints come before anything the service or
	// the authorization decides.
	in, err := c.decode()
	if err != nil {
		return err
	}
	ex.in = in
	if !implemented {
		return &awserr.Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
			Message: "Gatehouse does not implement " + action + " yet."}
	}

	out, err := s.authorizeAndRun(r, ex, o, caller, in)
	if err != nil {
		return err
	}
	if err := s.record(r, ex, nil); err != nil {
		return err
	}
	if err := ep.codec.write(w, ex.reqID, c, out); err != nil {
		s.log.Debug("writing response", "err", err)
	}
	return nil
}

// authorizeAndRun authorizes the call and every further permission it
// needs, then runs it.
func (s *Server) authorizeAndRun(r *http.Request, ex *exchange, o operation.Op, caller *identity.Caller, in any) (any, error) {
	az, err := o.Authz(r.Context(), caller, in)
	if err != nil {
		return nil, err
	}
	ex.az = az
	if err := s.authz.Authorize(r.Context(), caller, az); err != nil {
		return nil, err
	}
	for _, more := range az.Also {
		if err := s.authz.Authorize(r.Context(), caller, more); err != nil {
			return nil, err
		}
	}
	out, err := o.Run(r.Context(), caller, in)
	if err != nil {
		return nil, err
	}
	ex.out = out
	return out, nil
}

// route finds the endpoint a request addresses from its headers: the JSON
// services by X-Amz-Target, the others by the SigV4 credential scope. It
// returns nil for an AWS Query request that does not name its service that
// way (unsigned, or signed for a service not served here): routeQuery then
// finds it by Action.
func (s *Server) route(r *http.Request, auth *sigv4.Auth) (*endpoint, error) {
	if r.Context().Value(s3OnlyKey{}) != nil {
		if ep := s.byScope["s3"]; ep != nil {
			return ep, nil
		}
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, _, _ := awsjson.Target(r)
		if ep := s.byTarget[prefix]; ep != nil {
			return ep, nil
		}
		// Unknown targets are not metrics labels: clients choose them freely.
		return s.jsonFallback, &awserr.Error{Code: "UnknownOperationException", Status: http.StatusBadRequest, Sender: true}
	}
	if auth != nil {
		if ep := s.byScope[auth.Service]; ep != nil {
			return ep, nil
		}
	} else if ep := s.byScope[workload.SigningName]; ep != nil && r.URL.Path == workload.CredentialsPath {
		// The workload credential endpoint: the workload token, not a
		// signature, authenticates it.
		return ep, nil
	} else if ep := s.byScope["s3"]; ep != nil && addressesBucket(r, s.s3Domain) {
		// Unsigned requests for a bucket are anonymous S3 requests.
		return ep, nil
	}
	return nil, nil
}

// routeQuery parses an AWS Query request that named no service and routes
// it by its Action: STS's actions to STS, anything else to IAM.
func (s *Server) routeQuery(r *http.Request, body []byte) (*endpoint, call, error) {
	ep := s.byScope["iam"]
	req, err := parseQuery(r, body)
	if err != nil {
		return ep, nil, err
	}
	if _, ok := stscodec.LookupOperation(req.Action); ok {
		ep = s.byScope["sts"]
	}
	op, err := ep.codec.(queryCodec).api.Resolve(req)
	if err != nil {
		return ep, nil, err
	}
	return ep, queryCall{api: ep.codec.(queryCodec).api, op: op, req: req}, nil
}

// parseQuery reads an AWS Query request's parameters; a request that is no
// Query request at all is AWS's MissingAction.
func parseQuery(r *http.Request, body []byte) (*query.Request, error) {
	req, err := query.ParseBody(r, body)
	if errors.Is(err, query.ErrNotQuery) {
		return nil, awserr.New("MissingAction", "Missing Action").WithCause(err)
	}
	return req, err
}

// errorEndpoint is the endpoint whose protocol renders an error met before
// routing found one: JSON for a request with X-Amz-Target, else IAM's Query.
func (s *Server) errorEndpoint(r *http.Request) *endpoint {
	if r.Header.Get("X-Amz-Target") != "" {
		return s.jsonFallback
	}
	return s.byScope["iam"]
}

// causeOf is the internal cause of an error, for the log only.
func causeOf(e *awserr.Error) string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

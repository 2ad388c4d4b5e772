package server

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/protocol/awsjson"
	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// jsonService is one AWS JSON 1.1 service: its codec, verifier and operations.
type jsonService struct {
	name     string
	api      *awsjson.Service
	verifier *sigv4.Verifier
	ops      map[string]organizations.Op
}

// initJSON registers the AWS JSON services (Organizations) with the lookup
// of secrets the Query services use.
func (s *Server) initJSON(c Config, lookup sigv4.LookupFunc) error {
	s.jsonSvcs = map[string]*jsonService{}
	if c.Organizations == nil {
		return nil
	}
	api := orgapi.Service()
	v, err := sigv4.NewVerifier(sigv4.Options{Lookup: lookup, Now: c.Now, Service: api.Name})
	if err != nil {
		return err
	}
	s.jsonSvcs[api.TargetPrefix] = &jsonService{name: api.Name, api: api, verifier: v, ops: c.Organizations.Ops()}
	return nil
}

// serveJSON handles one AWS JSON request, with the shared phases of
// serveAWS: request id, metrics and error rendering in the JSON envelope.
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	reqID := newRequestID()
	svc, action, err := s.dispatchJSON(w, r, reqID)
	err = unavailableJSON(err)
	name := "unknown"
	if svc != nil {
		name = svc.name
	}
	outcome := "ok"
	if err != nil {
		ae := jsonError(err)
		outcome = ae.Code
		api := orgapi.Service()
		if svc != nil {
			api = svc.api
		}
		if werr := api.WriteError(w, reqID, err); werr != nil {
			s.log.Debug("writing error response", "err", werr)
		}
		level := slog.LevelInfo
		if ae.Status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request failed", "request_id", reqID, "service", name, "action", action,
			"code", ae.Code, "status", ae.Status, "cause", causeOf(ae))
	}
	if action == "" {
		action = "unknown"
	}
	s.metrics.requests.WithLabelValues(name, action, outcome).Inc()
	s.metrics.latency.WithLabelValues(name, action).Observe(s.now().Sub(start).Seconds())
}

// jsonError returns err as the *awserr.Error a JSON service renders: the
// Query services' AccessDenied is AccessDeniedException in JSON services.
func jsonError(err error) *awserr.Error {
	ae := awsjson.ErrorOf(err)
	if ae.Code == awserr.CodeAccessDenied {
		ae.Code = "AccessDeniedException"
	}
	return ae
}

// dispatchJSON runs parse, route, authenticate, decode, authorize, run and
// encode for an AWS JSON request.
func (s *Server) dispatchJSON(w http.ResponseWriter, r *http.Request, reqID string) (*jsonService, string, error) {
	// Route by X-Amz-Target; check the authentication up to the key before
	// reading the body.
	prefix, _, err := awsjson.Target(r)
	if err != nil {
		return nil, "", err
	}
	svc := s.jsonSvcs[prefix]
	if svc == nil {
		// Unknown targets are not metrics labels: clients choose them freely.
		return nil, "", &awserr.Error{Code: "UnknownOperationException", Status: http.StatusBadRequest, Sender: true}
	}
	auth, err := sigv4.Parse(r)
	if err != nil {
		return svc, "", authError(err)
	}
	ctx, err := s.precheck(r, svc.verifier, auth)
	if err != nil {
		return svc, "", err
	}
	r = r.WithContext(ctx)
	body, release, err := s.readBody(r, maxBody)
	defer release()
	if err != nil {
		return svc, "", jsonBodyError(err, "TooManyRequestsException")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req, err := awsjson.ParseRequest(r, body)
	if err != nil {
		return svc, "", err
	}
	jop, err := svc.api.Resolve(req)
	if err != nil {
		return svc, "", err
	}
	action := jop.Name
	o, implemented := svc.ops[action]

	// Authenticate.
	verified, err := svc.verifier.Verify(r.Context(), r, body)
	if err != nil {
		return svc, action, authError(err)
	}
	release()
	caller, err := s.caller(r, verified)
	if err != nil {
		return svc, action, err
	}

	// Decode.
	in, err := svc.api.Decode(jop, req)
	if err != nil {
		return svc, action, err
	}
	if !implemented {
		return svc, action, &awserr.Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
			Message: "Gatehouse does not implement " + action + " yet."}
	}

	// Authorize.
	az, err := o.Authz(r.Context(), caller, in)
	if err != nil {
		return svc, action, err
	}
	if err := s.authorize(r.Context(), caller, az); err != nil {
		return svc, action, err
	}

	// Run and encode.
	out, err := o.Run(r.Context(), caller, in)
	if err != nil {
		return svc, action, err
	}
	if err := svc.api.WriteResponse(w, reqID, out); err != nil {
		s.log.Debug("writing response", "err", err)
	}
	return svc, action, nil
}

// jsonBodyError is a readBody error as the JSON protocols answer it;
// throttling is the service's own throttling error (Organizations'
// TooManyRequestsException, Access Analyzer's ThrottlingException).
func jsonBodyError(err error, throttling string) error {
	switch {
	case errors.Is(err, errBodyTooLarge):
		return &awserr.Error{Code: "SerializationException", Status: http.StatusRequestEntityTooLarge, Sender: true,
			Message: "The request body is too large."}
	case errors.Is(err, errBodyBudget):
		return &awserr.Error{Code: throttling, Status: http.StatusTooManyRequests, Sender: true, Message: "Rate exceeded", Err: err}
	default:
		return awserr.New("SerializationException", "The request body could not be read.").WithCause(err)
	}
}

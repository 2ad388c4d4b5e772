package server

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"

	"github.com/gatehouse-iam/gatehouse/accessanalyzer"
	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/restjson"
	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// restService is one REST-JSON service: its codec, verifier and operations.
type restService struct {
	name     string
	api      *restjson.Service
	verifier *sigv4.Verifier
	ops      map[string]accessanalyzer.Op
}

// initREST registers the REST-JSON services (IAM Access Analyzer) with the
// lookup of secrets the other services use.
func (s *Server) initREST(c Config, lookup sigv4.LookupFunc) error {
	s.restSvcs = map[string]*restService{}
	if c.AccessAnalyzer == nil {
		return nil
	}
	api := analyzerapi.Service()
	v, err := sigv4.NewVerifier(sigv4.Options{Lookup: lookup, Now: c.Now, Service: api.Name})
	if err != nil {
		return err
	}
	s.restSvcs[api.Name] = &restService{name: api.Name, api: api, verifier: v, ops: c.AccessAnalyzer.Ops()}
	return nil
}

// restServiceOf returns the REST-JSON service a request is signed for, or
// nil: REST-JSON requests are told apart by their credential scope.
func (s *Server) restServiceOf(r *http.Request) *restService {
	if len(s.restSvcs) == 0 {
		return nil
	}
	auth, err := sigv4.Parse(r)
	if err != nil {
		return nil
	}
	return s.restSvcs[auth.Service]
}

// serveREST handles one REST-JSON request for svc, with the shared phases of
// serveAWS: request id, metrics and error rendering in the REST-JSON form.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request, svc *restService) {
	start := s.now()
	reqID := newRequestID()
	action, err := s.dispatchREST(w, r, reqID, svc)
	err = unavailableJSON(err)
	outcome := "ok"
	if err != nil {
		err = restError(err)
		ae := restjson.ErrorOf(err)
		outcome = ae.Code
		if werr := svc.api.WriteError(w, reqID, err); werr != nil {
			s.log.Debug("writing error response", "err", werr)
		}
		level := slog.LevelInfo
		if ae.Status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request failed", "request_id", reqID, "service", svc.name, "action", action,
			"code", ae.Code, "status", ae.Status, "cause", causeOf(ae))
	}
	if action == "" {
		action = "unknown"
	}
	s.metrics.requests.WithLabelValues(svc.name, action, outcome).Inc()
	s.metrics.latency.WithLabelValues(svc.name, action).Observe(s.now().Sub(start).Seconds())
}

// restError returns err as a REST-JSON service renders it: the Query
// services' AccessDenied is AccessDeniedException, and the members of a
// *restjson.DetailError are kept.
func restError(err error) error {
	ae := restjson.ErrorOf(err)
	if ae.Code != awserr.CodeAccessDenied {
		return err
	}
	c := *ae
	c.Code = "AccessDeniedException"
	return &c
}

// dispatchREST runs route, authenticate, decode, authorize, run and encode
// for a REST-JSON request.
func (s *Server) dispatchREST(w http.ResponseWriter, r *http.Request, reqID string, svc *restService) (string, error) {
	// The credential scope routed the request: check its authentication up
	// to the key before reading the body.
	auth, err := sigv4.Parse(r)
	if err != nil {
		return "", authError(err)
	}
	ctx, err := s.precheck(r, svc.verifier, auth)
	if err != nil {
		return "", err
	}
	r = r.WithContext(ctx)
	body, release, err := s.readBody(r, maxBody)
	defer release()
	if err != nil {
		return "", jsonBodyError(err, "ThrottlingException")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req, err := svc.api.Resolve(r, body)
	if err != nil {
		return "", err
	}
	action := req.Op.Name
	o, implemented := svc.ops[action]

	// Authenticate.
	verified, err := svc.verifier.Verify(r.Context(), r, body)
	if err != nil {
		return action, authError(err)
	}
	release()
	caller, err := s.caller(r, verified)
	if err != nil {
		return action, err
	}

	// Decode.
	in, err := svc.api.Decode(req)
	if err != nil {
		return action, err
	}
	if !implemented {
		return action, &awserr.Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
			Message: "Gatehouse does not implement " + action + " yet."}
	}

	// Authorize.
	az, err := o.Authz(r.Context(), caller, in)
	if err != nil {
		return action, err
	}
	if err := s.authorize(r.Context(), caller, az); err != nil {
		return action, err
	}

	// Run and encode.
	out, err := o.Run(r.Context(), caller, in)
	if err != nil {
		return action, err
	}
	if err := svc.api.WriteResponse(w, req.Op, reqID, out); err != nil {
		s.log.Debug("writing response", "err", err)
	}
	return action, nil
}

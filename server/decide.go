package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/decision"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/sigv4"
	"github.com/gatehouse-iam/gatehouse/store"
)

// The decision API (docs/decision-api.md): POST /v1/authorize, signed for
// the signing name "gatehouse" in any region.
const (
	decidePath    = "/v1/authorize"
	decideService = "gatehouse"
	// decideTimeout bounds one decision, every store call included.
	decideTimeout = 10 * time.Second
)

// decideAPI is the decision API's state: the verifier of its callers, the
// verifier of the requests they forward, and the decider.
type decideAPI struct {
	verifier  *sigv4.Verifier
	forwarded *sigv4.Verifier
	decider   *decision.Decider
}

// initDecide builds the decision API over the server's secrets and
// authorizer.
func (s *Server) initDecide(c Config, lookup sigv4.LookupFunc) error {
	var err error
	if s.decide.verifier, err = sigv4.NewVerifier(sigv4.Options{Lookup: lookup, Now: c.Now, Service: decideService}); err != nil {
		return err
	}
	if s.decide.forwarded, err = sigv4.NewVerifier(sigv4.Options{Lookup: lookup, Now: c.Now}); err != nil {
		return err
	}
	s.decide.decider = decision.New(c.Authorizer, c.Directory.Compile)
	return nil
}

// isDecide reports whether r addresses the decision API: its path, signed
// for "gatehouse" — or a POST without a query whose authentication does not
// parse, which is refused there in JSON (a request signed for another
// service, or an unsigned read, is the AWS APIs', such as S3's bucket "v1").
func isDecide(r *http.Request) bool {
	if r.URL.Path != decidePath {
		return false
	}
	if a, err := sigv4.Parse(r); err == nil {
		return a.Service == decideService
	}
	return r.Method == http.MethodPost && r.URL.RawQuery == ""
}

// serveDecide handles one call of the decision API.
func (s *Server) serveDecide(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	reqID := newRequestID()
	action, err := s.decideCall(w, r, reqID)
	outcome := "ok"
	if err != nil {
		ae := decideError(err)
		outcome = ae.Code
		writeDecideJSON(w, reqID, ae.Status, errorDocument(ae))
		level := slog.LevelInfo
		if ae.Status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request failed", "request_id", reqID, "service", decideService, "action", action,
			"code", ae.Code, "status", ae.Status, "cause", causeOf(ae))
	}
	s.metrics.requests.WithLabelValues(decideService, action, outcome).Inc()
	s.metrics.latency.WithLabelValues(decideService, action).Observe(s.now().Sub(start).Seconds())
}

// decideCall authenticates the API's caller, decodes the request,
// establishes the principal, checks the caller's permission and decides,
// writing the decision; it returns the API action for metrics and any error.
func (s *Server) decideCall(w http.ResponseWriter, r *http.Request, reqID string) (string, error) {
	action := "Authorize"
	if r.Method != http.MethodPost {
		return action, &awserr.Error{Code: "MethodNotAllowedException", Status: http.StatusMethodNotAllowed, Sender: true,
			Message: "The decision API takes POST."}
	}
	auth, err := sigv4.Parse(r)
	if err != nil {
		return action, authError(err)
	}
	ctx, err := s.precheck(r, s.decide.verifier, auth)
	if err != nil {
		return action, err
	}
	ctx, cancel := context.WithTimeout(ctx, decideTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	body, release, err := s.readBody(r, decision.MaxBody)
	defer release()
	if err != nil {
		return action, decideBodyError(err)
	}
	verified, err := s.decide.verifier.Verify(ctx, r, body)
	if err != nil {
		return action, authError(err)
	}
	caller, err := s.caller(r, verified)
	if err != nil {
		return action, err
	}
	addRequestFacts(r, caller, verified)

	req, err := decision.Decode(body)
	release()
	if err != nil {
		return action, err
	}
	if req.Forwarded == nil {
		action = "AuthorizePrincipal"
	}
	// The caller's permission is checked before anything is looked up, so
	// that a caller without it learns nothing of the principals (which
	// exist); a forwarded request's principal is known once its signature
	// is verified.
	var subject *identity.Caller
	var sctx context.Context
	if req.Forwarded != nil {
		// The permission is checked on the principal the forwarded request
		// claims ("*" for a key Gatehouse does not know) before its
		// signature is verified, so that a caller without it cannot probe
		// which keys exist or which signatures are valid; then again on the
		// principal the signature establishes.
		if err := s.decide.decider.Allowed(ctx, caller, req, s.claimedPrincipal(ctx, req.Forwarded)); err != nil {
			return action, err
		}
		if subject, sctx, err = s.forwardedCaller(ctx, req.Forwarded); err != nil {
			return action, err
		}
		if err := s.decide.decider.Allowed(ctx, caller, req, subject.ARN()); err != nil {
			return action, err
		}
	} else {
		v, err := req.Vouched()
		if err != nil {
			return action, err
		}
		if err := s.decide.decider.Allowed(ctx, caller, req, v.ARN); err != nil {
			return action, err
		}
		if subject, sctx, err = s.vouchedCaller(ctx, caller, v); err != nil {
			return action, err
		}
	}
	resp, err := s.decide.decider.Decide(sctx, subject, req)
	if err != nil {
		return action, err
	}
	writeDecideJSON(w, reqID, http.StatusOK, resp)
	return action, nil
}

// claimedPrincipal is the ARN of the principal a forwarded request's
// credential names, without verifying its signature: the user or root of a
// long-term key, the session of a session token; "*" when Gatehouse knows
// no such credential.
func (s *Server) claimedPrincipal(ctx context.Context, f *decision.SignedRequest) string {
	fr := forwardedRequest(f)
	fa, err := sigv4.Parse(fr)
	if err != nil {
		return "*"
	}
	if fa.SessionToken != "" {
		sctx, err := s.openSession(ctx, fa)
		if err != nil {
			return "*"
		}
		c, err := s.sessionCaller(fr.WithContext(sctx), fa)
		if err != nil {
			return "*"
		}
		return c.ARN()
	}
	k, ok := s.dir.AccessKey(fa.AccessKeyID)
	if !ok || k.Status != store.StatusActive {
		return "*"
	}
	if k.UserName == "" {
		return arn.Root(k.Account)
	}
	u, err := s.dir.User(ctx, k.Account, k.UserName)
	if err != nil {
		return "*"
	}
	return u.ARN
}

// forwardedRequest rebuilds the HTTP request a service forwarded.
func forwardedRequest(f *decision.SignedRequest) *http.Request {
	fr := &http.Request{Method: f.Method, RequestURI: f.Path, URL: &url.URL{RawQuery: f.Query}, Header: make(http.Header, len(f.Headers))}
	for k, vs := range f.Headers {
		if strings.EqualFold(k, "Host") {
			if len(vs) > 0 {
				fr.Host = vs[0]
			}
			continue
		}
		for _, v := range vs {
			fr.Header.Add(k, v)
		}
	}
	if u, err := url.ParseRequestURI(f.Path); err == nil {
		fr.URL.Path, fr.URL.RawPath = u.Path, u.RawPath
	}
	return fr
}

// forwardedCaller verifies a forwarded signed request against Gatehouse's
// credentials (long-term keys, and session tokens) and builds its caller as
// s.caller builds Gatehouse's own.
func (s *Server) forwardedCaller(ctx context.Context, f *decision.SignedRequest) (*identity.Caller, context.Context, error) {
	fr := forwardedRequest(f)
	fa, err := sigv4.Parse(fr)
	if err != nil {
		return nil, nil, forwardedError(authError(err))
	}
	// The subject's context carries its own session or none, never the
	// API caller's.
	fctx := session.NewContext(ctx, nil)
	if fa.SessionToken != "" {
		if fctx, err = s.openSession(ctx, fa); err != nil {
			return nil, nil, forwardedError(err)
		}
	}
	fr = fr.WithContext(fctx)
	verified, err := s.decide.forwarded.VerifyForwarded(fctx, fr, f.PayloadSHA256)
	if err != nil {
		return nil, nil, forwardedError(authError(err))
	}
	c, err := s.caller(fr, verified)
	if err != nil {
		return nil, nil, forwardedError(err)
	}
	addRequestFacts(fr, c, verified)
	return c, fctx, nil
}

// forwardedError is a failure to establish the caller of a forwarded
// request: ForwardedRequestNotAuthenticatedException (403) naming the
// SigV4 error, unless the failure is the server's.
func forwardedError(err error) error {
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	return &awserr.Error{Code: "ForwardedRequestNotAuthenticatedException", Status: http.StatusForbidden, Sender: true,
		Message: "The forwarded request does not establish a caller: " + ae.Code + ": " + ae.Message,
		Members: map[string]any{"reason": ae.Code}, Err: ae.Err}
}

// vouchedCaller builds the caller of a principal the API's caller vouches
// for: an IAM user, a role session (a session of the role without session
// policies or tags), or an account's root user, which must exist.
func (s *Server) vouchedCaller(ctx context.Context, apiCaller *identity.Caller, v decision.Vouched) (*identity.Caller, context.Context, error) {
	notFound := &awserr.Error{Code: "ResourceNotFoundException", Status: http.StatusNotFound, Sender: true,
		Message: "The principal " + v.ARN + " does not exist."}
	c := &identity.Caller{Account: v.Account, Time: s.now(), Region: apiCaller.Region, Clock: &s.clock}
	switch v.Type {
	case policy.PrincipalRoot:
		acct, found := s.dir.Account(v.Account)
		if !found {
			return nil, nil, notFound
		}
		c.Principal = policy.Principal{Type: policy.PrincipalRoot, ARN: v.ARN, Account: v.Account, ManagementAccount: acct.IsManagement}
		c.UserID = v.Account
		return c, session.NewContext(ctx, nil), nil
	case policy.PrincipalUser:
		p, err := s.dir.UserCaller(ctx, v.Account, v.Name)
		if err != nil || p.ARN() != v.ARN {
			if err == nil || isNotFound(err) {
				return nil, nil, notFound
			}
			return nil, nil, err
		}
		c.SetPrincipal(p)
		if acct, found := s.dir.Account(v.Account); found {
			c.Principal.ManagementAccount = acct.IsManagement
		}
		return c, session.NewContext(ctx, nil), nil
	}
	sess, err := s.sts.VouchedRoleSession(ctx, v.Account, v.Name, v.SessionName)
	if err != nil {
		if isNotFound(err) {
			return nil, nil, notFound
		}
		return nil, nil, err
	}
	if v.RoleARN != "" && sess.RoleARN != v.RoleARN {
		return nil, nil, notFound // the role exists under another path
	}
	sctx := session.NewContext(ctx, sess)
	if err := s.sts.Identify(sctx, sess, decideService, c); err != nil {
		return nil, nil, err
	}
	return c, sctx, nil
}

func isNotFound(err error) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Code == "NoSuchEntity" || errors.Is(err, store.ErrNotFound)
}

// decideBodyError is a readBody error as the decision API answers it.
func decideBodyError(err error) error {
	switch {
	case errors.Is(err, errBodyTooLarge):
		return &awserr.Error{Code: "RequestTooLargeException", Status: http.StatusRequestEntityTooLarge, Sender: true,
			Message: "The request body exceeds 65536 bytes."}
	case errors.Is(err, errBodyBudget):
		return &awserr.Error{Code: "ThrottlingException", Status: http.StatusTooManyRequests, Sender: true, Message: "Rate exceeded", Err: err}
	}
	return &awserr.Error{Code: "SerializationException", Status: http.StatusBadRequest, Sender: true,
		Message: "The request body could not be read.", Err: err}
}

// jsonExceptions names the AWS Query-style codes of authentication and
// authorization failures as AWS's JSON services do.
var jsonExceptions = map[string]string{
	awserr.CodeAccessDenied:               "AccessDeniedException",
	awserr.CodeMissingAuthenticationToken: "MissingAuthenticationTokenException",
	awserr.CodeSignatureDoesNotMatch:      "InvalidSignatureException",
	awserr.CodeInvalidClientTokenID:       "UnrecognizedClientException",
	"IncompleteSignature":                 "IncompleteSignatureException",
	"ExpiredToken":                        "ExpiredTokenException",
	"XAmzContentSHA256Mismatch":           "InvalidSignatureException",
	awserr.CodeServiceUnavailable:         "ServiceUnavailableException",
	"InternalFailure":                     "InternalFailure",
}

// decideError renders any error as the decision API's JSON error: a store
// outage is ServiceUnavailableException (503), anything not typed an
// internal failure (500) whose cause reaches the log only.
func decideError(err error) *awserr.Error {
	err = unavailableJSON(err)
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		return awserr.InternalFailure(err)
	}
	if errors.Is(err, context.DeadlineExceeded) && ae.Status >= 500 {
		return &awserr.Error{Code: "ServiceUnavailableException", Status: http.StatusServiceUnavailable, Message: unavailableMessage, Err: err}
	}
	if name, ok := jsonExceptions[ae.Code]; ok {
		c := *ae
		c.Code = name
		return &c
	}
	return ae
}

// errorDocument is AWS's JSON error shape: {"__type", "message"} and the
// exception's members.
func errorDocument(ae *awserr.Error) map[string]any {
	doc := make(map[string]any, 2+len(ae.Members))
	for k, v := range ae.Members {
		doc[k] = v
	}
	doc["__type"] = ae.Code
	msg := ae.Message
	if msg == "" {
		msg = http.StatusText(ae.Status)
	}
	doc["message"] = msg
	return doc
}

func writeDecideJSON(w http.ResponseWriter, reqID string, status int, v any) {
	if status == 0 {
		status = http.StatusInternalServerError
	}
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"InternalFailure","message":"The response could not be encoded."}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-RequestId", reqID)
	if status >= 400 {
		var doc struct {
			Type string `json:"__type"`
		}
		if json.Unmarshal(b, &doc) == nil && doc.Type != "" {
			h.Set("X-Amzn-ErrorType", doc.Type)
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(b) // a client gone mid-answer has nobody to tell
}

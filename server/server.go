// Package server is Gatehouse's HTTP front: one port for every service, each
// request dispatched by its SigV4 credential scope and Action, authenticated with
// SigV4 against the directory, authorized by the policy engine, run by its
// service and encoded in the service's wire protocol. It also serves /healthz and
// Prometheus metrics at /metrics.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gatehouse-iam/gatehouse/accessanalyzer"
	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/directory"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/oidc"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/protocol/query"
	"github.com/gatehouse-iam/gatehouse/sigv4"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/sts"
)

// maxBody bounds a request body.
const maxBody = 2 << 20

// Config holds the server's dependencies.
type Config struct {
	Directory *directory.Directory
	IAM       *iam.Service
	STS       *sts.Service
	// Organizations, when set, is served over AWS JSON and its SCPs and
	// RCPs gate every request.
	Organizations *organizations.Service
	// AccessAnalyzer, when set, is served over REST-JSON (credential scope
	// service access-analyzer).
	AccessAnalyzer *accessanalyzer.Service
	Now            func() time.Time
	Log            *slog.Logger
	// Registry receives the server's metrics.
	Registry *prometheus.Registry
}

// Server is the HTTP front.
type Server struct {
	dir     *directory.Directory
	iam     *iam.Service
	sts     *sts.Service
	now     func() time.Time
	log     *slog.Logger
	reg     *prometheus.Registry
	svcs    map[string]*queryService
	metrics metrics

	orgs     *organizations.Service
	jsonSvcs map[string]*jsonService // by X-Amz-Target prefix
	restSvcs map[string]*restService // by signing name

	usesMu sync.Mutex
	uses   map[string]store.AccessKeyLastUsed

	// roleUses batches GetRole's RoleLastUsed like uses (session.go).
	roleUses roleUseBatch
}

// queryService is one AWS Query service: its codec, verifier and operations.
type queryService struct {
	name     string
	api      *query.Service
	verifier *sigv4.Verifier
	ops      map[string]operation.Op
}

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// New builds the server.
func New(c Config) (*Server, error) {
	s := &Server{dir: c.Directory, iam: c.IAM, sts: c.STS, orgs: c.Organizations, now: c.Now, log: c.Log, reg: c.Registry, uses: map[string]store.AccessKeyLastUsed{}}
	c.STS.OnRoleUse(s.noteRoleUse)
	// AssumeRoleWithWebIdentity fetches providers' keys over pinned TLS.
	c.STS.UseWebIdentityKeys(oidc.NewFetcher(oidc.Options{Now: c.Now, SystemRoots: true}))
	lookup := func(ctx context.Context, id string) ([]byte, error) {
		if secret, ok := sessionSecret(ctx, id); ok {
			return secret, nil
		}
		k, ok := s.dir.AccessKey(id)
		if !ok || k.Status != store.StatusActive {
			return nil, sigv4.ErrUnknownAccessKey
		}
		return s.iam.Secret(k)
	}
	s.svcs = map[string]*queryService{}
	for _, q := range []struct {
		name string
		api  *query.Service
		ops  map[string]operation.Op
	}{{"iam", iamapi.Service(), c.IAM.Ops()}, {"sts", stsapi.Service(), c.STS.Ops()}} {
		v, err := sigv4.NewVerifier(sigv4.Options{Lookup: lookup, Now: c.Now, Service: q.name})
		if err != nil {
			return nil, err
		}
		s.svcs[q.name] = &queryService{name: q.name, api: q.api, verifier: v, ops: q.ops}
	}
	if err := s.initJSON(c, lookup); err != nil {
		return nil, err
	}
	if err := s.initREST(c, lookup); err != nil {
		return nil, err
	}
	s.metrics = metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_requests_total", Help: "AWS API requests by service, action and outcome (ok, or the error code).",
		}, []string{"service", "action", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gatehouse_request_duration_seconds", Help: "AWS API request latency by service and action.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}, []string{"service", "action"}),
	}
	if s.reg != nil {
		if err := s.reg.Register(s.metrics.requests); err != nil {
			return nil, err
		}
		if err := s.reg.Register(s.metrics.latency); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.reg != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("/", s.serveAWS)
	return mux
}

// newRequestID returns a random request id in AWS's UUID form.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// unsignedActions are STS actions that callers make without credentials.
var unsignedActions = map[string]bool{"AssumeRoleWithWebIdentity": true, "AssumeRoleWithSAML": true}

// serveAWS handles one AWS API request.
func (s *Server) serveAWS(w http.ResponseWriter, r *http.Request) {
	if rs := s.restServiceOf(r); rs != nil {
		s.serveREST(w, r, rs)
		return
	}
	if r.Header.Get("X-Amz-Target") != "" {
		s.serveJSON(w, r)
		return
	}
	start := s.now()
	reqID := newRequestID()
	svc, action, err := s.dispatch(w, r, reqID)
	outcome := "ok"
	if err != nil {
		ae := unavailable(query.ErrorOf(err))
		outcome = ae.Code
		if svc == nil {
			svc = s.svcs["iam"]
		}
		if werr := svc.api.WriteError(w, reqID, ae); werr != nil {
			s.log.Debug("writing error response", "err", werr)
		}
		level := slog.LevelInfo
		if ae.Status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request failed", "request_id", reqID, "service", svcName(svc), "action", action,
			"code", ae.Code, "status", ae.Status, "cause", causeOf(ae))
	}
	if action == "" {
		action = "unknown"
	}
	s.metrics.requests.WithLabelValues(svcName(svc), action, outcome).Inc()
	s.metrics.latency.WithLabelValues(svcName(svc), action).Observe(s.now().Sub(start).Seconds())
}

func svcName(q *queryService) string {
	if q == nil {
		return "unknown"
	}
	return q.name
}

func causeOf(e *awserr.Error) string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

// dispatch runs the shared phases of every request: parse, route, authenticate,
// decode, authorize, run, encode. It writes successful responses itself and
// returns errors for serveAWS to render.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, reqID string) (*queryService, string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, "", awserr.New("MalformedInput", "The request body could not be read.").WithCause(err)
	}
	if len(body) > maxBody {
		return nil, "", awserr.ValidationError("Request body exceeds %d bytes.", maxBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	qreq, err := query.ParseRequest(r, maxBody)
	if err != nil {
		if errors.Is(err, query.ErrNotQuery) {
			return nil, "", awserr.New("MissingAction", "Missing Action")
		}
		return nil, "", err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	// Route: the credential scope names the service; unsigned requests go by Action.
	auth, authErr := sigv4.Parse(r)
	var svc *queryService
	if authErr == nil {
		svc = s.svcs[auth.Service]
	}
	if svc == nil {
		if _, ok := stsapi.LookupOperation(qreq.Action); ok {
			svc = s.svcs["sts"]
		} else {
			svc = s.svcs["iam"]
		}
	}
	qop, err := svc.api.Resolve(qreq)
	if err != nil {
		// An unknown action is not a metrics label: clients choose it freely.
		return svc, "", err
	}
	action := qop.Name
	o, implemented := svc.ops[action]
	// An unsigned action has an anonymous caller: what it presents (an
	// identity provider's token) authenticates it inside the operation, and
	// the operation decides, so authorization skips it.
	unsigned := authErr != nil && unsignedActions[action] && implemented

	// Authenticate. Temporary credentials carry their secret in the sealed
	// session token: open it first so the verifier can find it.
	if authErr == nil && auth.SessionToken != "" {
		ctx, err := s.openSession(r.Context(), auth)
		if err != nil {
			return svc, action, err
		}
		r = r.WithContext(ctx)
	}
	caller := &identity.Caller{Time: s.now(), SourceIP: clientIP(r), SecureTransport: r.TLS != nil}
	if !unsigned {
		verified, err := svc.verifier.Verify(r.Context(), r, body)
		if err != nil {
			var se *sigv4.Error
			if errors.As(err, &se) {
				return svc, action, &awserr.Error{Code: se.Code, Status: se.Status, Message: se.Message, Sender: se.Status < 500, Err: se.Err}
			}
			return svc, action, err
		}
		if caller, err = s.caller(r, verified); err != nil {
			return svc, action, err
		}
	}

	// Decode.
	in, err := svc.api.Decode(qop, qreq)
	if err != nil {
		return svc, action, err
	}
	if !implemented {
		return svc, action, &awserr.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Sender: false,
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
	for _, more := range az.Also {
		if err := s.authorize(r.Context(), caller, more); err != nil {
			return svc, action, err
		}
	}

	// Run and encode.
	out, err := o.Run(r.Context(), caller, in)
	if err != nil {
		return svc, action, err
	}
	if err := svc.api.WriteResponse(w, qop, reqID, out); err != nil {
		s.log.Debug("writing response", "err", err)
	}
	return svc, action, nil
}

// caller builds the authenticated caller from a verified signature.
func (s *Server) caller(r *http.Request, a *sigv4.Auth) (*identity.Caller, error) {
	if a.SessionToken != "" {
		return s.sessionCaller(r, a)
	}
	k, ok := s.dir.AccessKey(a.AccessKeyID)
	if !ok || k.Status != store.StatusActive {
		return nil, awserr.New("InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	c := &identity.Caller{
		Account: k.Account, AccessKeyID: k.ID, Region: a.Region, Time: s.now(),
		SourceIP: clientIP(r), SecureTransport: r.TLS != nil,
	}
	if k.UserName == "" {
		c.Principal = policy.Principal{Type: policy.PrincipalRoot, ARN: store.RootARN(k.Account), Account: k.Account}
		c.UserID = k.Account
	} else {
		u, err := s.dir.User(r.Context(), k.Account, k.UserName)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, awserr.New("InvalidClientTokenId", "The security token included in the request is invalid.")
			}
			return nil, err
		}
		c.Principal = policy.Principal{Type: policy.PrincipalUser, ARN: u.ARN, Account: k.Account}
		c.UserName, c.UserPath, c.UserID = u.Name, u.Path, u.ID
		if len(u.Tags) > 0 {
			c.Tags = make(map[string]string, len(u.Tags))
			for _, t := range u.Tags {
				c.Tags[t.Key] = t.Value
			}
		}
	}
	if acct, ok := s.dir.Account(k.Account); ok {
		c.Principal.ManagementAccount = acct.IsManagement
	}
	s.noteKeyUse(k.ID, a.Service, a.Region, c.Time)
	return c, nil
}

// clientIP returns the request's remote address without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authorize decides the call with the policy engine.
func (s *Server) authorize(ctx context.Context, c *identity.Caller, az operation.Authz) error {
	if az.Skip {
		return nil
	}
	org, err := s.controlsFor(ctx, c, az)
	if err != nil {
		return err
	}
	if c.IsRoot() && !org.active() {
		// The root user is not restricted by identity-based policies, only
		// by the SCPs of a member account (and RCPs).
		return nil
	}
	set, req, err := s.decisionInput(ctx, c, az, org)
	if err != nil {
		return err
	}
	res := policy.Evaluate(set, req)
	if res.Decision == policy.Allowed {
		return nil
	}
	return awserr.AccessDenied("User: %s is not authorized to perform: %s on resource: %s %s",
		c.ARN(), az.Action, az.Resource, res.Reason(az.Action))
}

// decisionInput returns the policy set and the request the engine decides
// the call az by c with, given the organization controls org.
func (s *Server) decisionInput(ctx context.Context, c *identity.Caller, az operation.Authz, org *orgControls) (*policy.Set, *policy.Request, error) {
	var set *policy.Set
	var err error
	switch c.Principal.Type {
	case policy.PrincipalUser:
		set, err = s.dir.UserPolicies(ctx, c.Account, c.UserName)
	case policy.PrincipalRoleSession, policy.PrincipalFederatedUser:
		set, err = s.sessionPolicies(ctx, c)
	default:
		set = &policy.Set{}
	}
	if err != nil {
		return nil, nil, err
	}
	set = org.withControls(set)
	pctx := c.Context()
	for k, v := range org.context {
		pctx.Set(k, v)
	}
	for k, v := range az.Context {
		pctx.Set(k, v...)
	}
	principal := c.Principal
	principal.ManagementAccount = principal.ManagementAccount || org.management
	req := &policy.Request{Principal: principal, Action: az.Action, Resource: az.Resource, ResourceAccount: az.ResourceAccount, Context: pctx}
	return set, req, nil
}

// noteKeyUse remembers the last use of an access key; FlushKeyUse writes them.
func (s *Server) noteKeyUse(id, service, region string, at time.Time) {
	s.usesMu.Lock()
	s.uses[id] = store.AccessKeyLastUsed{Date: at.UTC().Truncate(time.Second), Service: service, Region: region}
	s.usesMu.Unlock()
}

// FlushKeyUse writes the batched access-key and role last-used records.
func (s *Server) FlushKeyUse(ctx context.Context) error {
	s.usesMu.Lock()
	uses := s.uses
	s.uses = map[string]store.AccessKeyLastUsed{}
	s.usesMu.Unlock()
	return errors.Join(s.iam.RecordKeyUse(ctx, uses), s.flushRoleUse(ctx))
}

// RunKeyUseFlusher flushes last-used records every interval until ctx ends.
func (s *Server) RunKeyUseFlusher(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.FlushKeyUse(context.WithoutCancel(ctx)); err != nil {
				s.log.Warn("flushing access key last-used records", "err", err)
			}
			return
		case <-t.C:
			if err := s.FlushKeyUse(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("flushing access key last-used records", "err", err)
			}
		}
	}
}

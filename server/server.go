// Package server is Gatehouse's HTTP front: one port for every service, each
// request dispatched by its SigV4 credential scope and Action, authenticated with
// SigV4 against the directory, authorized by the policy engine, run by its
// service and encoded in the service's wire protocol. It also serves /healthz and
// Prometheus metrics at /metrics.
package server

import (
	"context"
	"errors"
	"github.com/google/uuid"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gatehouse-iam/gatehouse/accessanalyzer"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/cloudtrail"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/oidc"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/s3"
	"github.com/gatehouse-iam/gatehouse/sigv4"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/sts"
	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/workload"
)

// Config holds the server's dependencies.
type Config struct {
	Directory *authview.Directory
	// Authorizer decides every call (with the sessions' policies from STS
	// and the organization's guardrails).
	Authorizer *authz.Authorizer
	IAM        *iam.Service
	STS        *sts.Service
	// Organizations, when set, is served over AWS JSON and its SCPs and
	// RCPs gate every request.
	Organizations *organizations.Service
	// AccessAnalyzer, when set, is served over REST-JSON (credential scope
	// service access-analyzer).
	AccessAnalyzer *accessanalyzer.Service
	// S3, when set, is served over REST-XML (credential scope service s3,
	// and unsigned requests that address a bucket).
	S3 *s3.Service
	// CloudTrail, when set, is served over AWS JSON (LookupEvents over the
	// audit trail); unset, CloudTrail's target is unknown here.
	CloudTrail *cloudtrail.Service
	// Workloads, when set, is the workload API (credential scope service
	// gatehouse) and its credential endpoint (workload.CredentialsPath).
	Workloads *workload.Service
	// S3Domain is the domain under which buckets are virtual-hosted
	// (bucket.S3Domain); "" serves path-style addressing only.
	S3Domain string
	Now      func() time.Time
	Log      *slog.Logger
	// Registry receives the server's metrics.
	Registry *prometheus.Registry
	// Trail, when set, records every request's event (CloudTrail's model):
	// a response is written only once its event is durable.
	Trail *trail.Recorder
}

// Server is the HTTP front.
type Server struct {
	dir   *authview.Directory
	authz *authz.Authorizer
	iam   *iam.Service
	sts   *sts.Service
	now   func() time.Time
	// clock prepares the time keys of the requests' contexts once per
	// second.
	clock   identity.Clock
	log     *slog.Logger
	reg     *prometheus.Registry
	metrics metrics

	// byScope holds every endpoint by signing name (the credential scope's
	// service), byTarget the JSON ones by X-Amz-Target prefix; jsonFallback
	// renders errors of requests with an unknown target.
	byScope      map[string]*endpoint
	byTarget     map[string]*endpoint
	jsonFallback *endpoint
	// s3Domain is Config.S3Domain.
	s3Domain string

	usesMu sync.Mutex
	uses   map[string]store.AccessKeyLastUsed

	// roleUses batches GetRole's RoleLastUsed like uses (session.go).
	roleUses roleUseBatch

	// unverified holds the bytes of request bodies read before their
	// signatures are checked (body.go).
	unverified byteBudget

	// decide is the decision API (decide.go).
	decide decideAPI

	// audit records the requests' events; nil when there is no trail.
	audit *auditTrail

	// stall bounds how long a streamed S3 response may make no progress
	// (progressWriter); 0 is readTimeout.
	stall time.Duration

	// console is the web console (UseConsole), nil without one.
	console http.Handler

	// webTokenKeys is the key set outbound federation's issuers publish
	// (UseWebTokenKeys, outbound.go).
	webTokenKeys WebTokenKeys
}

// ConsolePrefix is the path under which Handler serves the web console.
// Its first segment, "ui", is shorter than any S3 bucket name may be (3 to
// 63 characters: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html),
// so no path-style S3 request addresses it and the console shadows no
// bucket.
const ConsolePrefix = "/ui/"

// oldConsolePrefix is where the console used to live: a browser's visit
// there is redirected to ConsolePrefix while no bucket of that name exists.
const oldConsolePrefix = "/console/"

// UseConsole mounts the web console under ConsolePrefix (package console,
// which calls back into APIHandler). Call it before serving.
func (s *Server) UseConsole(h http.Handler) { s.console = h }

// isConsole reports whether a request is the console's: the path /ui or
// one under ConsolePrefix that is not an AWS request — not signed in its
// header or query, and not addressed to a virtual-hosted bucket (whose key
// may begin with ui/).
func (s *Server) isConsole(r *http.Request) bool {
	if s.console == nil {
		return false
	}
	p := r.URL.Path
	if p != "/ui" && !strings.HasPrefix(p, ConsolePrefix) {
		return false
	}
	return !signedOrAWS(r) && !(s.s3Domain != "" && hostIsBucket(r, s.s3Domain))
}

// consoleRedirect returns where a browser's visit is redirected: "/" and,
// while no bucket named "console" exists, /console and the paths under it
// (the console's old home) go to the console. A visit is an unsigned GET
// that accepts HTML and is not addressed to a virtual-hosted bucket. Every
// other request is an AWS request: S3's ListBuckets, an AWS Query call, and
// any request for a bucket named console, which S3 answers (without such a
// bucket S3 would answer NoSuchBucket; the redirect takes only that answer,
// and only from a browser).
func (s *Server) consoleRedirect(r *http.Request) (string, bool) {
	if s.console == nil || r.Method != http.MethodGet || !strings.Contains(r.Header.Get("Accept"), "text/html") ||
		signedOrAWS(r) || (s.s3Domain != "" && hostIsBucket(r, s.s3Domain)) {
		return "", false
	}
	p := r.URL.Path
	switch {
	case p == "/":
		return ConsolePrefix, r.URL.RawQuery == ""
	case p == "/console" || strings.HasPrefix(p, oldConsolePrefix):
		if _, exists := s.dir.Bucket("console"); exists {
			return "", false
		}
		to := ConsolePrefix + strings.TrimPrefix(strings.TrimPrefix(p, "/console"), "/")
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		return to, true
	}
	return "", false
}

// signedOrAWS reports whether a request carries an AWS signature or AWS
// headers: an Authorization header, X-Amz-* query parameters or an
// X-Amz-Target.
func signedOrAWS(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" || r.Header.Get("X-Amz-Target") != "" {
		return true
	}
	for k := range r.URL.Query() {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			return true
		}
	}
	return false
}

// hostIsBucket reports whether the Host names a virtual-hosted bucket.
func hostIsBucket(r *http.Request, domain string) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.HasSuffix(host, "."+domain)
}

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// New builds the server.
func New(c Config) (*Server, error) {
	s := &Server{dir: c.Directory, authz: c.Authorizer, iam: c.IAM, sts: c.STS, now: c.Now, log: c.Log, reg: c.Registry,
		uses: map[string]store.AccessKeyLastUsed{}, s3Domain: strings.ToLower(strings.Trim(c.S3Domain, "."))}
	s.unverified.max = maxUnverified
	if c.Trail != nil {
		a, err := newAuditTrail(c.Trail)
		if err != nil {
			return nil, err
		}
		s.audit = a
	}
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
	if err := s.initEndpoints(c, lookup); err != nil {
		return nil, err
	}
	if err := s.initDecide(c, lookup); err != nil {
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
		if s.audit != nil {
			if err := s.reg.Register(s.audit.suppressed); err != nil {
				return nil, err
			}
		}
		if err := registerCacheMetrics(s.reg, s.dir); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// registerCacheMetrics exports the authorization view's cache of policy
// sets: its size, hits, misses and evictions, and the compiled documents in use.
func registerCacheMetrics(reg *prometheus.Registry, d *authview.Directory) error {
	stat := func(f func(authview.CacheStats) float64) func() float64 {
		return func() float64 { return f(d.CacheStats()) }
	}
	return errors.Join(
		reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gatehouse_policy_cache_entries",
			Help: "Principals whose compiled policy set is cached."}, stat(func(s authview.CacheStats) float64 { return float64(s.Entries) }))),
		reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_policy_cache_hits_total",
			Help: "Policy set lookups answered from the cache."}, stat(func(s authview.CacheStats) float64 { return float64(s.Hits) }))),
		reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_policy_cache_misses_total",
			Help: "Policy set lookups that loaded the set from the store."}, stat(func(s authview.CacheStats) float64 { return float64(s.Misses) }))),
		reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_policy_cache_evictions_total",
			Help: "Policy sets evicted to stay within --principal-cache."}, stat(func(s authview.CacheStats) float64 { return float64(s.Evictions) }))),
		reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gatehouse_policy_documents",
			Help: "Compiled policy documents in use (held by a cached policy set, a group's cached policies or a request), shared by their holders."}, stat(func(s authview.CacheStats) float64 { return float64(s.Documents) }))),
	)
}

// Handler returns the HTTP handler: the AWS APIs, health, metrics and,
// when mounted, the web console.
func (s *Server) Handler() http.Handler {
	api := s.APIHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to, ok := s.consoleRedirect(r); ok {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		switch {
		case s.isConsole(r):
			s.console.ServeHTTP(w, r)
		default:
			api.ServeHTTP(w, r)
		}
	})
}

// APIHandler returns the handler of everything but the console: the AWS
// APIs, the decision API, health and metrics. The console hands its own
// AWS requests to it in-process.
func (s *Server) APIHandler() http.Handler {
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
	// The AWS APIs take their paths as sent: S3 keys may hold "//" or
	// "..", which ServeMux would clean and redirect. Only probes go
	// through the mux (isProbe): any other request of /metrics is S3's,
	// for a bucket named metrics.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isDecide(r) {
			s.serveDecide(w, r)
			return
		}
		if id, doc, ok := s.outboundDocument(r); ok {
			s.serveOutbound(w, r, id, doc)
			return
		}
		if s.isProbe(r) {
			mux.ServeHTTP(w, r)
			return
		}
		s.serveAWS(w, r)
	})
}

// isProbe reports whether a request is a health or metrics probe: a plain
// GET or HEAD of exactly /healthz, /readyz or /metrics — no query string,
// not signed (no Authorization, no X-Amz-* query parameter), no X-Amz-*
// header, not addressed to a virtual-hosted bucket. Probes and scrapers
// send nothing more. Every other request of those paths is a path-style
// S3 request of the bucket healthz, readyz or metrics (valid bucket
// names): signed or presigned, or anonymous with S3's sub-resources
// (?list-type=2, ?location, ?versions…) or headers. An anonymous plain
// GET of /metrics therefore reads the metrics, never the bucket's
// ListObjects, which such a bucket's public readers reach with any query
// (list-type=2 is what current SDKs send).
func (s *Server) isProbe(r *http.Request) bool {
	switch r.URL.Path {
	case "/healthz", "/readyz", "/metrics":
	default:
		return false
	}
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.RawQuery != "" || signedOrAWS(r) {
		return false
	}
	for k := range r.Header {
		if len(k) > 6 && strings.EqualFold(k[:6], "x-amz-") {
			return false
		}
	}
	return !(s.s3Domain != "" && hostIsBucket(r, s.s3Domain))
}

// S3Handler returns the handler of a listener of S3's own (serve
// --s3-addr): every request on it is an S3 request, signed or not, whatever
// its path.
func (s *Server) S3Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serveAWS(w, r.WithContext(context.WithValue(r.Context(), s3OnlyKey{}, true)))
	})
}

// s3OnlyKey marks the requests of S3Handler.
type s3OnlyKey struct{}

// newRequestID returns a random request id in AWS's UUID form.
func newRequestID() string {
	return uuid.NewString()
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
		Account: k.Account, AccessKeyID: k.ID, Region: requestedRegion(a.Service, a.Region), Time: s.now(),
		SourceIP: clientIP(r), SecureTransport: r.TLS != nil, Clock: &s.clock,
	}
	if k.UserName == "" {
		c.Principal = policy.Principal{Type: policy.PrincipalRoot, ARN: arn.Root(k.Account), Account: k.Account}
		c.UserID = k.Account
	} else {
		// The user's principal and its context's keys, prepared once per
		// version of its record.
		p, err := s.dir.UserCaller(r.Context(), k.Account, k.UserName)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, awserr.New("InvalidClientTokenId", "The security token included in the request is invalid.")
			}
			return nil, err
		}
		c.SetPrincipal(p)
	}
	if acct, ok := s.dir.Account(k.Account); ok {
		c.Principal.ManagementAccount = acct.IsManagement
	}
	s.noteKeyUse(k.ID, a.Service, c.Region, c.Time)
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

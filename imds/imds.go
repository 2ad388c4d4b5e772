// Package imds is the instance metadata service of `gatehouse agent`: it
// serves, on a loopback address beside a workload, the part of EC2's
// IMDSv2 that the AWS SDKs and CLI read for instance-profile credentials
// (PUT /latest/api/token; GET /latest/meta-data/iam/security-credentials/,
// …/security-credentials/ROLE, iam/info, instance-id, placement/region and
// placement/availability-zone), so that they run with no keys in their
// environment, only AWS_EC2_METADATA_SERVICE_ENDPOINT. It also serves the
// container credentials shape on CredentialsPath for
// AWS_CONTAINER_CREDENTIALS_FULL_URI, authorized by the workload token.
//
// The credentials come from a Source (the Gatehouse credential endpoint);
// the agent caches them and refreshes them well before they expire, as EC2
// makes new instance credentials available before the old ones expire.
// Only IMDSv2 is served: every GET needs a session token from the PUT.
package imds

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-iam/gatehouse/workload"
)

// Headers of IMDSv2.
const (
	// TokenHeader carries the session token on GETs.
	TokenHeader = "X-Aws-Ec2-Metadata-Token"
	// TTLHeader carries the token's requested (PUT) and granted lifetime.
	TTLHeader = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
)

// MaxTokenTTL is the longest lifetime of a session token, six hours.
const MaxTokenTTL = 21600 * time.Second

// maxTokens bounds the session tokens held at once; the oldest go first.
const maxTokens = 4096

// DefaultRefreshBefore is how long before their expiration the agent
// replaces credentials.
const DefaultRefreshBefore = 5 * time.Minute

// Source obtains a workload's credentials.
type Source func(ctx context.Context) (*workload.Credentials, error)

// Config holds the agent's dependencies.
type Config struct {
	Source Source
	// WorkloadToken authorizes the container credentials path; "" serves
	// IMDS only.
	WorkloadToken string
	// RefreshBefore is how long before expiry credentials are replaced
	// (default DefaultRefreshBefore).
	RefreshBefore time.Duration
	Now           func() time.Time
	Log           *slog.Logger
}

// Agent serves instance metadata for one workload.
type Agent struct {
	source        Source
	workloadToken string
	refreshBefore time.Duration
	now           func() time.Time
	log           *slog.Logger

	fetchMu sync.Mutex // one fetch at a time

	mu        sync.Mutex
	cur       *workload.Credentials
	expires   time.Time
	updated   time.Time
	tokens    map[string]time.Time // session token → expiry
	tokenList []string             // insertion order, for eviction
}

// New returns an agent.
func New(c Config) *Agent {
	a := &Agent{source: c.Source, workloadToken: c.WorkloadToken, refreshBefore: c.RefreshBefore, now: c.Now, log: c.Log,
		tokens: map[string]time.Time{}}
	if a.refreshBefore <= 0 {
		a.refreshBefore = DefaultRefreshBefore
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	return a
}

// Refresh fetches new credentials now.
func (a *Agent) Refresh(ctx context.Context) error { return a.refresh(ctx, true) }

// fresh reports whether the held credentials are good for more than
// RefreshBefore. a.mu is held.
func (a *Agent) fresh() bool {
	return a.cur != nil && a.now().Before(a.expires.Add(-a.refreshBefore))
}

// refresh fetches credentials, unless (without force) the held ones are
// fresh, as they are when a concurrent fetch has just replaced them.
func (a *Agent) refresh(ctx context.Context, force bool) error {
	a.fetchMu.Lock()
	defer a.fetchMu.Unlock()
	if !force {
		a.mu.Lock()
		ok := a.fresh()
		a.mu.Unlock()
		if ok {
			return nil
		}
	}
	cr, err := a.source(ctx)
	if err == nil {
		if _, perr := time.Parse(time.RFC3339, cr.Expiration); perr != nil {
			err = perr
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.log.Warn("fetching workload credentials", "err", err)
		return err
	}
	a.cur, a.updated = cr, a.now().UTC()
	a.expires, _ = time.Parse(time.RFC3339, cr.Expiration)
	a.log.Info("workload credentials refreshed", "workload", cr.WorkloadId, "role", cr.RoleArn, "access_key_id", cr.AccessKeyId, "expires", cr.Expiration)
	return nil
}

// current returns valid credentials, fetching them when there are none or
// they are due for refresh (and the background loop has not replaced them
// yet). While Gatehouse cannot be reached, credentials that have not yet
// expired are still served.
func (a *Agent) current(ctx context.Context) (*workload.Credentials, time.Time, error) {
	err := a.refresh(ctx, false)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cur != nil && a.now().Before(a.expires) {
		return a.cur, a.updated, nil
	}
	if err == nil {
		err = errors.New("the credentials obtained have already expired")
	}
	return nil, time.Time{}, err
}

// Run refreshes the credentials until ctx ends: each time RefreshBefore
// before they expire, and every few seconds while a fetch fails.
func (a *Agent) Run(ctx context.Context) {
	retry := time.Second
	for {
		var wait time.Duration
		if err := a.ensure(ctx); err != nil {
			wait = retry
			retry = min(retry*2, 30*time.Second)
		} else {
			retry = time.Second
			a.mu.Lock()
			wait = a.expires.Add(-a.refreshBefore).Sub(a.now())
			a.mu.Unlock()
		}
		t := time.NewTimer(max(wait, time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// ensure refreshes unless the credentials are good for more than
// RefreshBefore.
func (a *Agent) ensure(ctx context.Context) error {
	_, _, err := a.current(ctx)
	return err
}

// Handler returns the metadata service's HTTP handler.
func (a *Agent) Handler() http.Handler {
	return http.HandlerFunc(a.serve)
}

func (a *Agent) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "EC2ws")
	if !literalHost(r.Host) {
		// A page whose name an attacker rebinds to the loopback address
		// would reach the agent with its own name in Host (DNS rebinding):
		// the SDKs address the agent by IP (or localhost), nothing else does.
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	if r.URL.Path == "/latest/api/token" {
		a.putToken(w, r)
		return
	}
	if r.URL.Path == workload.CredentialsPath {
		a.containerCredentials(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if !a.validToken(r.Header.Get(TokenHeader)) {
		// IMDSv2 only: a GET without a valid session token is refused.
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/latest/meta-data/")
	if path == r.URL.Path {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	path = strings.TrimSuffix(path, "/")
	switch path {
	case "":
		text(w, "iam/\ninstance-id\nplacement/")
		return
	case "iam":
		text(w, "info\nsecurity-credentials/")
		return
	case "placement":
		text(w, "availability-zone\nregion")
		return
	}
	cr, updated, err := a.current(r.Context())
	if err != nil {
		a.unavailable(w, path, err)
		return
	}
	role := cr.RoleArn[strings.LastIndexByte(cr.RoleArn, '/')+1:]
	switch {
	case path == "iam/security-credentials":
		text(w, role)
	case path == "iam/security-credentials/"+role:
		writeJSON(w, map[string]string{
			"Code": "Success", "LastUpdated": updated.Format(time.RFC3339), "Type": "AWS-HMAC",
			"AccessKeyId": cr.AccessKeyId, "SecretAccessKey": cr.SecretAccessKey, "Token": cr.Token, "Expiration": cr.Expiration,
		})
	case path == "iam/info":
		writeJSON(w, map[string]string{
			"Code": "Success", "LastUpdated": updated.Format(time.RFC3339),
			"InstanceProfileArn": cr.InstanceProfileArn, "InstanceProfileId": cr.InstanceProfileId,
		})
	case path == "instance-id":
		text(w, cr.WorkloadId)
	case path == "placement/region":
		text(w, cr.Region)
	case path == "placement/availability-zone":
		text(w, cr.Region+"a")
	default:
		http.Error(w, "Not Found", http.StatusNotFound)
	}
}

// unavailable answers a metadata read while no credentials can be had. As
// EC2 does when it cannot assume the instance's role, the role is still
// listed (when known: from earlier credentials, or from Gatehouse's refusal)
// and its credentials document says why in Code and Message; other paths
// answer 503.
func (a *Agent) unavailable(w http.ResponseWriter, path string, err error) {
	role := a.knownRole(err)
	switch {
	case role != "" && path == "iam/security-credentials":
		text(w, role)
		return
	case role != "" && path == "iam/security-credentials/"+role, path == "iam/info":
		code := "AssumeRoleUnauthorizedAccess"
		var ce interface{ ErrorCode() string }
		if errors.As(err, &ce) && ce.ErrorCode() != "AccessDenied" {
			code = ce.ErrorCode()
		}
		writeJSON(w, map[string]string{"Code": code, "Message": err.Error(), "LastUpdated": a.now().UTC().Format(time.RFC3339)})
		return
	}
	http.Error(w, "The workload's credentials are unavailable: "+err.Error(), http.StatusServiceUnavailable)
}

// knownRole is the name of the workload's role as last learnt: from
// Gatehouse's refusal (an error with a RoleARN method), else from the last
// credentials held.
func (a *Agent) knownRole(err error) string {
	arn := ""
	var re interface{ RoleARN() string }
	if errors.As(err, &re) {
		arn = re.RoleARN()
	}
	if arn == "" {
		a.mu.Lock()
		if a.cur != nil {
			arn = a.cur.RoleArn
		}
		a.mu.Unlock()
	}
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

// putToken issues an IMDSv2 session token.
func (a *Agent) putToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		w.Header().Set("Allow", "PUT")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("X-Forwarded-For") != "" {
		// EC2 refuses token requests that went through a proxy.
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	ttl, err := strconv.Atoi(r.Header.Get(TTLHeader))
	if err != nil || ttl < 1 || time.Duration(ttl)*time.Second > MaxTokenTTL {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	now := a.now()
	a.mu.Lock()
	for len(a.tokenList) >= maxTokens {
		delete(a.tokens, a.tokenList[0])
		a.tokenList = a.tokenList[1:]
	}
	a.tokens[tok] = now.Add(time.Duration(ttl) * time.Second)
	a.tokenList = append(a.tokenList, tok)
	a.mu.Unlock()
	w.Header().Set(TTLHeader, strconv.Itoa(ttl))
	text(w, tok)
}

// validToken reports whether tok is a live session token.
func (a *Agent) validToken(tok string) bool {
	if tok == "" {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	exp, ok := a.tokens[tok]
	return ok && a.now().Before(exp)
}

// containerCredentials serves the container credentials document to a
// request that presents the workload token.
func (a *Agent) containerCredentials(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if a.workloadToken == "" || subtle.ConstantTimeCompare([]byte(auth), []byte(a.workloadToken)) != 1 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]string{"code": "AccessDenied", "message": "The workload token is not valid."}) //nolint:errcheck // the client went away
		return
	}
	cr, _, err := a.current(r.Context())
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]string{"code": "CredentialsUnavailable", "message": err.Error()}) //nolint:errcheck // likewise
		return
	}
	writeJSON(w, cr)
}

func text(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte(s)) //nolint:errcheck // the client went away
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b) //nolint:errcheck // the client went away
}

// literalHost reports whether a Host header names the agent by IP address
// or as localhost.
func literalHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	_, err := netip.ParseAddr(host)
	return err == nil
}

package oidc

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Errors of Fetcher.Keys.
var (
	// ErrThumbprint reports a provider whose TLS certificate chain neither
	// verifies against the system's roots nor contains a certificate with one
	// of the configured thumbprints.
	ErrThumbprint = errors.New("oidc: server certificate matches no configured thumbprint")
	// ErrFetch reports any other failure to get the provider's keys: a
	// connection, status, size, format or destination problem.
	ErrFetch = errors.New("oidc: cannot retrieve the provider's keys")
)

// Limits of one fetch.
const (
	// maxDocument bounds the discovery document and the key set.
	maxDocument = 256 << 10
	// requestTimeout bounds one HTTP exchange, connection included.
	requestTimeout = 5 * time.Second
	// maxCached bounds the cache; past it the cache starts afresh.
	maxCached = 1000
)

// Options configure a Fetcher.
type Options struct {
	// Now is the clock (time.Now when nil), for the cache and certificate
	// validity.
	Now func() time.Time
	// TTL is how long fetched keys are used (5 minutes when zero).
	TTL time.Duration
	// MinRefresh is the least age of cached keys that a refresh request
	// (a token signed with an unknown kid) fetches again (30 seconds when
	// zero), so that tokens naming unknown keys cannot make the server fetch
	// at will.
	MinRefresh time.Duration
	// SystemRoots trusts, besides the thumbprints, servers whose chain
	// verifies against the system's root CAs, as AWS trusts its library of
	// CAs before the thumbprints (API_CreateOpenIDConnectProvider). Tests
	// turn it off.
	SystemRoots bool
	// Roots, when set, replaces the system's root CAs (for tests).
	Roots *x509.CertPool
}

// Fetcher gets providers' key sets over HTTPS and caches them. It is safe for
// concurrent use.
//
// It connects only to the provider's own URL: the discovery document at
// https://URL/.well-known/openid-configuration, then the jwks_uri it names,
// which must be an https URL on the same host and port. It follows no
// redirect, uses no proxy, and bounds time and sizes.
type Fetcher struct {
	o Options

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	keys    *KeySet
	fetched time.Time
}

// NewFetcher returns a Fetcher.
func NewFetcher(o Options) *Fetcher {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TTL == 0 {
		o.TTL = 5 * time.Minute
	}
	if o.MinRefresh == 0 {
		o.MinRefresh = 30 * time.Second
	}
	return &Fetcher{o: o, cache: map[string]cached{}}
}

// Keys returns the key set of the provider at providerURL (IAM's form,
// host[:port][/path], without the scheme), trusting its server certificate
// through thumbprints (hex SHA-1, any case). Keys are cached per provider and
// thumbprint list; refresh asks for a new fetch, honoured once the cached
// keys are MinRefresh old. Errors wrap ErrThumbprint or ErrFetch.
func (f *Fetcher) Keys(ctx context.Context, providerURL string, thumbprints []string, refresh bool) (*KeySet, error) {
	pins := make([]string, len(thumbprints))
	for i, t := range thumbprints {
		pins[i] = strings.ToLower(t)
	}
	slices.Sort(pins)
	key := providerURL + "|" + strings.Join(pins, ",")
	now := f.o.Now()
	f.mu.Lock()
	c, ok := f.cache[key]
	f.mu.Unlock()
	if ok {
		age := now.Sub(c.fetched)
		if age < f.o.TTL && (!refresh || age < f.o.MinRefresh) {
			return c.keys, nil
		}
	}
	keys, err := f.fetch(ctx, providerURL, pins)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if len(f.cache) >= maxCached {
		f.cache = map[string]cached{}
	}
	f.cache[key] = cached{keys: keys, fetched: now}
	f.mu.Unlock()
	return keys, nil
}

// fetch reads the discovery document and the key set.
func (f *Fetcher) fetch(ctx context.Context, providerURL string, pins []string) (*KeySet, error) {
	base, err := url.Parse("https://" + providerURL)
	if err != nil || base.Host == "" || base.RawQuery != "" || base.Fragment != "" || base.User != nil {
		return nil, fmt.Errorf("%w: provider URL %q is not an https URL", ErrFetch, providerURL)
	}
	client := f.client(base.Hostname(), pins)
	defer client.CloseIdleConnections()

	var disc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	discURL := "https://" + providerURL + "/.well-known/openid-configuration"
	if err := get(ctx, client, discURL, &disc); err != nil {
		return nil, err
	}
	ju, err := url.Parse(disc.JWKSURI)
	if err != nil || ju.Scheme != "https" || ju.User != nil || ju.Host == "" {
		return nil, fmt.Errorf("%w: jwks_uri %q is not an https URL", ErrFetch, disc.JWKSURI)
	}
	if !strings.EqualFold(ju.Host, base.Host) {
		// Egress goes only to the URL the account registered.
		return nil, fmt.Errorf("%w: jwks_uri %q is not on the provider's host %s", ErrFetch, disc.JWKSURI, base.Host)
	}
	var raw json.RawMessage
	if err := get(ctx, client, ju.String(), &raw); err != nil {
		return nil, err
	}
	set, err := ParseJWKS(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	return set, nil
}

// client returns an HTTP client for one provider: TLS verified by the
// thumbprints (and the system's roots when allowed), no proxy, no redirect,
// no connection reuse beyond one fetch.
func (f *Fetcher) client(serverName string, pins []string) *http.Client {
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{Timeout: requestTimeout}).DialContext,
		TLSHandshakeTimeout:    requestTimeout,
		ResponseHeaderTimeout:  requestTimeout,
		MaxResponseHeaderBytes: 64 << 10,
		TLSClientConfig: &tls.Config{
			MinVersion: tls.VersionTLS12,
			ServerName: serverName,
			// The chain is verified by VerifyConnection below, which does
			// what the default verification does (chain, name, validity)
			// with the thumbprints as additional trust anchors; it never
			// accepts a server without that check.
			InsecureSkipVerify: true,
			VerifyConnection: func(cs tls.ConnectionState) error {
				return f.verify(cs.PeerCertificates, serverName, pins)
			},
		},
	}
	return &http.Client{
		Transport: tr,
		Timeout:   requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Thumbprint returns the hex SHA-1 thumbprint of a certificate, as IAM's
// ThumbprintList holds it.
func Thumbprint(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw)
	return hex.EncodeToString(sum[:])
}

// verify accepts a server's chain when it verifies for serverName against the
// system's roots (if allowed), or against a certificate of the chain whose
// thumbprint is pinned: the top intermediate CA, or the server's own
// certificate when it is self-signed (id_roles_providers_create_oidc_verify-thumbprint).
func (f *Fetcher) verify(chain []*x509.Certificate, serverName string, pins []string) error {
	if len(chain) == 0 {
		return fmt.Errorf("%w: no certificate", ErrThumbprint)
	}
	leaf := chain[0]
	opts := x509.VerifyOptions{DNSName: serverName, CurrentTime: f.o.Now(), Intermediates: x509.NewCertPool()}
	for _, c := range chain[1:] {
		opts.Intermediates.AddCert(c)
	}
	if f.o.SystemRoots || f.o.Roots != nil {
		opts.Roots = f.o.Roots
		if _, err := leaf.Verify(opts); err == nil {
			return nil
		}
	}
	for _, c := range chain {
		if !slices.Contains(pins, Thumbprint(c)) {
			continue
		}
		opts.Roots = x509.NewCertPool()
		opts.Roots.AddCert(c)
		if _, err := leaf.Verify(opts); err == nil {
			return nil
		}
	}
	return ErrThumbprint
}

// get fetches one JSON document into v.
func get(ctx context.Context, client *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFetch, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, ErrThumbprint) {
			return ErrThumbprint
		}
		return fmt.Errorf("%w: GET %s: %w", ErrFetch, u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: GET %s: status %d", ErrFetch, u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return fmt.Errorf("%w: GET %s: %w", ErrFetch, u, err)
	}
	if len(body) > maxDocument {
		return fmt.Errorf("%w: GET %s: larger than %d bytes", ErrFetch, u, maxDocument)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: GET %s: not JSON: %w", ErrFetch, u, err)
	}
	return nil
}

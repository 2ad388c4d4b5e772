package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/webtoken"
)

// The issuers of outbound identity federation (IAM's
// EnableOutboundWebIdentityFederation) live under the server's public URL
// at iam.OutboundIssuerPrefix + ID. A relying party reads, unauthenticated,
// each issuer's OpenID Connect discovery document and its key set there
// ("/.well-known/openid-configuration and /.well-known/jwks.json",
// API_EnableOutboundWebIdentityFederation), as it would from AWS's issuer.

// WebTokenKeys publishes the signing keys of web identity tokens
// (*webtoken.Ring).
type WebTokenKeys interface {
	// JWKS returns the JSON Web Key Set of every key that may have signed
	// a token still valid.
	JWKS() []byte
}

// UseWebTokenKeys sets the key set the issuers publish; without it the
// discovery endpoints answer 404. Call it before serving.
func (s *Server) UseWebTokenKeys(k WebTokenKeys) { s.webTokenKeys = k }

// issuerLookupTimeout bounds the store read of one discovery request.
const issuerLookupTimeout = 5 * time.Second

// outboundDocument reports whether r asks for an issuer's document: an
// unsigned GET or HEAD of ISSUER/.well-known/openid-configuration or
// ISSUER/.well-known/jwks.json, not addressed to a virtual-hosted bucket.
// It returns the issuer id and which document.
func (s *Server) outboundDocument(r *http.Request) (id, doc string, ok bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return "", "", false
	}
	rest, found := strings.CutPrefix(r.URL.Path, iam.OutboundIssuerPrefix)
	if !found || signedOrAWS(r) || (s.s3Domain != "" && hostIsBucket(r, s.s3Domain)) {
		return "", "", false
	}
	for _, d := range []string{webtoken.DiscoveryPath, webtoken.JWKSPath} {
		if id, found := strings.CutSuffix(rest, d); found && validIssuerID(id) {
			return id, d, true
		}
	}
	return "", "", false
}

// validIssuerID reports whether id has the form of the ids IAM draws (a
// UUID), so that no other path reaches the store.
func validIssuerID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, c := range id {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'):
		default:
			return false
		}
	}
	return true
}

// serveOutbound answers an issuer's discovery document or key set.
func (s *Server) serveOutbound(w http.ResponseWriter, r *http.Request, id, doc string) {
	ctx, cancel := context.WithTimeout(r.Context(), issuerLookupTimeout)
	defer cancel()
	issuer, err := s.iam.OutboundIssuer(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && s.webTokenKeys == nil):
		http.NotFound(w, r)
		return
	case err != nil:
		s.log.Warn("outbound federation: reading an issuer failed", "err", err)
		status := http.StatusInternalServerError
		if errors.Is(err, store.ErrUnavailable) {
			status = http.StatusServiceUnavailable
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	body := webtoken.Discovery(issuer)
	if doc == webtoken.JWKSPath {
		body = s.webTokenKeys.JWKS()
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// Relying parties cache the documents; a new signing key is fetched
	// when a token names a key id they do not know.
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

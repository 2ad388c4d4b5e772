package server

import (
	"crypto/tls"
	"net/http"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// addRequestFacts records on c what the request itself says about how it
// was made — the client's User-Agent and Referer, how and when it was signed,
// the TLS version — for the condition keys AWS derives from them
// (aws:UserAgent, aws:Referer, s3:authType, s3:signatureAge, s3:TlsVersion).
// a is nil for an unsigned request.
func addRequestFacts(r *http.Request, c *identity.Caller, a *sigv4.Auth) {
	c.UserAgent = r.Header.Get("User-Agent")
	c.Referer = r.Header.Get("Referer")
	if a != nil {
		c.AuthType = identity.AuthHeader
		if a.Presigned {
			c.AuthType = identity.AuthQuery
		}
		c.SignedAt = a.Date
	}
	if r.TLS != nil {
		c.TLSVersion = tlsVersionName(r.TLS.Version)
	}
}

// tlsVersionName names a TLS version as s3:TlsVersion compares it ("1.2").
func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "1.0"
	case tls.VersionTLS11:
		return "1.1"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS13:
		return "1.3"
	}
	return ""
}

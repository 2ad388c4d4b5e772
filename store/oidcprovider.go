package store

import (
	"errors"
	"net/url"
	"strings"
	"time"
)

// KindOIDCProvider holds IAM OpenID Connect identity providers; key
// [OIDCProviderKey]; value [OIDCProvider]. The IAM service writes them and STS
// reads them to verify web identity tokens, so the record lives here rather
// than in either service.
const KindOIDCProvider Kind = "oidc-provider"

// OIDCProvider is an IAM OpenID Connect identity provider.
type OIDCProvider struct {
	// ARN is arn:aws:iam::ACCOUNT:oidc-provider/URL.
	ARN string `json:"arn"`
	// URL is the issuer without its https:// scheme, as IAM reports it:
	// host[:port][/path] (see [OIDCProviderURL]).
	URL string `json:"url"`
	// ClientIDs are the audiences the provider's tokens may be issued to.
	ClientIDs []string `json:"clientIds,omitempty"`
	// Thumbprints are hex SHA-1 thumbprints of the server certificates STS
	// trusts when it fetches the provider's keys.
	Thumbprints []string  `json:"thumbprints,omitempty"`
	CreateDate  time.Time `json:"createDate"`
	Tags        []Tag     `json:"tags,omitempty"`
}

// OIDCProviderKey is the record key of a provider: its URL as
// [OIDCProviderURL] normalises it.
func OIDCProviderKey(url string) string { return url }

// ErrOIDCProviderURL reports a provider URL or token issuer that is not an
// https:// URL without query, fragment or user information.
var ErrOIDCProviderURL = errors.New("store: not an https URL without query or fragment")

// OIDCProviderURL normalises an issuer URL ("https://Host:port/path/") into
// the form IAM names providers by: without the scheme, the host in lower
// case, without a trailing slash ("host:port/path"). The port is kept, so a
// provider served on a port is named with it. Tokens' iss claims go through
// the same function, so a token matches the provider it names.
func OIDCProviderURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") || u.Opaque != "" {
		return "", ErrOIDCProviderURL
	}
	host := strings.ToLower(u.Host)
	if strings.HasSuffix(host, ":") || strings.ContainsAny(host, " \t\r\n\\") {
		return "", ErrOIDCProviderURL
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	return host + path, nil
}

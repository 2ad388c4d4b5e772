package sts

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/oidc"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
)

// WebIdentityKeys gets the signing keys of OpenID Connect providers
// (*oidc.Fetcher, which fetches them over TLS pinned by the thumbprints).
type WebIdentityKeys interface {
	// Keys returns the key set of the provider at providerURL (IAM's form:
	// host[:port][/path]), trusting its server through thumbprints; refresh
	// asks for keys newer than the cached ones. Errors wrap
	// oidc.ErrThumbprint or oidc.ErrFetch.
	Keys(ctx context.Context, providerURL string, thumbprints []string, refresh bool) (*oidc.KeySet, error)
}

// UseWebIdentityKeys sets where AssumeRoleWithWebIdentity gets providers'
// keys. Without it, the operation answers IDPCommunicationError. Set before
// serving.
func (s *Service) UseWebIdentityKeys(k WebIdentityKeys) { s.webKeys = k }

// clockSkew is the tolerance of the token's exp, nbf and iat.
const clockSkew = time.Minute

// Claims of ID tokens that AWS reads for session tags and source identity
// (id_session-tags, id_credentials_temp_control-access_monitor).
const (
	tagsClaim           = "https://aws.amazon.com/tags"
	sourceIdentityClaim = "https://aws.amazon.com/source_identity"
)

// AWS's messages for refused tokens.
const (
	// msgNotJWT: "InvalidIdentityToken: The ID Token provided is not a valid
	// JWT. (You may see this error if you sent an Access Token)".
	msgNotJWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
	// msgThumbprint: aws-actions/configure-aws-credentials#357,
	// hashicorp-education/learn-terraform-dynamic-credentials#2.
	msgThumbprint = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
	// msgKeys: AWS's IDPCommunicationError, double space included.
	msgKeys = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
	// msgAudience: "InvalidIdentityToken: Incorrect token audience".
	msgAudience = "Incorrect token audience"
	// msgSignature is the model's description of InvalidIdentityToken.
	msgSignature = "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."
	// msgDenied: "AccessDenied: Not authorized to perform
	// sts:AssumeRoleWithWebIdentity" — AWS names no principal, the caller
	// has none.
	msgDenied = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
)

// webIdentity is a verified ID token and the provider that issued it.
type webIdentity struct {
	provider store.OIDCProvider
	claims   oidc.Claims
	// audience is the client id the token was issued to (azp when set, as
	// for Google's hybrid apps, else the aud that is a registered client id).
	audience string
}

// assumeRoleWithWebIdentity issues role credentials to the bearer of an ID
// token from an OpenID Connect provider registered in the role's account. The
// request is unsigned: the token authenticates, and the role's trust policy
// alone decides, with the provider as the principal
// (Principal {"Federated": PROVIDER-ARN}) and the token's claims as
// PROVIDER-URL:aud, :oaud, :sub and :amr.
func (s *Service) assumeRoleWithWebIdentity(ctx context.Context, c *identity.Caller, in *stsapi.AssumeRoleWithWebIdentityRequest) (*stsapi.AssumeRoleWithWebIdentityResponse, error) {
	now := s.now()
	if in.ProviderId != nil {
		// OAuth 2.0 access tokens of www.amazon.com and graph.facebook.com
		// are verified by those providers' own APIs, which Gatehouse does not
		// call; "Do not specify this value for OpenID Connect ID tokens."
		return nil, awserr.InvalidParameterValue("ProviderId %s is not supported: Gatehouse accepts OpenID Connect ID tokens only, which take no ProviderId.", *in.ProviderId)
	}
	acct, name, ok := parseRoleARN(in.RoleArn)
	if !ok {
		return nil, awserr.AccessDenied(msgDenied)
	}
	wi, err := s.verifyWebIdentity(ctx, acct, in.WebIdentityToken, now)
	if err != nil {
		return nil, err
	}
	tags, transitive, sourceIdentity, err := tokenSessionAttributes(wi.claims)
	if err != nil {
		return nil, err
	}
	r, err := s.assumeFederated(ctx, c, &federated{
		action: "sts:AssumeRoleWithWebIdentity", denied: msgDenied,
		account: acct, roleName: name, roleARN: in.RoleArn, provider: wi.provider.ARN, sessionName: in.RoleSessionName,
		duration: in.DurationSeconds, policy: in.Policy, arns: in.PolicyArns,
		tags: tags, transitive: transitive, sourceIdentity: sourceIdentity,
		context: webIdentityContext(c, wi, in.RoleSessionName, now),
	}, now)
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleWithWebIdentityResponse{
		Credentials:                 r.creds,
		SubjectFromWebIdentityToken: &wi.claims.Subject,
		AssumedRoleUser:             r.user,
		Provider:                    &wi.claims.Issuer,
		Audience:                    &wi.audience,
		PackedPolicySize:            r.packed,
	}
	if sourceIdentity != "" {
		out.SourceIdentity = &sourceIdentity
	}
	s.log.Debug("assumed role with web identity", "role", in.RoleArn, "session", in.RoleSessionName, "provider", wi.provider.ARN)
	return out, nil
}

// crossAccount returns an account id other than acct.
func crossAccount(acct string) string {
	if acct == "000000000000" {
		return "000000000001"
	}
	return "000000000000"
}

// verifyWebIdentity verifies an ID token for account: its issuer is an OIDC
// provider registered there, its signature verifies with the provider's
// keys, it is within its lifetime, and its audience is one of the provider's
// client ids.
func (s *Service) verifyWebIdentity(ctx context.Context, account, raw string, now time.Time) (*webIdentity, error) {
	tok, err := oidc.Parse(raw)
	if err != nil {
		return nil, awserr.InvalidIdentityToken(msgNotJWT).WithCause(err)
	}
	if tok.Alg == "none" || !strings.HasPrefix(tok.Alg, "RS") && !strings.HasPrefix(tok.Alg, "ES") {
		return nil, awserr.InvalidIdentityToken("The ID Token is signed with algorithm %q; tokens must be signed with RS256, RS384, RS512, ES256, ES384 or ES512.", tok.Alg)
	}
	cl := tok.Claims
	if cl.Issuer == "" {
		return nil, awserr.InvalidIdentityToken("Missing a required claim: iss")
	}

	// The provider: looked up in the role's account before any egress, so
	// that an unregistered issuer makes the server fetch nothing.
	unknown := awserr.InvalidIdentityToken("No OpenIDConnect provider found in your account for %s", cl.Issuer)
	purl, err := store.OIDCProviderURL(cl.Issuer)
	if err != nil {
		return nil, unknown
	}
	var p store.OIDCProvider
	err = s.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		p, err = store.GetJSON[store.OIDCProvider](ctx, tx, store.KindOIDCProvider, account, store.OIDCProviderKey(purl))
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, unknown
	}
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}

	// The signature, with the provider's keys; a kid not in the cached keys
	// asks for fresh ones once (keys rotate).
	if s.webKeys == nil {
		return nil, awserr.IDPCommunicationError(msgKeys).WithCause(errors.New("sts: no web identity key source configured"))
	}
	verr := oidc.ErrNoKey
	for _, refresh := range []bool{false, true} {
		keys, err := s.webKeys.Keys(ctx, p.URL, p.Thumbprints, refresh)
		switch {
		case errors.Is(err, oidc.ErrThumbprint):
			return nil, awserr.InvalidIdentityToken(msgThumbprint).WithCause(err)
		case err != nil:
			return nil, awserr.IDPCommunicationError(msgKeys).WithCause(err)
		}
		if verr = tok.Verify(keys); !errors.Is(verr, oidc.ErrNoKey) {
			break
		}
	}
	if verr != nil {
		return nil, awserr.InvalidIdentityToken(msgSignature).WithCause(verr)
	}

	// The lifetime. ExpiredTokenException's message is AWS's, e.g. "Token
	// expired: current date/time 1686321404 must be before the expiration
	// date/time1686309011" (aws-actions/configure-aws-credentials#737; the
	// missing space is a typo Gatehouse does not copy).
	t := now.Unix()
	skew := int64(clockSkew / time.Second)
	if !cl.HasExpiry {
		return nil, awserr.InvalidIdentityToken("Missing a required claim: exp")
	}
	if t >= cl.Expiry+skew {
		return nil, awserr.ExpiredTokenException("Token expired: current date/time %d must be before the expiration date/time %d", t, cl.Expiry)
	}
	if cl.HasNotBefore && t+skew < cl.NotBefore {
		return nil, awserr.InvalidIdentityToken("Token is not yet valid: current date/time %d must be after the not-before date/time %d", t, cl.NotBefore)
	}
	if cl.HasIssuedAt && t+skew < cl.IssuedAt {
		return nil, awserr.InvalidIdentityToken("Token was issued in the future: current date/time %d must be after the issue date/time %d", t, cl.IssuedAt)
	}
	if cl.Subject == "" {
		return nil, awserr.InvalidIdentityToken("Missing a required claim: sub")
	}

	// The audience: azp when present, else an aud, must be a client id.
	wi := &webIdentity{provider: p, claims: cl}
	switch {
	case cl.AuthorizedParty != "":
		if slices.Contains(p.ClientIDs, cl.AuthorizedParty) {
			wi.audience = cl.AuthorizedParty
		}
	default:
		for _, a := range cl.Audience {
			if slices.Contains(p.ClientIDs, a) {
				wi.audience = a
				break
			}
		}
	}
	if wi.audience == "" {
		return nil, awserr.InvalidIdentityToken(msgAudience)
	}
	return wi, nil
}

// webIdentityContext is the request context of the trust decision: the
// request's facts, aws:FederatedProvider, the provider's claim keys and
// sts:RoleSessionName. The caller is unauthenticated, so no aws:Principal*
// key is present.
func webIdentityContext(c *identity.Caller, wi *webIdentity, sessionName string, now time.Time) *policy.Context {
	ctx := policy.NewContext(16)
	if !c.Time.IsZero() {
		now = c.Time
	}
	ctx.Set("aws:CurrentTime", now.UTC().Format(time.RFC3339))
	ctx.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	ctx.Set("aws:SecureTransport", boolString(c.SecureTransport))
	if c.SourceIP != "" {
		ctx.Set("aws:SourceIp", c.SourceIP)
	}
	if c.Region != "" {
		ctx.Set("aws:RequestedRegion", c.Region)
	}
	ctx.Set("aws:FederatedProvider", wi.provider.ARN)
	ctx.Set("sts:RoleSessionName", sessionName)
	// PROVIDER:aud is azp when the token has one (and aud is then :oaud), as
	// for accounts.google.com (reference_policies_iam-condition-keys).
	prefix := wi.provider.URL + ":"
	ctx.Set(prefix+"aud", wi.audience)
	if len(wi.claims.Audience) > 0 {
		ctx.Set(prefix+"oaud", wi.claims.Audience...)
	}
	ctx.Set(prefix+"sub", wi.claims.Subject)
	if len(wi.claims.AMR) > 0 {
		ctx.Set(prefix+"amr", wi.claims.AMR...)
	}
	return ctx
}

// tokenSessionAttributes reads the session tags and the source identity an
// identity provider passes in the token: the https://aws.amazon.com/tags
// claim ({"principal_tags": {KEY: [VALUE]}, "transitive_tag_keys": [KEY]})
// and https://aws.amazon.com/source_identity.
func tokenSessionAttributes(cl oidc.Claims) ([]session.Tag, []string, string, error) {
	var sourceIdentity string
	if raw, ok := cl.Raw[sourceIdentityClaim]; ok {
		if json.Unmarshal(raw, &sourceIdentity) != nil || !validSourceIdentity(sourceIdentity) {
			return nil, nil, "", awserr.InvalidIdentityToken("The claim %s must be a string of 2 to 64 characters from [\\w+=,.@-].", sourceIdentityClaim)
		}
	}
	raw, ok := cl.Raw[tagsClaim]
	if !ok {
		return nil, nil, sourceIdentity, nil
	}
	var claim struct {
		PrincipalTags     map[string][]string `json:"principal_tags"`
		TransitiveTagKeys []string            `json:"transitive_tag_keys"`
	}
	if err := json.Unmarshal(raw, &claim); err != nil {
		return nil, nil, "", awserr.InvalidIdentityToken("The claim %s is malformed: principal_tags maps each tag key to a list of one value.", tagsClaim)
	}
	keys := make([]string, 0, len(claim.PrincipalTags))
	for k := range claim.PrincipalTags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var in []stsapi.Tag
	for _, k := range keys {
		v := claim.PrincipalTags[k]
		if len(v) != 1 || len(k) == 0 || len(k) > 128 || len(v[0]) > 256 {
			return nil, nil, "", awserr.InvalidIdentityToken("The claim %s is malformed: tag %q must have one value, its key 1 to 128 characters and its value up to 256.", tagsClaim, k)
		}
		in = append(in, stsapi.Tag{Key: k, Value: v[0]})
	}
	tags, transitive, err := sessionTags(nil, in, claim.TransitiveTagKeys)
	if err != nil {
		return nil, nil, "", err
	}
	return tags, transitive, sourceIdentity, nil
}

// validSourceIdentity checks a source identity against the model's pattern.
func validSourceIdentity(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r)) {
			return false
		}
	}
	return true
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

package sts

import (
	"context"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // saml:namequalifier is SHA-1 by AWS's definition, not a security use
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/saml"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
)

// The attributes AWS reads from a SAML assertion (IAM User Guide,
// id_roles_providers_create_saml_assertions.md). Their names are
// case-sensitive.
const (
	samlAttrPrefix          = "https://aws.amazon.com/SAML/Attributes/"
	samlRoleAttr            = samlAttrPrefix + "Role"
	samlRoleSessionNameAttr = samlAttrPrefix + "RoleSessionName"
	samlSessionDurationAttr = samlAttrPrefix + "SessionDuration"
	samlSourceIdentityAttr  = samlAttrPrefix + "SourceIdentity"
	samlTransitiveAttr      = samlAttrPrefix + "TransitiveTagKeys"
	samlPrincipalTagPrefix  = samlAttrPrefix + "PrincipalTag:"
)

// samlEndpoints are the AWS sign-in endpoints a response may be addressed
// to (its Recipient, which becomes saml:aud) and its audience: the
// global and regional https://region-code.signin.aws.amazon.com/saml, and
// https://signin.aws.amazon.com/static/saml (IAM User Guide,
// id_roles_providers_create_saml_assertions.md, "Subject and NameID").
// urn:amazon:webservices, the entityID of AWS's service provider metadata
// (https://signin.aws.amazon.com/static/saml-metadata.xml), is an audience
// too.
func samlEndpoint(u string) bool {
	if u == "https://signin.aws.amazon.com/saml" || u == "https://signin.aws.amazon.com/static/saml" {
		return true
	}
	region, ok := strings.CutPrefix(u, "https://")
	region, ok2 := strings.CutSuffix(region, ".signin.aws.amazon.com/saml")
	return ok && ok2 && region != "" && strings.Trim(region, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

func samlAudience(u string) bool { return u == "urn:amazon:webservices" || samlEndpoint(u) }

// AWS's messages for refused SAML responses (IAM User Guide,
// troubleshoot_saml.md, unless said otherwise).
const (
	msgSAMLDenied          = "Not authorized to perform sts:AssumeRoleWithSAML"
	msgSAMLSignature       = "Response signature invalid"
	msgSAMLIssuer          = "Issuer not present in specified provider"
	msgSAMLNoProvider      = "Specified provider doesn't exist."
	msgSAMLAudience        = "Response does not contain the required audience."
	msgSAMLNoSessionName   = "RoleSessionName is required in AuthnResponse"
	msgSAMLBadSessionName  = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"
	msgSAMLSourceIdentity  = "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\""
	msgSAMLRejected        = "The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid." // the model's IDPRejectedClaim
	msgSAMLMalformed       = "The SAMLAssertion is not a base64-encoded SAML 2.0 Response with one assertion."
	msgSAMLEncrypted       = "The SAML assertion is encrypted, and the SAML provider has no private key to decrypt it."
	msgSAMLDecrypt         = "The SAML assertion could not be decrypted with the SAML provider's private keys."
	msgSAMLNeedsEncryption = "The SAML provider requires encrypted assertions."
	msgSAMLReplay          = "The SAML assertion has already been used."
)

// samlKeys maps the SAML attribute names AWS reads into trust policy keys
// (IAM User Guide, id_roles_providers_create_saml_assertions.md, "Mapping
// SAML attributes to AWS trust policy context keys").
var samlKeys = map[string]string{
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.1":                                        "saml:edupersonaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.2":                                        "saml:edupersonnickname",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.3":                                        "saml:edupersonorgdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.4":                                        "saml:edupersonorgunitdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.5":                                        "saml:edupersonprimaryaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.6":                                        "saml:edupersonprincipalname",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.7":                                        "saml:edupersonentitlement",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.8":                                        "saml:edupersonprimaryorgunitdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.9":                                        "saml:edupersonscopedaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.10":                                       "saml:edupersontargetedid",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.11":                                       "saml:edupersonassurance",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.2":                                        "saml:eduorghomepageuri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.3":                                        "saml:eduorgidentityauthnpolicyuri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.4":                                        "saml:eduorglegalname",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.5":                                        "saml:eduorgsuperioruri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.6":                                        "saml:eduorgwhitepagesuri",
	"urn:oid:2.5.4.3":                                                         "saml:cn",
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name":              "saml:name",
	"http://schemas.xmlsoap.org/claims/CommonName":                            "saml:commonName",
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname":         "saml:givenName",
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname":           "saml:surname",
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress":      "saml:mail",
	"http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid": "saml:uid",
	"2.5.4.3":                    "saml:commonName",
	"2.5.4.4":                    "saml:surname",
	"2.4.5.42":                   "saml:givenName",
	"2.5.4.45":                   "saml:x500UniqueIdentifier",
	"0.9.2342.19200300100.1.1":   "saml:uid",
	"0.9.2342.19200300100.1.3":   "saml:mail",
	"0.9.2342.19200300.100.1.45": "saml:organizationStatus",
}

// Name ID formats whose saml:sub_type is a short word (IAM User Guide,
// id_roles_providers_saml.md, "saml:sub_type").
const (
	nameIDPersistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	nameIDTransient  = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
)

// samlProviderOf parses arn:aws:iam::ACCOUNT:saml-provider/NAME.
func samlProviderOf(s string) (account, name string, ok bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Partition != arn.Partition || a.Service != "iam" || a.Region != "" || !store.IsAccountID(a.Account) {
		return "", "", false
	}
	name, ok = strings.CutPrefix(a.Resource, "saml-provider/")
	return a.Account, name, ok && name != ""
}

// assumeRoleWithSAML issues role credentials to the bearer of a SAML
// response from a provider registered in the role's account. The request is
// unsigned: the response's signature authenticates, and the role's trust
// policy alone decides, with the provider as principal and the assertion's
// saml:* keys.
func (s *Service) assumeRoleWithSAML(ctx context.Context, c *identity.Caller, in *stsapi.AssumeRoleWithSAMLRequest) (*stsapi.AssumeRoleWithSAMLResponse, error) {
	now := s.now()
	acct, roleName, ok := parseRoleARN(in.RoleArn)
	if !ok {
		return nil, awserr.AccessDenied(msgSAMLDenied)
	}
	pacct, pname, ok := samlProviderOf(in.PrincipalArn)
	if !ok || pacct != acct {
		return nil, awserr.InvalidIdentityToken(msgSAMLNoProvider)
	}
	var p store.SAMLProvider
	err := s.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		p, err = store.GetJSON[store.SAMLProvider](ctx, tx, store.KindSAMLProvider, acct, store.SAMLProviderKey(pname))
		return err
	})
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.ARN != in.PrincipalArn) {
		return nil, awserr.InvalidIdentityToken(msgSAMLNoProvider)
	}
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	a, err := s.verifySAML(&p, in.SAMLAssertion, now)
	if err != nil {
		return nil, err
	}

	// The role and provider the identity provider maps the user to: a pair
	// of the Role attribute, in either order.
	pairs, _ := a.Values(samlRoleAttr)
	if !slices.ContainsFunc(pairs, func(v string) bool {
		x, y, ok := strings.Cut(v, ",")
		x, y = strings.TrimSpace(x), strings.TrimSpace(y)
		return ok && (x == in.RoleArn && y == in.PrincipalArn || x == in.PrincipalArn && y == in.RoleArn)
	}) {
		return nil, awserr.AccessDenied(msgSAMLDenied)
	}
	if a.Subject == "" {
		// "This error can also occur if the SAML response does not include
		// a Subject containing a NameID." (troubleshoot_saml.md)
		return nil, awserr.AccessDenied(msgSAMLDenied)
	}
	sessionName, err := samlSessionName(a)
	if err != nil {
		return nil, err
	}
	tags, transitive, sourceIdentity, err := samlSessionAttributes(a)
	if err != nil {
		return nil, err
	}
	until, err := samlSessionEnd(a, now)
	if err != nil {
		return nil, err
	}

	qualifier := nameQualifier(a.Issuer, acct, p.Name)
	subType := subjectType(a.SubjectFormat)
	// saml:namequalifier, saml:sub and saml:sub_type identify the user in
	// the session's permission policies too (id_roles_providers_saml.md).
	keys := map[string]string{"saml:namequalifier": qualifier, "saml:sub": a.Subject}
	if subType != "" {
		keys["saml:sub_type"] = subType
	}
	r, err := s.assumeFederated(ctx, c, &federated{
		action: "sts:AssumeRoleWithSAML", denied: msgSAMLDenied,
		account: acct, roleName: roleName, roleARN: in.RoleArn, provider: p.ARN, sessionName: sessionName,
		duration: in.DurationSeconds, until: until, policy: in.Policy, arns: in.PolicyArns,
		tags: tags, transitive: transitive, sourceIdentity: sourceIdentity,
		context: samlContext(c, a, p.ARN, acct+"/"+p.Name, qualifier, sessionName, now), keys: keys,
		before: func() error { return s.useAssertion(ctx, acct, p.ARN, a, now) },
	}, now)
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleWithSAMLResponse{
		Credentials: r.creds, AssumedRoleUser: r.user, PackedPolicySize: r.packed,
		Subject: &a.Subject, Issuer: &a.Issuer, Audience: &a.Recipient, NameQualifier: &qualifier,
	}
	if subType != "" {
		out.SubjectType = &subType
	}
	if sourceIdentity != "" {
		out.SourceIdentity = &sourceIdentity
	}
	s.log.Debug("assumed role with SAML", "role", in.RoleArn, "session", sessionName, "provider", p.ARN)
	return out, nil
}

// verifySAML verifies a SAML response for provider p at now: its
// signature with the metadata's certificates, its issuer, recipient,
// audience and lifetime.
func (s *Service) verifySAML(p *store.SAMLProvider, raw string, now time.Time) (*saml.Assertion, error) {
	md, err := saml.ParseMetadata([]byte(p.Metadata))
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	var keys []*rsa.PrivateKey
	if len(p.PrivateKeys) > 0 && s.samlKeys != nil {
		if keys, err = s.samlKeys.SAMLDecryptionKeys(p); err != nil {
			return nil, awserr.InternalFailure(err)
		}
	}
	a, err := saml.ParseResponse(raw, saml.Options{Certificates: md.Certificates, DecryptionKeys: keys, Now: now})
	switch {
	case errors.Is(err, saml.ErrSignature):
		return nil, awserr.InvalidIdentityToken(msgSAMLSignature).WithCause(err)
	case errors.Is(err, saml.ErrEncrypted):
		return nil, awserr.InvalidIdentityToken(msgSAMLEncrypted).WithCause(err)
	case errors.Is(err, saml.ErrDecrypt):
		return nil, awserr.InvalidIdentityToken(msgSAMLDecrypt).WithCause(err)
	case errors.Is(err, saml.ErrStatus):
		return nil, awserr.IDPRejectedClaim(msgSAMLRejected).WithCause(err)
	case err != nil:
		return nil, awserr.InvalidIdentityToken(msgSAMLMalformed).WithCause(err)
	}
	if p.AssertionEncryptionMode == "Required" && !a.Encrypted {
		return nil, awserr.InvalidIdentityToken(msgSAMLNeedsEncryption)
	}
	if a.Issuer != md.EntityID {
		return nil, awserr.InvalidIdentityToken(msgSAMLIssuer)
	}
	if !samlEndpoint(a.Recipient) {
		return nil, awserr.InvalidIdentityToken("The Recipient %s of the SubjectConfirmationData is not an AWS sign-in SAML endpoint.", a.Recipient)
	}
	if !slices.ContainsFunc(a.Audiences, samlAudience) {
		return nil, awserr.InvalidIdentityToken(msgSAMLAudience)
	}
	// The lifetime, with the clock skew ID tokens get. The message follows
	// AWS's ExpiredTokenException of ID tokens (see verifyWebIdentity).
	t, skew := now.Unix(), int64(clockSkew/time.Second)
	if exp := a.Expiry(); t >= exp.Unix()+skew {
		return nil, awserr.ExpiredTokenException("Token expired: current date/time %d must be before the expiration date/time %d", t, exp.Unix())
	}
	if !a.NotBefore.IsZero() && t+skew < a.NotBefore.Unix() {
		return nil, awserr.InvalidIdentityToken("Assertion is not yet valid: current date/time %d must be after the not-before date/time %d", t, a.NotBefore.Unix())
	}
	return a, nil
}

// useAssertion records an assertion as used until it expires, in the store,
// so that it is accepted once across every node; a second use is refused.
// Records are kept in order of expiry, and the expired ones at the head are
// removed as new ones are written (at most pruneBatch at a time).
func (s *Service) useAssertion(ctx context.Context, account, provider string, a *saml.Assertion, now time.Time) error {
	expiry := a.Expiry().Add(clockSkew).UTC()
	key := store.SAMLAssertionKey(expiry, a.Issuer, a.ID)
	err := s.st.Update(ctx, func(tx store.Tx) error {
		err := store.CreateJSON(ctx, tx, store.KindSAMLAssertion, account, key, store.SAMLAssertion{Provider: provider, Expiry: expiry})
		if errors.Is(err, store.ErrAlreadyExists) {
			return awserr.InvalidIdentityToken(msgSAMLReplay)
		}
		if err != nil {
			return err
		}
		head, err := store.ListJSON[store.SAMLAssertion](ctx, tx, store.ListOptions{Kind: store.KindSAMLAssertion, Account: account, Limit: pruneBatch})
		if err != nil {
			return err
		}
		for _, e := range head {
			if now.Before(e.Value.Expiry) {
				break
			}
			if err := tx.Delete(ctx, store.KindSAMLAssertion, account, e.Key); err != nil {
				return err
			}
		}
		return nil
	})
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae
	}
	if err != nil {
		return awserr.InternalFailure(err)
	}
	return nil
}

// pruneBatch bounds the expired assertion records one AssumeRoleWithSAML
// removes: more than one, so that the records never grow faster than they
// are removed.
const pruneBatch = 16

// samlSessionName reads the RoleSessionName attribute.
func samlSessionName(a *saml.Assertion) (string, error) {
	v, ok := a.Values(samlRoleSessionNameAttr)
	if !ok || len(v) == 0 || v[0] == "" {
		return "", awserr.InvalidIdentityToken(msgSAMLNoSessionName)
	}
	if len(v) != 1 || !validSourceIdentity(v[0]) {
		return "", awserr.InvalidIdentityToken(msgSAMLBadSessionName)
	}
	return v[0], nil
}

// samlSessionAttributes reads the session tags (PrincipalTag:KEY
// attributes, one value each), TransitiveTagKeys and SourceIdentity.
func samlSessionAttributes(a *saml.Assertion) ([]session.Tag, []string, string, error) {
	var sourceIdentity string
	if v, ok := a.Values(samlSourceIdentityAttr); ok {
		if len(v) != 1 || !validSourceIdentity(v[0]) {
			return nil, nil, "", awserr.InvalidIdentityToken(msgSAMLSourceIdentity)
		}
		sourceIdentity = v[0]
	}
	var in []stsapi.Tag
	for _, at := range a.Attributes {
		k, ok := strings.CutPrefix(at.Name, samlPrincipalTagPrefix)
		if !ok {
			continue
		}
		if len(at.Values) != 1 || k == "" || len(k) > 128 || len(at.Values[0]) > 256 {
			return nil, nil, "", awserr.InvalidIdentityToken("The attribute %s must have one value of up to 256 characters, its tag key 1 to 128 characters.", at.Name)
		}
		in = append(in, stsapi.Tag{Key: k, Value: at.Values[0]})
	}
	transitive, _ := a.Values(samlTransitiveAttr)
	tags, keys, err := sessionTags(nil, in, transitive)
	if err != nil {
		return nil, nil, "", err
	}
	return tags, keys, sourceIdentity, nil
}

// samlSessionEnd is when the session must end at the latest: the
// AuthnStatement's SessionNotOnOrAfter, or now plus the SessionDuration
// attribute, whichever is earlier (id_roles_providers_create_saml_assertions,
// "SessionDuration": in an AssumeRoleWithSAML call it can only shorten the
// session). Zero when neither is given.
func samlSessionEnd(a *saml.Assertion, now time.Time) (time.Time, error) {
	end := a.SessionNotOnOrAfter
	if v, ok := a.Values(samlSessionDurationAttr); ok {
		n, err := strconv.Atoi(strings.Join(v, ","))
		if err != nil || n < 900 || n > 43200 {
			return time.Time{}, awserr.InvalidIdentityToken("SessionDuration in AuthnResponse must be an integer from 900 to 43200.")
		}
		if d := now.Add(time.Duration(n) * time.Second); end.IsZero() || d.Before(end) {
			end = d
		}
	}
	if !end.IsZero() && end.Sub(now) < 900*time.Second {
		// STS sessions last 15 minutes at least.
		return time.Time{}, awserr.InvalidIdentityToken("The session ends at %s, less than 15 minutes from now.", end.UTC().Format(time.RFC3339))
	}
	return end, nil
}

// nameQualifier is saml:namequalifier: Base64(SHA1(issuer + account + "/" +
// provider name)) (IAM User Guide, id_roles_providers_saml.md).
func nameQualifier(issuer, account, provider string) string {
	h := sha1.Sum([]byte(issuer + account + "/" + provider)) //nolint:gosec // AWS's definition
	return base64.StdEncoding.EncodeToString(h[:])
}

// subjectType is saml:sub_type: persistent, transient, or the full Format.
func subjectType(format string) string {
	switch format {
	case nameIDPersistent:
		return "persistent"
	case nameIDTransient:
		return "transient"
	}
	return format
}

// samlContext is the request context of the trust decision: the request's
// facts, aws:FederatedProvider, sts:RoleSessionName and the saml:* keys.
func samlContext(c *identity.Caller, a *saml.Assertion, provider, doc, qualifier, sessionName string, now time.Time) *policy.Context {
	ctx := policy.NewContext(24)
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
	ctx.Set("aws:FederatedProvider", provider)
	ctx.Set("sts:RoleSessionName", sessionName)
	// saml:aud is the Recipient, "the SAML equivalent to the OIDC audience
	// field" (id_roles_providers_create_saml_assertions.md).
	ctx.Set("saml:aud", a.Recipient)
	ctx.Set("saml:iss", a.Issuer)
	ctx.Set("saml:sub", a.Subject)
	if t := subjectType(a.SubjectFormat); t != "" {
		ctx.Set("saml:sub_type", t)
	}
	ctx.Set("saml:doc", doc)
	ctx.Set("saml:namequalifier", qualifier)
	// "You should include only one claim per AWS context key. If you include
	// more than one, only one claim will be mapped": the first.
	seen := map[string]bool{}
	for _, at := range a.Attributes {
		if k, ok := samlKeys[at.Name]; ok && !seen[k] && len(at.Values) > 0 {
			seen[k] = true
			ctx.Set(k, at.Values...)
		}
	}
	return ctx
}

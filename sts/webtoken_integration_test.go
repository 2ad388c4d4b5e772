package sts_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/oidc"
)

// wantError checks an API error's code, HTTP status and message prefix.
func wantError(t *testing.T, err error, code string, status int, msgPrefix string) {
	t.Helper()
	got, msg := apiError(err)
	var re *awshttp.ResponseError
	st := 0
	if errors.As(err, &re) {
		st = re.HTTPStatusCode()
	}
	if got != code || st != status || !strings.HasPrefix(msg, msgPrefix) {
		t.Fatalf("error %v (code %q, status %d, %q), want %s %d %q…", err, got, st, msg, code, status, msgPrefix)
	}
}

// relyingParty verifies tokens as an OpenID Connect relying party does:
// it reads the issuer's discovery document over HTTP, takes the key set
// from its jwks_uri, and checks the signature (go-jose, an implementation
// independent of Gatehouse's), iss, aud and exp.
type relyingParty struct {
	t      *testing.T
	issuer string
}

func (rp relyingParty) get(url string) []byte {
	rp.t.Helper()
	resp, err := http.Get(url) //nolint:noctx // a test's plain GET
	if err != nil {
		rp.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		rp.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		rp.t.Fatalf("GET %s: %d %s %s", url, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return body
}

// keys returns the issuer's key set, as published.
func (rp relyingParty) keys() (jose.JSONWebKeySet, []byte) {
	rp.t.Helper()
	var disc struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := json.Unmarshal(rp.get(rp.issuer+"/.well-known/openid-configuration"), &disc); err != nil {
		rp.t.Fatal(err)
	}
	// OpenID Connect Discovery 1.0 section 4.3: the issuer in the
	// document is exactly the URL it was read under.
	if disc.Issuer != rp.issuer || disc.JWKSURI != rp.issuer+"/.well-known/jwks.json" {
		rp.t.Fatalf("discovery document %+v for issuer %s", disc, rp.issuer)
	}
	raw := rp.get(disc.JWKSURI)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		rp.t.Fatal(err)
	}
	return set, raw
}

// verify checks a token and returns its standard and AWS claims.
func (rp relyingParty) verify(raw, audience string, now time.Time) (jwt.Claims, map[string]any, string) {
	rp.t.Helper()
	set, rawSet := rp.keys()
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES384})
	if err != nil {
		rp.t.Fatalf("parse the token: %v", err)
	}
	var std jwt.Claims
	var all map[string]any
	if err := tok.Claims(&set, &std, &all); err != nil {
		rp.t.Fatalf("verify the token's signature: %v", err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: rp.issuer, AnyAudience: jwt.Audience{audience}, Time: now}, 0); err != nil {
		rp.t.Fatalf("validate the token's claims: %v", err)
	}
	// Gatehouse's own relying party (the ID token verification of
	// AssumeRoleWithWebIdentity) agrees.
	ks, err := oidc.ParseJWKS(rawSet)
	if err != nil {
		rp.t.Fatal(err)
	}
	ot, err := oidc.Parse(raw)
	if err != nil {
		rp.t.Fatal(err)
	}
	if err := ot.Verify(ks); err != nil {
		rp.t.Fatalf("oidc.Verify: %v", err)
	}
	aws, _ := all["https://sts.amazonaws.com/"].(map[string]any)
	return std, aws, tok.Headers[0].Algorithm
}

// TestGetWebIdentityToken follows the IAM User Guide's "Getting started
// with outbound identity federation" and "Understanding token claims" and
// the STS API reference of GetWebIdentityToken: the account enables the
// feature, a principal allowed sts:GetWebIdentityToken (with the
// sts:IdentityTokenAudience and sts:DurationSeconds conditions AWS's
// example policies use) obtains a JWT signed with RS256 or ES384, and a
// relying party verifies it against the issuer's discovery document and
// key set, read over HTTP from the running server.
func TestGetWebIdentityToken(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	const aud = "https://api.example.com"

	user := newUser(t, root, "app", `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*",
	  "Condition":{"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":"`+aud+`"},"NumericLessThanEquals":{"sts:DurationSeconds":"900"}}},
	 {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	if _, err := root.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("app"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}); err != nil {
		t.Fatal(err)
	}
	st := srv.STSClient(user.id, user.secret)
	get := func(c *awssts.Client, in *awssts.GetWebIdentityTokenInput) (*awssts.GetWebIdentityTokenOutput, error) {
		return c.GetWebIdentityToken(ctx, in)
	}

	// Before the account enables the feature, STS refuses.
	_, err := get(st, &awssts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("RS256")})
	wantError(t, err, "OutboundWebIdentityFederationDisabledException", 403, "The outbound web identity federation feature is not enabled for this account.")

	en, err := root.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	issuer := aws.ToString(en.IssuerIdentifier)
	if !strings.HasPrefix(issuer, srv.URL+"/outbound-federation/") {
		t.Fatalf("issuer %q is not under the server's URL %s", issuer, srv.URL)
	}
	rp := relyingParty{t: t, issuer: issuer}

	for _, alg := range []string{"RS256", "ES384"} {
		before := time.Now().Truncate(time.Second)
		out, err := get(st, &awssts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String(alg)})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		std, claims, gotAlg := rp.verify(aws.ToString(out.WebIdentityToken), aud, time.Now())
		if gotAlg != alg {
			t.Errorf("signed with %s, want %s", gotAlg, alg)
		}
		// The default lifetime is 300 seconds, and Expiration is exp.
		exp := aws.ToTime(out.Expiration)
		if d := exp.Sub(before); d < 299*time.Second || d > 302*time.Second || !std.Expiry.Time().Equal(exp) {
			t.Errorf("%s: Expiration %v (exp %v), want 300 s after %v", alg, exp, std.Expiry.Time(), before)
		}
		if std.Subject != "arn:aws:iam::"+acct+":user/app" || std.ID == "" || std.IssuedAt == nil {
			t.Errorf("%s: claims %+v", alg, std)
		}
		if claims["aws_account"] != acct || claims["source_region"] != "us-east-1" || claims["principal_id"] != std.Subject {
			t.Errorf("%s: AWS claims %v", alg, claims)
		}
		if tags, _ := claims["principal_tags"].(map[string]any); tags["team"] != "data" {
			t.Errorf("%s: principal_tags %v", alg, claims["principal_tags"])
		}
	}

	// The audience and duration conditions decide; the model bounds
	// DurationSeconds and Audience; SigningAlgorithm is RS256 or ES384.
	_, err = get(st, &awssts.GetWebIdentityTokenInput{Audience: []string{aud, "https://other.example.com"}, SigningAlgorithm: aws.String("RS256")})
	wantError(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+acct+":user/app is not authorized to perform: sts:GetWebIdentityToken")
	_, err = get(st, &awssts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(1800)})
	wantError(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+acct+":user/app is not authorized to perform: sts:GetWebIdentityToken")
	_, err = get(st, &awssts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(30)})
	wantError(t, err, "ValidationError", 400, "1 validation error detected: Value '30' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60")
	_, err = get(st, &awssts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("HS256")})
	wantError(t, err, "ValidationError", 400, "1 validation error detected: Value at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]")
	// Tags need sts:TagGetWebIdentityToken too.
	tagged := &awssts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("ES384"), DurationSeconds: aws.Int32(900),
		Tags: []ststypes.Tag{{Key: aws.String("job-id"), Value: aws.String("job-1")}}}
	_, err = get(st, tagged)
	wantError(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+acct+":user/app is not authorized to perform: sts:TagGetWebIdentityToken")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("app"), PolicyName: aws.String("tag"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:TagGetWebIdentityToken","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["job-id"]}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	out, err := get(st, tagged)
	if err != nil {
		t.Fatal(err)
	}
	std, claims, _ := rp.verify(aws.ToString(out.WebIdentityToken), aud, time.Now())
	if rt, _ := claims["request_tags"].(map[string]any); rt["job-id"] != "job-1" {
		t.Errorf("request_tags %v", claims["request_tags"])
	}
	if d := std.Expiry.Time().Sub(std.IssuedAt.Time()); d != 900*time.Second {
		t.Errorf("lifetime %v, want 900 s", d)
	}
	tagged.Tags = append(tagged.Tags, ststypes.Tag{Key: aws.String("job-id"), Value: aws.String("x")})
	_, err = get(st, tagged)
	wantError(t, err, "InvalidParameterValue", 400, "Duplicate tag keys found.")

	// A role session's token names the role; it cannot outlive the session.
	roleARN := newRole(t, root, "worker", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"sts:AssumeRole"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"}]}`, 0)
	ar, err := st.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	rs := awssts.NewFromConfig(srv.SessionConfig(aws.ToString(ar.Credentials.AccessKeyId), aws.ToString(ar.Credentials.SecretAccessKey), aws.ToString(ar.Credentials.SessionToken)))
	_, err = get(rs, &awssts.GetWebIdentityTokenInput{Audience: []string{"x"}, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(3600)})
	wantError(t, err, "SessionDurationEscalationException", 403, "The requested token duration would extend the session beyond its original expiration time.")
	out, err = get(rs, &awssts.GetWebIdentityTokenInput{Audience: []string{"x", "y"}, SigningAlgorithm: aws.String("RS256")})
	if err != nil {
		t.Fatal(err)
	}
	std, _, _ = rp.verify(aws.ToString(out.WebIdentityToken), "y", time.Now())
	if std.Subject != roleARN || len(std.Audience) != 2 {
		t.Errorf("role session's token: sub %q aud %v, want %s and two audiences", std.Subject, std.Audience, roleARN)
	}

	// A token too large for STS: JWTPayloadSizeExceededException.
	rootSTS := srv.STSClient(testserver.RootKeyID, testserver.RootSecretKey)
	big := &awssts.GetWebIdentityTokenInput{SigningAlgorithm: aws.String("RS256")}
	for i := range 10 {
		big.Audience = append(big.Audience, strings.Repeat(string(rune('a'+i)), 1000))
	}
	for i := range 50 {
		big.Tags = append(big.Tags, ststypes.Tag{Key: aws.String(strings.Repeat("k", 125) + string(rune('A'+i/26)) + string(rune('a'+i%26))), Value: aws.String(strings.Repeat("v", 256))})
	}
	_, err = get(rootSTS, big)
	wantError(t, err, "JWTPayloadSizeExceededException", 400, "The requested token payload size exceeds the maximum allowed size.")

	// Disabled, STS refuses new tokens; the issuer keeps publishing its
	// keys, so tokens issued before still verify.
	keep := aws.ToString(out.WebIdentityToken)
	if _, err := root.DisableOutboundWebIdentityFederation(ctx, &awsiam.DisableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = get(st, &awssts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("RS256")})
	wantError(t, err, "OutboundWebIdentityFederationDisabledException", 403, "The outbound web identity federation feature is not enabled")
	rp.verify(keep, "x", time.Now())

	// Unknown issuers and signed requests are not the discovery endpoint.
	resp, err := http.Get(srv.URL + "/outbound-federation/00000000-0000-4000-8000-000000000000/.well-known/jwks.json") //nolint:noctx // a test's plain GET
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown issuer: status %d, want 404", resp.StatusCode)
	}
}

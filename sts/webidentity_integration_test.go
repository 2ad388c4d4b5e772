package sts_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// testIdP is an OpenID Connect provider over HTTPS (httptest's self-signed
// certificate) that publishes one RSA key.
type testIdP struct {
	srv      *httptest.Server
	key      *rsa.PrivateKey
	kid      string
	jwksURI  string // when set, the discovery document names this jwks_uri
	requests atomic.Int32
}

func newTestIdP(t *testing.T) *testIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	idp := &testIdP{key: key, kid: "k1"}
	idp.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		idp.requests.Add(1)
		var body any
		switch r.URL.Path {
		case "/tenant/.well-known/openid-configuration":
			jwks := idp.issuer() + "/keys"
			if idp.jwksURI != "" {
				jwks = idp.jwksURI
			}
			body = map[string]any{"issuer": idp.issuer(), "jwks_uri": jwks}
		case "/tenant/keys":
			b64 := base64.RawURLEncoding.EncodeToString
			body = map[string]any{"keys": []map[string]string{{
				"kty": "RSA", "use": "sig", "alg": "RS256", "kid": idp.kid,
				"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
			}}}
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(idp.srv.Close)
	return idp
}

// issuer is https://127.0.0.1:PORT/tenant.
func (idp *testIdP) issuer() string { return idp.srv.URL + "/tenant" }

// urlID is the issuer as IAM names the provider.
func (idp *testIdP) urlID() string { return strings.TrimPrefix(idp.issuer(), "https://") }

// thumbprint is the SHA-1 thumbprint of the server's (self-signed) certificate.
func (idp *testIdP) thumbprint() string {
	sum := sha1.Sum(idp.srv.Certificate().Raw)
	return hex.EncodeToString(sum[:])
}

// token mints an RS256 ID token with the given claims over the defaults
// (iss, sub, iat, nbf, exp in ten minutes), signed by key (the IdP's when nil).
func (idp *testIdP) token(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	now := time.Now().Unix()
	c := map[string]any{"iss": idp.issuer(), "sub": "user-1", "iat": now, "nbf": now, "exp": now + 600}
	for k, v := range claims {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	if key == nil {
		key = idp.key
	}
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]string{"alg": "RS256", "typ": "JWT", "kid": idp.kid}) + "." + enc(c)
	d := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// anonSTS is an STS client that sends no credentials.
func anonSTS(srv *testserver.Server) *awssts.Client {
	cfg := srv.Config("", "")
	cfg.Credentials = aws.AnonymousCredentials{}
	return awssts.NewFromConfig(cfg)
}

func wantCodeMessage(t *testing.T, err error, code, msgPrefix string) {
	t.Helper()
	got, msg := apiError(err)
	if got != code || !strings.HasPrefix(msg, msgPrefix) {
		t.Fatalf("error %v, want %s %q…", err, code, msgPrefix)
	}
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	idp := newTestIdP(t)
	anon := anonSTS(srv)

	prov, err := root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(idp.issuer()), ClientIDList: []string{"web-app", "other-app"}, ThumbprintList: []string{idp.thumbprint()},
	})
	if err != nil {
		t.Fatal(err)
	}
	provARN := aws.ToString(prov.OpenIDConnectProviderArn)
	if want := "arn:aws:iam::" + acct + ":oidc-provider/" + idp.urlID(); provARN != want {
		t.Fatalf("provider ARN %s, want %s", provARN, want)
	}
	trust := doc(`{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"` + idp.urlID() + `:aud":"web-app","aws:FederatedProvider":"` + provARN + `"},"StringLike":{"` + idp.urlID() + `:sub":"user-*"}}}`)
	// The session's requests carry aws:FederatedProvider.
	roleARN := newRole(t, root, "WebApp", trust, doc(`{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:FederatedProvider":"`+provARN+`"}}}`), 7200)

	assume := func(token string, mod func(*awssts.AssumeRoleWithWebIdentityInput)) (*awssts.AssumeRoleWithWebIdentityOutput, error) {
		in := &awssts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("web-1"), WebIdentityToken: aws.String(token)}
		if mod != nil {
			mod(in)
		}
		return anon.AssumeRoleWithWebIdentity(ctx, in)
	}

	// Success: the session is the role's.
	out, err := assume(idp.token(t, nil, map[string]any{"aud": "web-app"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SubjectFromWebIdentityToken) != "user-1" || aws.ToString(out.Audience) != "web-app" ||
		aws.ToString(out.Provider) != idp.issuer() || out.PackedPolicySize != nil ||
		aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::"+acct+":assumed-role/WebApp/web-1" ||
		!strings.HasPrefix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), "AROA") ||
		!strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") {
		t.Errorf("output %+v %+v", out, out.AssumedRoleUser)
	}
	if d := time.Until(*out.Credentials.Expiration); d < 59*time.Minute || d > time.Hour {
		t.Errorf("default duration %v, want one hour", d)
	}
	cfg := sessionCfg(srv, out.Credentials)
	id, err := awssts.NewFromConfig(cfg).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != "arn:aws:sts::"+acct+":assumed-role/WebApp/web-1" {
		t.Errorf("caller %s", aws.ToString(id.Arn))
	}
	sessIAM := awsiam.NewFromConfig(cfg)
	if _, err := sessIAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles with the role's permission: %v", err)
	}
	_, err = sessIAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	fetches := idp.requests.Load()

	// A chosen duration, a session policy; DurationSeconds past the role's maximum.
	out, err = assume(idp.token(t, nil, map[string]any{"aud": "web-app"}), func(in *awssts.AssumeRoleWithWebIdentityInput) {
		in.DurationSeconds = aws.Int32(900)
		in.Policy = aws.String(doc(`{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(*out.Credentials.Expiration); d > 15*time.Minute || d < 14*time.Minute || out.PackedPolicySize == nil {
		t.Errorf("duration %v, packed %v", d, out.PackedPolicySize)
	}
	_, err = assume(idp.token(t, nil, map[string]any{"aud": "web-app"}), func(in *awssts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = aws.Int32(7201) })
	wantCode(t, err, "ValidationError")
	if idp.requests.Load() != fetches {
		t.Errorf("keys fetched again within their cache time: %d requests, then %d", fetches, idp.requests.Load())
	}

	// The trust policy's conditions: a registered audience the role does not
	// accept, a subject it does not, a role that does not exist.
	_, err = assume(idp.token(t, nil, map[string]any{"aud": "other-app"}), nil)
	wantCodeMessage(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	_, err = assume(idp.token(t, nil, map[string]any{"aud": "web-app", "sub": "robot-1"}), nil)
	wantCode(t, err, "AccessDenied")
	_, err = assume(idp.token(t, nil, map[string]any{"aud": "web-app"}), func(in *awssts.AssumeRoleWithWebIdentityInput) {
		in.RoleArn = aws.String("arn:aws:iam::" + acct + ":role/None")
	})
	wantCode(t, err, "AccessDenied")
	// azp, when present, is the audience (Google's hybrid apps).
	if out, err := assume(idp.token(t, nil, map[string]any{"aud": "other-app", "azp": "web-app"}), nil); err != nil || aws.ToString(out.Audience) != "web-app" {
		t.Errorf("azp token: %v", err)
	}

	// Tokens refused before the trust policy.
	rogue, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, err = assume(idp.token(t, rogue, map[string]any{"aud": "web-app"}), nil)
	wantCode(t, err, "InvalidIdentityToken")
	_, err = assume(idp.token(t, nil, map[string]any{"aud": "someone-else"}), nil)
	wantCodeMessage(t, err, "InvalidIdentityToken", "Incorrect token audience")
	past := time.Now().Add(-2 * time.Hour).Unix()
	_, err = assume(idp.token(t, nil, map[string]any{"aud": "web-app", "iat": past, "nbf": past, "exp": past + 600}), nil)
	wantCodeMessage(t, err, "ExpiredTokenException", "Token expired: current date/time ")
	_, err = assume(idp.token(t, nil, map[string]any{"aud": "web-app", "exp": nil}), nil)
	wantCode(t, err, "InvalidIdentityToken")
	future := time.Now().Add(time.Hour).Unix()
	_, err = assume(idp.token(t, nil, map[string]any{"aud": "web-app", "nbf": future, "exp": future + 600}), nil)
	wantCode(t, err, "InvalidIdentityToken")
	good := idp.token(t, nil, map[string]any{"aud": "web-app"})
	parts := strings.Split(good, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	_, err = assume(none, nil)
	wantCode(t, err, "InvalidIdentityToken")
	_, err = assume("not-a-jwt", nil)
	wantCodeMessage(t, err, "InvalidIdentityToken", "The ID Token provided is not a valid JWT.")
	// An issuer that is not a provider of the role's account: refused without
	// any request to it.
	before := idp.requests.Load()
	_, err = assume(idp.token(t, nil, map[string]any{"aud": "web-app", "iss": "https://idp.example.com"}), nil)
	wantCodeMessage(t, err, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://idp.example.com")
	if idp.requests.Load() != before {
		t.Error("the server contacted an unregistered issuer's host")
	}

	// The thumbprint pins the server: another one refuses it, and the
	// provider's own works again once restored.
	setThumb := func(tp string) {
		t.Helper()
		if _, err := root.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{
			OpenIDConnectProviderArn: aws.String(provARN), ThumbprintList: []string{tp}}); err != nil {
			t.Fatal(err)
		}
	}
	setThumb(strings.Repeat("0", 40))
	_, err = assume(good, nil)
	wantCodeMessage(t, err, "InvalidIdentityToken", "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint")
	setThumb(strings.ToUpper(idp.thumbprint()))
	if _, err := assume(good, nil); err != nil {
		t.Errorf("after restoring the thumbprint: %v", err)
	}

	// A deleted provider no longer vouches for its tokens.
	if _, err := root.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(provARN)}); err != nil {
		t.Fatal(err)
	}
	_, err = assume(good, nil)
	wantCode(t, err, "InvalidIdentityToken")
}

// TestWebIdentityEgress: the keys are fetched from the registered provider's
// own host only; other failures to get them are IDPCommunicationError.
func TestWebIdentityEgress(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	idp := newTestIdP(t)
	idp.jwksURI = "https://127.0.0.2:9/keys"
	if _, err := root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(idp.issuer()), ClientIDList: []string{"app"}, ThumbprintList: []string{idp.thumbprint()},
	}); err != nil {
		t.Fatal(err)
	}
	provARN := "arn:aws:iam::" + acct + ":oidc-provider/" + idp.urlID()
	roleARN := newRole(t, root, "Web", doc(`{"Effect":"Allow","Principal":{"Federated":"`+provARN+`"},"Action":"sts:AssumeRoleWithWebIdentity"}`), "", 0)
	in := &awssts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"),
		WebIdentityToken: aws.String(idp.token(t, nil, map[string]any{"aud": "app"}))}
	_, err := anonSTS(srv).AssumeRoleWithWebIdentity(ctx, in)
	wantCodeMessage(t, err, "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider")

	// Same host: it works.
	idp.jwksURI = ""
	if _, err := anonSTS(srv).AssumeRoleWithWebIdentity(ctx, in); err != nil {
		t.Fatal(err)
	}
}

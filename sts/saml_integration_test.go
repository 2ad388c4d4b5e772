package sts_test

import (
	"context"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // saml:namequalifier is SHA-1 by AWS's definition
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/saml/samltest"
)

// samlEnv is a server with a test identity provider registered as a SAML
// provider and a role that trusts it.
type samlEnv struct {
	srv              *testserver.Server
	root             *awsiam.Client
	anon             *awssts.Client
	idp              *samltest.IdP
	provider, role   string
	providerName     string
	defaultAttribute []samltest.Attribute
}

const samlEntityID = "https://idp.example.com/saml"

func newSAMLEnv(t *testing.T) *samlEnv {
	t.Helper()
	srv := testserver.Start(t)
	ctx := context.Background()
	idp, err := samltest.New(samlEntityID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := &samlEnv{srv: srv, root: srv.RootIAM(), anon: anonSTS(srv), idp: idp, providerName: "CorpIdP"}
	out, err := e.root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String(e.providerName), SAMLMetadataDocument: aws.String(idp.Metadata())})
	if err != nil {
		t.Fatal(err)
	}
	e.provider = aws.ToString(out.SAMLProviderArn)
	// The trust policy AWS's console writes for SAML roles, plus saml:sub
	// and an eduPerson attribute (id_roles_create_for-idp_saml.md).
	trust := doc(`{"Effect":"Allow","Principal":{"Federated":"` + e.provider + `"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession","sts:SetSourceIdentity"],` +
		`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml","saml:iss":"` + samlEntityID + `","saml:doc":"` + acct + `/CorpIdP","aws:FederatedProvider":"` + e.provider + `"},` +
		`"StringLike":{"saml:sub":"alice*"},"ForAnyValue:StringEquals":{"saml:edupersonaffiliation":"staff"}}}`)
	// The session's permission policies see saml:sub, saml:sub_type and
	// saml:namequalifier (id_roles_providers_saml.md).
	qual := sha1.Sum([]byte(samlEntityID + acct + "/CorpIdP")) //nolint:gosec // AWS's definition
	e.role = newRole(t, e.root, "SSO", trust, doc(`{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:FederatedProvider":"`+e.provider+`"}}}`,
		`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"saml:sub":"alice-1","saml:sub_type":"persistent","saml:namequalifier":"`+
			base64.StdEncoding.EncodeToString(qual[:])+`"}}}`), 7200)
	e.defaultAttribute = []samltest.Attribute{
		{Name: samltest.RoleAttribute, Values: []string{"arn:aws:iam::" + acct + ":role/Other," + e.provider, e.role + "," + e.provider}},
		{Name: samltest.RoleSessionNameAttr, Values: []string{"alice@example.com"}},
		{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.1", FriendlyName: "eduPersonAffiliation", Values: []string{"member", "staff"}},
	}
	return e
}

// assertion is a response signed by the provider, changed by mod.
func (e *samlEnv) assertion(t *testing.T, mod func(*samltest.Assertion)) string {
	t.Helper()
	a := samltest.Assertion{Subject: "alice-1", SubjectFormat: samltest.PersistentNameIDFormat, Attributes: e.defaultAttribute, SignResponse: true}
	if mod != nil {
		mod(&a)
	}
	raw, err := e.idp.Response(a)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func (e *samlEnv) assume(raw string, mod func(*awssts.AssumeRoleWithSAMLInput)) (*awssts.AssumeRoleWithSAMLOutput, error) {
	in := &awssts.AssumeRoleWithSAMLInput{RoleArn: aws.String(e.role), PrincipalArn: aws.String(e.provider), SAMLAssertion: aws.String(raw)}
	if mod != nil {
		mod(in)
	}
	return e.anon.AssumeRoleWithSAML(context.Background(), in)
}

func TestAssumeRoleWithSAML(t *testing.T) {
	t.Parallel()
	e := newSAMLEnv(t)
	ctx := context.Background()

	// Success, through aws-sdk-go-v2 without credentials.
	out, err := e.assume(e.assertion(t, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	// NameQualifier: Base64(SHA1(issuer + account + "/" + provider name))
	// (API_AssumeRoleWithSAML, id_roles_providers_saml.md).
	sum := sha1.Sum([]byte(samlEntityID + acct + "/CorpIdP")) //nolint:gosec // AWS's definition
	if aws.ToString(out.Subject) != "alice-1" || aws.ToString(out.SubjectType) != "persistent" ||
		aws.ToString(out.Issuer) != samlEntityID || aws.ToString(out.Audience) != samltest.AWSRecipient ||
		aws.ToString(out.NameQualifier) != base64.StdEncoding.EncodeToString(sum[:]) || out.PackedPolicySize != nil ||
		aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::"+acct+":assumed-role/SSO/alice@example.com" ||
		!strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") {
		t.Fatalf("output %+v %+v", out, out.AssumedRoleUser)
	}
	if d := time.Until(*out.Credentials.Expiration); d < 59*time.Minute || d > time.Hour {
		t.Errorf("default duration %v, want one hour", d)
	}
	cfg := sessionCfg(e.srv, out.Credentials)
	id, err := awssts.NewFromConfig(cfg).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != "arn:aws:sts::"+acct+":assumed-role/SSO/alice@example.com" {
		t.Errorf("caller %s", aws.ToString(id.Arn))
	}
	// The session's requests carry aws:FederatedProvider and the saml:
	// keys that identify the user.
	if _, err := awsiam.NewFromConfig(cfg).ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles: %v", err)
	}
	if _, err := awsiam.NewFromConfig(cfg).ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers as saml:sub alice-1: %v", err)
	}
	other, err := e.assume(e.assertion(t, func(a *samltest.Assertion) { a.Subject = "alice-2" }), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = awsiam.NewFromConfig(sessionCfg(e.srv, other.Credentials)).ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")

	// The assertion signed instead of the response, the role pair in the
	// other order; session tags, transitive keys, a source identity, a
	// shorter SessionDuration.
	out, err = e.assume(e.assertion(t, func(a *samltest.Assertion) {
		a.SignResponse, a.SignAssertion = false, true
		a.Attributes = append([]samltest.Attribute{
			{Name: samltest.RoleAttribute, Values: []string{e.provider + "," + e.role}},
			{Name: samltest.PrincipalTagAttrPrefix + "Project", Values: []string{"Marketing"}},
			{Name: samltest.PrincipalTagAttrPrefix + "CostCenter", Values: []string{"12345"}},
			{Name: samltest.TransitiveTagKeysAttr, Values: []string{"Project"}},
			{Name: samltest.SourceIdentityAttr, Values: []string{"DiegoRamirez"}},
			{Name: samltest.SessionDurationAttr, Values: []string{"1800"}},
		}, a.Attributes[1:]...)
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SourceIdentity) != "DiegoRamirez" || out.PackedPolicySize == nil {
		t.Errorf("output %+v", out)
	}
	if d := time.Until(*out.Credentials.Expiration); d < 29*time.Minute || d > 30*time.Minute {
		t.Errorf("SessionDuration 1800 gave %v", d)
	}
	// DurationSeconds past the role's maximum.
	_, err = e.assume(e.assertion(t, nil), func(in *awssts.AssumeRoleWithSAMLInput) { in.DurationSeconds = aws.Int32(7201) })
	wantCodeMessage(t, err, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	out, err = e.assume(e.assertion(t, nil), func(in *awssts.AssumeRoleWithSAMLInput) { in.DurationSeconds = aws.Int32(7200) })
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(*out.Credentials.Expiration); d < 119*time.Minute {
		t.Errorf("DurationSeconds 7200 gave %v", d)
	}
	// A malformed session policy.
	_, err = e.assume(e.assertion(t, nil), func(in *awssts.AssumeRoleWithSAMLInput) { in.Policy = aws.String("{not json") })
	wantCode(t, err, "MalformedPolicyDocument")
}

func TestAssumeRoleWithSAMLRefusals(t *testing.T) {
	t.Parallel()
	e := newSAMLEnv(t)
	ctx := context.Background()
	other, err := samltest.New(samlEntityID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	otherSigned, err := other.Response(samltest.Assertion{Subject: "alice-1", Attributes: e.defaultAttribute, SignResponse: true})
	if err != nil {
		t.Fatal(err)
	}
	signedXML := func(mod func(*samltest.Assertion)) string {
		a := samltest.Assertion{Subject: "alice-1", Attributes: e.defaultAttribute}
		if mod != nil {
			mod(&a)
		}
		x, err := e.idp.ResponseXML(a)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	byAssertion := signedXML(func(a *samltest.Assertion) { a.SignAssertion = true })
	// XML wrapping: the signed assertion hidden in Extensions, a forged
	// one (another subject) as the response's assertion.
	start := strings.Index(byAssertion, "<saml:Assertion")
	end := strings.Index(byAssertion, "</saml:Assertion>") + len("</saml:Assertion>")
	wrapped := strings.Replace(strings.Replace(byAssertion, ">alice-1<", ">alice-admin<", 1), "<samlp:Status>",
		"<samlp:Extensions>"+byAssertion[start:end]+"</samlp:Extensions><samlp:Status>", 1)
	now := time.Now()
	without := func(name string) []samltest.Attribute {
		var out []samltest.Attribute
		for _, a := range e.defaultAttribute {
			if a.Name != name {
				out = append(out, a)
			}
		}
		return out
	}
	with := func(attrs ...samltest.Attribute) func(*samltest.Assertion) {
		return func(a *samltest.Assertion) {
			a.Attributes = append(append([]samltest.Attribute{}, e.defaultAttribute...), attrs...)
		}
	}

	cases := []struct {
		name, raw, code, msg string
		mod                  func(*awssts.AssumeRoleWithSAMLInput)
	}{
		// "Response signature invalid" (troubleshoot_saml.md).
		{name: "unsigned", raw: enc(signedXML(nil)), code: "InvalidIdentityToken", msg: "Response signature invalid"},
		{name: "wrong key", raw: otherSigned, code: "InvalidIdentityToken", msg: "Response signature invalid"},
		{name: "tampered", raw: enc(strings.Replace(signedXML(func(a *samltest.Assertion) { a.SignResponse = true }), ">alice-1<", ">alice-2<", 1)), code: "InvalidIdentityToken", msg: "Response signature invalid"},
		{name: "wrapped", raw: enc(wrapped), code: "InvalidIdentityToken", msg: "Response signature invalid"},
		{name: "not base64", raw: "!!!!not-base64!!!!", code: "InvalidIdentityToken", msg: "The SAMLAssertion is not"},
		{name: "not xml", raw: enc("<<<<"), code: "InvalidIdentityToken", msg: "The SAMLAssertion is not"},
		{name: "failed login", raw: enc(strings.Replace(signedXML(func(a *samltest.Assertion) { a.SignAssertion = true }), "status:Success", "status:Responder", 1)), code: "IDPRejectedClaim"},
		// "Failed to assume role: Issuer not present in specified provider".
		{name: "other issuer", raw: e.assertion(t, func(a *samltest.Assertion) { a.Issuer = "https://evil.example.com" }), code: "InvalidIdentityToken", msg: "Issuer not present in specified provider"},
		// "Response does not contain the required audience."
		{name: "wrong audience", raw: e.assertion(t, func(a *samltest.Assertion) { a.Audience = "https://sp.example.com" }), code: "InvalidIdentityToken", msg: "Response does not contain the required audience."},
		{name: "no audience", raw: e.assertion(t, func(a *samltest.Assertion) { a.Audience = "-" }), code: "InvalidIdentityToken", msg: "Response does not contain the required audience."},
		{name: "wrong recipient", raw: e.assertion(t, func(a *samltest.Assertion) { a.Recipient = "https://sp.example.com/acs" }), code: "InvalidIdentityToken"},
		{name: "expired", raw: e.assertion(t, func(a *samltest.Assertion) { a.Now = now.Add(-time.Hour) }), code: "ExpiredTokenException", msg: "Token expired"},
		{name: "not yet valid", raw: e.assertion(t, func(a *samltest.Assertion) { a.Now, a.NotBefore = now.Add(10*time.Minute), now.Add(9*time.Minute) }), code: "InvalidIdentityToken"},
		// "Not authorized to perform sts:AssumeRoleWithSAML" (403).
		{name: "no role attribute", raw: e.assertion(t, func(a *samltest.Assertion) { a.Attributes = without(samltest.RoleAttribute) }), code: "AccessDenied", msg: "Not authorized to perform sts:AssumeRoleWithSAML"},
		{name: "role not mapped", raw: e.assertion(t, nil), code: "AccessDenied", mod: func(in *awssts.AssumeRoleWithSAMLInput) {
			in.RoleArn = aws.String("arn:aws:iam::" + acct + ":role/Other")
		}},
		{name: "no name id", raw: e.assertion(t, func(a *samltest.Assertion) { a.Subject = "" }), code: "AccessDenied"},
		{name: "trust condition", raw: e.assertion(t, func(a *samltest.Assertion) { a.Subject = "bob" }), code: "AccessDenied"},
		{name: "no affiliation", raw: e.assertion(t, func(a *samltest.Assertion) {
			a.Attributes = without("urn:oid:1.3.6.1.4.1.5923.1.1.1.1")
		}), code: "AccessDenied"},
		// RoleSessionName and SourceIdentity (troubleshoot_saml.md).
		{name: "no session name", raw: e.assertion(t, func(a *samltest.Assertion) { a.Attributes = without(samltest.RoleSessionNameAttr) }),
			code: "InvalidIdentityToken", msg: "RoleSessionName is required in AuthnResponse"},
		{name: "bad session name", raw: e.assertion(t, func(a *samltest.Assertion) {
			a.Attributes = append(without(samltest.RoleSessionNameAttr), samltest.Attribute{Name: samltest.RoleSessionNameAttr, Values: []string{"Alice Smith"}})
		}), code: "InvalidIdentityToken", msg: "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"},
		{name: "bad source identity", raw: e.assertion(t, with(samltest.Attribute{Name: samltest.SourceIdentityAttr, Values: []string{"aws:me"}})),
			code: "InvalidIdentityToken", msg: `Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`},
		{name: "bad session duration", raw: e.assertion(t, with(samltest.Attribute{Name: samltest.SessionDurationAttr, Values: []string{"60"}})), code: "InvalidIdentityToken"},
		{name: "two tag values", raw: e.assertion(t, with(samltest.Attribute{Name: samltest.PrincipalTagAttrPrefix + "Team", Values: []string{"a", "b"}})), code: "InvalidIdentityToken"},
		{name: "transitive key not a tag", raw: e.assertion(t, with(samltest.Attribute{Name: samltest.TransitiveTagKeysAttr, Values: []string{"Nope"}})), code: "InvalidParameterValue"},
		// "Specified provider doesn't exist."
		{name: "unknown provider", raw: e.assertion(t, nil), code: "InvalidIdentityToken", msg: "Specified provider doesn't exist.", mod: func(in *awssts.AssumeRoleWithSAMLInput) {
			in.PrincipalArn = aws.String("arn:aws:iam::" + acct + ":saml-provider/Nope")
		}},
		{name: "provider of another account", raw: e.assertion(t, nil), code: "InvalidIdentityToken", msg: "Specified provider doesn't exist.", mod: func(in *awssts.AssumeRoleWithSAMLInput) {
			in.PrincipalArn = aws.String("arn:aws:iam::999999999999:saml-provider/CorpIdP")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.assume(c.raw, c.mod)
			wantCodeMessage(t, err, c.code, c.msg)
		})
	}

	// Session tags from the assertion count toward the packed size
	// (PackedPolicyTooLarge, API_AssumeRoleWithSAML).
	var big []samltest.Attribute
	for i := range 20 {
		v := make([]byte, 128)
		if _, err := rand.Read(v); err != nil {
			t.Fatal(err)
		}
		big = append(big, samltest.Attribute{Name: fmt.Sprintf("%sK%d", samltest.PrincipalTagAttrPrefix, i), Values: []string{hex.EncodeToString(v)}})
	}
	_, err = e.assume(e.assertion(t, with(big...)), nil)
	wantCodeMessage(t, err, "PackedPolicyTooLarge", "Packed policy consumes")

	// One-time use: the same assertion is refused the second time.
	raw := e.assertion(t, nil)
	if _, err := e.assume(raw, nil); err != nil {
		t.Fatal(err)
	}
	_, err = e.assume(raw, nil)
	wantCodeMessage(t, err, "InvalidIdentityToken", "The SAML assertion has already been used.")

	// Session tags need sts:TagSession in the trust policy.
	noTags := newRole(t, e.root, "NoTags", doc(`{"Effect":"Allow","Principal":{"Federated":"`+e.provider+`"},"Action":"sts:AssumeRoleWithSAML"}`), "", 0)
	tagged := e.assertion(t, func(a *samltest.Assertion) {
		a.Attributes = []samltest.Attribute{
			{Name: samltest.RoleAttribute, Values: []string{noTags + "," + e.provider}},
			{Name: samltest.RoleSessionNameAttr, Values: []string{"alice"}},
			{Name: samltest.PrincipalTagAttrPrefix + "Project", Values: []string{"x"}},
		}
	})
	_, err = e.assume(tagged, func(in *awssts.AssumeRoleWithSAMLInput) { in.RoleArn = aws.String(noTags) })
	wantCodeMessage(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
	// A role that trusts the provider but that the Role attribute does not
	// map the user to.
	_, err = e.assume(e.assertion(t, nil), func(in *awssts.AssumeRoleWithSAMLInput) { in.RoleArn = aws.String(noTags) })
	wantCodeMessage(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
	// Mapped to it, without tags, it is assumed.
	if _, err := e.assume(e.assertion(t, func(a *samltest.Assertion) {
		a.Attributes = []samltest.Attribute{
			{Name: samltest.RoleAttribute, Values: []string{noTags + "," + e.provider}},
			{Name: samltest.RoleSessionNameAttr, Values: []string{"alice"}},
		}
	}), func(in *awssts.AssumeRoleWithSAMLInput) { in.RoleArn = aws.String(noTags) }); err != nil {
		t.Fatal(err)
	}

	// Encrypted assertions: the provider's private key decrypts them
	// (RSA-OAEP, AES-GCM or AES-CBC: API_CreateSAMLProvider's AddPrivateKey);
	// with AssertionEncryptionMode Required, plain ones are refused.
	sp, err := samltest.New("urn:amazon:webservices", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := samltest.New("urn:amazon:webservices", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	spKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(sp.Key)}))
	if _, err := e.root.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(e.provider),
		AddPrivateKey: aws.String(spKey), AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeRequired}); err != nil {
		t.Fatal(err)
	}
	_, err = e.assume(e.assertion(t, nil), nil)
	wantCodeMessage(t, err, "InvalidIdentityToken", "The SAML provider requires encrypted assertions.")
	for _, cbc := range []bool{false, true} {
		out, err := e.assume(e.assertion(t, func(a *samltest.Assertion) { a.EncryptFor, a.CBC = sp.Cert, cbc }), nil)
		if err != nil {
			t.Fatalf("encrypted (CBC %v): %v", cbc, err)
		}
		if aws.ToString(out.Subject) != "alice-1" {
			t.Errorf("subject %q", aws.ToString(out.Subject))
		}
	}
	_, err = e.assume(e.assertion(t, func(a *samltest.Assertion) { a.EncryptFor = stranger.Cert }), nil)
	wantCodeMessage(t, err, "InvalidIdentityToken", "The SAML assertion could not be decrypted")

	// A deleted provider is no provider.
	if _, err := e.root.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(e.provider)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.assume(e.assertion(t, nil), nil)
	wantCodeMessage(t, err, "InvalidIdentityToken", "Specified provider doesn't exist.")
}

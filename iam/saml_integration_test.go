package iam_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/saml/samltest"
)

// samlMetadata makes a test identity provider's metadata document.
func samlMetadata(t *testing.T, entityID string) string {
	t.Helper()
	p, err := samltest.New(entityID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p.Metadata()
}

// pemKey makes a PEM-encoded (PKCS #8) RSA private key, or an EC one.
func pemKey(t *testing.T, ec bool) string {
	t.Helper()
	var k any
	var err error
	if ec {
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestSAMLProvidersLifecycle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	md := samlMetadata(t, "https://idp.example.com/saml")
	const arn = "arn:aws:iam::123456789012:saml-provider/Corp-IdP"

	out, err := root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{
		Name: aws.String("Corp-IdP"), SAMLMetadataDocument: aws.String(md),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("sso")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SAMLProviderArn) != arn || len(out.Tags) != 1 {
		t.Fatalf("created %q %v", aws.ToString(out.SAMLProviderArn), out.Tags)
	}
	// Names are unique without case (org-formation/aws-resource-providers#59
	// quotes AWS's message).
	_, err = root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("corp-idp"), SAMLMetadataDocument: aws.String(md)})
	wantCodeMessage(t, err, "EntityAlreadyExists", "Provider with name corp-idp already exists.")

	// Metadata AWS cannot use: "Could not parse metadata." (IAM User Guide,
	// troubleshoot_saml.md). The model's 1000-character minimum comes first.
	pad := "<!--" + strings.Repeat("x", 1000) + "-->"
	for name, doc := range map[string]string{
		"not xml":        strings.Repeat("not xml ", 200),
		"no idp":         strings.ReplaceAll(md, "IDPSSODescriptor", "SPSSODescriptor"),
		"no certificate": strings.Replace(md, `use="signing"`, `use="encryption"`, 1),
		"bad cert":       strings.Replace(md, "<ds:X509Certificate>", "<ds:X509Certificate>AAAA", 1),
		"sp metadata":    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:SPSSODescriptor/></md:EntityDescriptor>` + pad,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("bad"), SAMLMetadataDocument: aws.String(doc)})
			wantCodeMessage(t, err, "InvalidInput", "Could not parse metadata.")
		})
	}
	_, err = root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("short"), SAMLMetadataDocument: aws.String("<x/>")})
	wantCode(t, err, "ValidationError")
	_, err = root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("bad name"), SAMLMetadataDocument: aws.String(md)})
	wantCode(t, err, "ValidationError")
	_, err = root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("enc"), SAMLMetadataDocument: aws.String(md), AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired})
	wantCode(t, err, "InvalidInput")
	_, err = root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("enc"), SAMLMetadataDocument: aws.String(md), AddPrivateKey: aws.String("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")})
	wantCode(t, err, "InvalidInput")
	// The key decrypts assertions by RSA-OAEP: an EC key is refused.
	_, err = root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("enc"), SAMLMetadataDocument: aws.String(md), AddPrivateKey: aws.String(pemKey(t, true))})
	wantCode(t, err, "InvalidInput")

	// GetSAMLProvider: the document as uploaded, a UUID, ValidUntil 100
	// years on when the metadata has none (hashicorp/terraform#3820).
	g, err := root.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(g.SAMLMetadataDocument) != md || len(aws.ToString(g.SAMLProviderUUID)) != 36 || g.CreateDate == nil ||
		g.ValidUntil == nil || g.ValidUntil.Year() != g.CreateDate.Year()+100 || len(g.Tags) != 1 || len(g.PrivateKeyList) != 0 {
		t.Errorf("provider %+v", g)
	}

	// Update: new metadata with validUntil, an encryption mode, private keys
	// (returned by id only; at most two).
	md2 := strings.Replace(samlMetadata(t, "https://idp.example.com/saml"), "entityID=", `validUntil="2031-05-06T07:08:09Z" entityID=`, 1)
	key := pemKey(t, false)
	up, err := root.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(md2),
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeAllowed, AddPrivateKey: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.SAMLProviderArn) != arn {
		t.Errorf("updated %v", aws.ToString(up.SAMLProviderArn))
	}
	if _, err := root.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), AddPrivateKey: aws.String(pemKey(t, false))}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), AddPrivateKey: aws.String(pemKey(t, false))})
	wantCode(t, err, "LimitExceeded")
	g, err = root.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(g.SAMLMetadataDocument) != md2 || !g.ValidUntil.Equal(time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)) ||
		g.AssertionEncryptionMode != types.AssertionEncryptionModeTypeAllowed || len(g.PrivateKeyList) != 2 {
		t.Fatalf("after update %+v", g)
	}
	first := aws.ToString(g.PrivateKeyList[0].KeyId)
	if len(first) < 22 || strings.Trim(first, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" || g.PrivateKeyList[0].Timestamp == nil {
		t.Errorf("key id %q", first)
	}
	_, err = root.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), RemovePrivateKey: aws.String(strings.Repeat("A", 28))})
	wantCode(t, err, "InvalidInput")
	if _, err := root.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), RemovePrivateKey: aws.String(first)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(strings.Repeat("y", 1000))})
	wantCodeMessage(t, err, "InvalidInput", "Could not parse metadata.")

	// Tags.
	if _, err := root.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("iam")}, {Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UntagSAMLProvider(ctx, &awsiam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := root.ListSAMLProviderTags(ctx, &awsiam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "TEAM" || aws.ToString(tags.Tags[0].Value) != "iam" {
		t.Errorf("tags %+v", tags.Tags)
	}
	_, err = root.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}})
	wantCode(t, err, "InvalidInput")

	if _, err := root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Second"), SAMLMetadataDocument: aws.String(md)}); err != nil {
		t.Fatal(err)
	}
	list, err := root.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, e := range list.SAMLProviderList {
		arns = append(arns, aws.ToString(e.Arn))
		if e.CreateDate == nil || e.ValidUntil == nil {
			t.Errorf("entry %+v", e)
		}
	}
	if !slices.Equal(arns, []string{arn, "arn:aws:iam::123456789012:saml-provider/Second"}) {
		t.Errorf("listed %v", arns)
	}
	sum, err := root.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.SummaryMap["Providers"] != 2 {
		t.Errorf("Providers = %d, want 2", sum.SummaryMap["Providers"])
	}

	// Trust policies may name a provider that exists, not one that does not
	// (terraform-aws-modules/terraform-aws-iam#202).
	trust := func(provider string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider +
			`"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
	}
	if _, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("sso"), AssumeRolePolicyDocument: aws.String(trust(arn))}); err != nil {
		t.Fatal(err)
	}
	_, err = root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("sso2"), AssumeRolePolicyDocument: aws.String(trust("arn:aws:iam::123456789012:saml-provider/Nope"))})
	wantCodeMessage(t, err, "MalformedPolicyDocument", "Federated principals must be valid domain names or SAML metadata ARNs")

	// A user needs the permission, on the provider's ARN.
	user := srv.NewUserWithKey(t, "dev")
	_, err = user.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	wantCode(t, err, "AccessDenied")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("saml"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetSAMLProvider","Resource":"arn:aws:iam::123456789012:saml-provider/*","Condition":{"StringEquals":{"aws:ResourceTag/TEAM":"iam"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := user.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}); err != nil {
		t.Errorf("tag-conditioned get: %v", err)
	}
	_, err = user.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::123456789012:saml-provider/Second")})
	wantCode(t, err, "AccessDenied")

	// Delete; then the provider is gone ("Manifest not found for arn …").
	if _, err := root.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	wantCodeMessage(t, err, "NoSuchEntity", "Manifest not found for arn "+arn)
	_, err = root.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	wantCode(t, err, "NoSuchEntity")
	_, err = root.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::123456789012:role/xxxxxxxx")})
	wantCodeMessage(t, err, "InvalidInput", "ARN arn:aws:iam::123456789012:role/xxxxxxxx is not valid.")
	_, err = root.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::210987654321:saml-provider/Second")})
	wantCode(t, err, "NoSuchEntity")
}

// TestSAMLProviderQuota: "SAML providers in an AWS account: 100" (IAM User
// Guide, reference_iam-quotas.md).
func TestSAMLProviderQuota(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	md := samlMetadata(t, "https://idp.example.com/saml")
	for i := range 100 {
		if _, err := root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String(fmt.Sprintf("idp-%03d", i)), SAMLMetadataDocument: aws.String(md)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("idp-100"), SAMLMetadataDocument: aws.String(md)})
	wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for SAMLProvidersPerAccount: 100")
}

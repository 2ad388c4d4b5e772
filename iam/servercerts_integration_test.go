package iam_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// testCert is a certificate and its key, PEM-encoded.
type testCert struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM string
	keyPEM  string
}

// issue makes a certificate for cn signed by parent (self-signed when nil),
// valid from notBefore to notAfter.
func issue(t *testing.T, cn string, parent *testCert, ca bool, notBefore, notAfter time.Time) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter, DNSNames: []string{cn},
		IsCA: ca, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	signerCert, signerKey := tmpl, crypto.Signer(key)
	if parent != nil {
		signerCert, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{cert: cert, key: key,
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))}
}

func TestServerCertificates(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	now := time.Now()
	year := now.AddDate(1, 0, 0)
	rootCA := issue(t, "Root CA", nil, true, now.Add(-time.Hour), year)
	inter := issue(t, "Intermediate CA", rootCA, true, now.Add(-time.Hour), year)
	leaf := issue(t, "www.example.com", inter, false, now.Add(-time.Hour), year)
	other := issue(t, "other.example.com", inter, false, now.Add(-time.Hour), year)
	expired := issue(t, "old.example.com", inter, false, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	chain := inter.certPEM + rootCA.certPEM

	up, err := root.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("www"), Path: aws.String("/cloudfront/"),
		CertificateBody: aws.String(leaf.certPEM), PrivateKey: aws.String(leaf.keyPEM), CertificateChain: aws.String(chain),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	md := up.ServerCertificateMetadata
	arn := "arn:aws:iam::123456789012:server-certificate/cloudfront/www"
	if aws.ToString(md.Arn) != arn || aws.ToString(md.Path) != "/cloudfront/" || !strings.HasPrefix(aws.ToString(md.ServerCertificateId), "ASCA") ||
		len(aws.ToString(md.ServerCertificateId)) != 21 || !md.Expiration.Equal(leaf.cert.NotAfter.UTC().Truncate(time.Second)) || md.UploadDate == nil || len(up.Tags) != 1 {
		t.Fatalf("uploaded %+v %v", md, up.Tags)
	}

	// Refusals, with AWS's messages (sources in iam/servercerts.go).
	upload := func(name, body, key string, chain *string) error {
		_, err := root.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{ServerCertificateName: aws.String(name),
			CertificateBody: aws.String(body), PrivateKey: aws.String(key), CertificateChain: chain})
		return err
	}
	wantCodeMessage(t, upload("www", other.certPEM, other.keyPEM, nil), "EntityAlreadyExists", "The Server Certificate with name www already exists.")
	wantCodeMessage(t, upload("x", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", leaf.keyPEM, nil),
		"MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	wantCodeMessage(t, upload("x", leaf.certPEM+other.certPEM, leaf.keyPEM, nil),
		"MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	wantCode(t, upload("x", leaf.certPEM, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", nil), "MalformedCertificate")
	wantCode(t, upload("x", leaf.certPEM, leaf.certPEM, nil), "MalformedCertificate")
	wantCodeMessage(t, upload("x", leaf.certPEM, other.keyPEM, nil),
		"KeyPairMismatch", "The request was rejected because the public key certificate and the private key do not match.")
	wantCode(t, upload("x", expired.certPEM, expired.keyPEM, nil), "MalformedCertificate")
	// The chain starts with the issuer and goes up in order (aws/aws-cli#715).
	wantCodeMessage(t, upload("x", leaf.certPEM, leaf.keyPEM, aws.String(rootCA.certPEM)), "MalformedCertificate",
		"Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: -1")
	wantCodeMessage(t, upload("x", leaf.certPEM, leaf.keyPEM, aws.String(inter.certPEM+other.certPEM)), "MalformedCertificate",
		"Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: 0")

	// Get: body and chain, never the key.
	g, err := root.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String("WWW")})
	if err != nil {
		t.Fatal(err)
	}
	sc := g.ServerCertificate
	if aws.ToString(sc.CertificateBody) != strings.TrimSpace(leaf.certPEM) || aws.ToString(sc.CertificateChain) != strings.TrimSpace(chain) ||
		aws.ToString(sc.ServerCertificateMetadata.Arn) != arn || len(sc.Tags) != 1 {
		t.Fatalf("got %+v", sc)
	}

	// More certificates; listing by path prefix and in pages.
	for i := range 4 {
		c := issue(t, fmt.Sprintf("s%d.example.com", i), inter, false, now.Add(-time.Hour), year)
		if err := upload(fmt.Sprintf("site-%d", i), c.certPEM, c.keyPEM, nil); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var marker *string
	for pages := 0; ; pages++ {
		l, err := root.ListServerCertificates(ctx, &awsiam.ListServerCertificatesInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range l.ServerCertificateMetadataList {
			names = append(names, aws.ToString(m.ServerCertificateName))
		}
		if !l.IsTruncated {
			if pages != 2 {
				t.Errorf("%d pages, want 3", pages+1)
			}
			break
		}
		marker = l.Marker
	}
	if !slices.Equal(names, []string{"site-0", "site-1", "site-2", "site-3", "www"}) {
		t.Errorf("listed %v", names)
	}
	l, err := root.ListServerCertificates(ctx, &awsiam.ListServerCertificatesInput{PathPrefix: aws.String("/cloudfront/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.ServerCertificateMetadataList) != 1 || aws.ToString(l.ServerCertificateMetadataList[0].ServerCertificateName) != "www" {
		t.Errorf("by path %+v", l.ServerCertificateMetadataList)
	}
	sum, err := root.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.SummaryMap["ServerCertificates"] != 5 || sum.SummaryMap["ServerCertificatesQuota"] != 20 {
		t.Errorf("summary %d of %d", sum.SummaryMap["ServerCertificates"], sum.SummaryMap["ServerCertificatesQuota"])
	}

	// Tags.
	if _, err := root.TagServerCertificate(ctx, &awsiam.TagServerCertificateInput{ServerCertificateName: aws.String("www"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UntagServerCertificate(ctx, &awsiam.UntagServerCertificateInput{ServerCertificateName: aws.String("www"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := root.ListServerCertificateTags(ctx, &awsiam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("www")})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Errorf("tags %+v", tags.Tags)
	}

	// A user may rename only with permission on the old and the new ARN
	// (API_UpdateServerCertificate).
	user := srv.NewUserWithKey(t, "ops")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("ops"), PolicyName: aws.String("certs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:UpdateServerCertificate","iam:GetServerCertificate"],"Resource":"arn:aws:iam::123456789012:server-certificate/cloudfront/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = user.UpdateServerCertificate(ctx, &awsiam.UpdateServerCertificateInput{ServerCertificateName: aws.String("www"), NewPath: aws.String("/elb/")})
	wantCode(t, err, "AccessDenied")
	if _, err := user.UpdateServerCertificate(ctx, &awsiam.UpdateServerCertificateInput{ServerCertificateName: aws.String("www"), NewServerCertificateName: aws.String("www-2026")}); err != nil {
		t.Fatalf("rename within the allowed path: %v", err)
	}
	_, err = root.UpdateServerCertificate(ctx, &awsiam.UpdateServerCertificateInput{ServerCertificateName: aws.String("www-2026"), NewServerCertificateName: aws.String("SITE-0")})
	wantCode(t, err, "EntityAlreadyExists")
	if _, err := root.UpdateServerCertificate(ctx, &awsiam.UpdateServerCertificateInput{ServerCertificateName: aws.String("www-2026"), NewPath: aws.String("/elb/")}); err != nil {
		t.Fatal(err)
	}
	g, err = root.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String("www-2026")})
	if err != nil {
		t.Fatal(err)
	}
	if m := g.ServerCertificate.ServerCertificateMetadata; aws.ToString(m.Arn) != "arn:aws:iam::123456789012:server-certificate/elb/www-2026" ||
		aws.ToString(m.ServerCertificateId) != aws.ToString(md.ServerCertificateId) || len(g.ServerCertificate.Tags) != 1 {
		t.Errorf("after rename %+v", m)
	}
	_, err = root.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String("www")})
	wantCodeMessage(t, err, "NoSuchEntity", "The Server Certificate with name www cannot be found.")

	// Delete.
	if _, err := root.DeleteServerCertificate(ctx, &awsiam.DeleteServerCertificateInput{ServerCertificateName: aws.String("www-2026")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteServerCertificate(ctx, &awsiam.DeleteServerCertificateInput{ServerCertificateName: aws.String("www-2026")})
	wantCode(t, err, "NoSuchEntity")

	// The quota: 20 per account.
	for i := 4; i < 20; i++ {
		c := issue(t, fmt.Sprintf("s%d.example.com", i), inter, false, now.Add(-time.Hour), year)
		if err := upload(fmt.Sprintf("site-%d", i), c.certPEM, c.keyPEM, nil); err != nil {
			t.Fatal(err)
		}
	}
	wantCodeMessage(t, upload("one-too-many", other.certPEM, other.keyPEM, nil), "LimitExceeded", "Cannot exceed quota for ServerCertificatesPerAccount: 20")
}

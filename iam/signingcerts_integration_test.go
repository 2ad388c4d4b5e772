package iam_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/pem"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// selfSigned makes a PEM self-signed certificate valid from notBefore to
// notAfter, with a key generated for the test (never committed).
func selfSigned(t *testing.T, cn string, notBefore, notAfter time.Time) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func validCert(t *testing.T, cn string) string {
	return selfSigned(t, cn, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
}

// Signing certificates: UploadSigningCertificate, ListSigningCertificates,
// UpdateSigningCertificate and DeleteSigningCertificate
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSigningCertificate.html
// and the pages of the other three operations).
func TestSigningCertificates(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	for _, u := range []string{"alice", "bob"} {
		if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	body := validCert(t, "alice")
	up, err := root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("alice"), CertificateBody: aws.String(body)})
	if err != nil {
		t.Fatal(err)
	}
	c := up.Certificate
	// Ids are letters and digits, at least 24 long (certificateIdType); the
	// API reference's example TA7SMP42TDN5Z26OBPJE7EXAMPLE has 28.
	if !regexp.MustCompile(`^[A-Z2-7]{28}$`).MatchString(*c.CertificateId) {
		t.Errorf("certificate id %q", *c.CertificateId)
	}
	// "When you upload the certificate, its default status is Active."
	if *c.UserName != "alice" || c.Status != types.StatusTypeActive || c.UploadDate == nil || *c.CertificateBody == "" {
		t.Errorf("uploaded %+v", c)
	}
	id := *c.CertificateId
	// The body comes back as uploaded, final newline included: Terraform's
	// aws_iam_signing_certificate reads it with ListSigningCertificates and
	// replaces the certificate when it differs from its configuration.
	if !strings.HasSuffix(body, "\n") {
		t.Fatal("validCert makes no final newline")
	}
	if *c.CertificateBody != body {
		t.Errorf("UploadSigningCertificate body %q, want %q", *c.CertificateBody, body)
	}
	if l, err := root.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: aws.String("alice")}); err != nil || len(l.Certificates) != 1 || *l.Certificates[0].CertificateBody != body {
		t.Errorf("ListSigningCertificates %+v %v, want the body as uploaded", l, err)
	}

	// DuplicateCertificate: "the same certificate is associated with an IAM
	// user in the account" — for another user too. 409 per the model.
	_, err = root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("bob"), CertificateBody: aws.String(body)})
	wantCode(t, err, "DuplicateCertificate")

	// MalformedCertificate: "the certificate was malformed or expired";
	// InvalidCertificate for one not yet valid.
	_, err = root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("alice"), CertificateBody: aws.String("not a certificate")})
	wantCodeMessage(t, err, "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	_, err = root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("alice"),
		CertificateBody: aws.String("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")})
	wantCode(t, err, "MalformedCertificate")
	_, err = root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("alice"),
		CertificateBody: aws.String(selfSigned(t, "old", time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)))})
	wantCode(t, err, "MalformedCertificate")
	_, err = root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("alice"),
		CertificateBody: aws.String(selfSigned(t, "future", time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour)))})
	wantCode(t, err, "InvalidCertificate")

	// Two per user (reference_iam-quotas.md).
	if _, err := root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("alice"), CertificateBody: aws.String(validCert(t, "a2"))}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("alice"), CertificateBody: aws.String(validCert(t, "a3"))})
	wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for SigningCertificatesPerUser: 2")

	// Pagination.
	p1, err := root.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: aws.String("alice"), MaxItems: aws.Int32(1)})
	if err != nil || len(p1.Certificates) != 1 || !p1.IsTruncated || p1.Marker == nil {
		t.Fatalf("first page %+v %v", p1, err)
	}
	p2, err := root.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: aws.String("alice"), MaxItems: aws.Int32(1), Marker: p1.Marker})
	if err != nil || len(p2.Certificates) != 1 || p2.IsTruncated || *p2.Certificates[0].CertificateId == *p1.Certificates[0].CertificateId {
		t.Fatalf("second page %+v %v", p2, err)
	}

	// Status.
	if _, err := root.UpdateSigningCertificate(ctx, &awsiam.UpdateSigningCertificateInput{UserName: aws.String("alice"), CertificateId: aws.String(id), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	l, err := root.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	for _, lc := range l.Certificates {
		if (*lc.CertificateId == id) != (lc.Status == types.StatusTypeInactive) {
			t.Errorf("status of %s: %s", *lc.CertificateId, lc.Status)
		}
	}

	// NoSuchEntity for unknown users and certificates, and for another
	// user's certificate.
	_, err = root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("nobody"), CertificateBody: aws.String(validCert(t, "n"))})
	wantCodeMessage(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err = root.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: aws.String("nobody")})
	wantCode(t, err, "NoSuchEntity")
	_, err = root.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{UserName: aws.String("bob"), CertificateId: aws.String(id)})
	wantCodeMessage(t, err, "NoSuchEntity", "The Certificate with id "+id+" cannot be found.")

	// Deleting releases the certificate: it can be uploaded again, for bob.
	if _, err := root.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{UserName: aws.String("alice"), CertificateId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UpdateSigningCertificate(ctx, &awsiam.UpdateSigningCertificateInput{UserName: aws.String("alice"), CertificateId: aws.String(id), Status: types.StatusTypeActive})
	wantCode(t, err, "NoSuchEntity")
	if _, err := root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("bob"), CertificateBody: aws.String(body)}); err != nil {
		t.Fatalf("re-upload after delete: %v", err)
	}
}

// Without UserName the certificate operations act on the caller's own
// certificates — an IAM user's, or the root user's: "you can use this operation
// to manage Amazon Web Services account root user credentials even if the
// Amazon Web Services account has no associated users"
// (API_UploadSigningCertificate, API_ListSigningCertificates).
func TestSigningCertificatesDefaultToCaller(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	dev := srv.NewUserWithKey(t, "dev")
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:UploadSigningCertificate","iam:ListSigningCertificates","iam:DeleteSigningCertificate"],"Resource":"arn:aws:iam::123456789012:user/${aws:username}"}}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("certs"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	up, err := dev.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(validCert(t, "dev"))})
	if err != nil || *up.Certificate.UserName != "dev" {
		t.Fatalf("upload as the caller: %+v %v", up, err)
	}
	l, err := dev.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{})
	if err != nil || len(l.Certificates) != 1 || *l.Certificates[0].CertificateId != *up.Certificate.CertificateId {
		t.Fatalf("list as the caller: %+v %v", l, err)
	}
	// The policy names dev's own ARN only.
	_, err = dev.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: aws.String("admin")})
	wantCode(t, err, "AccessDenied")

	// The root user's own certificates.
	rc, err := root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(validCert(t, "root"))})
	if err != nil {
		t.Fatal(err)
	}
	rl, err := root.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{})
	if err != nil || len(rl.Certificates) != 1 || *rl.Certificates[0].CertificateId != *rc.Certificate.CertificateId {
		t.Fatalf("root's certificates: %+v %v", rl, err)
	}
	if _, err := root.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{CertificateId: rc.Certificate.CertificateId}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{CertificateId: up.Certificate.CertificateId}); err != nil {
		t.Fatal(err)
	}
}

// Signing certificates in GetAccountSummary (AccountSigningCertificatesPresent:
// the root user has one, API_GetAccountSummary) and in the credential report
// (cert_N_active "TRUE" for an Active certificate, cert_N_last_rotated its
// date, N/A without an active one: id_credentials_getting-report.md).
func TestSigningCertificatesInReports(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	present := func() int32 {
		t.Helper()
		sum, err := root.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
		if err != nil {
			t.Fatal(err)
		}
		return sum.SummaryMap[string(types.SummaryKeyTypeAccountSigningCertificatesPresent)]
	}
	if n := present(); n != 0 {
		t.Fatalf("AccountSigningCertificatesPresent %d without certificates", n)
	}
	rc, err := root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(validCert(t, "root"))})
	if err != nil {
		t.Fatal(err)
	}
	if n := present(); n != 1 {
		t.Fatalf("AccountSigningCertificatesPresent %d with the root's certificate", n)
	}
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	var devIDs []string
	for _, cn := range []string{"one", "two"} {
		c, err := root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("dev"), CertificateBody: aws.String(validCert(t, cn))})
		if err != nil {
			t.Fatal(err)
		}
		devIDs = append(devIDs, *c.Certificate.CertificateId)
	}
	// A user's certificates are not the root's.
	if _, err := root.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{CertificateId: rc.Certificate.CertificateId}); err != nil {
		t.Fatal(err)
	}
	if n := present(); n != 0 {
		t.Fatalf("AccountSigningCertificatesPresent %d with users' certificates only", n)
	}
	if _, err := root.UpdateSigningCertificate(ctx, &awsiam.UpdateSigningCertificateInput{UserName: aws.String("dev"), CertificateId: aws.String(devIDs[1]), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := root.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := root.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(row []string, name string) string { return row[slices.Index(rows[0], name)] }
	for _, row := range rows[1:] {
		if row[0] != "dev" {
			continue
		}
		// The two were uploaded within the same second, so either may be
		// cert_1: one Active with its date, one Inactive with N/A.
		active, inactive := "cert_1", "cert_2"
		if col(row, "cert_1_active") == "false" {
			active, inactive = inactive, active
		}
		if col(row, active+"_active") != "true" || col(row, inactive+"_active") != "false" || col(row, inactive+"_last_rotated") != "N/A" {
			t.Errorf("dev's certificate columns %v", row)
		}
		if _, err := time.Parse(time.RFC3339, col(row, active+"_last_rotated")); err != nil {
			t.Errorf("%s_last_rotated %q: %v", active, col(row, active+"_last_rotated"), err)
		}
		return
	}
	t.Fatalf("no row for dev in %v", rows)
}

package iam_test

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Service-specific credentials: CreateServiceSpecificCredential,
// ListServiceSpecificCredentials, ResetServiceSpecificCredential,
// UpdateServiceSpecificCredential and DeleteServiceSpecificCredential
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html
// and the pages of the other four operations).
func TestServiceSpecificCredentials(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("jane")}); err != nil {
		t.Fatal(err)
	}
	create := func(service string) (*types.ServiceSpecificCredential, error) {
		out, err := root.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("jane"), ServiceName: aws.String(service)})
		if err != nil {
			return nil, err
		}
		return out.ServiceSpecificCredential, nil
	}
	cc, err := create("codecommit.amazonaws.com")
	if err != nil {
		t.Fatal(err)
	}
	// The generated user name combines "the IAM user's name combined with
	// the ID number of the Amazon Web Services account, as in
	// jane-at-123456789012" (API_ServiceSpecificCredential); ids start
	// ACCA ("Context-specific credential", reference_identifiers.md).
	if *cc.ServiceUserName != "jane-at-123456789012" || *cc.UserName != "jane" || cc.Status != types.StatusTypeActive ||
		*cc.ServiceName != "codecommit.amazonaws.com" || cc.CreateDate == nil || cc.ExpirationDate != nil || cc.ServiceCredentialSecret != nil {
		t.Errorf("created %+v", cc)
	}
	if !regexp.MustCompile(`^ACCA[A-Z2-7]{17}$`).MatchString(*cc.ServiceSpecificCredentialId) {
		t.Errorf("id %s", *cc.ServiceSpecificCredentialId)
	}
	if cc.ServicePassword == nil || len(*cc.ServicePassword) < 20 {
		t.Fatalf("password %v", cc.ServicePassword)
	}
	password := *cc.ServicePassword

	// The password is sealed at rest: no record holds it in plaintext.
	err = srv.Store.View(ctx, func(tx store.ReadTx) error {
		recs, err := tx.List(ctx, store.ListOptions{Kind: store.KindServiceCredential, Account: testserver.AccountID})
		if err != nil {
			return err
		}
		if len(recs) != 1 {
			t.Fatalf("%d records", len(recs))
		}
		if bytes.Contains(recs[0].Data, []byte(password)) {
			t.Error("the stored credential holds its password in plaintext")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Two per service per user; the second gets its own user name.
	cc2, err := create("codecommit.amazonaws.com")
	if err != nil {
		t.Fatal(err)
	}
	if *cc2.ServiceUserName == *cc.ServiceUserName || *cc2.ServicePassword == password {
		t.Errorf("second credential %s", *cc2.ServiceUserName)
	}
	_, err = create("codecommit.amazonaws.com")
	wantCode(t, err, "LimitExceeded")
	// Another service has its own quota.
	ks, err := create("cassandra.amazonaws.com")
	if err != nil || *ks.ServiceUserName != "jane-at-123456789012" {
		t.Fatalf("Keyspaces credential %+v %v", ks, err)
	}

	// Other services: NotSupportedService (404); unknown users: NoSuchEntity.
	_, err = create("s3.amazonaws.com")
	wantCode(t, err, "NotSupportedService")
	_, err = root.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("nobody"), ServiceName: aws.String("codecommit.amazonaws.com")})
	wantCodeMessage(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")

	// CredentialAgeDays "is only valid for services that support long-term
	// API keys" (Amazon Bedrock, Amazon CloudWatch Logs).
	_, err = root.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("jane"),
		ServiceName: aws.String("codecommit.amazonaws.com"), CredentialAgeDays: aws.Int32(30)})
	wantCode(t, err, "InvalidInput")
	bk, err := root.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("jane"),
		ServiceName: aws.String("bedrock.amazonaws.com"), CredentialAgeDays: aws.Int32(30)})
	if err != nil {
		t.Fatal(err)
	}
	b := bk.ServiceSpecificCredential
	if b.ServiceCredentialAlias == nil || b.ServiceCredentialSecret == nil || b.ServicePassword != nil || b.ExpirationDate == nil ||
		!b.ExpirationDate.Equal(b.CreateDate.Add(30*24*time.Hour)) {
		t.Fatalf("Bedrock API key %+v", b)
	}

	// Listing never shows a password; it filters by service and pages.
	l, err := root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: aws.String("jane")})
	if err != nil || len(l.ServiceSpecificCredentials) != 4 {
		t.Fatalf("list %+v %v", l, err)
	}
	l, err = root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: aws.String("jane"), ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil || len(l.ServiceSpecificCredentials) != 2 {
		t.Fatalf("list codecommit %+v %v", l, err)
	}
	p1, err := root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: aws.String("jane"), MaxItems: aws.Int32(3)})
	if err != nil || len(p1.ServiceSpecificCredentials) != 3 || !p1.IsTruncated {
		t.Fatalf("first page %+v %v", p1, err)
	}
	p2, err := root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: aws.String("jane"), MaxItems: aws.Int32(3), Marker: p1.Marker})
	if err != nil || len(p2.ServiceSpecificCredentials) != 1 || p2.IsTruncated {
		t.Fatalf("second page %+v %v", p2, err)
	}
	_, err = root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: aws.String("jane"), ServiceName: aws.String("s3.amazonaws.com")})
	wantCode(t, err, "NotSupportedService")
	_, err = root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: aws.String("nobody")})
	wantCode(t, err, "NoSuchEntity")

	// AllUsers lists every user's credentials for the service, and
	// "cannot be specified together with UserName".
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("ken")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("ken"), ServiceName: aws.String("codecommit.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	all, err := root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil || len(all.ServiceSpecificCredentials) != 3 {
		t.Fatalf("AllUsers %+v %v", all, err)
	}
	_, err = root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), UserName: aws.String("jane")})
	wantCode(t, err, "InvalidInput")

	// Reset: a new password, returned once.
	id := cc.ServiceSpecificCredentialId
	rs, err := root.ResetServiceSpecificCredential(ctx, &awsiam.ResetServiceSpecificCredentialInput{UserName: aws.String("jane"), ServiceSpecificCredentialId: id})
	if err != nil || rs.ServiceSpecificCredential.ServicePassword == nil || *rs.ServiceSpecificCredential.ServicePassword == password ||
		*rs.ServiceSpecificCredential.ServiceUserName != "jane-at-123456789012" {
		t.Fatalf("reset %+v %v", rs, err)
	}

	// Status.
	if _, err := root.UpdateServiceSpecificCredential(ctx, &awsiam.UpdateServiceSpecificCredentialInput{UserName: aws.String("jane"), ServiceSpecificCredentialId: id, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	l, err = root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: aws.String("jane"), ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range l.ServiceSpecificCredentials {
		if (*m.ServiceSpecificCredentialId == *id) != (m.Status == types.StatusTypeInactive) {
			t.Errorf("status of %s: %s", *m.ServiceSpecificCredentialId, m.Status)
		}
	}

	// Unknown ids and another user's credential: NoSuchEntity.
	missing := "ACCAAAAAAAAAAAAAAAAAA"
	_, err = root.ResetServiceSpecificCredential(ctx, &awsiam.ResetServiceSpecificCredentialInput{UserName: aws.String("jane"), ServiceSpecificCredentialId: aws.String(missing)})
	wantCodeMessage(t, err, "NoSuchEntity", "No such credential "+missing+" exists")
	_, err = root.DeleteServiceSpecificCredential(ctx, &awsiam.DeleteServiceSpecificCredentialInput{UserName: aws.String("ken"), ServiceSpecificCredentialId: id})
	wantCode(t, err, "NoSuchEntity")

	// A rename keeps the generated user name ("Changing the name of an IAM
	// user after generating Git credentials does not change the user name
	// of the Git credentials", id_credentials_ssh-keys.md).
	if _, err := root.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("jane"), NewUserName: aws.String("janet")}); err != nil {
		t.Fatal(err)
	}
	l, err = root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: aws.String("janet"), ServiceName: aws.String("cassandra.amazonaws.com")})
	if err != nil || len(l.ServiceSpecificCredentials) != 1 || *l.ServiceSpecificCredentials[0].UserName != "janet" ||
		*l.ServiceSpecificCredentials[0].ServiceUserName != "jane-at-123456789012" {
		t.Fatalf("after rename %+v %v", l, err)
	}
	if _, err := root.DeleteServiceSpecificCredential(ctx, &awsiam.DeleteServiceSpecificCredentialInput{UserName: aws.String("janet"), ServiceSpecificCredentialId: id}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteServiceSpecificCredential(ctx, &awsiam.DeleteServiceSpecificCredentialInput{UserName: aws.String("janet"), ServiceSpecificCredentialId: id})
	wantCode(t, err, "NoSuchEntity")
}

// The caller's own credentials without UserName ("If this value is not
// specified, then the operation assumes the user whose credentials are used to
// call the operation"), and iam:ServiceSpecificCredentialServiceName in
// policies (Service Authorization Reference, IAM condition keys).
func TestServiceSpecificCredentialsAuthorization(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	dev := srv.NewUserWithKey(t, "dev")
	doc := `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":["iam:CreateServiceSpecificCredential","iam:ResetServiceSpecificCredential","iam:DeleteServiceSpecificCredential"],"Resource":"arn:aws:iam::123456789012:user/${aws:username}",
 "Condition":{"StringEquals":{"iam:ServiceSpecificCredentialServiceName":"codecommit.amazonaws.com"}}},
{"Effect":"Allow","Action":"iam:ListServiceSpecificCredentials","Resource":"arn:aws:iam::123456789012:user/${aws:username}"}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("git"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	out, err := dev.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("dev"), ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = dev.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("dev"), ServiceName: aws.String("cassandra.amazonaws.com")})
	wantCode(t, err, "AccessDenied")
	ks, err := root.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("dev"), ServiceName: aws.String("cassandra.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	// The stored credential's service decides Reset and Delete.
	if _, err := dev.ResetServiceSpecificCredential(ctx, &awsiam.ResetServiceSpecificCredentialInput{ServiceSpecificCredentialId: out.ServiceSpecificCredential.ServiceSpecificCredentialId}); err != nil {
		t.Fatal(err)
	}
	_, err = dev.DeleteServiceSpecificCredential(ctx, &awsiam.DeleteServiceSpecificCredentialInput{ServiceSpecificCredentialId: ks.ServiceSpecificCredential.ServiceSpecificCredentialId})
	wantCode(t, err, "AccessDenied")
	l, err := dev.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{})
	if err != nil || len(l.ServiceSpecificCredentials) != 2 {
		t.Fatalf("list as the caller %+v %v", l, err)
	}
	// The root user has no service-specific credentials of its own.
	_, err = root.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{})
	wantCode(t, err, "ValidationError")
}

// DeleteUser refuses while the user has access keys, signing certificates,
// SSH public keys or service-specific (Git) credentials, in the order
// API_DeleteUser lists them ("Before attempting to delete a user, remove the
// following items").
func TestDeleteUserCredentialConflicts(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	u := aws.String("leaver")
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: u}); err != nil {
		t.Fatal(err)
	}
	ak, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: u})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := root.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: u, CertificateBody: aws.String(validCert(t, "leaver"))})
	if err != nil {
		t.Fatal(err)
	}
	sk, err := root.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: u, SSHPublicKeyBody: aws.String(authorizedKey(t, &rsaKey(t, 2048).PublicKey, "l"))})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := root.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: u, ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		msg    string
		remove func() error
	}{
		{"Cannot delete entity, must delete access keys first.", func() error {
			_, err := root.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: u, AccessKeyId: ak.AccessKey.AccessKeyId})
			return err
		}},
		{"Cannot delete entity, must delete signing certificates first.", func() error {
			_, err := root.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{UserName: u, CertificateId: sc.Certificate.CertificateId})
			return err
		}},
		{"Cannot delete entity, must delete SSH public keys first.", func() error {
			_, err := root.DeleteSSHPublicKey(ctx, &awsiam.DeleteSSHPublicKeyInput{UserName: u, SSHPublicKeyId: sk.SSHPublicKey.SSHPublicKeyId})
			return err
		}},
		{"Cannot delete entity, must delete service specific credentials first.", func() error {
			_, err := root.DeleteServiceSpecificCredential(ctx, &awsiam.DeleteServiceSpecificCredentialInput{UserName: u, ServiceSpecificCredentialId: cr.ServiceSpecificCredential.ServiceSpecificCredentialId})
			return err
		}},
	}
	for _, st := range steps {
		_, err := root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: u})
		wantCodeMessage(t, err, "DeleteConflict", st.msg)
		if err := st.remove(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: u}); err != nil {
		t.Fatalf("DeleteUser once every credential is gone: %v", err)
	}
}

package iam_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/crypto/ssh"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// rsaKey generates an RSA key of bits for the test (never committed).
func rsaKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// authorizedKey is pub as an OpenSSH authorized_keys line with a comment.
func authorizedKey(t *testing.T, pub any, comment string) string {
	t.Helper()
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " " + comment
}

// pemPublicKey is pub as a PKIX PEM block.
func pemPublicKey(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// md5Fingerprint computes, independently of the server, the MD5 of the key's
// wire encoding (the base64 blob of its authorized_keys line) as
// colon-separated hex pairs.
func md5Fingerprint(t *testing.T, line string) string {
	t.Helper()
	blob, err := base64.StdEncoding.DecodeString(strings.Fields(line)[1])
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(blob)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

// SSH public keys: UploadSSHPublicKey, GetSSHPublicKey, ListSSHPublicKeys,
// UpdateSSHPublicKey and DeleteSSHPublicKey
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html
// and the pages of the other four operations).
func TestSSHPublicKeys(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	key := rsaKey(t, 2048)
	line := authorizedKey(t, &key.PublicKey, "alice@laptop")

	up, err := root.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("ALICE"), SSHPublicKeyBody: aws.String(line)})
	if err != nil {
		t.Fatal(err)
	}
	k := up.SSHPublicKey
	// Ids start APKA ("Public key", reference_identifiers.md) and are 20
	// characters like the API reference's APKAEIBAERJR2EXAMPLE.
	if !strings.HasPrefix(*k.SSHPublicKeyId, "APKA") || len(*k.SSHPublicKeyId) != 20 {
		t.Errorf("id %s", *k.SSHPublicKeyId)
	}
	if *k.UserName != "alice" || k.Status != types.StatusTypeActive || k.UploadDate == nil || *k.SSHPublicKeyBody != line {
		t.Errorf("uploaded %+v", k)
	}
	// The fingerprint is the MD5 message digest of the key (API_SSHPublicKey).
	if *k.Fingerprint != md5Fingerprint(t, line) {
		t.Errorf("fingerprint %s, want %s", *k.Fingerprint, md5Fingerprint(t, line))
	}
	id := *k.SSHPublicKeyId

	// Encoding SSH gives the ssh-rsa form, PEM a PEM public key of the same key.
	got, err := root.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(id), Encoding: types.EncodingTypeSsh})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(strings.Fields(line)[:2], " "); *got.SSHPublicKey.SSHPublicKeyBody != want || *got.SSHPublicKey.Fingerprint != *k.Fingerprint {
		t.Errorf("SSH encoding %q, want %q", *got.SSHPublicKey.SSHPublicKeyBody, want)
	}
	got, err = root.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(id), Encoding: types.EncodingTypePem})
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(*got.SSHPublicKey.SSHPublicKeyBody))
	if block == nil {
		t.Fatalf("PEM encoding %q", *got.SSHPublicKey.SSHPublicKeyBody)
	}
	pk, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil || !key.PublicKey.Equal(pk) {
		t.Fatalf("PEM key %v %v", pk, err)
	}
	// Encoding is an enum of the model: other values fail validation.
	_, err = root.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(id), Encoding: "XML"})
	wantCode(t, err, "ValidationError")

	// The same key again, even with another comment or as PEM, is a duplicate.
	_, err = root.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(strings.Replace(line, "alice@laptop", "other", 1))})
	wantCode(t, err, "DuplicateSSHPublicKey")
	_, err = root.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(pemPublicKey(t, &key.PublicKey))})
	wantCode(t, err, "DuplicateSSHPublicKey")

	// Keys must be ssh-rsa or PEM, RSA of at least 2048 bits
	// (id_credentials_ssh-keys.md); ed25519 and ECDSA keys are not accepted.
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	small := rsaKey(t, 1024)
	for name, body := range map[string]string{
		"ed25519":      authorizedKey(t, edPub, "e"),
		"ecdsa":        authorizedKey(t, &ecKey.PublicKey, "e"),
		"ecdsa PEM":    pemPublicKey(t, &ecKey.PublicKey),
		"1024-bit":     authorizedKey(t, &small.PublicKey, "s"),
		"1024-bit PEM": pemPublicKey(t, &small.PublicKey),
		"damaged":      "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x",
	} {
		_, err := root.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(body)})
		if apiCode(err) != "InvalidPublicKey" {
			t.Errorf("%s key: %v, want InvalidPublicKey", name, err)
		}
	}
	for _, body := range []string{"hello", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		_, err := root.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(body)})
		if apiCode(err) != "UnrecognizedPublicKeyEncoding" {
			t.Errorf("body %q: %v, want UnrecognizedPublicKeyEncoding", body, err)
		}
	}

	// A PEM key is accepted; five keys per user (reference_iam-quotas.md).
	if _, err := root.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(pemPublicKey(t, &rsaKey(t, 2048).PublicKey))}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := root.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(authorizedKey(t, &rsaKey(t, 2048).PublicKey, "k"))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = root.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(authorizedKey(t, &rsaKey(t, 2048).PublicKey, "k"))})
	wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for SSHPublicKeysPerUser: 5")

	// Pagination with MaxItems and Marker.
	var ids []string
	var marker *string
	for pages := 0; ; pages++ {
		l, err := root.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{UserName: aws.String("alice"), MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.SSHPublicKeys) > 2 || pages > 3 {
			t.Fatalf("page %d: %d keys", pages, len(l.SSHPublicKeys))
		}
		for _, m := range l.SSHPublicKeys {
			ids = append(ids, *m.SSHPublicKeyId)
		}
		if !l.IsTruncated {
			break
		}
		marker = l.Marker
	}
	if len(ids) != 5 {
		t.Fatalf("listed %v", ids)
	}

	// Status.
	if _, err := root.UpdateSSHPublicKey(ctx, &awsiam.UpdateSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(id), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	got, err = root.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(id), Encoding: types.EncodingTypeSsh})
	if err != nil || got.SSHPublicKey.Status != types.StatusTypeInactive {
		t.Fatalf("after UpdateSSHPublicKey: %+v %v", got, err)
	}
	_, err = root.UpdateSSHPublicKey(ctx, &awsiam.UpdateSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(id), Status: types.StatusTypeExpired})
	wantCode(t, err, "InvalidInput")

	// Unknown users and keys: NoSuchEntity.
	_, err = root.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("nobody"), SSHPublicKeyBody: aws.String(line)})
	wantCodeMessage(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err = root.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{UserName: aws.String("nobody")})
	wantCode(t, err, "NoSuchEntity")
	missing := "APKAAAAAAAAAAAAAAAAA"
	_, err = root.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(missing), Encoding: types.EncodingTypeSsh})
	wantCodeMessage(t, err, "NoSuchEntity", "The SSH Public Key with id "+missing+" cannot be found.")
	_, err = root.DeleteSSHPublicKey(ctx, &awsiam.DeleteSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(missing)})
	wantCode(t, err, "NoSuchEntity")

	// A rename moves the keys to the new name.
	if _, err := root.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alicia")}); err != nil {
		t.Fatal(err)
	}
	got, err = root.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: aws.String("alicia"), SSHPublicKeyId: aws.String(id), Encoding: types.EncodingTypeSsh})
	if err != nil || *got.SSHPublicKey.UserName != "alicia" {
		t.Fatalf("after rename: %+v %v", got, err)
	}
	// Another user cannot reach alicia's key by id.
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteSSHPublicKey(ctx, &awsiam.DeleteSSHPublicKeyInput{UserName: aws.String("bob"), SSHPublicKeyId: aws.String(id)})
	wantCode(t, err, "NoSuchEntity")

	for _, kid := range ids {
		if _, err := root.DeleteSSHPublicKey(ctx, &awsiam.DeleteSSHPublicKeyInput{UserName: aws.String("alicia"), SSHPublicKeyId: aws.String(kid)}); err != nil {
			t.Fatal(err)
		}
	}
	l, err := root.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{UserName: aws.String("alicia")})
	if err != nil || len(l.SSHPublicKeys) != 0 || l.IsTruncated {
		t.Fatalf("after deleting every key: %+v %v", l, err)
	}
}

// SSH key operations are authorized on the user's ARN (Service Authorization
// Reference: iam:UploadSSHPublicKey … on resource type user), and
// ListSSHPublicKeys without UserName lists the caller's keys ("the UserName
// field is determined implicitly based on the Amazon Web Services access key
// used to sign the request", API_ListSSHPublicKeys).
func TestSSHPublicKeysAuthorization(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	dev := srv.NewUserWithKey(t, "dev")
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("other")}); err != nil {
		t.Fatal(err)
	}
	line := authorizedKey(t, &rsaKey(t, 2048).PublicKey, "dev")
	_, err := dev.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(line)})
	wantCode(t, err, "AccessDenied")

	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:UploadSSHPublicKey","iam:ListSSHPublicKeys"],"Resource":"arn:aws:iam::123456789012:user/${aws:username}"}}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("ssh"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(line)}); err != nil {
		t.Fatal(err)
	}
	_, err = dev.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("other"), SSHPublicKeyBody: aws.String(line)})
	wantCode(t, err, "AccessDenied")
	l, err := dev.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{})
	if err != nil || len(l.SSHPublicKeys) != 1 || *l.SSHPublicKeys[0].UserName != "dev" {
		t.Fatalf("ListSSHPublicKeys as the caller: %+v %v", l, err)
	}
}

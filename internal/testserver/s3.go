package testserver

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/store"
)

// S3Client returns an S3 client for the given credentials (sessionToken ""
// for long-term keys), addressing buckets path style at the server's URL
// (the test server has no virtual-hosting domain).
func (s *Server) S3Client(keyID, secret, sessionToken string, optFns ...func(*awss3.Options)) *awss3.Client {
	c := s.Config(keyID, secret)
	c.Credentials = credentials.NewStaticCredentialsProvider(keyID, secret, sessionToken)
	return S3FromConfig(c, optFns...)
}

// RootS3 returns an S3 client signed with the management account root
// user's key.
func (s *Server) RootS3(optFns ...func(*awss3.Options)) *awss3.Client {
	return s.S3Client(RootKeyID, RootSecretKey, "", optFns...)
}

// S3FromConfig returns a path-style S3 client for a configuration made by
// Config or SessionConfig (or a Member's Admin).
func S3FromConfig(c aws.Config, optFns ...func(*awss3.Options)) *awss3.Client {
	return awss3.NewFromConfig(c, append([]func(*awss3.Options){func(o *awss3.Options) { o.UsePathStyle = true }}, optFns...)...)
}

// AnonymousS3 returns an S3 client that sends unsigned requests.
func (s *Server) AnonymousS3(optFns ...func(*awss3.Options)) *awss3.Client {
	c := s.Config(RootKeyID, RootSecretKey)
	c.Credentials = aws.AnonymousCredentials{}
	return S3FromConfig(c, optFns...)
}

// NewStandaloneAccount creates an account outside any organization (as
// `gatehouse admin create-account` does) with a root access key, and
// returns an SDK configuration signed with that key.
func (s *Server) NewStandaloneAccount(t testing.TB, id, keyID, secret string) aws.Config {
	t.Helper()
	ctx := context.Background()
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		return store.CreateJSON(ctx, tx, store.KindAccount, "", id, store.Account{ID: id, Name: "standalone-" + id, CreateDate: time.Now().UTC().Truncate(time.Second)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.IAM.CreateRootAccessKey(ctx, id, keyID, secret); err != nil {
		t.Fatal(err)
	}
	return s.Config(keyID, secret)
}

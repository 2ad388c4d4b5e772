package testserver

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
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

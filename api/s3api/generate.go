// Package s3api holds the names of every operation of the S3 API model and
// the Go types of the shapes of the operations Gatehouse serves, generated
// by internal/apigen (-restxml) from the S3 API model (zz_generated.go),
// and the outputs S3 answers beyond the model (ListBucketsPage, S3
// Control's AccountPublicAccessBlock, WithStatus, WithHeaders).
//
// Services import this package only: the wire codec of these types is
// package s3codec, generated beside it, which only the server imports,
// so no service reaches a protocol runtime.
package s3api

//go:generate go run ../../internal/apigen -restxml -model ../../reference/aws-api-models/s3/2006-03-01/service-2.json -pkg s3api -out zz_generated.go -codec s3codec -codec-out ../s3codec/zz_generated.go

// Package s3api holds the Amazon S3 operation table (method, request URI,
// required parameters: what protocol/restxml routes by) for every operation
// of the S3 API model, and the Go types of the shapes of the operations
// Gatehouse serves with their REST-XML decoders and encoders, all generated
// by internal/apigen (-restxml) from the S3 API model (zz_generated.go).
package s3api

//go:generate go run ../../internal/apigen -restxml -model ../../reference/aws-api-models/s3/2006-03-01/service-2.json -pkg s3api -out zz_generated.go

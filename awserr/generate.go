package awserr

//go:generate go run ../internal/apigen -errors -model ../reference/aws-api-models/iam/2010-05-08/service-2.json -model ../reference/aws-api-models/sts/2011-06-15/service-2.json -pkg awserr -out zz_codes.go

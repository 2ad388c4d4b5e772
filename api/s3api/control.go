package s3api

// ControlNamespace is the XML namespace of S3 Control documents.
const ControlNamespace = "http://awss3control.amazonaws.com/doc/2018-08-20/"

// AccountPublicAccessBlock is an account's Block Public Access settings as
// S3 Control's GetPublicAccessBlock returns them
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html),
// an S3 Control document written by hand (api/s3codec): the S3 model this
// package is generated from does not hold S3 Control.
type AccountPublicAccessBlock struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
}

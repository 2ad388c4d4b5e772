package acl

import "github.com/gatehouse-iam/gatehouse/awserr"

// S3's error codes for ACL input (S3 API reference, "Error responses":
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
const (
	CodeInvalidArgument  = "InvalidArgument"
	CodeInvalidRequest   = "InvalidRequest"
	CodeMalformedACL     = "MalformedACLError"
	CodeMethodNotAllowed = "MethodNotAllowed"
)

// errInvalidArgument is S3's 400 InvalidArgument, with the ArgumentName and
// ArgumentValue members S3 adds to its error document.
func errInvalidArgument(msg, name, value string) *awserr.Error {
	return awserr.New(CodeInvalidArgument, msg).WithMembers(map[string]any{"ArgumentName": name, "ArgumentValue": value})
}

func errInvalidRequest(msg string) *awserr.Error { return awserr.New(CodeInvalidRequest, msg) }

func errMalformedACL() *awserr.Error {
	return awserr.New(CodeMalformedACL, "The XML you provided was not well-formed or did not validate against our published schema")
}

// ErrEmailGrantee is the error S3 answers a grant to an email address with
// since it discontinued email grantees on October 1, 2025: 405
// MethodNotAllowed (S3 API reference, PutObjectAcl and CopyObject: "If you
// attempt to use an Email Grantee ACL in a request after October 1, 2025,
// the request will receive an HTTP 405 (Method Not Allowed) error").
func ErrEmailGrantee() *awserr.Error {
	e := awserr.New(CodeMethodNotAllowed, "The specified method is not allowed against this resource.")
	e.Status = 405
	return e
}

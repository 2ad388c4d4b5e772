package sigv4

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// AWS error codes returned by this package, as they appear in AWS's error
// responses.
const (
	CodeMissingAuthenticationToken        = "MissingAuthenticationToken"
	CodeIncompleteSignature               = "IncompleteSignature"
	CodeInvalidClientTokenID              = "InvalidClientTokenId"
	CodeSignatureDoesNotMatch             = "SignatureDoesNotMatch"
	CodeAccessDenied                      = "AccessDenied"
	CodeAuthorizationQueryParametersError = "AuthorizationQueryParametersError"
	CodeXAmzContentSHA256Mismatch         = "XAmzContentSHA256Mismatch"
	CodeInternalFailure                   = "InternalFailure"

	// S3's codes (Options.S3).
	CodeInvalidAccessKeyID           = "InvalidAccessKeyId"
	CodeRequestTimeTooSkewed         = "RequestTimeTooSkewed"
	CodeAuthorizationHeaderMalformed = "AuthorizationHeaderMalformed"
	CodeInvalidRequest               = "InvalidRequest"
	CodeInvalidArgument              = "InvalidArgument"
	CodeIncompleteBody               = "IncompleteBody"
	CodeInvalidChunkSizeError        = "InvalidChunkSizeError"
	CodeBadDigest                    = "BadDigest"
	CodeInvalidDigest                = "InvalidDigest"
	CodeMalformedTrailerError        = "MalformedTrailerError"
	CodeMissingContentLength         = "MissingContentLength"
	CodeNotImplemented               = "NotImplemented"
)

// ErrUnknownAccessKey is returned (possibly wrapped) by a lookup function when
// no secret exists for the access key ID. Verify reports it to the client as
// InvalidClientTokenId.
var ErrUnknownAccessKey = errors.New("sigv4: unknown access key")

// Error is an authentication failure with AWS's code, HTTP status and
// client-safe message. Err, when set, is an internal cause (for example a
// failing key store) for logs only.
//
// Fields are the extra elements some of S3's error documents carry after
// Message, in S3's order (for example AWSAccessKeyId, StringToSign,
// SignatureProvided... for SignatureDoesNotMatch). They are client-safe: never
// a secret or a signing key. Only the S3 rules (Options.S3) set them.
type Error struct {
	Code    string  // AWS error code, e.g. "SignatureDoesNotMatch"
	Status  int     // HTTP status code to answer with
	Message string  // message for the client, in AWS's wording
	Fields  []Field // extra elements of S3's error document, in order
	Err     error   // internal cause; never sent to the client

	kind   errKind // what failed, for the S3 rules' translation
	detail string  // what S3's message for it names
}

// Field is one extra element of an S3 error document: <Name>Value</Name>.
type Field struct {
	Name, Value string
}

// Field returns the value of the named field and whether it is present.
func (e *Error) Field(name string) (string, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// errKind says which check produced an IAM-style error, so that the S3 rules
// can answer with S3's code and message instead.
type errKind uint8

const (
	kindOther errKind = iota
	kindNoAuth
	kindBothAuth
	kindAlgorithm
	kindQueryAlgorithm
	kindHeaderParams
	kindMissingEqual
	kindQueryParams
	kindHost
	kindDate
	kindCredential
)

// Error implements error. It includes the internal cause, so use Code and
// Message, not Error(), when writing a response.
func (e *Error) Error() string {
	s := "sigv4: " + e.Code + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Messages in AWS's wording. Sources: the AWS error strings recorded by
// dacut/scratchstack-aws-signature (src/canonical.rs, src/auth.rs) and
// mhart/dynalite (which records real AWS responses), the aws-cli and SDK
// issues quoting live AWS answers (aws/aws-cli#6676, aws/aws-sdk-js#254,
// JuliaCloud/AWS.jl#565, aws/aws-sdk-js#3493), and the IAM API reference's
// "Common Errors" page for the HTTP statuses.
const (
	msgMissingToken      = "Request is missing Authentication Token"
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidToken      = "The security token included in the request is invalid."
	msgInternal          = "The request processing has failed because of an unknown error, exception or failure."
	msgHostNotSigned     = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgRequestExpired    = "Request has expired"
	msgPayloadMismatch   = "The provided 'x-amz-content-sha256' header does not match what was computed."

	msgReqCredential    = "Authorization header requires 'Credential' parameter."
	msgReqSignature     = "Authorization header requires 'Signature' parameter."
	msgReqSignedHeaders = "Authorization header requires 'SignedHeaders' parameter."
	msgReqDate          = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."

	msgQueryCredential    = "AWS query-string parameters must include 'X-Amz-Credential'."
	msgQuerySignature     = "AWS query-string parameters must include 'X-Amz-Signature'."
	msgQuerySignedHeaders = "AWS query-string parameters must include 'X-Amz-SignedHeaders'."
	msgQueryDate          = "AWS query-string parameters must include 'X-Amz-Date'."
	msgQueryReexamine     = "Re-examine the query-string parameters."

	msgExpiresNumber   = "X-Amz-Expires should be a number"
	msgExpiresNegative = "X-Amz-Expires must be non-negative"
	msgExpiresTooLarge = "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
)

// isoBasic is the layout of X-Amz-Date and of times in AWS's messages.
const isoBasic = "20060102T150405Z"

func newError(code string, status int, msg string) *Error {
	return &Error{Code: code, Status: status, Message: msg}
}

func withKind(e *Error, k errKind) *Error {
	e.kind = k
	return e
}

func errMissingToken() *Error {
	return withKind(newError(CodeMissingAuthenticationToken, http.StatusForbidden, msgMissingToken), kindNoAuth)
}

func errMismatch(msg string) *Error {
	return newError(CodeSignatureDoesNotMatch, http.StatusForbidden, msg)
}

// errIncomplete builds IncompleteSignature. The IAM API reference lists it
// with HTTP status 400 (docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html).
func errIncomplete(msg string) *Error {
	return newError(CodeIncompleteSignature, http.StatusBadRequest, msg)
}

func errQueryParams(msg string) *Error {
	return newError(CodeAuthorizationQueryParametersError, http.StatusBadRequest, msg)
}

func errUnsupportedAlgorithm(alg string) *Error {
	return withKind(errIncomplete("Unsupported AWS 'algorithm': '"+alg+"'."), kindAlgorithm)
}

func errMissingEqual(param, header string) *Error {
	e := errIncomplete("'" + param + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + header + "'.")
	e.kind, e.detail = kindMissingEqual, param
	return e
}

func errBadDate(got string) *Error {
	return withKind(errIncomplete("Date must be in ISO-8601 'basic format'. Got '"+got+"'. See http://en.wikipedia.org/wiki/ISO_8601"), kindDate)
}

func errCredentialParts(cred string) *Error {
	return withKind(errIncomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+cred+"'"), kindCredential)
}

// skewText renders a skew the way AWS does ("15 min.").
func skewText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min."
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " sec."
}

func errExpired(req, min, now time.Time, skew time.Duration) *Error {
	return errMismatch("Signature expired: " + req.UTC().Format(isoBasic) + " is now earlier than " +
		min.UTC().Format(isoBasic) + " (" + now.UTC().Format(isoBasic) + " - " + skewText(skew) + ")")
}

func errNotYetCurrent(req, max, now time.Time, skew time.Duration) *Error {
	return errMismatch("Signature not yet current: " + req.UTC().Format(isoBasic) + " is still later than " +
		max.UTC().Format(isoBasic) + " (" + now.UTC().Format(isoBasic) + " + " + skewText(skew) + ")")
}

// scopeErrors collects AWS's credential-scope complaints, joined by a space
// as AWS does when several parts are wrong.
type scopeErrors struct{ b strings.Builder }

func (s *scopeErrors) add(msg string) {
	if s.b.Len() > 0 {
		s.b.WriteByte(' ')
	}
	s.b.WriteString(msg)
}

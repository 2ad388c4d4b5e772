package awserr

import (
	"fmt"
	"strings"
)

// The protocol-level errors below are common to every AWS Query service and
// are not declared by the IAM or STS API models, so they cannot be generated.
// Codes and statuses: AWS "Common Errors" reference
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html,
// the same page exists for every Query service). AccessDenied is IAM's and
// STS's code for an authorization failure, answered with 403 (see
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).

// Common error codes that the API models do not declare.
const (
	CodeAccessDenied               = "AccessDenied"
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeInternalFailure            = "InternalFailure"
	CodeInvalidAction              = "InvalidAction"
	CodeInvalidClientTokenID       = "InvalidClientTokenId"
	CodeInvalidParameterCombo      = "InvalidParameterCombination"
	CodeInvalidParameterValue      = "InvalidParameterValue"
	CodeInvalidQueryParameter      = "InvalidQueryParameter"
	CodeMalformedInput             = "MalformedInput"
	CodeMalformedQueryString       = "MalformedQueryString"
	CodeMissingAction              = "MissingAction"
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeMissingParameter           = "MissingParameter"
	CodeRequestExpired             = "RequestExpired"
	CodeServiceUnavailable         = "ServiceUnavailable"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	CodeThrottling                 = "Throttling"
	CodeValidationError            = "ValidationError"
)

func commonCode(code string) (status int, sender bool, ok bool) {
	switch code {
	case CodeAccessDenied, CodeInvalidClientTokenID, CodeMissingAuthenticationToken, CodeSignatureDoesNotMatch:
		return 403, true, true
	case CodeIncompleteSignature, CodeInvalidAction, CodeInvalidParameterCombo, CodeInvalidParameterValue,
		CodeInvalidQueryParameter, CodeMalformedInput, CodeMissingAction, CodeMissingParameter,
		CodeRequestExpired, CodeThrottling, CodeValidationError:
		return 400, true, true
	case CodeMalformedQueryString:
		return 404, true, true
	case CodeInternalFailure:
		return 500, false, true
	case CodeServiceUnavailable:
		return 503, false, true
	}
	return 0, false, false
}

func common(code, format string, args []any) *Error {
	status, sender, _ := commonCode(code)
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Status: status, Sender: sender, Message: msg}
}

// ValidationError returns a 400 ValidationError: the input failed the model's
// constraints or a service-side check.
func ValidationError(format string, args ...any) *Error {
	return common(CodeValidationError, format, args)
}

// MissingParameter returns a 400 MissingParameter error.
func MissingParameter(format string, args ...any) *Error {
	return common(CodeMissingParameter, format, args)
}

// InvalidParameterValue returns a 400 InvalidParameterValue error.
func InvalidParameterValue(format string, args ...any) *Error {
	return common(CodeInvalidParameterValue, format, args)
}

// AccessDenied returns a 403 AccessDenied error.
func AccessDenied(format string, args ...any) *Error {
	return common(CodeAccessDenied, format, args)
}

// InvalidAction returns a 400 InvalidAction error: the action is unknown for
// the requested version.
func InvalidAction(format string, args ...any) *Error {
	return common(CodeInvalidAction, format, args)
}

// MissingAction returns a 400 MissingAction error: the request names no
// action.
func MissingAction(format string, args ...any) *Error {
	return common(CodeMissingAction, format, args)
}

// MalformedInput returns a 400 MalformedInput error: a parameter could not be
// parsed as its declared type (e.g. a non-numeric integer).
func MalformedInput(format string, args ...any) *Error {
	return common(CodeMalformedInput, format, args)
}

// MalformedQueryString returns a 404 MalformedQueryString error: the query
// string or form body is not valid URL encoding.
func MalformedQueryString(format string, args ...any) *Error {
	return common(CodeMalformedQueryString, format, args)
}

// InternalFailure returns a 500 InternalFailure error wrapping cause, with
// AWS's generic message; cause never reaches the client.
func InternalFailure(cause error) *Error {
	e := common(CodeInternalFailure, "The request processing has failed because of an unknown error, exception or failure.", nil)
	e.Err = cause
	return e
}

// Field is one entry of a ValidationException's fieldList: the member that
// failed and why.
type Field struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// FieldValidation returns the ValidationException of the REST-JSON services
// (IAM Access Analyzer's shape: reason fieldValidationFailed and a
// fieldList), with AWS's "N validation error(s) detected: ..." message.
func FieldValidation(fields ...Field) *Error {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Message
	}
	noun := "errors"
	if len(fields) == 1 {
		noun = "error"
	}
	msg := fmt.Sprintf("%d validation %s detected: %s", len(fields), noun, strings.Join(parts, "; "))
	return (&Error{Code: "ValidationException", Status: 400, Sender: true, Message: msg}).
		WithMembers(map[string]any{"reason": "fieldValidationFailed", "fieldList": fields})
}

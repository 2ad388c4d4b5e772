package restjson

import (
	"fmt"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/jsondecode"
)

// FieldError is one entry of ValidationException's fieldList.
type FieldError = awserr.Field

// Validation returns Access Analyzer's ValidationException (reason
// fieldValidationFailed) for the given field failures, with AWS's
// "N validation error(s) detected: ..." message.
func Validation(fields ...FieldError) *awserr.Error { return awserr.FieldValidation(fields...) }

// policy is how REST-JSON reports decoding failures: every constraint
// failure (a string's pattern checked after its length and enumeration) in
// ValidationException's fieldList, as AWS lists them all, unless a value
// has the wrong JSON type (the first SerializationException); timestamps
// as ISO 8601 strings or numbers of epoch seconds.
var policy = &jsondecode.Policy{ISO8601: true, Report: func(fs []jsondecode.Failure) error {
	fields := make([]FieldError, len(fs))
	for i, f := range fs {
		fields[i] = fieldError(f)
	}
	return Validation(fields...)
}}

// fieldError is the fieldList entry of f, with AWS's message: "Value 'v' at
// 'path' failed to satisfy constraint: ...", the value left out when its
// shape is sensitive ("Value at ...") and null when there is none (a missing
// member, a null element, a size).
func fieldError(f jsondecode.Failure) FieldError {
	var constraint string
	switch f.Constraint {
	case jsondecode.Required, jsondecode.NullElement:
		constraint = "Member must not be null"
	case jsondecode.MinLength, jsondecode.MinSize:
		constraint = fmt.Sprintf("Member must have length greater than or equal to %d", f.Bound)
	case jsondecode.MaxLength, jsondecode.MaxSize:
		constraint = fmt.Sprintf("Member must have length less than or equal to %d", f.Bound)
	case jsondecode.NotInEnum:
		constraint = "Member must satisfy enum value set: [" + strings.Join(f.Enum, ", ") + "]"
	case jsondecode.PatternMismatch:
		constraint = "Member must satisfy regular expression pattern: " + f.Pattern.Source()
	case jsondecode.MinValue:
		constraint = fmt.Sprintf("Member must have value greater than or equal to %d", f.Bound)
	case jsondecode.MaxValue:
		constraint = fmt.Sprintf("Member must have value less than or equal to %d", f.Bound)
	}
	var value string
	switch {
	case f.Value == nil:
		value = "Value null"
	case f.Sensitive:
		value = "Value"
	default:
		value = fmt.Sprintf("Value '%v'", f.Value)
	}
	return FieldError{Name: f.Path,
		Message: fmt.Sprintf("%s at '%s' failed to satisfy constraint: %s", value, f.Path, constraint)}
}

package awsjson

import (
	"fmt"
	"net/http"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/jsondecode"
)

// Constraint failure reasons, from the Organizations model's
// InvalidInputExceptionReason enumeration.
const (
	ReasonInputRequired     = "INPUT_REQUIRED"
	ReasonInvalidPattern    = "INVALID_PATTERN"
	ReasonMaxLengthExceeded = "MAX_LENGTH_EXCEEDED"
	ReasonMinLengthExceeded = "MIN_LENGTH_EXCEEDED"
	ReasonMaxValueExceeded  = "MAX_VALUE_EXCEEDED"
	ReasonMinValueExceeded  = "MIN_VALUE_EXCEEDED"
	ReasonInvalidEnum       = "INVALID_ENUM"
	ReasonInvalidListMember = "INVALID_LIST_MEMBER"
)

// messages are the InvalidInputException messages AWS sends per reason.
var messages = map[string]string{
	ReasonInputRequired:     "You must specify a value for all required parameters.",
	ReasonInvalidPattern:    "You provided a value that does not match the required pattern.",
	ReasonMaxLengthExceeded: "You provided a string parameter that is longer than allowed.",
	ReasonMinLengthExceeded: "You provided a string parameter that is shorter than allowed.",
	ReasonMaxValueExceeded:  "You provided a numeric parameter that has a larger value than allowed.",
	ReasonMinValueExceeded:  "You provided a numeric parameter that has a smaller value than allowed.",
	ReasonInvalidEnum:       "You specified an invalid value.",
	ReasonInvalidListMember: "You provided a list to a parameter that contains at least one invalid character.",
}

// InvalidInput returns Organizations' InvalidInputException with reason and
// its message.
func InvalidInput(reason string) *awserr.Error {
	msg, ok := messages[reason]
	if !ok {
		msg = "You provided invalid input."
	}
	return (&awserr.Error{Code: "InvalidInputException", Status: http.StatusBadRequest, Sender: true, Message: msg}).
		WithMembers(map[string]any{"Reason": reason})
}

// policy is how AWS JSON 1.1 reports decoding failures: the first one only,
// as AWS reports one, a constraint failure as InvalidInputException with
// its Reason (a string's pattern checked before its length and
// enumeration), timestamps as numbers of epoch seconds.
var policy = &jsondecode.Policy{FirstOnly: true, PatternFirst: true, Report: func(fs []jsondecode.Failure) error {
	return invalidInput(fs[0])
}}

// invalidInput is the InvalidInputException of f, its cause naming the
// member.
func invalidInput(f jsondecode.Failure) error {
	var reason, detail string
	switch f.Constraint {
	case jsondecode.Required:
		reason, detail = ReasonInputRequired, "missing"
	case jsondecode.NullElement:
		reason, detail = ReasonInvalidListMember, "null element"
	case jsondecode.PatternMismatch:
		reason, detail = ReasonInvalidPattern, "pattern "+f.Pattern.Source()
	case jsondecode.MinLength:
		reason, detail = ReasonMinLengthExceeded, fmt.Sprintf("length %d", f.Size)
	case jsondecode.MaxLength:
		reason, detail = ReasonMaxLengthExceeded, fmt.Sprintf("length %d", f.Size)
	case jsondecode.MinSize:
		reason, detail = ReasonMinLengthExceeded, fmt.Sprintf("size %d", f.Size)
	case jsondecode.MaxSize:
		reason, detail = ReasonMaxLengthExceeded, fmt.Sprintf("size %d", f.Size)
	case jsondecode.NotInEnum:
		reason, detail = ReasonInvalidEnum, "not in the enumeration"
	case jsondecode.MinValue:
		reason, detail = ReasonMinValueExceeded, "value "+f.Number
	case jsondecode.MaxValue:
		reason, detail = ReasonMaxValueExceeded, "value "+f.Number
	}
	return InvalidInput(reason).WithCause(fmt.Errorf("member %s: %s", f.Path, detail))
}

// Decode decodes a request body into in with dec (a service's generated
// DecodeInput, with the decoder both JSON protocols share: AWS JSON 1.1
// differs from REST-JSON only in its policy). An empty body is an empty
// object.
func Decode(body []byte, in any, dec func(*jsondecode.Decoder, jsondecode.Object, any) bool) error {
	obj, err := jsondecode.ParseObject(body)
	if err != nil {
		return err
	}
	return policy.Decode(obj, in, dec)
}

// typesOnly is the policy of SelfValidating services: a value of the wrong
// JSON type is SerializationException (whatever precedes it), constraint
// failures are left to the service.
var typesOnly = &jsondecode.Policy{PatternFirst: true, Report: func([]jsondecode.Failure) error { return nil }}

// DecodeTypes decodes a request body into in, as Decode does, but fails
// only on a value of the wrong JSON type (SerializationException): the
// model's constraints are left to a SelfValidating service. Values that
// fail them are decoded as sent; a null list element is dropped.
func DecodeTypes(body []byte, in any, dec func(*jsondecode.Decoder, jsondecode.Object, any) bool) error {
	obj, err := jsondecode.ParseObject(body)
	if err != nil {
		return err
	}
	return typesOnly.Decode(obj, in, dec)
}

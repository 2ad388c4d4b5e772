// Package awserr defines the typed error that Gatehouse services return.
//
// An *Error carries what the wire needs — the AWS error code, the HTTP
// status, whether the fault is the sender's or the receiver's, and a
// client-safe message — and, separately, an internal cause that is kept for
// logs and errors.Is/As but never rendered to the client.
//
// The constructors for the codes declared by the IAM and STS API models
// (NoSuchEntity, EntityAlreadyExists, ...) are generated from the models'
// error shapes into zz_codes.go; the few protocol-level codes that the models
// do not declare (ValidationError, AccessDenied, InvalidAction, ...) are in
// common.go. The package imports the standard library only.
package awserr

import (
	"errors"
	"fmt"
)

// Error is an AWS API error: the code, status and message a client sees, plus
// an internal cause that only reaches logs.
type Error struct {
	// Code is the AWS error code, e.g. "NoSuchEntity".
	Code string
	// Status is the HTTP status code of the response, e.g. 404.
	Status int
	// Message is the client-safe message rendered on the wire.
	Message string
	// Sender reports a client fault (<Type>Sender</Type>); false means
	// the service is at fault (<Type>Receiver</Type>).
	Sender bool
	// Err is the internal cause. It is never rendered on the wire.
	Err error
	// Members are the members of the error document beside the code and
	// the message, for the exceptions of JSON services that carry some
	// (Organizations' Reason; Access Analyzer's resourceId, resourceType,
	// reason and fieldList). Values must marshal with encoding/json. The AWS
	// Query protocol has no such members and ignores them.
	Members map[string]any
}

// Error returns "Code: Message", followed by the internal cause when there is
// one. It is meant for logs; the wire format is rendered by protocol/query.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Type returns "Sender" or "Receiver", the value of the <Type> element of an
// AWS Query error envelope.
func (e *Error) Type() string {
	if e.Sender {
		return "Sender"
	}
	return "Receiver"
}

// WithCause returns a copy of e that wraps cause as its internal cause.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// WithMembers returns a copy of e whose error document carries members
// beside the code and the message (see Error.Members).
func (e *Error) WithMembers(members map[string]any) *Error {
	c := *e
	c.Members = members
	return &c
}

// New returns an error with the given code and message. The status and fault
// come from the table of known codes (the API models plus the common errors);
// an unknown code is a 400 sender fault.
func New(code, message string) *Error {
	status, sender, ok := Lookup(code)
	if !ok {
		status, sender = 400, true
	}
	return &Error{Code: code, Status: status, Message: message, Sender: sender}
}

// As returns the *Error in err's chain, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Of returns err as an *Error; any other error becomes an InternalFailure
// whose cause is err (and is never rendered). The Query and JSON 1.1
// protocols answer with it.
func Of(err error) *Error {
	if e, ok := As(err); ok {
		return e
	}
	return InternalFailure(err)
}

// OfProtocol is Of for a protocol whose unexpected failure is an error of
// its own (REST-JSON's InternalServerException, S3's InternalError): an
// InternalFailure, or any error that is not an *Error, becomes a copy of
// internal whose cause is err.
func OfProtocol(err error, internal Error) *Error {
	if e, ok := As(err); ok {
		if e.Code != CodeInternalFailure {
			return e
		}
		err = e
	}
	internal.Err = err
	return &internal
}

// Lookup returns the HTTP status and fault of a known error code: one
// declared by the IAM or STS API models, or one of the common errors.
func Lookup(code string) (status int, sender bool, ok bool) {
	if status, sender, ok = modelCode(code); ok {
		return status, sender, true
	}
	return commonCode(code)
}

package server

import (
	"errors"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/store"
)

// unavailableMessage is AWS's message for ServiceUnavailable (the Common
// Errors reference of the Query services).
const unavailableMessage = "The request has failed due to a temporary failure of the server."

// unavailable returns ae, unless ae is a server-side failure (5xx) caused by
// the store being unreachable: then it returns AWS's ServiceUnavailable (503,
// Receiver) with the same internal cause, so clients retry rather than report
// an internal error. Any phase can meet the outage (a policy set loaded for
// authorization, an STS or IAM transaction), so the mapping sits at the edge.
func unavailable(ae *awserr.Error) *awserr.Error {
	if ae.Status < 500 || ae.Code == awserr.CodeServiceUnavailable || !errors.Is(ae, store.ErrUnavailable) {
		return ae
	}
	cause := ae.Err
	if cause == nil {
		cause = ae
	}
	return awserr.New(awserr.CodeServiceUnavailable, unavailableMessage).WithCause(cause)
}

// unavailableJSON is unavailable for the JSON protocols, whose services name the
// error ServiceUnavailableException: a store outage becomes HTTP 503, which the
// SDKs retry, instead of an internal error.
func unavailableJSON(err error) error {
	if err == nil || !errors.Is(err, store.ErrUnavailable) {
		return err
	}
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Status < 500 {
		return err
	}
	return &awserr.Error{Code: "ServiceUnavailableException", Status: 503, Message: unavailableMessage, Err: err}
}

package server

import (
	"errors"
	"net/http"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

// jsonBodyError is a readBody error as the JSON protocols answer it;
// throttling is the service's own throttling error (Organizations'
// TooManyRequestsException, Access Analyzer's ThrottlingException).
func jsonBodyError(err error, throttling string) error {
	switch {
	case errors.Is(err, errBodyTooLarge):
		return &awserr.Error{Code: "SerializationException", Status: http.StatusRequestEntityTooLarge, Sender: true,
			Message: "The request body is too large."}
	case errors.Is(err, errBodyBudget):
		return &awserr.Error{Code: throttling, Status: http.StatusTooManyRequests, Sender: true, Message: "Rate exceeded", Err: err}
	default:
		return awserr.New("SerializationException", "The request body could not be read.").WithCause(err)
	}
}

// Package cloudtrail is the AWS CloudTrail API over Gatehouse's audit trail:
// LookupEvents reads the event history of the caller's account from a
// trail.Store, with CloudTrail's lookup attributes, time range, page size and
// NextToken, and CloudTrail's exceptions for each input it refuses. The
// other CloudTrail operations (trails, event data stores, Lake queries) are
// not served: the operation table holds LookupEvents only, and the server
// answers the rest NotImplemented.
//
// CloudTrail checks its inputs itself (the codec of api/cloudtrailapi is
// SelfValidating), so the constraints the model declares for LookupEvents
// are checked here, after authorization, with the operation's own
// exceptions. The package speaks Go types (the generated api/cloudtrailapi
// shapes) and *awserr.Error, never HTTP.
package cloudtrail

import (
	"errors"
	"time"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// Config holds the service's dependencies.
type Config struct {
	// Trail is where the events are kept. Required.
	Trail trail.Store
	// Now is the clock: LookupEvents' default time range ends at Now and
	// reaches 90 days back.
	Now func() time.Time
}

// Service implements the CloudTrail operations Gatehouse serves.
type Service struct {
	trail trail.Store
	now   func() time.Time
}

// New returns the service.
func New(c Config) *Service {
	return &Service{trail: c.Trail, now: c.Now}
}

// Ops returns the operation table, keyed by operation name.
func (s *Service) Ops() map[string]operation.Op {
	return operation.Table(s.lookupOps())
}

// ctErr returns a CloudTrail exception: every exception of LookupEvents is a
// 400 client error (the model gives them no other status).
func ctErr(code, msg string) *awserr.Error {
	return &awserr.Error{Code: code, Status: 400, Sender: true, Message: msg}
}

// unavailableMessage is AWS's message for a temporary failure of the server
// (the Common Errors of the CloudTrail API reference: ServiceUnavailable,
// 503, https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/CommonErrors.html).
const unavailableMessage = "The request has failed due to a temporary failure of the server."

// trailErr maps a failure of the trail store: an unreachable trail is a 503
// ServiceUnavailableException, as the server answers a store outage on the
// other JSON endpoints, so that the SDKs retry; anything else is passed on
// (the server renders it as an internal failure, its cause logged only).
func trailErr(err error) error {
	if errors.Is(err, trail.ErrUnavailable) {
		return &awserr.Error{Code: "ServiceUnavailableException", Status: 503, Message: unavailableMessage, Err: err}
	}
	return err
}

package server

import (
	"net/http"
	"time"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// UnavailableForTest exposes unavailableJSON to the external tests.
func UnavailableForTest(err error) error { return unavailableJSON(err) }

// SetUnverifiedBudgetForTest sets the bound on unverified body bytes in flight.
func (s *Server) SetUnverifiedBudgetForTest(n int64) { s.unverified.max = n }

// SetStreamStallForTest sets how long a streamed response may make no
// progress.
func (s *Server) SetStreamStallForTest(d time.Duration) { s.stall = d }

// ReadOnlyCacheLenForTest counts the entries of the audit trail's readOnly
// cache.
func (s *Server) ReadOnlyCacheLenForTest() int {
	if m := s.audit.readOnlyActions.Load(); m != nil {
		return len(*m)
	}
	return 0
}

// CallerForTest builds the caller of a request signed as a says (the
// signature itself is not checked), as the pipeline builds it after
// verifying one: a session token is opened first.
func (s *Server) CallerForTest(r *http.Request, a *sigv4.Auth) (*identity.Caller, error) {
	if a.SessionToken != "" {
		ctx, err := s.openSession(r.Context(), a)
		if err != nil {
			return nil, err
		}
		r = r.WithContext(ctx)
	}
	return s.caller(r, a)
}

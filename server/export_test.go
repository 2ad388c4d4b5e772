package server

import "time"

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
	n := 0
	s.audit.readOnlyActions.Range(func(any, any) bool { n++; return true })
	return n
}

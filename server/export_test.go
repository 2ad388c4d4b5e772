package server

// UnavailableForTest exposes unavailableJSON to the external tests.
func UnavailableForTest(err error) error { return unavailableJSON(err) }

// SetUnverifiedBudgetForTest sets the bound on unverified body bytes in flight.
func (s *Server) SetUnverifiedBudgetForTest(n int64) { s.unverified.max = n }

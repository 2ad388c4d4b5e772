package server

// UnavailableForTest exposes unavailableJSON to the external tests.
func UnavailableForTest(err error) error { return unavailableJSON(err) }

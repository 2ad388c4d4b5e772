package iam

// simulationOps returns this file's operations. (To be completed: see issue #3.)
func (s *Service) simulationOps() []Op { return nil }

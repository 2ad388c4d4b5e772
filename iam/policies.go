package iam

// managedPolicyOps returns this file's operations. (To be completed: see issue #3.)
func (s *Service) managedPolicyOps() []Op { return nil }

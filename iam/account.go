package iam

// accountOps returns this file's operations. (To be completed: see issue #3.)
func (s *Service) accountOps() []Op { return nil }

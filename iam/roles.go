package iam

// roleOps returns this file's operations. (To be completed: see issue #3.)
func (s *Service) roleOps() []Op { return nil }

package iam

// instanceProfileOps returns this file's operations. (To be completed: see issue #3.)
func (s *Service) instanceProfileOps() []Op { return nil }

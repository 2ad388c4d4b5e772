package identity

// PrincipalKeysForTest is how many keys PrincipalContext sets for c.
func PrincipalKeysForTest(c *Caller) int { return c.principalKeys() }

// RequestKeysForTest is how many keys Context sets for c's request.
func RequestKeysForTest(c *Caller) int { return c.requestKeys() }

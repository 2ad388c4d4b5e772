package store

import "time"

// Workload is a workload bound to an instance profile: it obtains the
// profile's role credentials with its workload token, as an EC2 instance
// obtains them from the instance metadata service.
type Workload struct {
	// ID is the workload id, "i-" and 17 hex digits like an instance id.
	ID string `json:"id"`
	// Name is the workload's display name (the source identity of its
	// sessions).
	Name string `json:"name"`
	// Account is the owning account.
	Account string `json:"account"`
	// Region is the region the workload was created in (the region of its
	// ARN, as an instance's).
	Region string `json:"region"`
	// InstanceProfileName is the instance profile it is bound to.
	InstanceProfileName string `json:"instanceProfileName"`
	// TokenHash is the SHA-256 of the workload token's secret; the token
	// itself is never stored.
	TokenHash []byte `json:"tokenHash"`
	// CreateDate is when the workload was created; TokenDate when its
	// token was last issued.
	CreateDate time.Time `json:"createDate"`
	TokenDate  time.Time `json:"tokenDate"`
}

// WorkloadRef points from a workload id to its account.
type WorkloadRef struct {
	Account string `json:"account"`
}

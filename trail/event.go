package trail

// Resource is a resource an event names, as the record's resources list
// gives it. Name is what LookupEvents reports as ResourceName: the ARN.
type Resource struct {
	// ARN is the resource's ARN.
	ARN string `json:"ARN"`
	// AccountID is the account that owns the resource.
	AccountID string `json:"accountId,omitempty"`
	// Type is the resource's CloudFormation-style type (AWS::IAM::Role).
	Type string `json:"type"`
}

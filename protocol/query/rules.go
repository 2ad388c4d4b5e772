package query

import "github.com/gatehouse-iam/gatehouse/protocol/constraint"

// The rules of the generated decoders are the constraints every protocol
// runtime shares (see package constraint).
type (
	// StringRule holds a string shape's constraints.
	StringRule = constraint.StringRule
	// IntRule holds an integer shape's range constraints.
	IntRule = constraint.IntRule
	// ListRule holds a list, map or blob shape's size constraints.
	ListRule = constraint.ListRule
)

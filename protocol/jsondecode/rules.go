package jsondecode

import "github.com/gatehouse-iam/gatehouse/protocol/constraint"

// StringRule holds a string shape's constraints; zero Min/Max mean no bound.
type StringRule struct {
	Min, Max  int
	Pattern   *constraint.Pattern
	Enum      []string
	Sensitive bool
}

// IntRule holds an integer shape's range constraints.
type IntRule struct {
	Min, Max       int64
	HasMin, HasMax bool
}

// ListRule holds a list, map or blob shape's size constraints; zero means no
// bound.
type ListRule struct {
	Min, Max int
	Scalar   bool
}

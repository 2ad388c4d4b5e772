package constraint

// StringRule holds a string shape's constraints. Zero Min/Max mean no bound
// (the models never declare a maximum length of 0).
type StringRule struct {
	Min, Max  int
	Pattern   *Pattern
	Enum      []string
	Sensitive bool
	// PatternMessage, when set, replaces the model's pattern failure: the
	// value failing only its pattern is refused with this message alone, as
	// a ValidationError, once the model's other constraints hold (IAM's
	// paths: "The specified value for path is invalid. ..."). The Query
	// decoder reads it; the generator sets it for Query services only.
	PatternMessage string
}

// IntRule holds an integer shape's range constraints.
type IntRule struct {
	Min, Max       int64
	HasMin, HasMax bool
}

// ListRule holds a list, map or blob shape's size constraints. Zero Min/Max
// mean no bound. Scalar reports that the elements are scalars, whose values
// are quoted in messages as Java would print the list ("[a, b]").
type ListRule struct {
	Min, Max int
	Scalar   bool
	// MemberNotNull adds "Member must not be null" to the constraints
	// reported for a failing element of a list of scalars, as AWS reports
	// some lists (tagKeys) and not others (clientIDList). The Query decoder
	// reads it; the generator sets it for Query services only.
	MemberNotNull bool
}

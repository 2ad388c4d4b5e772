package validate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// syntax turns a parse error into one ERROR finding with the closest Access
// Analyzer issue code.
func (v *validator) syntax(err error) {
	var se *policy.SyntaxError
	if !errors.As(err, &se) {
		v.add(TypeError, CodeSyntaxError, err.Error())
		return
	}
	if v.loc.root == nil {
		// Not JSON at all: Access Analyzer's JSON syntax error, with the place.
		off := max(se.Offset, 0)
		p := PositionOf(v.doc, off)
		v.add(TypeError, "JSON_SYNTAX_ERROR",
			fmt.Sprintf("Fix the JSON syntax error at index %d line %d column %d.", p.Offset, p.Line, p.Column),
			Location{Path: []PathElement{}, Span: Span{off, min(off+1, len(v.doc))}})
		return
	}
	loc := v.loc.around(max(se.Offset, 0))
	msg := se.Message
	code, text := CodeSyntaxError, msg
	last := ""
	if n := len(loc.Path); n > 0 && loc.Path[n-1].Kind != PathIndex {
		last = loc.Path[n-1].Text
	}
	switch {
	case se.Issue == "INVALID_VERSION":
		code = "INVALID_VERSION"
		text = fmt.Sprintf("The version %s is not valid. Use one of the following versions: %s, %s", v.snippet(loc.Span), policy.Version2012, policy.Version2008)
	case se.Issue == "INVALID_EFFECT":
		code, text = "INVALID_EFFECT", fmt.Sprintf("The effect %s is not valid. Use Allow or Deny.", strings.Trim(v.snippet(loc.Span), `"`))
	case se.Issue == "NULL_WITH_IF_EXISTS":
		code, text = "NULL_WITH_IF_EXISTS", "The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix."
	case se.Issue == "INVALID_CONDITION_OPERATOR" && last != "":
		code, text = "INVALID_CONDITION_OPERATOR", fmt.Sprintf("The condition operator %s is not valid. Use a valid condition operator.", last)
	case msg == "Missing required field Statement":
		code, text = "MISSING_STATEMENT", "Add a statement to the policy"
	case msg == "Missing required field Effect":
		code, text = "MISSING_EFFECT", "Add an Effect element to the policy statement with a value of Allow or Deny."
	case msg == "Policy statement must contain actions.":
		code, text = "MISSING_ACTION", "Add an Action or NotAction element to the policy statement."
		if l, ok := v.emptyArray(loc, "Action", "NotAction"); ok {
			code, text, loc = "EMPTY_ARRAY_ACTION", "This statement includes no actions and does not affect the policy. Specify actions.", l
		}
	case msg == "Policy statement must contain resources.":
		code, text = "MISSING_RESOURCE", "Add a Resource or NotResource element to the policy statement."
		if l, ok := v.emptyArray(loc, "Resource", "NotResource"); ok {
			code, text, loc = "EMPTY_ARRAY_RESOURCE", "This statement includes no resources and does not affect the policy. Specify resources.", l
		}
	case msg == "Missing required field Principal":
		code, text = "MISSING_PRINCIPAL", "Add a Principal element to the policy statement."
	case msg == "Has prohibited field Principal":
		code, text = "SCP_SYNTAX_ERROR_PRINCIPAL", "SCPs do not support specifying principals. Remove the Principal or NotPrincipal element."
	case msg == "Policy document should not specify a principal.":
		code, text = "UNSUPPORTED_PRINCIPAL", fmt.Sprintf("The policy type %s does not support the Principal element. Remove the Principal element.", policyType(v.kind))
	case strings.HasPrefix(msg, "Statement IDs (SID) in a single policy must be unique."):
		code, text = "UNIQUE_SIDS_REQUIRED", "Duplicate statement IDs are not supported for this policy type. Update the Sid value."
	case strings.HasPrefix(msg, "Statement IDs (SID) must be alpha-numeric."):
		code, text = "UNSUPPORTED_SID", "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]"
	case strings.HasPrefix(msg, "Actions/Condition") && strings.Contains(v.snippet(loc.Span), "${"):
		code, text = "VARIABLE_UNSUPPORTED_IN_ELEMENT", fmt.Sprintf("Policy variables are supported in the Resource and Condition elements. Remove the policy variable %s from this element.", v.snippet(loc.Span))
	case strings.HasPrefix(msg, "Actions/Condition"):
		code, text = "INVALID_ACTION", fmt.Sprintf("The action %s does not exist.", v.snippet(loc.Span))
	case strings.HasPrefix(msg, "Vendor ") && strings.HasSuffix(msg, " is not valid"):
		svc := strings.TrimSuffix(strings.TrimPrefix(msg, "Vendor "), " is not valid")
		code, text = "INVALID_SERVICE_IN_ACTION", fmt.Sprintf("The service %s specified in the action does not exist.", svc)
	case strings.HasPrefix(msg, "Resource ") && strings.HasSuffix(msg, `must be in ARN format or "*".`):
		r := strings.TrimSuffix(strings.TrimPrefix(msg, "Resource "), ` must be in ARN format or "*".`)
		if !strings.HasPrefix(r, "arn:") {
			code, text = "INVALID_ARN_PREFIX", "Add the required prefix (arn) to the resource ARN."
		} else {
			code, text = "MISSING_ARN_FIELD", "Resource ARNs must include at least 6 fields in the following structure: arn:partition:service:region:account:resource"
		}
	case strings.HasPrefix(msg, "Partition "):
		code = "INVALID_PARTITION"
	case msg == "Resource vendor must be fully qualified and cannot contain regexes.":
		code = "INVALID_SERVICE"
	case strings.HasPrefix(msg, "Invalid principal in policy: "):
		code, text = "INVALID_PRINCIPAL_FORMAT", "The Principal element contents are not valid. Specify a key-value pair in the Principal element."
		if k, ok := strings.CutPrefix(msg, "Invalid principal in policy: \""); ok && !strings.Contains(k, ":") {
			k = strings.TrimSuffix(k, "\"")
			if k != "AWS" && k != "Service" && k != "Federated" && k != "CanonicalUser" {
				code, text = "INVALID_PRINCIPAL_KEY", fmt.Sprintf("The principal key %s is not valid.", k)
			}
		}
	case strings.HasPrefix(msg, "Policy statement must contain only one of "):
		pair := strings.TrimSuffix(strings.TrimPrefix(msg, "Policy statement must contain only one of "), ".")
		a, b, _ := strings.Cut(pair, " and ")
		code, text = "UNSUPPORTED_ELEMENT_COMBINATION", fmt.Sprintf("The policy elements %s and %s can not be used in the same statement. Remove one of these elements.", a, b)
	case last != "" && !knownElement(loc):
		code, text = "INVALID_POLICY_ELEMENT", fmt.Sprintf("The policy element %s is not valid.", last)
	}
	v.add(TypeError, code, text, loc)
}

// knownElement reports whether a location that ends in a member of the policy or
// of a statement names an element of the grammar.
func knownElement(loc Location) bool {
	p := loc.Path
	last := p[len(p)-1].Text
	switch {
	case len(p) == 1:
		return last == "Version" || last == "Id" || last == "Statement"
	case p[0].Text == "Statement" && (len(p) == 2 || len(p) == 3 && p[1].Kind == PathIndex):
		switch last {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
			return true
		}
		return false
	}
	return true
}

// emptyArray looks in the statement at loc for an element among names whose
// value is an empty array.
func (v *validator) emptyArray(loc Location, names ...string) (Location, bool) {
	steps := make([]step, 0, len(loc.Path)+1)
	for _, e := range loc.Path {
		if e.Kind == PathIndex {
			steps = append(steps, idx(e.Index))
		} else {
			steps = append(steps, name(e.Text))
		}
	}
	for _, n := range names {
		l := v.loc.at(append(steps, name(n))...)
		if len(l.Path) == len(loc.Path)+1 && v.snippet(l.Span) == "[]" {
			return l, true
		}
	}
	return loc, false
}

// snippet returns the document text of a span, without surrounding quotes and
// with insignificant white space inside arrays removed.
func (v *validator) snippet(s Span) string {
	if s.Start < 0 || s.End > len(v.doc) || s.Start > s.End {
		return ""
	}
	t := strings.TrimSpace(v.doc[s.Start:s.End])
	if strings.HasPrefix(t, "[") {
		return "[" + strings.TrimSpace(strings.Trim(t, "[]")) + "]"
	}
	return strings.Trim(t, `"`)
}

// policyType names a kind as the Access Analyzer API's policyType does.
func policyType(k policy.Kind) string {
	switch k {
	case policy.KindResource, policy.KindTrust, policy.KindRCP, policy.KindVPCEndpoint:
		return "RESOURCE_POLICY"
	case policy.KindSCP:
		return "SERVICE_CONTROL_POLICY"
	}
	return "IDENTITY_POLICY"
}

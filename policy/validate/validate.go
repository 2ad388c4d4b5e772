// Package validate checks a policy document the way IAM Access Analyzer's
// ValidatePolicy does and returns its findings: errors, security warnings,
// general warnings and suggestions, each with Access Analyzer's issue code, its
// wording (from the "Access Analyzer policy check reference" of the IAM User
// Guide) and the locations in the document it concerns.
//
// The Finding type mirrors the ValidatePolicyFinding shape of the Access Analyzer
// API, so that a server can return findings as they are (see ToAPI).
//
// The package is pure: standard library plus Gatehouse's policy, wildcard, arn and
// servicedata packages.
package validate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// The finding types, as Access Analyzer names them.
const (
	TypeError           = "ERROR"
	TypeSecurityWarning = "SECURITY_WARNING"
	TypeWarning         = "WARNING"
	TypeSuggestion      = "SUGGESTION"
)

// Finding is one result of validation.
type Finding struct {
	// Type is ERROR, SECURITY_WARNING, WARNING or SUGGESTION.
	Type string `json:"findingType"`
	// Code is Access Analyzer's issue code, e.g. INVALID_ACTION. Codes for checks
	// Access Analyzer does not have are marked as Gatehouse's in Codes.
	Code string `json:"issueCode"`
	// Message is the finding's details, in AWS's wording where AWS documents it.
	Message string `json:"findingDetails"`
	// Locations are the places in the document the finding concerns.
	Locations []Location `json:"locations"`
	// LearnMoreLink points at the documentation of the check.
	LearnMoreLink string `json:"learnMoreLink"`
}

// Location is a path through the document's JSON and the byte span it covers.
type Location struct {
	Path []PathElement `json:"path"`
	Span Span          `json:"span"`
	// Start is Span.Start as a line/column position (see PositionOf).
	Start Position `json:"-"`
}

// Span is a byte range [Start, End) of the document.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// PathKind says what a PathElement refers to.
type PathKind uint8

// The kinds of path elements of the Access Analyzer API.
const (
	// PathValue is the value of the object member named Text.
	PathValue PathKind = iota
	// PathKey is the key (name) Text of an object member.
	PathKey
	// PathIndex is the element at Index of an array.
	PathIndex
)

// PathElement is one step of a Location's path: the Access Analyzer API's union
// of value, key and index.
type PathElement struct {
	Kind  PathKind
	Index int
	Text  string
}

// MarshalJSON encodes the element as the API's union: {"value":...},
// {"key":...} or {"index":...}.
func (e PathElement) MarshalJSON() ([]byte, error) {
	switch e.Kind {
	case PathIndex:
		return fmt.Appendf(nil, `{"index":%d}`, e.Index), nil
	case PathKey:
		return fmt.Appendf(nil, `{"key":%s}`, quote(e.Text)), nil
	default:
		return fmt.Appendf(nil, `{"value":%s}`, quote(e.Text)), nil
	}
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// PathString renders a path as AWS's documentation does: Statement[0].Action[1],
// Statement[0].Condition.StringEquals.aws:SourceIp.
func PathString(path []PathElement) string {
	var b strings.Builder
	for _, e := range path {
		switch e.Kind {
		case PathIndex:
			fmt.Fprintf(&b, "[%d]", e.Index)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.Text)
		}
	}
	return b.String()
}

// Position is a place in the document as the Access Analyzer API gives it: Line
// from 1, Column from 0 and Offset from 0, the latter two counted in characters
// (Unicode code points).
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// PositionOf converts a byte offset of doc to a Position. Offsets past the end
// are clamped to the end.
func PositionOf(doc string, off int) Position {
	if off > len(doc) {
		off = len(doc)
	}
	if off < 0 {
		off = 0
	}
	p := Position{Line: 1}
	for _, r := range doc[:off] {
		p.Offset++
		if r == '\n' {
			p.Line++
			p.Column = 0
		} else {
			p.Column++
		}
	}
	return p
}

// APIFinding is a Finding in the exact shape of the Access Analyzer API's
// ValidatePolicyFinding, with spans as positions.
type APIFinding struct {
	FindingDetails string        `json:"findingDetails"`
	FindingType    string        `json:"findingType"`
	IssueCode      string        `json:"issueCode"`
	LearnMoreLink  string        `json:"learnMoreLink"`
	Locations      []APILocation `json:"locations"`
}

// APILocation is the API's Location.
type APILocation struct {
	Path []PathElement `json:"path"`
	Span APISpan       `json:"span"`
}

// APISpan is the API's Span.
type APISpan struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// ToAPI converts findings of doc to the API's shape.
func ToAPI(doc string, findings []Finding) []APIFinding {
	out := make([]APIFinding, 0, len(findings))
	for _, f := range findings {
		af := APIFinding{FindingDetails: f.Message, FindingType: f.Type, IssueCode: f.Code, LearnMoreLink: f.LearnMoreLink, Locations: []APILocation{}}
		for _, l := range f.Locations {
			af.Locations = append(af.Locations, APILocation{Path: l.Path, Span: APISpan{PositionOf(doc, l.Span.Start), PositionOf(doc, l.Span.End)}})
		}
		out = append(out, af)
	}
	return out
}

// FormatText renders findings for a terminal, one line each:
// "TYPE CODE at Statement[0].Action[1] (line:col): message", with columns counted
// from 1 as editors do.
func FormatText(findings []Finding) string {
	var b strings.Builder
	for _, f := range findings {
		b.WriteString(f.Type)
		b.WriteByte(' ')
		b.WriteString(f.Code)
		if len(f.Locations) > 0 {
			l := f.Locations[0]
			p := l.Start
			where := PathString(l.Path)
			if where == "" {
				where = "document"
			}
			fmt.Fprintf(&b, " at %s (%d:%d)", where, p.Line, p.Column+1)
		}
		b.WriteString(": ")
		b.WriteString(f.Message)
		b.WriteByte('\n')
	}
	return b.String()
}

// Validate checks doc as a policy of the given kind and returns its findings,
// ordered by severity (errors first), then by position. A document with no
// findings yields an empty, non-nil slice.
func Validate(doc string, kind policy.Kind) []Finding {
	v := &validator{doc: doc, kind: kind, loc: &locator{root: index(doc)}}
	parsed, err := policy.ParseGrammar(doc, kind)
	if err != nil {
		v.syntax(err)
	} else {
		v.check(parsed)
	}
	for i := range v.out {
		for j := range v.out[i].Locations {
			l := &v.out[i].Locations[j]
			l.Start = PositionOf(doc, l.Span.Start)
		}
	}
	sortFindings(v.out)
	if v.out == nil {
		v.out = []Finding{}
	}
	return v.out
}

type validator struct {
	doc  string
	kind policy.Kind
	loc  *locator
	out  []Finding
}

func (v *validator) add(typ, code, msg string, locs ...Location) {
	if locs == nil {
		locs = []Location{}
	}
	v.out = append(v.out, Finding{Type: typ, Code: code, Message: msg, Locations: locs, LearnMoreLink: learnMore(typ, code)})
}

var severity = map[string]int{TypeError: 0, TypeSecurityWarning: 1, TypeWarning: 2, TypeSuggestion: 3}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if si, sj := severity[fs[i].Type], severity[fs[j].Type]; si != sj {
			return si < sj
		}
		return firstOffset(fs[i]) < firstOffset(fs[j])
	})
}

func firstOffset(f Finding) int {
	if len(f.Locations) == 0 {
		return -1
	}
	return f.Locations[0].Span.Start
}

// learnMore returns the documentation link of a check: the anchor of its section
// in the IAM User Guide's policy check reference, or, for Gatehouse's own checks,
// the page of the policy element concerned.
func learnMore(typ, code string) string {
	const guide = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
	if page, ok := gatehouseCodes[code]; ok {
		return guide + page
	}
	kind := map[string]string{TypeError: "error", TypeSecurityWarning: "security-warning", TypeWarning: "general-warning", TypeSuggestion: "suggestion"}[typ]
	return guide + "access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-" + kind + "-" + strings.ReplaceAll(strings.ToLower(code), "_", "-")
}

// gatehouseCodes are the checks Access Analyzer does not document, with the IAM
// User Guide page their link points to.
var gatehouseCodes = map[string]string{
	CodeAllowWithNotAction:      "reference_policies_elements_notaction.html",
	CodeAllowWithNotResource:    "reference_policies_elements_notresource.html",
	CodeStarInActionAndResource: "best-practices.html#grant-least-privilege",
	CodeStatementNeverApplies:   "reference_policies_elements_notresource.html",
	CodeResourceMismatch:        "reference_policies_elements_resource.html",
	CodeSyntaxError:             "reference_policies_grammar.html",
	CodeRedundantConditionValue: "reference_policies_elements_condition.html",
}

// The issue codes of Gatehouse's own checks (not in Access Analyzer).
const (
	// CodeAllowWithNotAction: an Allow statement with NotAction.
	CodeAllowWithNotAction = "ALLOW_WITH_NOT_ACTION"
	// CodeAllowWithNotResource: an Allow statement with NotResource.
	CodeAllowWithNotResource = "ALLOW_WITH_NOT_RESOURCE"
	// CodeStarInActionAndResource: Allow "*" on "*" without conditions.
	CodeStarInActionAndResource = "STAR_IN_ACTION_AND_RESOURCE"
	// CodeStatementNeverApplies: NotAction "*" or NotResource "*".
	CodeStatementNeverApplies = "STATEMENT_NEVER_APPLIES"
	// CodeResourceMismatch: a resource ARN that no action of its statement
	// applies to.
	CodeResourceMismatch = "RESOURCE_NOT_SUPPORTED_BY_ACTIONS"
	// CodeUnknownResourceType: a resource ARN that matches no resource type of
	// its service.
	CodeUnknownResourceType = "UNKNOWN_RESOURCE_TYPE"
	// CodeSyntaxError: a MalformedPolicyDocument error with no closer Access
	// Analyzer code.
	CodeSyntaxError = "SYNTAX_ERROR"
	// CodeRedundantConditionValue: the same value twice for one condition key.
	CodeRedundantConditionValue = "REDUNDANT_CONDITION_VALUE"
)

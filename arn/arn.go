// Package arn parses, formats and matches Amazon Resource Names of the form
// arn:partition:service:region:account-id:resource, and forms the ARNs
// Gatehouse issues for its own entities (format.go).
//
// The package is pure: it imports the standard library and Gatehouse's wildcard
// package only.
package arn

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// ARN is an Amazon Resource Name split into its six components. The resource
// component may itself contain colons and slashes.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// ErrInvalid is the error every Parse failure wraps.
var ErrInvalid = errors.New("invalid ARN")

// Parse splits s into its components. s must begin with "arn:" and have at least
// six colon-separated fields; colons after the fifth belong to the resource.
// Partition, service and resource must be non-empty; region and account may be
// empty (IAM and S3 ARNs leave them out).
func Parse(s string) (ARN, error) {
	// The six fields, cut in place (strings.SplitN's slice is an
	// allocation on every request that names a resource).
	var parts [6]string
	n, rest := 0, s
	for n < 5 {
		field, after, ok := strings.Cut(rest, ":")
		if !ok {
			break
		}
		parts[n], rest = field, after
		n++
	}
	parts[n] = rest
	if n != 5 {
		return ARN{}, fmt.Errorf("%w %q: want 6 colon-separated fields (arn:partition:service:region:account:resource), got %d", ErrInvalid, s, n+1)
	}
	if parts[0] != "arn" {
		return ARN{}, fmt.Errorf("%w %q: must begin with \"arn:\"", ErrInvalid, s)
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
	switch {
	case a.Partition == "":
		return ARN{}, fmt.Errorf("%w %q: empty partition", ErrInvalid, s)
	case a.Service == "":
		return ARN{}, fmt.Errorf("%w %q: empty service", ErrInvalid, s)
	case a.Resource == "":
		return ARN{}, fmt.Errorf("%w %q: empty resource", ErrInvalid, s)
	}
	return a, nil
}

// String formats a as arn:partition:service:region:account:resource.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// IsAccountID reports whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Match reports whether value matches pattern, as ArnLike and the Resource element
// compare ARNs: both are split into six colon-separated components and compared
// component by component, so a '*' or '?' in one of the first five components
// never crosses a colon; the resource components (everything after the fifth
// colon) are matched as a whole, where '*' may span colons and slashes. Matching is
// case-sensitive. A pattern that is exactly "*" matches every value.
func Match(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	p := strings.SplitN(pattern, ":", 6)
	v := strings.SplitN(value, ":", 6)
	if len(p) != 6 || len(v) != 6 {
		return false
	}
	for i := range p {
		if !wildcard.Match(p[i], v[i]) {
			return false
		}
	}
	return true
}

// SplitEntity splits the ARN of an IAM user or role,
// arn:PARTITION:iam::ACCOUNT:user|role/PATH/NAME, into its kind ("user" or
// "role"), account, path (with its slashes, "/" at least) and name; ok is
// false for anything else.
func SplitEntity(s string) (kind, account, path, name string, ok bool) {
	a, err := Parse(s)
	if err != nil || a.Service != "iam" || !IsAccountID(a.Account) {
		return "", "", "", "", false
	}
	kind, rest, found := strings.Cut(a.Resource, "/")
	if !found || (kind != "user" && kind != "role") {
		return "", "", "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	path, name = "/"+rest[:i+1], rest[i+1:]
	if name == "" {
		return "", "", "", "", false
	}
	return kind, a.Account, path, name, true
}

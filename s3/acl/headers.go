package acl

import "strings"

// The request headers that carry an ACL.
const (
	HeaderACL              = "x-amz-acl"
	HeaderGrantRead        = "x-amz-grant-read"
	HeaderGrantWrite       = "x-amz-grant-write"
	HeaderGrantReadACP     = "x-amz-grant-read-acp"
	HeaderGrantWriteACP    = "x-amz-grant-write-acp"
	HeaderGrantFullControl = "x-amz-grant-full-control"
)

// grantHeaders maps each x-amz-grant-* header to the permission it grants,
// in the order S3 lists the grants. It is never modified.
var grantHeaders = [...]struct {
	header     string
	permission Permission
}{
	{HeaderGrantFullControl, FullControl},
	{HeaderGrantRead, Read},
	{HeaderGrantWrite, Write},
	{HeaderGrantReadACP, ReadACP},
	{HeaderGrantWriteACP, WriteACP},
}

// HeaderPermission returns the permission the grant header name (lower
// case) grants, and whether name is one of the x-amz-grant-* headers.
func HeaderPermission(name string) (Permission, bool) {
	for _, gh := range grantHeaders {
		if gh.header == name {
			return gh.permission, true
		}
	}
	return "", false
}

// HasGrantHeaders reports whether any x-amz-grant-* header is present.
func HasGrantHeaders(h map[string][]string) bool {
	for _, gh := range grantHeaders {
		if _, ok := Header(h, gh.header); ok {
			return true
		}
	}
	return false
}

// Header returns the first value of the request header name, looked up
// case-insensitively, and whether it is present.
func Header(h map[string][]string, name string) (string, bool) {
	if v, ok := h[name]; ok && len(v) > 0 {
		return v[0], true
	}
	for k, v := range h {
		if len(v) > 0 && strings.EqualFold(k, name) {
			return v[0], true
		}
	}
	return "", false
}

// Specified reports whether the request headers set an ACL: x-amz-acl or
// any x-amz-grant-* header.
func Specified(h map[string][]string) bool {
	if _, ok := Header(h, HeaderACL); ok {
		return true
	}
	return HasGrantHeaders(h)
}

// FromHeaders returns the ACL a request's headers set for a resource owned
// by owner in a bucket owned by bucketOwner, and whether they set one: a
// canned ACL (x-amz-acl) or explicit grants (x-amz-grant-*), never both —
// S3 refuses that with InvalidRequest "Specifying both Canned ACLs and
// Header Grants is not allowed". Explicit grants are the whole ACL: the
// owner gets no implicit FULL_CONTROL.
func FromHeaders(h map[string][]string, target Target, owner, bucketOwner Owner) (ACL, bool, error) {
	canned, hasCanned := Header(h, HeaderACL)
	var grants []Grant
	hasGrants := false
	for _, gh := range grantHeaders {
		v, ok := Header(h, gh.header)
		if !ok {
			continue
		}
		hasGrants = true
		gs, err := ParseGrants(gh.header, gh.permission, v)
		if err != nil {
			return ACL{}, false, err
		}
		grants = append(grants, gs...)
	}
	switch {
	case hasCanned && hasGrants:
		return ACL{}, false, errInvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
	case hasCanned:
		a, err := Canned(canned, target, owner, bucketOwner)
		if err != nil {
			return ACL{}, false, err
		}
		return a, true, nil
	case hasGrants:
		return ACL{Owner: owner, Grants: grants}, true, nil
	}
	return ACL{}, false, nil
}

// ParseGrants parses the value of the grant header named header, which gives
// perm: a comma-separated list of grantees, each type=value with the value
// optionally in double quotes, the type one of id (a canonical user ID), uri
// (a predefined group) or emailAddress. For example
//
//	id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", uri="http://acs.amazonaws.com/groups/global/AllUsers"
//
// Errors are S3's: InvalidArgument "Argument format not recognized" naming
// the header and its value for an entry of another form, "Invalid id"
// naming "id" and the ID for a malformed canonical ID (both as S3 answers
// CreateBucket, versity/versitygw#1384), "Invalid group uri" for an unknown
// group, and for an email address the 405
// MethodNotAllowed S3 answers since it discontinued email grantees (October
// 1, 2025; see the S3 API reference for PutObjectAcl).
func ParseGrants(header string, perm Permission, value string) ([]Grant, error) {
	var out []Grant
	for _, entry := range strings.Split(value, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, errInvalidArgument("Argument format not recognized", header, value)
		}
		eq := strings.IndexByte(entry, '=')
		if eq <= 0 {
			return nil, errInvalidArgument("Argument format not recognized", header, value)
		}
		typ := strings.TrimSpace(entry[:eq])
		v := strings.TrimSpace(entry[eq+1:])
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		} else if strings.ContainsRune(v, '"') {
			return nil, errInvalidArgument("Argument format not recognized", header, value)
		}
		var g Grantee
		switch strings.ToLower(typ) {
		case "id":
			if !ValidCanonicalID(v) {
				return nil, errInvalidArgument("Invalid id", "id", v)
			}
			g = User(v)
		case "uri":
			if !validGroup(v) {
				return nil, errInvalidArgument("Invalid group uri", "uri", v)
			}
			g = GroupOf(v)
		case "emailaddress":
			return nil, ErrEmailGrantee()
		default:
			return nil, errInvalidArgument("Argument format not recognized", header, value)
		}
		out = append(out, Grant{Grantee: g, Permission: perm})
	}
	return out, nil
}

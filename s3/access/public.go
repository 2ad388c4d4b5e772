package access

import (
	"net/netip"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
)

// PublicAccessBlock is S3 Block Public Access: the four settings of a
// bucket, of an account, or their combination (Merge).
type PublicAccessBlock struct {
	// BlockPublicAcls refuses PUTs (PutBucketAcl, PutObjectAcl, PutObject,
	// CreateBucket, CopyObject, CreateMultipartUpload) that set a public ACL.
	BlockPublicAcls bool
	// IgnorePublicAcls ignores grants to AllUsers and AuthenticatedUsers.
	IgnorePublicAcls bool
	// BlockPublicPolicy refuses a PutBucketPolicy whose policy is public.
	BlockPublicPolicy bool
	// RestrictPublicBuckets limits a bucket whose policy is public to AWS
	// service principals and the bucket owner's account.
	RestrictPublicBuckets bool
}

// Merge returns the combination of two levels' settings (bucket and
// account): "Amazon S3 applies the most restrictive combination of the
// access point, bucket, and account settings"
// (access-control-block-public-access.html).
func (b PublicAccessBlock) Merge(o PublicAccessBlock) PublicAccessBlock {
	return PublicAccessBlock{
		BlockPublicAcls:       b.BlockPublicAcls || o.BlockPublicAcls,
		IgnorePublicAcls:      b.IgnorePublicAcls || o.IgnorePublicAcls,
		BlockPublicPolicy:     b.BlockPublicPolicy || o.BlockPublicPolicy,
		RestrictPublicBuckets: b.RestrictPublicBuckets || o.RestrictPublicBuckets,
	}
}

// errAccessDenied is S3's plain 403 AccessDenied.
func errAccessDenied() *awserr.Error { return awserr.AccessDenied("Access Denied") }

// CheckACL refuses, under BlockPublicAcls, a request that sets the public
// ACL a: S3 answers 403 AccessDenied ("PUT Bucket ACL and PUT Object ACL
// calls fail if the specified ACL is public. PUT Object calls fail if the
// request includes a public ACL. PUT Bucket calls fail if the request
// includes a public ACL", API reference, PublicAccessBlockConfiguration).
func (b PublicAccessBlock) CheckACL(a acl.ACL) error {
	if b.BlockPublicAcls && IsPublicACL(a) {
		return errAccessDenied()
	}
	return nil
}

// CheckPolicy refuses, under BlockPublicPolicy, a PutBucketPolicy whose
// policy is public: 403 AccessDenied.
func (b PublicAccessBlock) CheckPolicy(p *policy.Policy) error {
	if b.BlockPublicPolicy && IsPublicPolicy(p) {
		return errAccessDenied()
	}
	return nil
}

// IsPublicACL reports whether an ACL is public: "Amazon S3 considers a
// bucket or object ACL public if it grants any permissions to members of
// the predefined AllUsers or AuthenticatedUsers groups"
// (access-control-block-public-access.html#access-control-block-public-access-policy-status).
func IsPublicACL(a acl.ACL) bool { return a.IsPublic() }

// fixedKeys are the condition keys whose fixed values make a statement
// granting to everyone non-public ("The meaning of public";
// API reference, PublicAccessBlockConfiguration), lower-cased. aws:SourceIp
// is handled apart (its CIDRs must not be broad).
var fixedKeys = map[string]bool{
	"aws:sourcearn":      true,
	"aws:sourcevpc":      true,
	"aws:sourcevpce":     true,
	"aws:sourceowner":    true,
	"aws:sourceaccount":  true,
	"aws:principalorgid": true,
	"aws:userid":         true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
	"s3:dataaccesspointarn":                          true,
	"s3:dataaccesspointaccount":                      true,
}

// badActions are the actions that "could expose the data inside a bucket
// to reads or writes by the public": s3:Get*, s3:List*,
// s3:AbortMultipartUpload, s3:Delete*, s3:Put* and s3:RestoreObject.
var badActions = []string{"s3:get*", "s3:list*", "s3:abortmultipartupload", "s3:delete*", "s3:put*", "s3:restoreobject"}

// IsPublicPolicy reports whether a bucket policy is public by S3's rules
// ("The meaning of public"): S3 assumes a policy is public unless every
// Allow statement that grants a bad action either names only fixed
// principals (no wildcard) or is limited by a fixed value (no wildcard, no
// policy variable) of aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
// aws:SourceOwner, aws:SourceAccount, aws:PrincipalOrgID, aws:userid
// (outside the pattern "AROLEID:*"), s3:x-amz-server-side-encryption-aws-kms-key-id,
// or by aws:SourceIp CIDRs no broader than /8 (IPv4) or /32 (IPv6) —
// broader ranges, such as 0.0.0.0/1, are public. A nil policy is not public.
func IsPublicPolicy(p *policy.Policy) bool {
	if p == nil || p.Doc == nil {
		return false
	}
	for _, s := range p.Doc.Statements {
		if s.Effect != policy.Allow || !grantsBadAction(s) {
			continue
		}
		if s.Principal != nil && !s.NotPrincipal && fixedPrincipals(s.Principal) {
			continue
		}
		if constrained(s.Conditions) {
			continue
		}
		return true
	}
	return false
}

func grantsBadAction(s *policy.Statement) bool {
	if s.NotAction {
		return true
	}
	for _, a := range s.Actions {
		la := strings.ToLower(a)
		for _, b := range badActions {
			if patternsIntersect(la, b) {
				return true
			}
		}
	}
	return false
}

// fixedPrincipals reports whether a Principal element names only fixed
// principals: no "*" and no wildcard in any value.
func fixedPrincipals(p *policy.Principals) bool {
	if p.Wildcard {
		return false
	}
	for _, list := range [][]string{p.AWS, p.Service, p.Federated, p.CanonicalUser} {
		for _, v := range list {
			if !fixedValue(v) {
				return false
			}
		}
	}
	return true
}

func fixedValue(v string) bool {
	return v != "" && !strings.ContainsAny(v, "*?") && !strings.Contains(v, "${")
}

// constrained reports whether a statement's conditions limit it to fixed
// values of one of the keys that make a statement non-public.
func constrained(conds []policy.Condition) bool {
	for _, c := range conds {
		op, err := policy.ParseOperator(c.Operator)
		if err != nil || op.IfExists() || len(c.Values) == 0 {
			continue
		}
		name := op.String()
		if op.SetQualified() {
			// ForAnyValue: and ForAllValues: do not pin a single-valued key.
			continue
		}
		key := strings.ToLower(c.Key)
		switch {
		case key == "aws:sourceip":
			if name == "IpAddress" && narrowCIDRs(c.Values) {
				return true
			}
		case fixedKeys[key]:
			if !positiveEquality(name) {
				continue
			}
			ok := true
			for _, v := range c.Values {
				if !fixedValue(v) || (key == "aws:userid" && strings.HasSuffix(v, ":*")) {
					ok = false
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// positiveEquality reports operators that admit only the listed values.
func positiveEquality(op string) bool {
	switch strings.TrimSuffix(op, "IfExists") {
	case "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike":
		return true
	}
	return false
}

// narrowCIDRs reports whether every value is an address or a CIDR no
// broader than /8 for IPv4 and /32 for IPv6.
func narrowCIDRs(values []string) bool {
	for _, v := range values {
		if !strings.Contains(v, "/") {
			if _, err := netip.ParseAddr(v); err != nil {
				return false
			}
			continue
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return false
		}
		if p.Addr().Is4() && p.Bits() < 8 || !p.Addr().Is4() && p.Bits() < 32 {
			return false
		}
	}
	return true
}

// patternsIntersect reports whether some string matches both wildcard
// patterns ('*' any run, '?' one character), in O(len(a)*len(b)).
func patternsIntersect(a, b string) bool {
	n, m := len(a), len(b)
	// reach[i][j]: a[i:] and b[j:] can match a common string.
	reach := make([][]bool, n+1)
	for i := range reach {
		reach[i] = make([]bool, m+1)
	}
	reach[n][m] = true
	for i := n; i >= 0; i-- {
		for j := m; j >= 0; j-- {
			if i == n && j == m {
				continue
			}
			var r bool
			switch {
			case i < n && a[i] == '*':
				r = reach[i+1][j] || (j < m && reach[i][j+1])
			case j < m && b[j] == '*':
				r = reach[i][j+1] || (i < n && reach[i+1][j])
			case i < n && j < m:
				r = (a[i] == b[j] || a[i] == '?' || b[j] == '?') && reach[i+1][j+1]
			}
			reach[i][j] = r
		}
	}
	return reach[0][0]
}

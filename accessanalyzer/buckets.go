package accessanalyzer

import (
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/policy/check"
	s3access "github.com/gatehouse-iam/gatehouse/s3/access"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// bucketConfig is what the analysis of a bucket reads: its policy, its ACL
// grants, whether ACLs are enabled (Object Ownership), and Block Public
// Access at bucket and account level.
type bucketConfig struct {
	Name        string
	Policy      string
	Grants      []acl.Grant
	ACLsEnabled bool
	BucketBPA   *store.PublicAccessBlock
	AccountBPA  *store.PublicAccessBlock
}

// bucketConfigOf reads a stored bucket's configuration.
func bucketConfigOf(b *store.Bucket, accountBPA *store.PublicAccessBlock) bucketConfig {
	c := bucketConfig{Name: b.Name, Policy: b.Policy, BucketBPA: b.PublicAccessBlock, AccountBPA: accountBPA,
		ACLsEnabled: b.Ownership != string(s3access.BucketOwnerEnforced)}
	if len(b.ACL) > 0 {
		if a, err := acl.Decode(b.ACL); err == nil {
			c.Grants = a.Grants
		}
	}
	return c
}

// bucketARN is the ARN of bucket name.
func bucketARN(name string) string { return "arn:aws:s3:::" + name }

// Finding source types of bucket findings (FindingSource in the API
// reference).
const (
	sourcePolicy = string(analyzerapi.FindingSourceTypePOLICY)
	sourceACL    = string(analyzerapi.FindingSourceTypeBUCKET_ACL)
)

// analyzeBucket returns the accesses a bucket gives principals outside zone
// z, as IAM Access Analyzer reports them for S3 buckets
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html#access-analyzer-s3):
//
//   - its bucket policy, read like a role's trust policy (other accounts,
//     federated and canonical-user principals, "*" unless confined to the
//     account), for the s3 actions of each statement; "*" is public when
//     policy/check's CheckNoPublicAccess finds the statement public (no
//     condition pins an account, organization or network) — the reasoning
//     of the custom policy checks;
//   - its ACL: grants to AllUsers and AuthenticatedUsers are public access
//     by {"AWS": "*"}, grants to another account's canonical user access by
//     {"CanonicalUser": id}, with the actions the permission maps to; none
//     when Object Ownership disables ACLs;
//   - Block Public Access, bucket and account levels combined ("the most
//     restrictive combination"): IgnorePublicAcls drops the public ACL
//     grants; RestrictPublicBuckets, when the policy is public by S3's
//     meaning, limits the policy to AWS services and the owner's account, so
//     the policy gives no external access. BlockPublicAcls and
//     BlockPublicPolicy refuse changes only and leave what is in force.
func analyzeBucket(z zone, b bucketConfig) []access {
	bpa := pab(b.BucketBPA).Merge(pab(b.AccountBPA))
	var out accesses
	if b.Policy != "" {
		if doc, err := policy.ParseGrammar(b.Policy, policy.KindResource); err == nil &&
			(!bpa.RestrictPublicBuckets || !s3access.IsPublicPolicy(&policy.Policy{Doc: doc})) {
			publicStmts := publicStatements(doc)
			analyzeDoc(z, doc, &out, s3Actions, func(st *policy.Statement) bool { return publicStmts[st.Index] },
				[]string{sourcePolicy})
		}
	}
	if b.ACLsEnabled {
		for _, g := range b.Grants {
			actions := s3access.BucketACLActions(g.Permission)
			if len(actions) == 0 {
				continue
			}
			switch {
			case g.Grantee.Type == acl.Group && (g.Grantee.URI == acl.AllUsers || g.Grantee.URI == acl.AuthenticatedUsers):
				if bpa.IgnorePublicAcls {
					continue
				}
				out.add(access{Principal: map[string]string{"AWS": "*"}, Actions: actions, Public: true, Sources: []string{sourceACL}})
			case g.Grantee.Type == acl.CanonicalUser && g.Grantee.ID != "" && !z.trustsCanonical(g.Grantee.ID):
				out.add(access{Principal: map[string]string{"CanonicalUser": g.Grantee.ID}, Actions: actions, Sources: []string{sourceACL}})
			}
		}
	}
	return out
}

// pab converts a stored Block Public Access configuration.
func pab(p *store.PublicAccessBlock) s3access.PublicAccessBlock {
	if p == nil {
		return s3access.PublicAccessBlock{}
	}
	return s3access.PublicAccessBlock{BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls,
		BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets}
}

// publicStatements returns the indexes of the statements CheckNoPublicAccess
// finds public in a bucket policy.
func publicStatements(doc *policy.Document) map[int]bool {
	res, err := check.CheckNoPublicAccess(doc, string(analyzerapi.ResourceTypeAWSS3Bucket))
	out := map[int]bool{}
	if err != nil {
		// An unknown resource type cannot happen; fail safe: all public.
		for _, st := range doc.Statements {
			out[st.Index] = true
		}
		return out
	}
	for _, r := range res.Reasons {
		if r.StatementIndex != nil {
			out[*r.StatementIndex] = true
		}
	}
	return out
}

// s3Actions returns the S3 actions a bucket policy statement grants: its
// Action patterns that can match an s3 action, as written ("s3:Get*",
// "*"), or for NotAction the s3 actions of the Service Authorization
// Reference it leaves.
func s3Actions(st *policy.Statement) []string {
	if st.NotAction {
		var out []string
		for _, a := range authref.Lookup().ExpandAction("s3:*") {
			if !slices.ContainsFunc(st.Actions, func(p string) bool { return wildcard.MatchFold(p, a) }) {
				out = append(out, a)
			}
		}
		return out
	}
	var out []string
	for _, a := range st.Actions {
		svc, _, _ := strings.Cut(a, ":")
		if a == "*" || wildcard.MatchFold(svc, "s3") {
			out = append(out, a)
		}
	}
	return out
}

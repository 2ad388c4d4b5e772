package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// resourceServices maps each resource type of CheckNoPublicAccess (the
// AccessCheckResourceType enumeration of the IAM Access Analyzer API model) to
// the service prefixes whose actions its resource policy can grant.
var resourceServices = map[string][]string{
	"AWS::DynamoDB::Table":               {"dynamodb"},
	"AWS::DynamoDB::Stream":              {"dynamodb"},
	"AWS::EFS::FileSystem":               {"elasticfilesystem"},
	"AWS::OpenSearchService::Domain":     {"es"},
	"AWS::Kinesis::Stream":               {"kinesis"},
	"AWS::Kinesis::StreamConsumer":       {"kinesis"},
	"AWS::KMS::Key":                      {"kms"},
	"AWS::Lambda::Function":              {"lambda"},
	"AWS::S3::Bucket":                    {"s3"},
	"AWS::S3::AccessPoint":               {"s3"},
	"AWS::S3Express::DirectoryBucket":    {"s3express"},
	"AWS::S3::Glacier":                   {"glacier"},
	"AWS::S3Outposts::Bucket":            {"s3-outposts"},
	"AWS::S3Outposts::AccessPoint":       {"s3-outposts"},
	"AWS::SecretsManager::Secret":        {"secretsmanager"},
	"AWS::SNS::Topic":                    {"sns"},
	"AWS::SQS::Queue":                    {"sqs"},
	"AWS::IAM::AssumeRolePolicyDocument": {"sts"},
	"AWS::S3Tables::TableBucket":         {"s3tables"},
	"AWS::ApiGateway::RestApi":           {"execute-api"},
	"AWS::CodeArtifact::Domain":          {"codeartifact"},
	"AWS::Backup::BackupVault":           {"backup"},
	"AWS::CloudTrail::Dashboard":         {"cloudtrail"},
	"AWS::CloudTrail::EventDataStore":    {"cloudtrail"},
	"AWS::S3Tables::Table":               {"s3tables"},
	"AWS::S3Express::AccessPoint":        {"s3express"},
}

// ResourceTypes returns the resource types CheckNoPublicAccess knows, sorted.
func ResourceTypes() []string {
	out := make([]string, 0, len(resourceServices))
	for k := range resourceServices {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The condition keys that confine a statement to one account, organization or
// network: a positive comparison with concrete values of one of them, on a key
// that must be present, leaves no principal of no particular account. The
// kinds say what a concrete value is.
const (
	pinAccount = iota + 1
	pinOrg
	pinOrgPath
	pinARN
	pinLiteral
)

var pinKeys = map[string]int{
	"aws:principalaccount":  pinAccount,
	"aws:sourceaccount":     pinAccount,
	"aws:sourceowner":       pinAccount,
	"kms:calleraccount":     pinAccount,
	"aws:principalorgid":    pinOrg,
	"aws:sourceorgid":       pinOrg,
	"aws:principalorgpaths": pinOrgPath,
	"aws:sourceorgpaths":    pinOrgPath,
	"aws:principalarn":      pinARN,
	"aws:sourcearn":         pinARN,
	"aws:sourcevpc":         pinLiteral,
	"aws:sourcevpce":        pinLiteral,
}

// CheckNoPublicAccess reports PASS only when no Allow statement of the
// resource policy, for an action of the resource type's service, can apply to
// a principal of no particular account: its Principal names accounts or their
// principals only, or a condition pins the caller (or the source of a service's
// request) to an account, organization or network.
func CheckNoPublicAccess(d *policy.Document, resourceType string) (Result, error) {
	svcs, ok := resourceServices[resourceType]
	if !ok {
		return Result{}, fmt.Errorf("unknown resource type %q", resourceType)
	}
	sp := newSpace()
	noteActions(sp, d)
	relevant := newBits(sp.n)
	for _, s := range svcs {
		o, _ := sp.expand(s + ":*")
		relevant.or(o)
	}
	pd := readDoc(sp, d, true)
	var reasons []Reason
	for i, s := range d.Statements {
		st := &pd.stmts[i]
		if st.deny || !st.acts.intersects(relevant) {
			continue
		}
		who := publicPrincipal(s)
		if who == "" {
			continue
		}
		if pinned(st) || fenced(sp, st, relevant, pd) {
			continue
		}
		reasons = append(reasons, reason(reasonPublicGrant, st, who+" without a condition that pins an account, organization or network"))
	}
	if len(reasons) > 0 {
		return Result{Result: Fail, Message: msgPublic, Reasons: reasons}, nil
	}
	return Result{Result: Pass, Message: msgNotPublic}, nil
}

// publicPrincipal returns which principal of the statement may be of no
// particular account, or "".
func publicPrincipal(s *policy.Statement) string {
	p := s.Principal
	if p == nil {
		return "a statement without a Principal"
	}
	if s.NotPrincipal {
		return "NotPrincipal (everyone not listed, anonymous callers included)"
	}
	if p.Wildcard {
		return `Principal "*"`
	}
	for _, a := range p.AWS {
		if a == "*" {
			return `Principal {"AWS": "*"}`
		}
		if at, _ := atomAWS(a); strings.ContainsAny(a, "*?") || !(strings.HasPrefix(at, "account:") || accountARN(a)) {
			return "AWS principal " + a
		}
	}
	for _, v := range p.Service {
		// A service acts for whichever account calls it (the confused deputy).
		return "service principal " + v
	}
	for _, v := range p.Federated {
		return "federated principal " + v
	}
	return ""
}

// accountARN reports an IAM or STS ARN of a concrete account.
func accountARN(a string) bool {
	x, err := arn.Parse(a)
	return err == nil && arn.IsAccountID(x.Account) && (x.Service == "iam" || x.Service == "sts")
}

// pinned reports whether one of the statement's conditions confines it to
// concrete accounts, organizations or networks.
func pinned(st *stmt) bool {
	for i := range st.conds {
		c := &st.conds[i]
		kind := pinKeys[c.key]
		if kind == 0 || c.neg || c.set == setAll || c.ifExists || len(c.vals) == 0 {
			continue
		}
		if c.fam != famStrEq && c.fam != famStrLike && c.fam != famArn && c.fam != famStrEqIC {
			continue
		}
		ok := true
		for _, v := range c.vals {
			if v.tpl || !concrete(kind, v.raw) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// concrete reports whether a value names one account, organization or network.
func concrete(kind int, v string) bool {
	wild := func(s string) bool { return strings.ContainsAny(s, "*?") }
	switch kind {
	case pinAccount:
		return arn.IsAccountID(v)
	case pinOrg:
		return strings.HasPrefix(v, "o-") && len(v) > 2 && !wild(v)
	case pinOrgPath:
		org, _, ok := strings.Cut(v, "/")
		return ok && strings.HasPrefix(org, "o-") && len(org) > 2 && !wild(org)
	case pinARN:
		parts, ok := splitARN(v)
		if !ok {
			return false
		}
		for _, p := range parts[:5] {
			if wild(p) {
				return false
			}
		}
		return arn.IsAccountID(parts[4])
	case pinLiteral:
		return v != "" && !wild(v)
	}
	return false
}

// fenced reports whether a Deny statement of the document refuses every
// request of Allow statement st, for the resource type's actions, that does
// not come from the accounts, organizations or networks it names: a Deny for
// everyone ("*") over st's actions and resources whose every condition is a
// negated comparison (no set qualifier) of a pinning key with concrete values
// — which holds for every other caller, and for anonymous ones (an absent key
// makes a negated operator true).
func fenced(sp *space, st *stmt, relevant bits64, pd *doc) bool {
	need := st.own.clone()
	need.andNot(complement(sp, relevant))
	for i := range pd.stmts {
		d := &pd.stmts[i]
		if !d.deny || !d.condOK || len(d.conds) == 0 || d.prin == nil || d.prin.not || !d.prin.all {
			continue
		}
		left := need.clone()
		left.andNot(d.actsU)
		if !left.empty() || !containsSet(sp.bg, &d.res, &st.res) {
			continue
		}
		ok := true
		for j := range d.conds {
			c := &d.conds[j]
			kind := pinKeys[c.key]
			if kind == 0 || !c.neg || c.set != setNone || len(c.vals) == 0 ||
				(c.fam != famStrEq && c.fam != famStrLike && c.fam != famArn && c.fam != famStrEqIC) {
				ok = false
				break
			}
			for _, v := range c.vals {
				if v.tpl || !concrete(kind, v.raw) {
					ok = false
				}
			}
		}
		if ok {
			return true
		}
	}
	return false
}

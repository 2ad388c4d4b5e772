package validate

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// Size quotas (characters without white space) that Access Analyzer warns about.
const (
	identityQuota = 6144  // managed policies
	trustQuota    = 2048  // role trust policies (default quota)
	resourceQuota = 20480 // S3 bucket policies, the largest common resource policy
	scpQuota      = 5120
)

// check runs every check on a parsed document.
func (v *validator) check(d *policy.Document) {
	data := authref.Lookup()
	if d.Version == "" {
		v.add(TypeWarning, "MISSING_VERSION", "We recommend that you specify the Version element to help you with debugging permission issues.", v.loc.at())
	}
	v.checkSize(d)
	for _, s := range d.Statements {
		sv := &stmtValidator{validator: v, s: s, data: data}
		sv.run(d)
	}
	v.checkRedundantStatements(d)
}

func (v *validator) checkSize(d *policy.Document) {
	switch v.kind {
	case policy.KindIdentity, policy.KindBoundary:
		if d.Size > identityQuota {
			v.add(TypeWarning, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", fmt.Sprintf("The %d characters in the identity policy, excluding whitespace, exceed the %d character maximum for inline and managed policies. We recommend that you use multiple granular policies.", d.Size, identityQuota), v.loc.at())
		}
	case policy.KindTrust:
		if d.Size > trustQuota {
			v.add(TypeWarning, "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", "The characters in the role trust policy, excluding whitespace, exceed the character maximum. We recommend that you request a role trust policy length quota increase using Service Quotas and AWS Support Center. If the quotas have already been increased, then you can ignore this warning.", v.loc.at())
		}
	case policy.KindResource:
		if d.Size > resourceQuota {
			v.add(TypeWarning, "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", fmt.Sprintf("The %d characters in the resource policy exceed the %d character maximum for resource policies. We recommend that you use multiple granular policies.", d.Size, resourceQuota), v.loc.at())
		}
	case policy.KindSCP:
		if d.Size > scpQuota {
			v.add(TypeError, "POLICY_SIZE_EXCEEDS_SCP_QUOTA", fmt.Sprintf("The %d characters in the service control policy (SCP) exceed the %d character maximum for SCPs. We recommend that you use multiple granular policies.", d.Size, scpQuota), v.loc.at())
		}
	}
}

// checkRedundantStatements reports statements identical (apart from Sid) to an
// earlier one.
func (v *validator) checkRedundantStatements(d *policy.Document) {
	seen := map[string]int{}
	for _, s := range d.Statements {
		k := statementKey(s)
		if first, ok := seen[k]; ok {
			v.add(TypeSuggestion, "REDUNDANT_STATEMENT", "The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.",
				v.loc.at(name("Statement"), idx(first)), v.loc.at(name("Statement"), idx(s.Index)))
			continue
		}
		seen[k] = s.Index
	}
}

// statementKey is a canonical form of a statement without its Sid.
func statementKey(s *policy.Statement) string {
	norm := func(vals []string, fold bool) string {
		c := slices.Clone(vals)
		if fold {
			for i := range c {
				c[i] = strings.ToLower(c[i])
			}
		}
		slices.Sort(c)
		return strings.Join(slices.Compact(c), "\x00")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%v|%s|%v|%s|%v|", s.Effect, s.NotAction, norm(s.Actions, true), s.NotResource, norm(s.Resources, false), s.NotPrincipal)
	if p := s.Principal; p != nil {
		fmt.Fprintf(&b, "%v|%s|%s|%s|%s|", p.Wildcard, norm(p.AWS, false), norm(p.Service, false), norm(p.Federated, false), norm(p.CanonicalUser, false))
	}
	var conds []string
	for _, c := range s.Conditions {
		conds = append(conds, c.Operator+"\x01"+strings.ToLower(c.Key)+"\x01"+norm(c.Values, false))
	}
	b.WriteString(norm(conds, false))
	return b.String()
}

type stmtValidator struct {
	*validator
	s    *policy.Statement
	data *authref.Data
	// actions the statement's Action element matches (nil for NotAction).
	actions []*authref.Action
}

func (sv *stmtValidator) stmt(steps ...step) Location {
	return sv.loc.at(append([]step{name("Statement"), idx(sv.s.Index)}, steps...)...)
}

func (sv *stmtValidator) actionElem() string {
	if sv.s.NotAction {
		return "NotAction"
	}
	return "Action"
}

func (sv *stmtValidator) resourceElem() string {
	if sv.s.NotResource {
		return "NotResource"
	}
	return "Resource"
}

func (sv *stmtValidator) run(d *policy.Document) {
	if m, ok := sv.stmtNode().member("Sid"); ok && m.val.kind == 's' && m.val.str == "" {
		sv.add(TypeSuggestion, "EMPTY_SID_VALUE", "Add a value to the empty string in the Sid element.", sv.stmt(name("Sid")))
	}
	sv.checkActions()
	sv.checkResources(d)
	sv.checkConditions(d)
	sv.checkPrincipal()
	sv.checkPermissive()
}

func (sv *stmtValidator) stmtNode() *jsonNode {
	m, ok := sv.loc.root.member("Statement")
	if !ok {
		return nil
	}
	if m.val.kind == '[' {
		if sv.s.Index < len(m.val.arr) {
			return m.val.arr[sv.s.Index]
		}
		return nil
	}
	return m.val
}

// ---- actions ----

func (sv *stmtValidator) checkActions() {
	s := sv.s
	el := sv.actionElem()
	type entry struct {
		i       int
		pattern string
		matched []*authref.Action
	}
	var entries []entry
	for i, a := range s.Actions {
		loc := sv.stmt(name(el), idx(i))
		if hasVariable(a) {
			sv.add(TypeError, "VARIABLE_UNSUPPORTED_IN_ELEMENT", fmt.Sprintf("Policy variables are supported in the Resource and Condition elements. Remove the policy variable %s from this element.", a), loc)
			continue
		}
		if a == "*" {
			entries = append(entries, entry{i, a, sv.data.MatchActions("*")})
			continue
		}
		prefix, act, _ := strings.Cut(a, ":")
		if wildcard.HasWildcard(prefix) {
			sv.add(TypeSuggestion, "WILDCARD_IN_SERVICE_NAME", "Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.", loc)
		} else if _, ok := sv.data.Service(prefix); !ok {
			msg := fmt.Sprintf("The service %s specified in the action does not exist.", prefix)
			if alt := closest(prefix, sv.data.Services(), 2); alt != "" {
				msg = fmt.Sprintf("The service %s specified in the action does not exist. Did you mean %s?", prefix, alt)
			}
			sv.add(TypeError, "INVALID_SERVICE_IN_ACTION", msg, loc)
			continue
		}
		matched := sv.data.MatchActions(a)
		if len(matched) == 0 {
			msg := fmt.Sprintf("The action %s does not exist.", a)
			if svc, ok := sv.data.Service(prefix); ok && !wildcard.HasWildcard(act) {
				names := make([]string, len(svc.Actions))
				for j, x := range svc.Actions {
					names[j] = x.Name
				}
				if alt := closest(act, names, 3); alt != "" {
					msg = fmt.Sprintf("The action %s does not exist. Did you mean %s:%s?", a, svc.Prefix, alt)
				}
			}
			sv.add(TypeError, "INVALID_ACTION", msg, loc)
			continue
		}
		entries = append(entries, entry{i, a, matched})
	}
	if !s.NotAction {
		for _, e := range entries {
			sv.actions = append(sv.actions, e.matched...)
		}
	}
	// Redundant actions: an entry whose every action another entry grants too.
	var redundant []Location
	first := ""
	for j, e := range entries {
		for k, o := range entries {
			if j == k || len(e.matched) > len(o.matched) {
				continue
			}
			if len(e.matched) == len(o.matched) && k > j {
				continue // of two equivalent entries, the later one is redundant
			}
			if covers(o.matched, e.matched) {
				redundant = append(redundant, sv.stmt(name(el), idx(e.i)))
				if first == "" {
					first = e.pattern
				}
				break
			}
		}
	}
	if len(redundant) > 0 {
		sv.add(TypeSuggestion, "REDUNDANT_ACTION", fmt.Sprintf("The %d action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: %s.", len(redundant), first), redundant...)
	}
}

// covers reports whether every action of sub is in super (both sorted by
// service, then lower-cased name, as MatchActions returns them).
func covers(super, sub []*authref.Action) bool {
	in := make(map[*authref.Action]bool, len(super))
	for _, a := range super {
		in[a] = true
	}
	for _, a := range sub {
		if !in[a] {
			return false
		}
	}
	return true
}

// ---- resources ----

func (sv *stmtValidator) checkResources(d *policy.Document) {
	s := sv.s
	el := sv.resourceElem()
	if s.Resources != nil && v2008(d) {
		for i, r := range s.Resources {
			if hasVariable(r) {
				sv.add(TypeError, "VARIABLE_UNSUPPORTED_IN_VERSION", "To include variables in your policy, use the policy version 2012-10-17 or later.", sv.stmt(name(el), idx(i)))
			}
		}
	}
	if sv.kind == policy.KindTrust && s.Resources != nil {
		sv.add(TypeError, "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", "Role trust policies apply to the role that they are attached to. You cannot specify a resource. Remove the Resource or NotResource element.", sv.stmt(name(el)))
		return
	}
	for i, r := range s.Resources {
		loc := sv.stmt(name(el), idx(i))
		sv.checkVariableSyntax(r, loc)
		if r == "*" {
			continue
		}
		sv.checkARN(r, loc)
	}
	// Redundant resources.
	var redundant []Location
	for j, r := range s.Resources {
		for k, o := range s.Resources {
			if j != k && resourceCovers(o, r) && !(o == r && k > j) {
				redundant = append(redundant, sv.stmt(name(el), idx(j)))
				break
			}
		}
	}
	if len(redundant) > 0 {
		sv.add(TypeSuggestion, "REDUNDANT_RESOURCE", fmt.Sprintf("The %d resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*)", len(redundant)), redundant...)
	}
}

func v2008(d *policy.Document) bool { return d.Version != policy.Version2012 }

// resourceCovers reports whether pattern o certainly matches everything r does:
// o is "*", r is o, r has no wildcard and o matches it, or o's only wildcard is a
// trailing '*' in its resource part and r begins with the rest of o.
func resourceCovers(o, r string) bool {
	switch {
	case o == "*":
		return true
	case o == r:
		return true
	case hasVariable(o) || hasVariable(r):
		return false
	case !wildcard.HasWildcard(r):
		return arn.Match(o, r)
	}
	head, ok := strings.CutSuffix(o, "*")
	return ok && !wildcard.HasWildcard(head) && strings.Count(head, ":") >= 5 && strings.HasPrefix(r, head)
}

// checkARN checks one resource ARN against the service's resource types and the
// statement's actions.
func (sv *stmtValidator) checkARN(r string, loc Location) {
	a, err := arn.Parse(r)
	if err != nil {
		// The parser has checked the six fields; AWS accepts an empty resource
		// part (arn:aws:organizations::*:), which arn.Parse does not.
		return
	}
	if a.Service != strings.ToLower(a.Service) {
		sv.add(TypeError, "INVALID_ARN_SERVICE_CASE", fmt.Sprintf("Update the service name %s in the resource ARN to use all lowercase letters.", a.Service), loc)
		return
	}
	if a.Account != "" && a.Account != "aws" && !arn.IsAccountID(a.Account) && !wildcard.HasWildcard(a.Account) && !hasVariable(a.Account) {
		sv.add(TypeError, "INVALID_ARN_ACCOUNT", fmt.Sprintf("The resource ARN account ID %s is not valid. Provide a 12-digit account ID.", a.Account), loc)
		return
	}
	svc, ok := sv.data.Service(a.Service)
	if !ok || wildcard.HasWildcard(a.Service) || len(svc.ResourceTypes) == 0 {
		return
	}
	for _, rt := range svc.ResourceTypes {
		if rt.MatchesARN(r) {
			sv.checkARNForActions(r, a, loc)
			return
		}
	}
	// No resource type matches. Those that would, but for the Region or the
	// account, say what is wrong.
	anyRegion := "arn:" + a.Partition + ":" + a.Service + ":*:" + a.Account + ":" + a.Resource
	anyAccount := "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":*:" + a.Resource
	regionless, accountless, regional := 0, 0, 0
	var near, nearAcct int
	for _, rt := range svc.ResourceTypes {
		parts := strings.SplitN(rt.ARN, ":", 6)
		if len(parts) != 6 {
			continue
		}
		if rt.MatchesARN(anyRegion) {
			near++
			if parts[3] == "" {
				regionless++
			} else {
				regional++
			}
		}
		if rt.MatchesARN(anyAccount) {
			nearAcct++
			if parts[4] == "" {
				accountless++
			}
		}
	}
	switch {
	case near > 0 && regionless == near && a.Region != "":
		sv.add(TypeError, "ARN_REGION_NOT_ALLOWED", fmt.Sprintf("The service %s does not support specifying a Region in the resource ARN.", a.Service), loc)
	case near > 0 && regional == near && a.Region == "":
		sv.add(TypeError, "MISSING_ARN_REGION", fmt.Sprintf("Add a Region to the %s resource ARN.", a.Service), loc)
	case nearAcct > 0 && accountless == nearAcct && a.Account != "":
		sv.add(TypeError, "ARN_ACCOUNT_NOT_ALLOWED", fmt.Sprintf("The service %s does not support specifying an account ID in the resource ARN.", a.Service), loc)
	default:
		// Access Analyzer's INVALID_ARN_RESOURCE is narrower than "matches no
		// resource type of the reference": AWS's own policies name resources
		// the reference does not list (arn:aws:iam::*:root, legacy log groups),
		// so this is a warning of Gatehouse's.
		sv.add(TypeWarning, CodeUnknownResourceType, fmt.Sprintf("The resource %s matches no resource type of the service %s in the Service Authorization Reference. Check the resource portion of the ARN.", r, a.Service), loc)
	}
}

// checkARNForActions reports a well-formed ARN that none of the statement's
// actions of its service applies to.
func (sv *stmtValidator) checkARNForActions(r string, a arn.ARN, loc Location) {
	if sv.s.NotResource || sv.s.NotAction {
		return
	}
	// The ARN is well formed for its service: do the statement's actions of that
	// service apply to it?
	var names []string
	for _, act := range sv.actions {
		if !strings.EqualFold(act.Service, a.Service) {
			continue
		}
		for _, ar := range act.Resources {
			if ar.Type.MatchesARN(r) {
				return
			}
		}
		names = append(names, act.FullName())
	}
	if len(names) == 0 {
		return
	}
	list := strings.Join(names[:min(len(names), 3)], ", ")
	if len(names) > 3 {
		list += fmt.Sprintf(" and %d more", len(names)-3)
	}
	sv.add(TypeWarning, CodeResourceMismatch, fmt.Sprintf("The resource %s does not match a resource type of any %s action in this statement (%s). Those actions do not apply to this resource; use a matching resource ARN or \"*\" for actions without resource types.", r, a.Service, list), loc)
}

// ---- conditions ----

func (sv *stmtValidator) checkConditions(d *policy.Document) {
	s := sv.s
	if n := sv.stmtNode(); n != nil {
		if m, ok := n.member("Condition"); ok && m.val.kind == '{' {
			if len(m.val.obj) == 0 {
				sv.add(TypeSuggestion, "EMPTY_OBJECT_CONDITION", "This condition block is empty and it does not affect the policy. Specify conditions.", sv.stmt(name("Condition")))
			}
			for _, op := range m.val.obj {
				if op.val.kind == '{' && len(op.val.obj) == 0 {
					sv.add(TypeSuggestion, "EMPTY_OBJECT_CONDITION", "This condition block is empty and it does not affect the policy. Specify conditions.", sv.stmt(name("Condition"), name(op.key)))
				}
			}
		}
	}
	seen := map[string]string{} // operator + lower key -> key as first written
	for _, c := range s.Conditions {
		op, err := policy.ParseOperator(c.Operator)
		if err != nil {
			continue // the parser has rejected it already
		}
		keyLoc := sv.stmt(name("Condition"), name(c.Operator), keyOf(c.Key))
		valLoc := func(i int) Location { return sv.stmt(name("Condition"), name(c.Operator), name(c.Key), idx(i)) }
		lk := c.Operator + "\x00" + strings.ToLower(c.Key)
		if first, ok := seen[lk]; ok && first != c.Key {
			sv.add(TypeError, "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", fmt.Sprintf("The condition key %s appears more than once with different capitalization in the same condition block. Remove the duplicate condition keys.", c.Key), keyLoc)
		}
		seen[lk] = c.Key
		if op.Family() == "Null" && op.SetQualified() {
			sv.add(TypeSuggestion, "NULL_WITH_QUALIFIER", "Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively.", sv.stmt(name("Condition"), name(c.Operator)))
		}
		if len(c.Values) == 0 {
			sv.emptyCondition(op, c, sv.stmt(name("Condition"), name(c.Operator), name(c.Key)))
			continue
		}
		info, known := sv.checkKey(c, keyLoc)
		fam := op.Family()
		if known && fam != "Null" && fam != "Binary" && len(info.Operators) > 0 && !slices.Contains(info.Operators, fam) {
			sv.add(TypeWarning, "TYPE_MISMATCH", fmt.Sprintf("Use the operator type %s instead of operator %s for the condition key %s.", strings.Join(info.Operators, " or "), c.Operator, c.Key), keyLoc)
		}
		if known && fam != "Null" {
			switch {
			case strings.HasPrefix(c.Operator, "ForAllValues:") && !info.MultiValued:
				sv.add(TypeSecurityWarning, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", fmt.Sprintf("Using ForAllValues qualifier with the single-valued condition key %s can be overly permissive. We recommend that you remove ForAllValues:.", c.Key), keyLoc)
			case !op.SetQualified() && info.MultiValued:
				sv.add(TypeError, "MISSING_QUALIFIER", fmt.Sprintf("The request context key %s has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy.", c.Key), keyLoc)
			}
		}
		if fam == "Bool" && len(c.Values) > 1 {
			sv.add(TypeError, "INVALID_CONDITION_MULTIPLE_BOOLEAN", "The condition key does not support multiple Boolean values. Use a single Boolean value.", keyLoc)
		}
		sv.checkValueTypes(c, fam, valLoc)
		sv.checkValues(d, op, c, fam, valLoc)
	}
}

func (sv *stmtValidator) emptyCondition(op policy.Operator, c policy.Condition, loc Location) {
	switch {
	case strings.HasPrefix(c.Operator, "ForAllValues:"):
		sv.add(TypeSuggestion, "EMPTY_ARRAY_CONDITION_FORALLVALUES", fmt.Sprintf("The ForAllValues prefix with an empty condition key matches only if the key %s is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.", c.Key), loc)
	case strings.HasPrefix(c.Operator, "ForAnyValue:"):
		sv.add(TypeSuggestion, "EMPTY_ARRAY_CONDITION_FORANYVALUE", fmt.Sprintf("The ForAnyValue prefix with an empty condition key %s never matches the request context and it does not affect the policy. Specify conditions.", c.Key), loc)
	case op.IfExists():
		sv.add(TypeSuggestion, "EMPTY_ARRAY_CONDITION_IFEXISTS", fmt.Sprintf("The IfExists suffix with an empty condition key matches only if the key %s is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.", c.Key), loc)
	default:
		sv.add(TypeSuggestion, "EMPTY_ARRAY_CONDITION", fmt.Sprintf("There are no values for the condition key %s and it does not affect the policy. Specify conditions.", c.Key), loc)
	}
}

// checkKey checks that a condition key exists and returns what is known of it.
func (sv *stmtValidator) checkKey(c policy.Condition, loc Location) (authref.KeyInfo, bool) {
	prefix, rest, ok := strings.Cut(c.Key, ":")
	if !ok || prefix == "" || rest == "" {
		sv.add(TypeError, "INVALID_CONDITION_KEY_FORMAT", "The condition key format is not valid. Use the format service:keyname.", loc)
		return authref.KeyInfo{}, false
	}
	if info, ok := sv.data.ConditionKey(c.Key); ok {
		return info, true
	}
	lower := strings.ToLower(c.Key)
	if strings.EqualFold(prefix, "aws") {
		switch {
		case lower == "aws:arn":
			sv.add(TypeWarning, "DEPRECATED_GLOBAL_CONDITION_KEY", "We recommend that you update aws:ARN to use the newer condition key aws:PrincipalArn.", loc)
		case lower == "aws:requesttag" || lower == "aws:requesttag/" || lower == "aws:resourcetag" || lower == "aws:resourcetag/" || lower == "aws:principaltag" || lower == "aws:principaltag/":
			k := strings.TrimSuffix(c.Key, "/") + "/"
			sv.add(TypeError, "MISSING_TAG_KEY_IN_CONDITION", fmt.Sprintf("The condition key %s must include a tag key to control access based on tags. Use the format %stag-key and specify a key name for tag-key.", c.Key, k), loc)
		default:
			sv.add(TypeError, "INVALID_GLOBAL_CONDITION_KEY", fmt.Sprintf("The condition key %s does not exist. Use a valid condition key.", c.Key), loc)
		}
		return authref.KeyInfo{}, false
	}
	if svc, ok := sv.data.Service(prefix); ok {
		sv.add(TypeError, "INVALID_SERVICE_CONDITION_KEY", fmt.Sprintf("The condition key %s does not exist in the service %s. Use a valid condition key.", c.Key, svc.Prefix), loc)
	}
	// Other prefixes are identity providers' keys (oidc.eks...:sub), which the
	// reference cannot list.
	return authref.KeyInfo{}, false
}

// checkValueTypes checks that each value suits the operator family.
func (sv *stmtValidator) checkValueTypes(c policy.Condition, fam string, valLoc func(int) Location) {
	for i, val := range c.Values {
		if hasVariable(val) {
			continue
		}
		loc := valLoc(i)
		switch fam {
		case "Numeric":
			if _, err := strconv.ParseFloat(val, 64); err != nil {
				sv.add(TypeWarning, "TYPE_MISMATCH_NUMBER", fmt.Sprintf("Add a valid numeric value for the condition operator %s.", c.Operator), loc)
			}
		case "Date":
			if isEpoch(val) {
				sv.add(TypeWarning, "INVALID_DATE_VALUE", fmt.Sprintf("The date %s might not resolve as expected. We recommend that you use the YYYY-MM-DD format.", val), loc)
			} else if !isISODate(val) {
				sv.add(TypeWarning, "TYPE_MISMATCH_DATE", "The date condition operator is used with an invalid value. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format.", loc)
			}
		case "Bool", "Null":
			if !strings.EqualFold(val, "true") && !strings.EqualFold(val, "false") {
				sv.add(TypeWarning, "TYPE_MISMATCH_BOOLEAN", fmt.Sprintf("Add a valid Boolean value (true or false) for the condition operator %s.", c.Operator), loc)
			}
		case "IPAddress":
			p, ok := parseIPRange(val)
			if !ok {
				sv.add(TypeWarning, "TYPE_MISMATCH_IP_RANGE", fmt.Sprintf("The condition operator %s is used with an invalid IP range value. Specify the IP range in standard CIDR format.", c.Operator), loc)
			} else if p.Masked() != p {
				sv.add(TypeSuggestion, "IMPROVE_IP_RANGE", fmt.Sprintf("The non-zero bits in the IP address after the masked bits are ignored. Replace address with %s.", p.Masked()), loc)
			}
		case "Binary":
			if _, err := base64.StdEncoding.DecodeString(val); err != nil {
				sv.add(TypeWarning, "TYPE_MISMATCH_STRING", fmt.Sprintf("Add a valid base64-encoded string value for the condition operator %s.", c.Operator), loc)
			}
		}
	}
}

// checkValues runs the checks on condition values that do not concern their type.
func (sv *stmtValidator) checkValues(d *policy.Document, op policy.Operator, c policy.Condition, fam string, valLoc func(int) Location) {
	base := c.Operator[strings.IndexByte(c.Operator, ':')+1:]
	base = strings.TrimSuffix(base, "IfExists")
	exact := base == "StringEquals" || base == "StringNotEquals" || base == "StringEqualsIgnoreCase" || base == "StringNotEqualsIgnoreCase"
	seen := map[string]bool{}
	for i, val := range c.Values {
		loc := valLoc(i)
		if hasVariable(val) {
			if v2008(d) {
				sv.add(TypeError, "VARIABLE_UNSUPPORTED_IN_VERSION", "To include variables in your policy, use the policy version 2012-10-17 or later.", loc)
			} else if fam != "String" && fam != "ARN" {
				sv.add(TypeError, "INVALID_VARIABLE_FOR_OPERATOR", "Policy variables can only be used with String and ARN operators.", loc)
			}
			sv.checkVariableSyntax(val, loc)
		}
		if exact && wildcard.HasWildcard(withoutVariables(val)) {
			sv.add(TypeWarning, "WILDCARD_WITHOUT_LIKE_OPERATOR", "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like.", loc)
		}
		if seen[val] {
			sv.add(TypeSuggestion, CodeRedundantConditionValue, fmt.Sprintf("The value %s appears more than once for the condition key %s. Remove the duplicate value.", val, c.Key), loc)
		}
		seen[val] = true
	}
	if fam == "IPAddress" && strings.EqualFold(c.Key, "aws:SourceIp") {
		sv.checkPrivateIPs(base, c, valLoc)
	}
}

// checkPrivateIPs flags private ranges in aws:SourceIp, which only ever holds
// public addresses.
func (sv *stmtValidator) checkPrivateIPs(base string, c policy.Condition, valLoc func(int) Location) {
	var private []Location
	public := 0
	for i, val := range c.Values {
		p, ok := parseIPRange(val)
		if !ok {
			continue
		}
		if isPrivate(p) {
			private = append(private, valLoc(i))
		} else {
			public++
		}
	}
	if len(private) == 0 {
		return
	}
	not := base == "NotIpAddress"
	switch {
	case public == 0 && !not:
		sv.add(TypeError, "PRIVATE_IP_ADDRESS", "aws:SourceIp works only for public IP address ranges. The values for condition key aws:SourceIp include only private IP addresses and will not have the desired effect. Update the value to include only public IP addresses.", private...)
	case public == 0 && not:
		sv.add(TypeError, "PRIVATE_NOT_IP_ADDRESS", "The values for condition key aws:SourceIp include only private IP addresses and has no effect. aws:SourceIp works only for public IP address ranges. Update the value to include only public IP addresses.", private...)
	case !not:
		sv.add(TypeSuggestion, "PRIVATE_IP_ADDRESS_SUBSET", "The values for condition key aws:SourceIp include a mix of private and public IP addresses. The private addresses will not have the desired effect. aws:SourceIp works only for public IP address ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.", private...)
	default:
		sv.add(TypeSuggestion, "PRIVATE_NOT_IP_ADDRESS_SUBSET", "The values for condition key aws:SourceIp include a mix of private and public IP addresses. The private addresses have no effect. aws:SourceIp works only for public IP address ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.", private...)
	}
}

func isPrivate(p netip.Prefix) bool {
	a := p.Masked().Addr()
	if !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() {
		return false
	}
	// The whole range must be private: its last address too.
	for _, r := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128"} {
		q := netip.MustParsePrefix(r)
		if q.Contains(a) && p.Bits() >= q.Bits() {
			return true
		}
	}
	return false
}

func parseIPRange(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

func isEpoch(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isISODate accepts the ISO 8601 forms AWS documents for Date operators.
func isISODate(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "2006-01", "2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// ---- policy variables ----

func hasVariable(s string) bool { return strings.Contains(s, "${") }

// withoutVariables removes ${...} from s, so that ${*} and ${?} (AWS's escapes)
// do not count as wildcards.
func withoutVariables(s string) string {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s[:i]
		}
		s = s[:i] + s[i+j+1:]
	}
}

// checkVariableSyntax checks the ${...} parts of a value.
func (sv *stmtValidator) checkVariableSyntax(s string, loc Location) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			sv.add(TypeError, "MISSING_BRACE_IN_VARIABLE", "The policy variable is missing a closing curly brace. Add } after the variable text.", loc)
			return
		}
		body := s[i+2 : i+j]
		switch {
		case strings.TrimSpace(body) == "":
			sv.add(TypeError, "EMPTY_VARIABLE", "Empty policy variable. Remove the ${ } variable structure or provide a variable within the structure.", loc)
		case strings.ContainsAny(strings.SplitN(body, ",", 2)[0], " \t"):
			sv.add(TypeError, "UNSUPPORTED_SPACE_IN_VARIABLE", "A space is not supported within the policy variable text. Remove the space.", loc)
		}
		s = s[i+j+1:]
	}
}

// ---- principals ----

func (sv *stmtValidator) checkPrincipal() {
	s := sv.s
	if !s.NotPrincipal {
		return
	}
	if sv.kind == policy.KindTrust {
		sv.add(TypeError, "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", "Role trust policies do not support NotPrincipal. Update the policy to use a Principal element instead.", sv.stmt(name("NotPrincipal")))
		return
	}
	if s.Effect == policy.Allow {
		sv.add(TypeSecurityWarning, "ALLOW_WITH_NOT_PRINCIPAL", "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.", sv.stmt(name("NotPrincipal")))
	}
}

// ---- overly permissive or inert statements ----

// sensitive is an action the guide has dedicated checks for, with their codes
// (prefix) and finding type.
type sensitive struct {
	action, code, typ string
	// messages: star in resource, star in action and resource, star in resource
	// and NotAction, NotResource, star in action and NotResource, NotAction and
	// NotResource.
	msgs [6]string
}

var sensitiveActions = [...]sensitive{
	{"iam:PassRole", "PASS_ROLE", TypeSecurityWarning, [6]string{
		"Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
		"Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
		"Using a resource with wildcards (*) and NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
		"Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
		"Using an action with a wildcard (*) and NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
		"Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources.. We recommend that you specify resource ARNs instead.",
	}},
	{"iam:CreateServiceLinkedRole", "CREATE_SLR", TypeWarning, [6]string{
		"Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can allow creation of unintended service-linked roles. We recommend that you specify resource ARNs instead.",
		"Using wildcards (*) in the action and the resource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.",
		"Using a resource with wildcards (*) and NotAction can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.",
		"Using the iam:CreateServiceLinkedRole action with NotResource can allow creation of unintended service-linked roles for multiple resources. We recommend that you specify resource ARNs instead.",
		"Using an action with a wildcard(*) and NotResource can allow creation of unintended service-linked roles because it can allow iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
		"Using NotAction with NotResource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
	}},
}

func (sv *stmtValidator) checkPermissive() {
	s := sv.s
	actEl, resEl := sv.actionElem(), sv.resourceElem()
	if s.NotAction && slices.Contains(s.Actions, "*") {
		sv.add(TypeWarning, CodeStatementNeverApplies, "This statement never applies: NotAction \"*\" excludes every action. Remove the statement or list the actions it should exclude.", sv.stmt(name(actEl)))
		return
	}
	if s.NotResource && slices.Contains(s.Resources, "*") {
		sv.add(TypeWarning, CodeStatementNeverApplies, "This statement never applies: NotResource \"*\" excludes every resource. Remove the statement or list the resources it should exclude.", sv.stmt(name(resEl)))
		return
	}
	if s.Effect != policy.Allow {
		return
	}
	if sv.kind == policy.KindSCP || sv.kind == policy.KindRCP {
		return // FullAWSAccess-style statements are how these policies start
	}
	if s.NotAction {
		sv.add(TypeSecurityWarning, CodeAllowWithNotAction, "Using Allow with NotAction can be overly permissive because it allows every action not listed, including actions of services added later. We recommend that you use Action instead.", sv.stmt(name(actEl)))
	}
	if s.NotResource {
		sv.add(TypeSecurityWarning, CodeAllowWithNotResource, "Using Allow with NotResource can be overly permissive because it allows every resource not listed. We recommend that you use Resource instead.", sv.stmt(name(resEl)))
	}
	starRes := -1
	for i, r := range s.Resources {
		if r == "*" {
			starRes = i
			break
		}
	}
	if !s.NotAction && !s.NotResource && starRes >= 0 && len(s.Conditions) == 0 {
		for i, a := range s.Actions {
			if a == "*" || a == "*:*" {
				sv.add(TypeSecurityWarning, CodeStarInActionAndResource, "Using wildcards (*) in both the action and the resource allows every action on every resource. We recommend that you grant only the actions and resources that the task needs.", sv.stmt(name(actEl), idx(i)), sv.stmt(name(resEl), idx(starRes)))
				break
			}
		}
	}
	if sv.kind != policy.KindIdentity && sv.kind != policy.KindSession && sv.kind != policy.KindBoundary {
		return
	}
	for _, sa := range sensitiveActions {
		sv.checkSensitive(sa, starRes)
	}
}

// checkSensitive reports statements that allow iam:PassRole (or
// iam:CreateServiceLinkedRole) on every resource.
func (sv *stmtValidator) checkSensitive(sa sensitive, starRes int) {
	s := sv.s
	actEl, resEl := sv.actionElem(), sv.resourceElem()
	// Which entry grants the action, and does it do so through a wildcard?
	grant, starAction := -1, false
	if s.NotAction {
		for _, a := range s.Actions {
			if wildcard.MatchFold(a, sa.action) {
				return // excluded
			}
		}
	} else {
		for i, a := range s.Actions {
			if wildcard.MatchFold(a, sa.action) {
				grant, starAction = i, wildcard.HasWildcard(a)
				if !starAction {
					break
				}
			}
		}
		if grant < 0 {
			return
		}
	}
	switch {
	case s.NotResource && s.NotAction:
		sv.add(sa.typ, sa.code+"_WITH_NOT_ACTION_AND_NOT_RESOURCE", sa.msgs[5], sv.stmt(name(actEl)), sv.stmt(name(resEl)))
	case s.NotResource && starAction:
		sv.add(sa.typ, sa.code+"_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", sa.msgs[4], sv.stmt(name(actEl), idx(grant)), sv.stmt(name(resEl)))
	case s.NotResource:
		sv.add(sa.typ, sa.code+"_WITH_NOT_RESOURCE", sa.msgs[3], sv.stmt(name(actEl), idx(grant)), sv.stmt(name(resEl)))
	case starRes < 0:
		return
	case s.NotAction:
		sv.add(sa.typ, sa.code+"_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", sa.msgs[2], sv.stmt(name(actEl)), sv.stmt(name(resEl), idx(starRes)))
	case starAction:
		sv.add(sa.typ, sa.code+"_WITH_STAR_IN_ACTION_AND_RESOURCE", sa.msgs[1], sv.stmt(name(actEl), idx(grant)), sv.stmt(name(resEl), idx(starRes)))
	default:
		sv.add(sa.typ, sa.code+"_WITH_STAR_IN_RESOURCE", sa.msgs[0], sv.stmt(name(actEl), idx(grant)), sv.stmt(name(resEl), idx(starRes)))
	}
}

// ---- suggestions for misspellings ----

// closest returns the candidate nearest to s by case-insensitive edit distance,
// if it is within limit; "" otherwise.
func closest(s string, candidates []string, limit int) string {
	best, bestD := "", limit+1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if d := editDistance(ls, strings.ToLower(c), bestD); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or a value >= bound when it
// is at least bound.
func editDistance(a, b string, bound int) int {
	if d := len(a) - len(b); d >= bound || -d >= bound {
		return bound
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= bound {
			return bound
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

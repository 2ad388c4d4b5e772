package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// SyntaxError reports a document that AWS would reject as MalformedPolicyDocument.
// Message is AWS's wording; Offset locates the problem in the source when known (-1
// otherwise).
type SyntaxError struct {
	Message string
	Offset  int
	// Issue is the Access Analyzer issue code of the problem where AWS's message
	// alone does not tell it ("Syntax errors in policy." covers many), for
	// policy/validate; "" otherwise.
	Issue string
}

// Error returns the AWS message.
func (e *SyntaxError) Error() string { return e.Message }

func syntaxErr(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Message: fmt.Sprintf(format, args...), Offset: off}
}

// AWS's MalformedPolicyDocument messages. Those below were observed from IAM's
// CreatePolicy and recorded, one test case each, in getmoto/moto
// tests/test_iam/test_iam_policies.py (moto PR #2269: "I also verified the
// results (responses returned by AWS) for every test case").
const (
	// msgSyntax: documents that are not well-formed JSON policies, unknown
	// elements, a Version other than the two IAM knows, an Effect that is not
	// Allow or Deny in any case, an unknown condition operator with a
	// non-empty block.
	msgSyntax = "Syntax errors in policy."
	// msgLegacy: an Effect of Allow or Deny in the wrong case, a Date condition
	// value that is not a date, ARNs with empty service parts.
	msgLegacy = "The policy failed legacy parsing"
	// msgManagedVersion: a customer managed policy (CreatePolicy,
	// CreatePolicyVersion) without "Version": "2012-10-17" — absent or 2008-10-17.
	msgManagedVersion = "Policy document must be version 2012-10-17 or greater."
)

// maxDepth bounds JSON nesting so hostile documents cannot exhaust the stack.
const maxDepth = 32

// Size returns the size of a policy document as AWS counts it for its quotas:
// the number of characters that are not white space.
func Size(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// Parse parses a policy document of the given kind and checks it against AWS's
// grammar. Errors are *SyntaxError with AWS's MalformedPolicyDocument messages.
// Parse does not check size quotas (they differ by the entity a policy is attached
// to); see Size.
func Parse(doc string, kind Kind) (*Document, error) {
	return parse(doc, kind, true)
}

// ParseGrammar parses a document like Parse but without the rules IAM applies
// when it stores a document beyond the policy grammar: the Version of managed
// policies and SCPs, the ARNs of global services (IAM, S3 buckets and objects)
// and Date condition values. It reads documents as Access Analyzer's
// ValidatePolicy does, which reports those problems as findings instead.
func ParseGrammar(doc string, kind Kind) (*Document, error) {
	return parse(doc, kind, false)
}

func parse(doc string, kind Kind, writeRules bool) (*Document, error) {
	root, err := parseJSON(doc)
	if err != nil {
		return nil, err
	}
	if root.kind != jObject {
		return nil, syntaxErr(root.start, msgSyntax)
	}
	d := &Document{Source: doc, Size: Size(doc)}
	var stmtNode *jnode
	for i := range root.obj {
		m := &root.obj[i]
		switch m.key {
		case "Version":
			if m.val.kind != jString {
				return nil, syntaxErr(m.val.start, msgSyntax)
			}
			if m.val.str != Version2012 && m.val.str != Version2008 {
				return nil, &SyntaxError{Message: msgSyntax, Offset: m.val.start, Issue: "INVALID_VERSION"}
			}
			d.Version = m.val.str
		case "Id":
			if m.val.kind != jString {
				return nil, syntaxErr(m.val.start, msgSyntax)
			}
			d.ID = m.val.str
		case "Statement":
			stmtNode = &m.val
		default:
			return nil, syntaxErr(m.val.start, msgSyntax)
		}
	}
	if stmtNode == nil {
		return nil, syntaxErr(root.start, "Missing required field Statement")
	}
	var stmts []*jnode
	switch stmtNode.kind {
	case jObject:
		stmts = []*jnode{stmtNode}
	case jArray:
		for i := range stmtNode.arr {
			stmts = append(stmts, &stmtNode.arr[i])
		}
	default:
		return nil, syntaxErr(stmtNode.start, msgSyntax)
	}
	if len(stmts) == 0 {
		return nil, syntaxErr(stmtNode.start, msgSyntax)
	}
	// A managed policy must be written in 2012-10-17; IAM says so after the
	// document's JSON syntax and before any other rule (moto's recorded cases:
	// no Version with duplicate Sids or a bad date still gets this message).
	// Every SCP "must have a Version element with the value 2012-10-17"
	// (Organizations User Guide, orgs_reference_scp-syntax.html#scp-syntax-version).
	badVersion := writeRules && (kind == KindManaged || kind == KindSCP) && d.Version != Version2012
	versionErr := func() error {
		return &SyntaxError{Message: msgManagedVersion, Offset: root.start, Issue: "INVALID_VERSION"}
	}
	sids := map[string]bool{}
	var resourceErr error
	for i, n := range stmts {
		s, err := parseStatement(n, i, kind, writeRules)
		if err != nil {
			if se, ok := err.(*SyntaxError); badVersion && (!ok || se.Message != msgSyntax) {
				return nil, versionErr()
			}
			return nil, err
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				if badVersion {
					return nil, versionErr()
				}
				return nil, syntaxErr(n.start, "Statement IDs (SID) in a single policy must be unique.")
			}
			sids[s.Sid] = true
		}
		if resourceErr == nil && writeRules && iamWriteRules(kind) {
			resourceErr = checkIAMResources(s, n.start)
		}
		d.Statements = append(d.Statements, s)
	}
	if badVersion {
		return nil, versionErr()
	}
	if resourceErr != nil {
		return nil, resourceErr
	}
	return d, nil
}

// iamWriteRules reports whether IAM (or STS, for session policies) validates
// documents of this kind, and so applies IAM's checks of resource ARNs and
// condition values. Resource-based policies are validated by their own services
// and Organizations policies by Organizations, each with its own rules.
func iamWriteRules(kind Kind) bool {
	switch kind {
	case KindIdentity, KindManaged, KindBoundary, KindTrust, KindSession:
		return true
	}
	return false
}

// iamResourceTypes are the resource paths IAM accepts in an IAM ARN, in the
// order of its message.
var iamResourceTypes = []string{"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
	"server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}

// s3RegionalTypes are the S3 resource types whose ARNs carry a Region (service
// authorization reference, Amazon S3 resource types); buckets and objects do not.
var s3RegionalTypes = []string{"accesspoint/", "access-grants/", "job/", "async-request/", "storage-lens/", "storage-lens-group/"}

// checkIAMResources applies IAM's rules for the ARNs of global services in a
// statement's Resource or NotResource. IAM refuses, with these messages:
//   - an IAM ARN with a Region: "IAM resource ARN cannot contain region
//     information." (moto's recorded case; AWS's IAM ARN validation notice of
//     2024, quoted in cloud-gov/aws-broker#383: "The region code must be blank,
//     as IAM resources are global");
//   - an S3 bucket or object ARN with a Region: "Resource ARN can not contain
//     region information." (moto's recorded case; aws/aws-cdk#22445 shows the
//     same message from CloudFormation);
//   - an IAM ARN whose resource is not "*", root, or a path of one of IAM's
//     resource types: `IAM resource path must either be "*", root, or start
//     with user/, ...` (the message with "root" as IAM returned it in 2026 for
//     CreatePolicyVersion, quoted in a public test suite; moto records the older
//     wording without "root").
func checkIAMResources(s *Statement, off int) error {
	for _, r := range s.Resources {
		parts := strings.SplitN(r, ":", 6)
		if len(parts) != 6 || parts[0] != "arn" {
			continue
		}
		region, res := parts[3], parts[5]
		switch parts[2] {
		case "iam":
			if region != "" {
				return syntaxErr(off, "IAM resource %s cannot contain region information.", r)
			}
			if res != "*" && res != "root" && !hasAnyPrefix(res, iamResourceTypes) {
				return syntaxErr(off, "IAM resource path must either be \"*\", root, or start with %s.", strings.Join(iamResourceTypes, ", "))
			}
		case "s3":
			// A resource starting with a wildcard may name a regional type.
			if region != "" && !hasAnyPrefix(res, s3RegionalTypes) && !strings.HasPrefix(res, "*") && !strings.HasPrefix(res, "?") {
				return syntaxErr(off, "Resource %s can not contain region information.", r)
			}
		}
	}
	return nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// iamSidKinds are the kinds whose Sid must be alphanumeric (IAM's own policies).
func iamSid(kind Kind) bool {
	return kind == KindIdentity || kind == KindManaged || kind == KindTrust || kind == KindBoundary || kind == KindSession
}

func parseStatement(n *jnode, index int, kind Kind, writeRules bool) (*Statement, error) {
	if n.kind != jObject {
		return nil, syntaxErr(n.start, msgSyntax)
	}
	s := &Statement{Index: index, Span: Span{n.start, n.end}}
	var haveEffect, haveAction, haveResource, havePrincipal bool
	for i := range n.obj {
		m := &n.obj[i]
		v := &m.val
		switch m.key {
		case "Sid":
			if v.kind != jString {
				return nil, syntaxErr(v.start, msgSyntax)
			}
			if iamSid(kind) && !isAlnum(v.str) {
				return nil, syntaxErr(v.start, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")
			}
			s.Sid = v.str
		case "Effect":
			if v.kind != jString {
				return nil, syntaxErr(v.start, msgSyntax)
			}
			switch v.str {
			case "Allow":
				s.Effect = Allow
			case "Deny":
				s.Effect = Deny
			default:
				// IAM checks the Effect case-insensitively for syntax, then
				// case-sensitively in its legacy parser (moto's recorded cases:
				// "invalid" is a syntax error, "denY" and "allow" fail legacy
				// parsing).
				msg := msgSyntax
				if strings.EqualFold(v.str, "Allow") || strings.EqualFold(v.str, "Deny") {
					msg = msgLegacy
				}
				return nil, &SyntaxError{Message: msg, Offset: v.start, Issue: "INVALID_EFFECT"}
			}
			haveEffect = true
		case "Action", "NotAction":
			if haveAction {
				return nil, syntaxErr(v.start, "Policy statement must contain only one of Action and NotAction.")
			}
			vals, err := stringList(v)
			if err != nil {
				return nil, err
			}
			for _, a := range vals {
				if err := checkAction(a, v.start); err != nil {
					return nil, err
				}
			}
			s.Actions, s.NotAction, haveAction = vals, m.key == "NotAction", true
		case "Resource", "NotResource":
			if haveResource {
				return nil, syntaxErr(v.start, "Policy statement must contain only one of Resource and NotResource.")
			}
			vals, err := stringList(v)
			if err != nil {
				return nil, err
			}
			for _, r := range vals {
				if err := checkResource(r, v.start); err != nil {
					return nil, err
				}
			}
			if vals == nil {
				vals = []string{}
			}
			s.Resources, s.NotResource, haveResource = vals, m.key == "NotResource", true
		case "Principal", "NotPrincipal":
			if havePrincipal {
				return nil, syntaxErr(v.start, msgSyntax)
			}
			p, err := parsePrincipals(v, kind)
			if err != nil {
				return nil, err
			}
			s.Principal, s.NotPrincipal, havePrincipal = p, m.key == "NotPrincipal", true
		case "Condition":
			conds, err := parseConditions(v, writeRules && iamWriteRules(kind))
			if err != nil {
				return nil, err
			}
			s.Conditions = conds
		default:
			return nil, syntaxErr(v.start, msgSyntax)
		}
	}
	if !haveEffect {
		return nil, syntaxErr(n.start, "Missing required field Effect")
	}
	if !haveAction || len(s.Actions) == 0 {
		return nil, syntaxErr(n.start, "Policy statement must contain actions.")
	}
	if havePrincipal && !kind.RequiresPrincipal() {
		if kind == KindSCP {
			return nil, syntaxErr(n.start, "Has prohibited field Principal")
		}
		return nil, syntaxErr(n.start, "Policy document should not specify a principal.")
	}
	if !havePrincipal && kind.RequiresPrincipal() && kind != KindVPCEndpoint {
		return nil, syntaxErr(n.start, "Missing required field Principal")
	}
	if kind == KindRCP {
		if s.NotPrincipal || s.Principal == nil || !(s.Principal.Wildcard || (len(s.Principal.AWS) == 1 && s.Principal.AWS[0] == "*")) {
			return nil, syntaxErr(n.start, "Resource control policies must use \"Principal\": \"*\".")
		}
	}
	if !haveResource || len(s.Resources) == 0 {
		// Trust policies name the role implicitly; every other kind needs resources.
		if kind != KindTrust {
			return nil, syntaxErr(n.start, "Policy statement must contain resources.")
		}
	}
	return s, nil
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// checkAction applies AWS's syntax rules for one action string.
func checkAction(a string, off int) error {
	if a == "*" {
		return nil
	}
	c := strings.Count(a, ":")
	if c == 0 {
		return syntaxErr(off, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
	}
	if c > 1 {
		return syntaxErr(off, "Actions/Condition can contain only one colon.")
	}
	prefix := a[:strings.IndexByte(a, ':')]
	if prefix == "" {
		return syntaxErr(off, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
	}
	for i := 0; i < len(prefix); i++ {
		ch := prefix[i]
		if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '*' || ch == '?' || ch == '_' || ch == '.') {
			return syntaxErr(off, "Vendor %s is not valid", prefix)
		}
	}
	return nil
}

// checkResource applies AWS's syntax rules for one resource string: "*" or an ARN
// with at least six colon-separated parts.
func checkResource(r string, off int) error {
	if r == "*" {
		return nil
	}
	if !strings.HasPrefix(r, "arn:") || strings.Count(r, ":") < 5 {
		if strings.HasPrefix(r, "arn:") {
			return syntaxErr(off, "Resource %s must be in ARN format or \"*\".", r)
		}
		return syntaxErr(off, "Resource %s must be in ARN format or \"*\".", r)
	}
	parts := strings.SplitN(r, ":", 6)
	if parts[1] == "" {
		return syntaxErr(off, "Partition \"\" is not valid for resource \"%s\".", r)
	}
	if parts[2] == "" {
		return syntaxErr(off, "Resource vendor must be fully qualified and cannot contain regexes.")
	}
	return nil
}

func parsePrincipals(v *jnode, kind Kind) (*Principals, error) {
	p := &Principals{}
	switch v.kind {
	case jString:
		if v.str != "*" {
			return nil, syntaxErr(v.start, "Invalid principal in policy: %q", v.str)
		}
		p.Wildcard = true
		return p, nil
	case jObject:
	default:
		return nil, syntaxErr(v.start, msgSyntax)
	}
	if len(v.obj) == 0 {
		return nil, syntaxErr(v.start, msgSyntax)
	}
	for i := range v.obj {
		m := &v.obj[i]
		vals, err := stringList(&m.val)
		if err != nil {
			return nil, err
		}
		if len(vals) == 0 {
			if kind == KindTrust {
				// IAM's message for a role trust policy whose statement names
				// no principal (CreateRole, terraform-aws-modules/
				// terraform-aws-iam#47).
				return nil, syntaxErr(m.val.start, "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!")
			}
			return nil, syntaxErr(m.val.start, "Invalid principal in policy: %q:[]", m.key)
		}
		switch m.key {
		case "AWS":
			for _, a := range vals {
				if !validAWSPrincipal(a) {
					return nil, syntaxErr(m.val.start, "Invalid principal in policy: \"AWS\":%q", a)
				}
			}
			p.AWS = vals
		case "Service":
			for _, s := range vals {
				if s == "" || (s != "*" && strings.ContainsAny(s, "*?")) {
					return nil, syntaxErr(m.val.start, "Invalid principal in policy: \"SERVICE\":%q", s)
				}
			}
			p.Service = vals
		case "Federated":
			p.Federated = vals
		case "CanonicalUser":
			p.CanonicalUser = vals
		default:
			return nil, syntaxErr(m.val.start, "Invalid principal in policy: %q", m.key)
		}
	}
	return p, nil
}

// validAWSPrincipal accepts "*", a 12-digit account id, or an IAM/STS ARN without
// wildcards.
func validAWSPrincipal(a string) bool {
	if a == "*" {
		return true
	}
	if isAccountID(a) {
		return true
	}
	if strings.ContainsAny(a, "*?") {
		return false
	}
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || (parts[2] != "iam" && parts[2] != "sts") || parts[5] == "" {
		return false
	}
	return isAccountID(parts[4]) || parts[4] == "aws"
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseConditions(v *jnode, iamRules bool) ([]Condition, error) {
	if v.kind != jObject {
		return nil, syntaxErr(v.start, msgSyntax)
	}
	var out []Condition
	for i := range v.obj {
		op := &v.obj[i]
		if op.val.kind != jObject {
			return nil, syntaxErr(op.val.start, msgSyntax)
		}
		o, err := parseOperator(op.key)
		if err != nil {
			// IAM accepts an unknown operator with an empty block and refuses
			// one with keys as a syntax error (moto's recorded cases
			// {"x": {}, "y": {}} and {"x": {"a": "1"}}; aws-cloudformation/
			// cfn-lint#3751 shows the same message for a key put where an
			// operator belongs).
			if len(op.val.obj) == 0 {
				continue
			}
			issue := "INVALID_CONDITION_OPERATOR"
			if strings.HasSuffix(op.key, "NullIfExists") {
				issue = "NULL_WITH_IF_EXISTS"
			}
			return nil, &SyntaxError{Message: msgSyntax, Offset: op.val.start, Issue: issue}
		}
		for j := range op.val.obj {
			k := &op.val.obj[j]
			vals, err := conditionValues(&k.val)
			if err != nil {
				return nil, err
			}
			if k.key == "" {
				return nil, syntaxErr(k.val.start, msgSyntax)
			}
			if iamRules && o.Family() == "Date" {
				for _, d := range vals {
					if !legacyDate(d) {
						return nil, &SyntaxError{Message: msgLegacy, Offset: k.val.start, Issue: "TYPE_MISMATCH_DATE"}
					}
				}
			}
			out = append(out, Condition{Operator: op.key, Key: k.key, Values: vals})
		}
	}
	return out, nil
}

// legacyDate reports whether IAM's legacy parser reads s as a date: epoch
// seconds (an integer from 0 to 2^63-1), or an ISO 8601 date and time whose
// fields are in range.
// It follows moto's model of the parser, built from responses recorded from IAM
// ("sdfdsf", "234-13", "2016-12-13t2:00:00.593194+1" and "9223372036854775808"
// fail; "01T", "2016-12-13t2:00:00.593194+23" and "-292275054" pass), and also
// accepts every value the evaluator reads as a date (negative UTC offsets).
func legacyDate(s string) bool {
	l := strings.ToLower(s)
	if !strings.ContainsAny(l, "t-") {
		n, ok := legacyInt(l)
		return ok && n >= 0
	}
	if _, ok := parseDate(s); ok {
		return true
	}
	date, clock, _ := strings.Cut(l, "t")
	neg := strings.HasPrefix(date, "-")
	if neg {
		date = date[1:]
	}
	dp := strings.Split(date, "-")
	if len(dp) > 3 {
		return false
	}
	year, ok := legacyInt(dp[0])
	if neg {
		year = -year
	}
	if !ok || year < -292275054 || year > 292278993 {
		return false
	}
	if len(dp) > 1 && !legacyRange(dp[1], 1, 12) || len(dp) > 2 && !legacyRange(dp[2], 1, 31) {
		return false
	}
	tp := strings.Split(clock, ":")
	if tp[0] != "" && !legacyRange(tp[0], 0, 23) {
		return false
	}
	if len(tp) > 1 && !legacyRange(tp[1], 0, 59) {
		return false
	}
	if len(tp) > 2 {
		sec := tp[2]
		switch {
		case strings.Contains(sec, "z"):
			var rest string
			sec, rest, _ = strings.Cut(sec, "z")
			if rest != "" {
				return false
			}
		case strings.Contains(sec, "+"):
			var zone string
			sec, zone, _ = strings.Cut(sec, "+")
			zh, zm, hasM := strings.Cut(zone, ":")
			if len(zh) != 2 || !legacyRange(zh, 0, 23) {
				return false
			}
			if hasM && (len(zm) != 2 || !legacyRange(zm, 0, 59)) {
				return false
			}
		}
		whole, frac, hasFrac := strings.Cut(sec, ".")
		if !legacyRange(whole, 0, 59) {
			return false
		}
		if hasFrac && !legacyRange(frac, 0, 999999999) {
			return false
		}
	}
	return true
}

// legacyInt reads an optionally signed decimal integer that fits in 63 bits.
func legacyInt(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func legacyRange(s string, lo, hi int64) bool {
	n, ok := legacyInt(s)
	return ok && n >= lo && n <= hi
}

// stringList reads a string or an array of strings.
func stringList(v *jnode) ([]string, error) {
	switch v.kind {
	case jString:
		return []string{v.str}, nil
	case jArray:
		out := make([]string, 0, len(v.arr))
		for i := range v.arr {
			if v.arr[i].kind != jString {
				return nil, syntaxErr(v.arr[i].start, msgSyntax)
			}
			out = append(out, v.arr[i].str)
		}
		return out, nil
	}
	return nil, syntaxErr(v.start, msgSyntax)
}

// conditionValues reads a condition value: a string, number or boolean, or an
// array of them.
func conditionValues(v *jnode) ([]string, error) {
	scalar := func(n *jnode) (string, bool) {
		switch n.kind {
		case jString, jNumber:
			return n.str, true
		case jBool:
			if n.b {
				return "true", true
			}
			return "false", true
		}
		return "", false
	}
	if v.kind == jArray {
		out := make([]string, 0, len(v.arr))
		for i := range v.arr {
			s, ok := scalar(&v.arr[i])
			if !ok {
				return nil, syntaxErr(v.arr[i].start, msgSyntax)
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, ok := scalar(v)
	if !ok {
		return nil, syntaxErr(v.start, msgSyntax)
	}
	return []string{s}, nil
}

// ---- a small JSON tree with source offsets and duplicate-key detection ----

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

type jnode struct {
	kind       jkind
	str        string // string value, or number text
	b          bool
	arr        []jnode
	obj        []jmember
	start, end int
}

type jmember struct {
	key string
	val jnode
}

type jparser struct {
	dec *json.Decoder
	src string
}

func parseJSON(src string) (*jnode, error) {
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	p := &jparser{dec: dec, src: src}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, syntaxErr(int(dec.InputOffset()), msgSyntax)
	}
	return n, nil
}

// tokenStart finds where the token that ended at off began, skipping back over
// white space is unnecessary: InputOffset before Token points at the preceding
// delimiter or white space, so we scan forward to the first significant byte.
func (p *jparser) tokenStart(before int) int {
	i := before
	for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t' || p.src[i] == '\n' || p.src[i] == '\r' || p.src[i] == ',' || p.src[i] == ':') {
		i++
	}
	return i
}

func (p *jparser) value(depth int) (*jnode, error) {
	if depth > maxDepth {
		return nil, syntaxErr(int(p.dec.InputOffset()), msgSyntax)
	}
	before := int(p.dec.InputOffset())
	tok, err := p.dec.Token()
	if err != nil {
		return nil, syntaxErr(before, msgSyntax)
	}
	n := &jnode{start: p.tokenStart(before)}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = jObject
			seen := map[string]bool{}
			for p.dec.More() {
				koff := int(p.dec.InputOffset())
				kt, err := p.dec.Token()
				if err != nil {
					return nil, syntaxErr(koff, msgSyntax)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, syntaxErr(koff, msgSyntax)
				}
				if seen[key] {
					return nil, syntaxErr(koff, msgSyntax)
				}
				seen[key] = true
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.obj = append(n.obj, jmember{key: key, val: *v})
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, syntaxErr(int(p.dec.InputOffset()), msgSyntax)
			}
		case '[':
			n.kind = jArray
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, *v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, syntaxErr(int(p.dec.InputOffset()), msgSyntax)
			}
		default:
			return nil, syntaxErr(before, msgSyntax)
		}
	case string:
		n.kind, n.str = jString, t
	case json.Number:
		n.kind, n.str = jNumber, string(t)
	case bool:
		n.kind, n.b = jBool, t
	case nil:
		n.kind = jNull
	}
	n.end = int(p.dec.InputOffset())
	return n, nil
}

// Compact returns doc without insignificant white space, for size-independent
// comparisons and storage. It returns doc unchanged when it is not valid JSON.
func Compact(doc string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil {
		return doc
	}
	return b.String()
}

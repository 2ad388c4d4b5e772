package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// SyntaxError reports a document that AWS would reject as MalformedPolicyDocument.
// Message is AWS's wording; Offset locates the problem in the source when known (-1
// otherwise).
type SyntaxError struct {
	Message string
	Offset  int
}

// Error returns the AWS message.
func (e *SyntaxError) Error() string { return e.Message }

func syntaxErr(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Message: fmt.Sprintf(format, args...), Offset: off}
}

// msgSyntax is AWS's message for documents that are not well-formed JSON policies.
const msgSyntax = "Syntax errors in policy."

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
				return nil, syntaxErr(m.val.start, "The policy failed legacy parsing")
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
	sids := map[string]bool{}
	for i, n := range stmts {
		s, err := parseStatement(n, i, kind)
		if err != nil {
			return nil, err
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				return nil, syntaxErr(n.start, "Statement IDs (SID) in a single policy must be unique.")
			}
			sids[s.Sid] = true
		}
		d.Statements = append(d.Statements, s)
	}
	return d, nil
}

// iamSidKinds are the kinds whose Sid must be alphanumeric (IAM's own policies).
func iamSid(kind Kind) bool {
	return kind == KindIdentity || kind == KindTrust || kind == KindBoundary || kind == KindSession
}

func parseStatement(n *jnode, index int, kind Kind) (*Statement, error) {
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
				return nil, syntaxErr(v.start, "Invalid effect: %s", v.str)
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
			p, err := parsePrincipals(v)
			if err != nil {
				return nil, err
			}
			s.Principal, s.NotPrincipal, havePrincipal = p, m.key == "NotPrincipal", true
		case "Condition":
			conds, err := parseConditions(v)
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

func parsePrincipals(v *jnode) (*Principals, error) {
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

func parseConditions(v *jnode) ([]Condition, error) {
	if v.kind != jObject {
		return nil, syntaxErr(v.start, msgSyntax)
	}
	var out []Condition
	for i := range v.obj {
		op := &v.obj[i]
		if _, err := parseOperator(op.key); err != nil {
			return nil, syntaxErr(op.val.start, "Invalid Condition type : %s", op.key)
		}
		if op.val.kind != jObject {
			return nil, syntaxErr(op.val.start, msgSyntax)
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
			out = append(out, Condition{Operator: op.key, Key: k.key, Values: vals})
		}
	}
	return out, nil
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

package policy

import (
	"sort"
	"strings"
)

// StatementMatch is one statement that applied to a request.
type StatementMatch struct {
	// Layer is the policy's layer, in the simulate JSON spelling ("identityPolicy", ...).
	Layer string `json:"layer"`
	// Level is the organization level for SCPs and RCPs (0 = root).
	Level int `json:"level,omitempty"`
	// Policy is the policy's name (Policy.Name).
	Policy string `json:"policy"`
	// Statement is the statement's index in its document, from 0.
	Statement int `json:"statement"`
	// Sid is the statement's Sid, if any.
	Sid string `json:"sid,omitempty"`
	// Effect is "Allow" or "Deny".
	Effect string `json:"effect"`
	// Span is the statement's byte range in the policy document.
	Span Span `json:"-"`
	// Start and End are line/column positions (1-based) of the statement.
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Position is a line and column in a policy document, both from 1.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Explanation says why a request was decided as it was.
type Explanation struct {
	// Decision is the outcome.
	Decision Decision `json:"-"`
	// DecisionText is Decision as AWS spells it.
	DecisionText string `json:"decision"`
	// Reason is a sentence in the words of AWS's AccessDenied messages, or
	// "allowed by ..." for an allow.
	Reason string `json:"reason"`
	// DecidedBy names the layer that decided a deny ("" for an allow).
	DecidedBy string `json:"decidedBy,omitempty"`
	// Level is the organization level of a deciding SCP or RCP layer.
	Level *int `json:"level,omitempty"`
	// DenyingStatement is the explicit deny that won, if any.
	DenyingStatement *StatementMatch `json:"denyingStatement,omitempty"`
	// MatchedStatements lists every statement that applied, allows and denies, in
	// layer order and document order.
	MatchedStatements []StatementMatch `json:"matchedStatements"`
	// MissingContextKeys lists condition keys that the policies referenced in
	// policy variables but that the request context lacked.
	MissingContextKeys []string `json:"missingContextKeys,omitempty"`
	// Result is the compact result (the same as Evaluate's).
	Result Result `json:"-"`
}

type recorder struct {
	matches []StatementMatch
}

func (r *recorder) match(l Layer, level int, pol *Policy, s *cstmt) {
	m := StatementMatch{Layer: l.Key(), Level: level, Policy: pol.Name, Statement: s.index, Sid: s.sid, Effect: s.effect.String()}
	if pol.Doc != nil && s.index < len(pol.Doc.Statements) {
		m.Span = pol.Doc.Statements[s.index].Span
		m.Start, m.End = s.start, s.end
	}
	r.matches = append(r.matches, m)
}

// lineIndex holds the offsets of a text's newlines, to turn byte offsets into
// lines and columns without rescanning the text for each.
type lineIndex struct {
	nl  []int
	len int
}

func newlines(src string) lineIndex {
	li := lineIndex{len: len(src)}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			li.nl = append(li.nl, i)
		}
	}
	return li
}

// position converts a byte offset into a line and column (both from 1).
func (li lineIndex) position(off int) Position {
	off = min(off, li.len)
	n := sort.SearchInts(li.nl, off) // newlines before off
	last := -1
	if n > 0 {
		last = li.nl[n-1]
	}
	return Position{Line: 1 + n, Column: off - last}
}

// Explain evaluates req against set like Evaluate and says why: every statement
// that applied, the deny that won or the layer whose allow was missing, and the
// context keys the policies needed but did not get. It allocates; use Evaluate on
// hot paths and Explain when a reason is wanted.
func Explain(set *Set, req *Request) *Explanation {
	var st evalState
	st.init(req)
	defer st.release()
	var missing []string
	st.missing = &missing
	rec := &recorder{}
	res := evaluate(set, &st, rec)
	e := &Explanation{
		Decision:          res.Decision,
		DecisionText:      res.Decision.String(),
		MatchedStatements: rec.matches,
		Result:            res,
	}
	if e.MatchedStatements == nil {
		e.MatchedStatements = []StatementMatch{}
	}
	switch res.Decision {
	case Allowed:
		e.Reason = allowSummary(rec.matches)
	default:
		e.Reason = res.Reason(req.Action)
		l := res.Layer
		if l == LayerNone {
			l = LayerIdentity
		}
		e.DecidedBy = l.Key()
		if l == LayerSCP || l == LayerRCP {
			lv := res.Level
			e.Level = &lv
		}
	}
	if res.Decision == ExplicitDeny && res.Policy != nil {
		for i := range rec.matches {
			m := &rec.matches[i]
			if m.Effect == "Deny" && m.Policy == res.Policy.Name && m.Statement == res.Statement && m.Layer == res.Layer.Key() {
				d := *m
				e.DenyingStatement = &d
				break
			}
		}
	}
	sort.Strings(missing)
	e.MissingContextKeys = missing
	return e
}

func allowSummary(ms []StatementMatch) string {
	var layers []string
	seen := map[string]bool{}
	for _, m := range ms {
		if m.Effect == "Allow" && !seen[m.Layer] {
			seen[m.Layer] = true
			layers = append(layers, m.Layer)
		}
	}
	if len(layers) == 0 {
		return "the account root user is not restricted by identity-based policies"
	}
	return "allowed by " + strings.Join(layers, ", ")
}

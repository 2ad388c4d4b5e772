package check

import (
	"sort"
	"strings"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// prinSet is a Principal or NotPrincipal element as a set of atoms, normalised
// as the evaluator compares them: an account id and its root ARN are one
// account; service principals fold case.
type prinSet struct {
	not   bool
	all   bool
	atoms map[string]bool
}

func newPrinSet(p *policy.Principals, not bool) *prinSet {
	s := &prinSet{not: not, all: p.Wildcard, atoms: map[string]bool{}}
	for _, a := range p.AWS {
		at, all := atomAWS(a)
		if all {
			s.all = true
			continue
		}
		s.atoms[at] = true
	}
	for _, v := range p.Service {
		if v == "*" {
			s.all = true
			continue
		}
		s.atoms["service:"+strings.ToLower(v)] = true
	}
	for _, v := range p.Federated {
		s.atoms["federated:"+v] = true
	}
	for _, v := range p.CanonicalUser {
		s.atoms["canonical:"+v] = true
	}
	return s
}

// atom forms of the principal kinds.
func atomAWS(a string) (string, bool) {
	switch {
	case a == "*":
		return "", true
	case arn.IsAccountID(a):
		return "account:" + a, false
	case strings.HasPrefix(a, "arn:") && strings.HasSuffix(a, ":root") && strings.Contains(a, ":iam::"):
		parts := strings.SplitN(a, ":", 6)
		if len(parts) == 6 && arn.IsAccountID(parts[4]) && parts[5] == "root" {
			return "account:" + parts[4], false
		}
	}
	return "aws:" + a, false
}

// prinUnit is one principal of a statement's region: everyone (all), one atom,
// or everyone but a list (not).
type prinUnit struct {
	all  bool
	atom string
	not  map[string]bool
}

func (u prinUnit) String() string {
	switch {
	case u.all:
		return "every principal"
	case u.not != nil:
		var l []string
		for k := range u.not {
			l = append(l, k)
		}
		sort.Strings(l)
		return "principals other than " + strings.Join(l, ", ")
	}
	return u.atom
}

// units splits a statement's principals into units; a statement without a
// Principal element is everyone (the safe reading where it is the subset).
func (s *prinSet) units() []prinUnit {
	switch {
	case s == nil || (s.all && !s.not):
		return []prinUnit{{all: true}}
	case s.not:
		if s.all {
			return nil // NotPrincipal "*" names nobody
		}
		return []prinUnit{{not: s.atoms}}
	}
	out := make([]prinUnit, 0, len(s.atoms))
	keys := make([]string, 0, len(s.atoms))
	for k := range s.atoms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, prinUnit{atom: k})
	}
	return out
}

// contains reports whether the set names every principal of u. A missing
// Principal element contains nothing (the safe reading where it is the
// superset).
func (s *prinSet) contains(u *prinUnit) bool {
	if s == nil {
		return false
	}
	if !s.not {
		if s.all {
			return true
		}
		return !u.all && u.not == nil && s.atoms[u.atom]
	}
	if s.all || u.all {
		return false
	}
	if u.not != nil {
		// Everyone but L_u within everyone but L_s iff L_s ⊆ L_u.
		for k := range s.atoms {
			if !u.not[k] {
				return false
			}
		}
		return true
	}
	return false
}

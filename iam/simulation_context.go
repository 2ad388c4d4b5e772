package iam

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// Pure helpers of the policy simulator: the request context built from
// ContextEntries, and the context keys policies reference.

// simContext converts the simulator's ContextEntries into a request context. The
// simulator adds nothing of its own: a key the entries do not give is absent,
// as AWS's simulator does ("If you don't provide a value for a context key, the
// simulation still runs", access_policies_testing-policies.md). Values are
// checked against their ContextKeyType and passed on in the text form the
// engine's condition operators parse.
func simContext(entries []iamapi.ContextEntry) (*policy.Context, error) {
	ctx := policy.NewContext(len(entries))
	for _, e := range entries {
		if e.ContextKeyName == nil || *e.ContextKeyName == "" {
			return nil, awserr.InvalidInput("ContextKeyName is required in each ContextEntries member.")
		}
		name := *e.ContextKeyName
		typ := iamapi.ContextKeyTypeEnumString
		if e.ContextKeyType != nil {
			typ = *e.ContextKeyType
		}
		base, list := strings.CutSuffix(string(typ), "List")
		if !list && len(e.ContextKeyValues) > 1 {
			return nil, awserr.InvalidInput("Context key %s of type %s takes a single value; use %sList for several.", name, typ, typ)
		}
		vals := make([]string, len(e.ContextKeyValues))
		for i, v := range e.ContextKeyValues {
			cv, ok := simContextValue(base, v)
			if !ok {
				return nil, awserr.InvalidInput("Invalid value %q for context key %s of type %s.", v, name, typ)
			}
			vals[i] = cv
		}
		ctx.Set(name, vals...)
	}
	return ctx, nil
}

// simContextValue checks one value of a context entry of the given base type
// (string, numeric, boolean, date, ip, binary) and returns it as the engine
// reads it.
func simContextValue(base, v string) (string, bool) {
	switch base {
	case "string":
		return v, true
	case "numeric":
		_, err := strconv.ParseFloat(v, 64)
		return v, err == nil
	case "boolean":
		b, err := strconv.ParseBool(v)
		return strconv.FormatBool(b), err == nil
	case "date":
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return v, true // epoch seconds
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04Z", "2006-01-02"} {
			if _, err := time.Parse(layout, v); err == nil {
				return v, true
			}
		}
		return v, false
	case "ip":
		if _, err := netip.ParseAddr(v); err == nil {
			return v, true
		}
		_, err := netip.ParsePrefix(v)
		return v, err == nil
	case "binary":
		_, err := base64.StdEncoding.DecodeString(v)
		return v, err == nil
	}
	return v, false
}

// keyList collects context key names in first-seen order, without duplicates
// (names compare case-insensitively, as context keys do).
type keyList struct {
	seen map[string]bool
	keys []string
}

// add adds k unless the list holds it (in any case) and reports whether it
// did.
func (l *keyList) add(k string) bool {
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	lk := strings.ToLower(k)
	if l.seen[lk] {
		return false
	}
	l.seen[lk] = true
	l.keys = append(l.keys, k)
	return true
}

// list returns the keys, never nil.
func (l *keyList) list() []string {
	if l.keys == nil {
		return []string{}
	}
	return l.keys
}

// contextKeysOf adds every context key a document references: the keys of its
// conditions and, under Version 2012-10-17, the policy variables in its
// resources and condition values.
func contextKeysOf(doc *policy.Document, into *keyList) {
	vars := doc.VariablesEnabled()
	for _, st := range doc.Statements {
		if vars {
			for _, r := range st.Resources {
				variablesOf(r, into)
			}
		}
		for _, c := range st.Conditions {
			into.add(c.Key)
			if vars {
				for _, v := range c.Values {
					variablesOf(v, into)
				}
			}
		}
	}
}

// variablesOf adds the context keys of the policy variables in s: ${key} and
// ${key, 'default'}; the escapes ${*}, ${?} and ${$} name no key.
func variablesOf(s string, into *keyList) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return
		}
		s = s[i+2:]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return
		}
		key, _, _ := strings.Cut(s[:j], ",")
		key = strings.TrimSpace(key)
		if key != "" && key != "*" && key != "?" && key != "$" {
			into.add(key)
		}
		s = s[j+1:]
	}
}

// missingKeysOf adds the condition keys of doc's statements that apply to the
// action and resource but are absent from ctx: the keys the simulation needed
// and did not get. A statement applies when its Action (or NotAction) and
// Resource (or NotResource) match; policy variables in resources count as
// wildcards here, since a variable without its key is reported by the engine.
func missingKeysOf(doc *policy.Document, action, resource string, ctx *policy.Context, into *keyList) {
	for _, st := range doc.Statements {
		if len(st.Conditions) == 0 || !stmtActionMatches(st, action) || !stmtResourceMatches(st, resource) {
			continue
		}
		for _, c := range st.Conditions {
			if _, ok := ctx.Get(c.Key); !ok {
				into.add(c.Key)
			}
		}
	}
}

func stmtActionMatches(st *policy.Statement, action string) bool {
	m := false
	for _, a := range st.Actions {
		if wildcard.MatchFold(a, action) {
			m = true
			break
		}
	}
	return m != st.NotAction
}

func stmtResourceMatches(st *policy.Statement, resource string) bool {
	if st.Resources == nil {
		return true
	}
	m := false
	for _, r := range st.Resources {
		if r == "*" || resource == "*" || arn.Match(variablesAsWildcards(r), resource) {
			m = true
			break
		}
	}
	return m != st.NotResource
}

// variablesAsWildcards replaces each ${...} in a resource pattern with '*'.
func variablesAsWildcards(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteByte('*')
		s = s[i+j+1:]
	}
}

package policy

import (
	"encoding/json"
	"sort"
)

// Format returns the document as compact JSON in a canonical form: elements in
// AWS's conventional order, every list as an array, condition operators and keys
// sorted. Parse(Format(d)) yields a document equivalent to d.
func (d *Document) Format() string {
	type kv struct {
		k string
		v any
	}
	obj := func(pairs ...kv) json.RawMessage {
		b := []byte{'{'}
		first := true
		for _, p := range pairs {
			if p.v == nil {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			k, _ := json.Marshal(p.k)
			v, _ := json.Marshal(p.v)
			b = append(append(append(b, k...), ':'), v...)
		}
		return append(b, '}')
	}
	var stmts []json.RawMessage
	for _, s := range d.Statements {
		var pairs []kv
		if s.Sid != "" {
			pairs = append(pairs, kv{"Sid", s.Sid})
		}
		pairs = append(pairs, kv{"Effect", s.Effect.String()})
		if s.Principal != nil {
			name := "Principal"
			if s.NotPrincipal {
				name = "NotPrincipal"
			}
			if s.Principal.Wildcard {
				pairs = append(pairs, kv{name, "*"})
			} else {
				var pp []kv
				for _, e := range []struct {
					k string
					v []string
				}{{"AWS", s.Principal.AWS}, {"CanonicalUser", s.Principal.CanonicalUser}, {"Federated", s.Principal.Federated}, {"Service", s.Principal.Service}} {
					if e.v != nil {
						pp = append(pp, kv{e.k, e.v})
					}
				}
				pairs = append(pairs, kv{name, obj(pp...)})
			}
		}
		an := "Action"
		if s.NotAction {
			an = "NotAction"
		}
		pairs = append(pairs, kv{an, s.Actions})
		if s.Resources != nil {
			rn := "Resource"
			if s.NotResource {
				rn = "NotResource"
			}
			pairs = append(pairs, kv{rn, s.Resources})
		}
		if len(s.Conditions) > 0 {
			byOp := map[string]map[string][]string{}
			for _, c := range s.Conditions {
				if byOp[c.Operator] == nil {
					byOp[c.Operator] = map[string][]string{}
				}
				byOp[c.Operator][c.Key] = c.Values
			}
			ops := make([]string, 0, len(byOp))
			for op := range byOp {
				ops = append(ops, op)
			}
			sort.Strings(ops)
			var cp []kv
			for _, op := range ops {
				keys := make([]string, 0, len(byOp[op]))
				for k := range byOp[op] {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				var kp []kv
				for _, k := range keys {
					kp = append(kp, kv{k, byOp[op][k]})
				}
				cp = append(cp, kv{op, obj(kp...)})
			}
			pairs = append(pairs, kv{"Condition", obj(cp...)})
		}
		stmts = append(stmts, obj(pairs...))
	}
	var top []kv
	if d.Version != "" {
		top = append(top, kv{"Version", d.Version})
	}
	if d.ID != "" {
		top = append(top, kv{"Id", d.ID})
	}
	top = append(top, kv{"Statement", stmts})
	return string(obj(top...))
}

package organizations

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Effective management policies, as the Organizations User Guide computes
// them ("Policy syntax and inheritance for management policy types",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html,
// and "Inheritance operators",
// https://docs.aws.amazon.com/organizations/latest/userguide/policy-operators.html):
// the policies attached to the root, then to each OU down the account's
// path, then to the account are applied in that order to an effective
// document. In a policy, a key whose value is an object names a setting
// (or a group of them); the value-setting operators say what happens to it:
//
//   - @@assign overwrites the inherited setting (a single value, or a whole
//     array), or adds it;
//   - @@append adds values to an inherited array (multi-valued settings
//     only);
//   - @@remove removes values from an inherited array (multi-valued settings
//     only);
//
// and the child control operator @@operators_allowed_for_child_policies
// (@@all by default, @@none, or a list of value-setting operators) limits
// which operators the policies below it may use on that setting and all it
// contains. An inherited limit can only narrow: a child policy cannot
// reverse it. An operator a limit forbids changes nothing. The effective
// policy holds the settings' values only, without operators.

const (
	opAssign       = "@@assign"
	opAppend       = "@@append"
	opRemove       = "@@remove"
	opChildControl = "@@operators_allowed_for_child_policies"
	opAll          = "@@all"
	opNone         = "@@none"
)

// mgmtPolicy is one management policy on an account's path.
type mgmtPolicy struct {
	ID      string
	Content string
}

// effectiveDoc is the effective document being built, with the child
// control limits in force by setting path.
type effectiveDoc struct {
	doc map[string]any
	// limits holds, by path (keys joined by "\x00"), the sets of operators
	// that policies of later levels may use there and below.
	limits map[string][][]string
}

// mergeEffective computes the effective policy of the levels of an
// account's path (root first, the account last; each level's policies in a
// fixed order). It returns nil when no level has a policy; an error when a
// policy is not a JSON object.
func mergeEffective(levels [][]mgmtPolicy) (map[string]any, error) {
	e := &effectiveDoc{doc: map[string]any{}, limits: map[string][][]string{}}
	found := false
	for _, level := range levels {
		next := map[string][][]string{}
		for _, p := range level {
			found = true
			var doc map[string]any
			if err := json.Unmarshal([]byte(p.Content), &doc); err != nil {
				return nil, fmt.Errorf("organizations: policy %s is not a JSON object: %w", p.ID, err)
			}
			e.apply(doc, nil, next)
		}
		for k, v := range next {
			e.limits[k] = append(e.limits[k], v...)
		}
	}
	if !found {
		return nil, nil
	}
	return e.doc, nil
}

// apply applies one policy node at path; limits it sets go to next (they
// bind the levels below, not the policies of its own level).
func (e *effectiveDoc) apply(node map[string]any, path []string, next map[string][][]string) {
	keys := make([]string, 0, len(node))
	for k := range node {
		keys = append(keys, k)
	}
	// Operators in a fixed order (assign, then append, then remove), then
	// the settings below.
	rank := map[string]int{opAssign: 0, opAppend: 1, opRemove: 2}
	slices.SortFunc(keys, func(a, b string) int {
		ra, oka := rank[a]
		rb, okb := rank[b]
		switch {
		case oka && okb:
			return ra - rb
		case oka:
			return -1
		case okb:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, k := range keys {
		v := node[k]
		switch k {
		case opChildControl:
			ops := stringList(v)
			next[pathKey(path)] = append(next[pathKey(path)], ops)
		case opAssign, opAppend, opRemove:
			if e.allowed(path, k) {
				e.set(path, k, v)
			}
		default:
			if strings.HasPrefix(k, "@@") {
				continue // an operator AWS's syntax does not define
			}
			if child, ok := v.(map[string]any); ok {
				e.apply(child, append(slices.Clip(path), k), next)
			}
		}
	}
}

// allowed reports whether the limits inherited at path and above let a
// policy use op there.
func (e *effectiveDoc) allowed(path []string, op string) bool {
	for i := 0; i <= len(path); i++ {
		for _, ops := range e.limits[pathKey(path[:i])] {
			if !slices.Contains(ops, opAll) && !slices.Contains(ops, op) {
				return false
			}
		}
	}
	return true
}

// set applies a value-setting operator to the setting at path.
func (e *effectiveDoc) set(path []string, op string, v any) {
	if len(path) == 0 {
		return // operators apply to settings, not to the document
	}
	parent := e.doc
	for _, k := range path[:len(path)-1] {
		child, ok := parent[k].(map[string]any)
		if !ok {
			if op == opRemove {
				return
			}
			child = map[string]any{}
			parent[k] = child
		}
		parent = child
	}
	key := path[len(path)-1]
	old, had := parent[key]
	switch op {
	case opAssign:
		parent[key] = v
	case opAppend:
		add, ok := v.([]any)
		if !ok {
			return // multi-valued settings only
		}
		cur, _ := old.([]any)
		out := slices.Clone(cur)
		for _, x := range add {
			if !slices.ContainsFunc(out, func(y any) bool { return reflect.DeepEqual(x, y) }) {
				out = append(out, x)
			}
		}
		parent[key] = out
	case opRemove:
		drop, ok := v.([]any)
		cur, isList := old.([]any)
		if !ok || !had || !isList {
			return
		}
		parent[key] = slices.DeleteFunc(slices.Clone(cur), func(x any) bool {
			return slices.ContainsFunc(drop, func(y any) bool { return reflect.DeepEqual(x, y) })
		})
	}
}

func pathKey(path []string) string { return strings.Join(path, "\x00") }

// stringList reads a child control operator's list ("@@none" alone is a
// list of no operators).
func stringList(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case []any:
		for _, s := range x {
			if s, ok := s.(string); ok {
				out = append(out, s)
			}
		}
	}
	if slices.Contains(out, opNone) {
		return []string{}
	}
	return out
}

// checkManagementContent checks a management policy document as AWS does
// before storing it (User Guide, "Inheritance operators",
// https://docs.aws.amazon.com/organizations/latest/userguide/policy-operators.html):
// a JSON object whose "@@" keys are the inheritance operators and whose
// child control operators list value-setting operators, @@all or @@none.
func checkManagementContent(content string) error {
	var doc map[string]any
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	return checkMgmtNode(doc)
}

func checkMgmtNode(node map[string]any) error {
	for k, v := range node {
		switch k {
		case opAssign, opAppend, opRemove:
		case opChildControl:
			list, ok := v.([]any)
			if !ok || len(list) == 0 {
				return fmt.Errorf("%s: not a list of operators", k)
			}
			for _, x := range list {
				switch x {
				case opAll, opNone, opAssign, opAppend, opRemove:
				default:
					return fmt.Errorf("%s: unknown operator %v", k, x)
				}
			}
		default:
			if strings.HasPrefix(k, "@@") {
				return fmt.Errorf("unknown operator %q", k)
			}
			if child, ok := v.(map[string]any); ok {
				if err := checkMgmtNode(child); err != nil {
					return fmt.Errorf("%s: %w", k, err)
				}
			}
		}
	}
	return nil
}

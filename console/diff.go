package console

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/gatehouse-iam/gatehouse/authref"
)

// Before you save: what an edit of a policy adds and removes, in actions,
// for the services the two documents name. It compares the actions the
// Allow statements grant (wildcards expanded with the Service Authorization
// Reference) less those an unconditional Deny on every resource takes
// away; resources and conditions are not compared, and the page says so.

// actionChange is one service's change.
type actionChange struct {
	Service string   `json:"service"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	// More counts the names left out of Added and Removed.
	More int `json:"more,omitempty"`
}

// maxListed bounds the names listed per service and direction.
const maxListed = 40

// strs reads a policy element that is a string or a list of strings.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// granted is the set of actions a document's Allow statements name, less
// those an unconditional Deny on "*" names; ok is false for a document that
// is not a JSON policy.
func granted(doc string) (map[string]bool, bool) {
	var d struct {
		Statement any
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return nil, false
	}
	var sts []map[string]any
	switch x := d.Statement.(type) {
	case map[string]any:
		sts = []map[string]any{x}
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				sts = append(sts, m)
			}
		}
	}
	ref := authref.Lookup()
	out := map[string]bool{}
	var denied []string
	for _, st := range sts {
		acts := strs(st["Action"])
		switch st["Effect"] {
		case "Allow":
			for _, a := range acts {
				for _, full := range ref.ExpandAction(a) {
					out[full] = true
				}
			}
		case "Deny":
			res := strs(st["Resource"])
			if st["Condition"] == nil && len(res) == 1 && res[0] == "*" {
				denied = append(denied, acts...)
			}
		}
	}
	for _, a := range denied {
		for _, full := range ref.ExpandAction(a) {
			delete(out, full)
		}
	}
	return out, true
}

// policyDiff answers the editor's fetch with the change per service.
func (c *Console) policyDiff(w http.ResponseWriter, r *http.Request, _ *sess, _ *clients) {
	before, ok1 := granted(r.PostFormValue("before"))
	after, ok2 := granted(r.PostFormValue("after"))
	w.Header().Set("Content-Type", "application/json")
	if !ok1 || !ok2 {
		json.NewEncoder(w).Encode(map[string]any{"changes": []actionChange{}, "invalid": true}) //nolint:errcheck // the client went away
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"changes": actionChanges(before, after)}) //nolint:errcheck // the client went away
}

// actionChanges lists, by service, the actions after grants that before
// did not (Added) and those it no longer grants (Removed).
func actionChanges(before, after map[string]bool) []actionChange {
	by := map[string]*actionChange{}
	note := func(full string, added bool) {
		svc, _, _ := strings.Cut(full, ":")
		ch := by[svc]
		if ch == nil {
			ch = &actionChange{Service: svc, Added: []string{}, Removed: []string{}}
			by[svc] = ch
		}
		list := &ch.Removed
		if added {
			list = &ch.Added
		}
		if len(*list) >= maxListed {
			ch.More++
			return
		}
		*list = append(*list, full)
	}
	keys := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	for _, a := range keys(after) {
		if !before[a] {
			note(a, true)
		}
	}
	for _, a := range keys(before) {
		if !after[a] {
			note(a, false)
		}
	}
	out := make([]actionChange, 0, len(by))
	for _, ch := range by {
		out = append(out, *ch)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Service < out[j].Service })
	return out
}

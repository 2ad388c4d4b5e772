package console

import (
	"encoding/json"
	"net/http"
	"sort"

	"github.com/gatehouse-iam/gatehouse/authref"
)

// The visual policy editor reads the Service Authorization Reference the
// binary embeds (package authref): the services, then one service's actions
// by access level, the ARN templates of their resource types and the
// condition keys they support. It is reference data, not an AWS call.

// refService is a service in the editor's list.
type refService struct {
	Prefix string `json:"prefix"`
	Name   string `json:"name"`
}

// refAction is an action as the editor shows it.
type refAction struct {
	Name      string   `json:"name"`
	Level     string   `json:"level"`
	Resources []string `json:"resources,omitempty"`
	Keys      []string `json:"keys,omitempty"`
}

// refResource is a resource type: its ARN template and keys.
type refResource struct {
	Name string   `json:"name"`
	ARN  string   `json:"arn"`
	Keys []string `json:"keys,omitempty"`
}

// refDetail is one service for the editor.
type refDetail struct {
	Prefix    string        `json:"prefix"`
	Name      string        `json:"name"`
	Actions   []refAction   `json:"actions"`
	Resources []refResource `json:"resources"`
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	// Reference data: cacheable by the browser for an hour, never shared.
	w.Header().Set("Cache-Control", "private, max-age=3600")
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away
}

func (c *Console) refServices(w http.ResponseWriter, r *http.Request, _ *sess, _ *clients) {
	d := authref.Lookup()
	out := make([]refService, 0, len(d.Services()))
	for _, p := range d.Services() {
		s, _ := d.Service(p)
		out = append(out, refService{Prefix: s.Prefix, Name: s.Name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	writeJSON(w, out)
}

func (c *Console) refService(w http.ResponseWriter, r *http.Request, _ *sess, _ *clients) {
	s, ok := authref.Lookup().Service(r.PathValue("prefix"))
	if !ok {
		http.Error(w, "no such service", http.StatusNotFound)
		return
	}
	out := refDetail{Prefix: s.Prefix, Name: s.Name, Actions: make([]refAction, 0, len(s.Actions))}
	for _, a := range s.Actions {
		ra := refAction{Name: a.Name, Level: a.AccessLevel, Keys: a.ConditionKeys}
		for _, res := range a.Resources {
			ra.Resources = append(ra.Resources, res.Type.Name)
		}
		out.Actions = append(out.Actions, ra)
	}
	for _, rt := range s.ResourceTypes {
		out.Resources = append(out.Resources, refResource{Name: rt.Name, ARN: rt.ARN, Keys: rt.ConditionKeys})
	}
	writeJSON(w, out)
}

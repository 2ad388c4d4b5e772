// Package authref is the AWS Service Authorization Reference, compacted and
// embedded: for every service prefix its actions (display name, access level,
// resource types, condition keys), resource types (ARN templates) and condition
// keys (types), plus the global condition keys.
//
// The data is decoded once, on first use, into an immutable *Data that is safe for
// concurrent use. Everything reachable from it is read-only: callers must not
// modify the slices they are given.
//
// The package is pure: standard library plus Gatehouse's wildcard package.
package authref

//go:generate go run ./internal/gen -auth ../reference/service-authorization/service-authorization.json.gz -global ../reference/condition-keys/global-condition-keys.json -o data.json.gz

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

//go:embed data.json.gz
var embedded []byte

// Lookup returns the embedded data, decoding it on first use. It panics only if
// the embedded file is corrupt, which the package's tests rule out.
func Lookup() *Data {
	d, err := load()
	if err != nil {
		panic(err)
	}
	return d
}

var load = sync.OnceValues(func() (*Data, error) { return Decode(embedded) })

// Data is the decoded reference.
type Data struct {
	// Source names the upstream data and its version.
	Source   string
	services map[string]*Service // by lower-cased prefix
	prefixes []string            // lower-cased, sorted
	keys     map[string]KeyInfo  // by lower-cased key
	patterns []keyPattern
}

// Service is one service prefix.
type Service struct {
	// Prefix is the service prefix as used in actions, e.g. "s3".
	Prefix string
	// Name is the service's display name.
	Name string
	// Actions sorted by lower-cased name.
	Actions []*Action
	// ResourceTypes sorted by name.
	ResourceTypes []*ResourceType

	actions   map[string]*Action
	resources map[string]*ResourceType
}

// Action is one action of a service.
type Action struct {
	// Service is the service prefix.
	Service string
	// Name is the action name in display case, e.g. "GetObject".
	Name string
	// AccessLevel is List, Read, Write, Permissions management or Tagging (the
	// source sometimes combines two, e.g. "Tagging, Write").
	AccessLevel string
	// Resources the action applies to. Empty means the action only takes "*".
	Resources []ActionResource
	// ConditionKeys the action supports, as the reference writes them.
	ConditionKeys []string
}

// FullName returns "prefix:Name".
func (a *Action) FullName() string { return a.Service + ":" + a.Name }

// ActionResource is a resource type an action applies to.
type ActionResource struct {
	// Type is the resource type.
	Type *ResourceType
	// Required reports that the action needs a resource of this type.
	Required bool
}

// ResourceType is a service's resource type.
type ResourceType struct {
	// Service is the service prefix.
	Service string
	// Name is the resource type name, e.g. "object".
	Name string
	// ARN is the ARN template, e.g. "arn:${Partition}:s3:::${BucketName}/${ObjectName}".
	ARN string
	// ConditionKeys the resource type supports.
	ConditionKeys []string

	pattern [6]string // ARN split in six components, variables replaced by '*'
}

// KeyInfo describes a condition key.
type KeyInfo struct {
	// Key is the key as documented, e.g. "aws:RequestTag/${TagKey}".
	Key string
	// Type is the reference's type: String, ArrayOfString, ARN, ArrayOfARN, Bool,
	// ArrayOfBool, Numeric, Date or IPAddress.
	Type string
	// MultiValued reports a key whose request value is a set (ArrayOf* types and
	// the multivalued global keys).
	MultiValued bool
	// Global reports an aws: global condition key.
	Global bool
	// Operators lists the condition-operator families that suit the key (String,
	// ARN, Bool, Numeric, Date, IPAddress); Null and Binary are not listed.
	Operators []string
}

// BaseType returns Type without its ArrayOf prefix: String, ARN, Bool, Numeric,
// Date or IPAddress.
func (k KeyInfo) BaseType() string { return strings.TrimPrefix(k.Type, "ArrayOf") }

type keyPattern struct {
	re   *regexp.Regexp
	info KeyInfo
}

// wire mirrors authref/internal/compact.File.
type wire struct {
	Source   string `json:"source"`
	Services []struct {
		Prefix  string `json:"p"`
		Name    string `json:"n"`
		Actions []struct {
			Name      string   `json:"n"`
			Level     string   `json:"l"`
			Resources []string `json:"r"`
			Keys      []string `json:"k"`
		} `json:"a"`
		Resources []struct {
			Name string   `json:"n"`
			ARN  string   `json:"a"`
			Keys []string `json:"k"`
		} `json:"r"`
		Keys []struct {
			Name string `json:"n"`
			Type string `json:"t"`
		} `json:"k"`
		Patterns [][2]string `json:"x"`
	} `json:"s"`
	Global []struct {
		Key         string   `json:"k"`
		Type        string   `json:"t"`
		MultiValued bool     `json:"m"`
		Prefix      string   `json:"p"`
		Global      bool     `json:"gl"`
		Operators   []string `json:"o"`
	} `json:"g"`
}

// Decode decodes a data file in the embedded format (gzip'd JSON). Lookup uses it
// on the embedded file; it is exported for tests and tools.
func Decode(gz []byte) (*Data, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("servicedata: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("servicedata: decompress: %w", err)
	}
	var w wire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("servicedata: decode: %w", err)
	}
	d := &Data{
		Source:   w.Source,
		services: make(map[string]*Service, len(w.Services)),
		keys:     make(map[string]KeyInfo, 4096),
	}
	for _, g := range w.Global {
		info := KeyInfo{Key: g.Key, Type: g.Type, MultiValued: g.MultiValued || strings.HasPrefix(g.Type, "ArrayOf"), Global: g.Global, Operators: g.Operators}
		if len(info.Operators) == 0 {
			info.Operators = operatorsFor(info.BaseType())
		}
		d.keys[strings.ToLower(g.Key)] = info
		if g.Prefix != "" {
			re, err := regexp.Compile("(?i)^" + regexp.QuoteMeta(g.Prefix) + ".+$")
			if err != nil {
				return nil, fmt.Errorf("servicedata: global key %s: %w", g.Key, err)
			}
			d.patterns = append(d.patterns, keyPattern{re: re, info: info})
		}
	}
	for _, ws := range w.Services {
		s := &Service{
			Prefix:    ws.Prefix,
			Name:      ws.Name,
			actions:   make(map[string]*Action, len(ws.Actions)),
			resources: make(map[string]*ResourceType, len(ws.Resources)),
		}
		for _, wr := range ws.Resources {
			rt := &ResourceType{Service: ws.Prefix, Name: wr.Name, ARN: wr.ARN, ConditionKeys: wr.Keys}
			rt.pattern = templatePattern(wr.ARN)
			s.ResourceTypes = append(s.ResourceTypes, rt)
			s.resources[strings.ToLower(wr.Name)] = rt
		}
		for _, wa := range ws.Actions {
			a := &Action{Service: ws.Prefix, Name: wa.Name, AccessLevel: wa.Level, ConditionKeys: wa.Keys}
			for _, r := range wa.Resources {
				name, required := strings.CutPrefix(r, "!")
				rt, ok := s.resources[strings.ToLower(name)]
				if !ok {
					return nil, fmt.Errorf("servicedata: %s:%s names unknown resource type %q", ws.Prefix, wa.Name, name)
				}
				a.Resources = append(a.Resources, ActionResource{Type: rt, Required: required})
			}
			s.Actions = append(s.Actions, a)
			s.actions[strings.ToLower(wa.Name)] = a
		}
		for _, k := range ws.Keys {
			lk := strings.ToLower(k.Name)
			if _, ok := d.keys[lk]; ok {
				continue // the global table wins for aws: keys
			}
			info := KeyInfo{Key: k.Name, Type: k.Type, MultiValued: strings.HasPrefix(k.Type, "ArrayOf")}
			info.Operators = operatorsFor(info.BaseType())
			d.keys[lk] = info
		}
		for _, p := range ws.Patterns {
			re, err := regexp.Compile("(?i)^(?:" + p[0] + ")$")
			if err != nil {
				return nil, fmt.Errorf("servicedata: %s condition pattern %q: %w", ws.Prefix, p[0], err)
			}
			info, ok := d.keys[strings.ToLower(p[1])]
			if !ok {
				return nil, fmt.Errorf("servicedata: %s condition pattern %q: template %q is not a key", ws.Prefix, p[0], p[1])
			}
			d.patterns = append(d.patterns, keyPattern{re: re, info: info})
		}
		lp := strings.ToLower(ws.Prefix)
		d.services[lp] = s
		d.prefixes = append(d.prefixes, lp)
	}
	sort.Strings(d.prefixes)
	return d, nil
}

// Services returns the service prefixes, lower-cased and sorted.
func (d *Data) Services() []string { return d.prefixes }

// Service returns the service with the given prefix (case-insensitive).
func (d *Data) Service(prefix string) (*Service, bool) {
	s, ok := d.services[strings.ToLower(prefix)]
	return s, ok
}

// Action returns the named action (case-insensitive).
func (s *Service) Action(name string) (*Action, bool) {
	a, ok := s.actions[strings.ToLower(name)]
	return a, ok
}

// ResourceType returns the named resource type (case-insensitive).
func (s *Service) ResourceType(name string) (*ResourceType, bool) {
	r, ok := s.resources[strings.ToLower(name)]
	return r, ok
}

// Action looks up "prefix:Name" (case-insensitive, no wildcards).
func (d *Data) Action(action string) (*Action, bool) {
	prefix, name, ok := strings.Cut(action, ":")
	if !ok {
		return nil, false
	}
	s, ok := d.Service(prefix)
	if !ok {
		return nil, false
	}
	return s.Action(name)
}

// MatchActions returns the actions that the action pattern matches, as a policy's
// Action element matches them: "*", "s3:Get*", "s3:*Object?", "*:List*", compared
// case-insensitively. The result is sorted by service prefix, then name.
func (d *Data) MatchActions(pattern string) []*Action {
	if pattern == "*" {
		pattern = "*:*"
	}
	pp, np, ok := strings.Cut(pattern, ":")
	if !ok {
		return nil
	}
	var out []*Action
	for _, lp := range d.prefixes {
		if !wildcard.MatchFold(pp, lp) {
			continue
		}
		s := d.services[lp]
		if !wildcard.HasWildcard(np) {
			if a, ok := s.Action(np); ok {
				out = append(out, a)
			}
			continue
		}
		for _, a := range s.Actions {
			if wildcard.MatchFold(np, a.Name) {
				out = append(out, a)
			}
		}
	}
	return out
}

// ExpandAction returns the "prefix:Name" of every action the pattern matches (see
// MatchActions).
func (d *Data) ExpandAction(pattern string) []string {
	acts := d.MatchActions(pattern)
	out := make([]string, len(acts))
	for i, a := range acts {
		out[i] = a.FullName()
	}
	return out
}

// ResourceTypesFor returns the resource types of the action "prefix:Name"
// (case-insensitive); ok is false when the action is unknown.
func (d *Data) ResourceTypesFor(action string) (rs []ActionResource, ok bool) {
	a, ok := d.Action(action)
	if !ok {
		return nil, false
	}
	return a.Resources, true
}

// ConditionKey describes a condition key (case-insensitive): a global key, a
// service key, or a key with a variable part such as "aws:RequestTag/team" or
// "s3:ExistingObjectTag/classification", which resolves to its template.
func (d *Data) ConditionKey(key string) (KeyInfo, bool) {
	if k, ok := d.keys[strings.ToLower(key)]; ok {
		return k, true
	}
	for _, p := range d.patterns {
		if p.re.MatchString(key) {
			return p.info, true
		}
	}
	return KeyInfo{}, false
}

// operatorsFor returns the operator families that suit a key of the given base
// type: its own, plus String for ARN keys (AWS accepts String operators there).
func operatorsFor(base string) []string {
	switch base {
	case "ARN":
		return []string{"ARN", "String"}
	case "":
		return nil
	}
	return []string{base}
}

// templatePattern splits an ARN template into six components and replaces every
// ${Variable} with '*'.
func templatePattern(tpl string) [6]string {
	var out [6]string
	parts := strings.SplitN(tpl, ":", 6)
	for i := range parts {
		if i < 6 {
			out[i] = replaceVariables(parts[i])
		}
	}
	return out
}

// replaceVariables replaces each ${...} in s with '*'.
func replaceVariables(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteByte('*')
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// MatchesARN reports whether a Resource element value (an ARN that may hold '*',
// '?' and policy variables) could name a resource of this type, that is whether
// some ARN matches both the value and the type's ARN template. Components are
// compared separately, as ARN matching does; policy variables count as '*'.
func (r *ResourceType) MatchesARN(resource string) bool {
	if resource == "*" {
		return true
	}
	parts := strings.SplitN(resource, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return false
	}
	for i, p := range parts {
		if !intersects(r.pattern[i], replaceVariables(p)) {
			return false
		}
	}
	return true
}

// intersects reports whether some string matches both wildcard patterns a and b
// ('*' any run, '?' one byte). It runs in O(len(a)*len(b)).
func intersects(a, b string) bool {
	n, m := len(a), len(b)
	// reach[i][j]: the prefixes a[:i] and b[:j] can match a common string.
	reach := make([]bool, (n+1)*(m+1))
	at := func(i, j int) *bool { return &reach[i*(m+1)+j] }
	*at(0, 0) = true
	for i := 0; i <= n; i++ {
		for j := 0; j <= m; j++ {
			if !*at(i, j) {
				continue
			}
			if i < n && a[i] == '*' {
				*at(i+1, j) = true // a's star matches nothing more
			}
			if j < m && b[j] == '*' {
				*at(i, j+1) = true
			}
			if i < n && j < m {
				switch {
				case a[i] == '*' && b[j] != '*':
					*at(i, j+1) = true // a's star takes b's next character
				case b[j] == '*' && a[i] != '*':
					*at(i+1, j) = true
				case a[i] == '?' || b[j] == '?' || a[i] == b[j]:
					if a[i] != '*' {
						*at(i+1, j+1) = true
					}
				}
			}
		}
	}
	return *at(n, m)
}

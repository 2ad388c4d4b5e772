package trail

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Hidden is the value CloudTrail records in place of a sensitive value that
// is not a credential (an account's e-mail address or name): the key stays,
// the value does not.
const Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// timeLayout is how CloudTrail writes timestamps inside requestParameters
// and responseElements ("expiration": "Jul 18, 2023, 4:07:39 PM", IAM User
// Guide, cloudtrail-integration.md).
const timeLayout = "Jan 2, 2006, 3:04:05 PM"

// secrets are the members that are credentials: they never appear in a
// record, not even as Hidden. The models mark most of them sensitive; the
// session token, one-time MFA codes and workload tokens are not marked but
// are credentials all the same (AWS records session tokens; Gatehouse does
// not: a trail must not hand out working credentials).
var secrets = map[string]bool{
	"Password": true, "OldPassword": true, "NewPassword": true,
	"SecretAccessKey": true, "SessionToken": true,
	"ServicePassword": true, "ServiceCredentialSecret": true,
	"PrivateKey": true, "AddPrivateKey": true,
	"Base32StringSeed": true, "QRCodePNG": true,
	"AuthenticationCode1": true, "AuthenticationCode2": true, "TokenCode": true,
	"SAMLAssertion": true, "WebIdentityToken": true, "TradeInToken": true,
	"SSECustomerKey": true, "CopySourceSSECustomerKey": true,
	"Token": true, "WorkloadToken": true, "ContextAssertion": true,
}

// Redaction says which members of which Go types are sensitive: by package
// path, then type name, the member names (each api package's
// SensitiveMembers). A sensitive member that is a credential is left out;
// any other is recorded as Hidden.
type Redaction map[string]map[string][]string

// Add registers the sensitive members of the Go package that holds sample
// (a value of any of its types).
func (r Redaction) Add(sample any, members map[string][]string) {
	r[reflect.TypeOf(sample).PkgPath()] = members
}

func (r Redaction) sensitive(t reflect.Type, field string) bool {
	for _, f := range r[t.PkgPath()][t.Name()] {
		if f == field {
			return true
		}
	}
	return false
}

// maxDepth bounds the nesting params follows (the generated shapes are
// far shallower; a cycle cannot be followed forever).
const maxDepth = 16

// Params renders a request's input or a response's output as CloudTrail
// does in requestParameters and responseElements: an object whose keys are
// the members' names with a lower-case first letter (in byte order),
// omitting members that are not set, timestamps in CloudTrail's layout,
// credentials left out and other sensitive values Hidden. It returns nil
// (JSON null) for a value with nothing to record. It compiles how to write
// each type it meets on every call; Builder keeps them.
func (r Redaction) Params(v any) json.RawMessage {
	var p paramsWriter
	b, ok := p.appendParams(nil, r, v)
	if !ok {
		return nil
	}
	return b
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	readerType = reflect.TypeFor[io.Reader]()
)

// hiddenJSON is Hidden as a JSON string.
const hiddenJSON = `"` + Hidden + `"`

// paramsWriter writes requestParameters and responseElements, with how to
// write each Go type it has met compiled once (a plan per reflect.Type).
// Its zero value is ready; the Redaction it is given must not change once
// it has written with it.
type paramsWriter struct {
	// plans are the compiled plans by type, copied on write (a finite
	// set: the API's types): a lookup reads a map no one changes, with
	// no lock (a sync.Map's lookup cost twice as much, #14).
	plans atomic.Pointer[map[reflect.Type]*typePlan]
	// mu serializes compiling (plans of recursive types refer to
	// themselves before they are complete: they are published whole).
	mu sync.Mutex
}

// A typePlan writes values of one Go type: write appends v's JSON to
// s.buf and reports whether v is set (when it is not, what it appended is
// cut by the caller).
type typePlan struct {
	write func(s *paramsState, v reflect.Value, depth int) bool
}

// paramsState is one rendering: its buffer, and whether a value JSON
// cannot hold (NaN, infinities) made the whole rendering fail, as
// json.Marshal failed before.
type paramsState struct {
	w      *paramsWriter
	r      Redaction
	buf    []byte
	failed bool
}

// appendParams appends v's JSON as Params renders it to dst; ok is false
// (and dst returned as it was) when v renders as null.
func (p *paramsWriter) appendParams(dst []byte, r Redaction, v any) ([]byte, bool) {
	if v == nil {
		return dst, false
	}
	rv := reflect.ValueOf(v)
	s := paramsState{w: p, r: r, buf: dst}
	start := len(dst)
	ok := p.plan(r, rv.Type()).write(&s, rv, 0)
	if !ok || s.failed || string(s.buf[start:]) == "{}" {
		return s.buf[:start], false
	}
	return s.buf, true
}

// plan returns the plan of t, compiling it (and the types it holds) on
// first use.
func (p *paramsWriter) plan(r Redaction, t reflect.Type) *typePlan {
	if tp, ok := p.compiled(t); ok {
		return tp
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	building := map[reflect.Type]*typePlan{}
	tp := p.compile(r, t, building)
	if len(building) > 0 {
		m := map[reflect.Type]*typePlan{}
		if old := p.plans.Load(); old != nil {
			m = maps.Clone(*old)
		}
		maps.Copy(m, building)
		p.plans.Store(&m)
	}
	return tp
}

// compiled returns the published plan of t.
func (p *paramsWriter) compiled(t reflect.Type) (*typePlan, bool) {
	if m := p.plans.Load(); m != nil {
		tp, ok := (*m)[t]
		return tp, ok
	}
	return nil, false
}

func (p *paramsWriter) compile(r Redaction, t reflect.Type, building map[reflect.Type]*typePlan) *typePlan {
	if tp, ok := p.compiled(t); ok {
		return tp
	}
	if tp, ok := building[t]; ok {
		return tp
	}
	tp := &typePlan{}
	building[t] = tp
	tp.write = p.compileWrite(r, t, building)
	return tp
}

// unset is the plan of what is never recorded.
func unset(*paramsState, reflect.Value, int) bool { return false }

func (p *paramsWriter) compileWrite(r Redaction, t reflect.Type, building map[reflect.Type]*typePlan) func(*paramsState, reflect.Value, int) bool {
	if t.Implements(readerType) && t.Kind() != reflect.Struct {
		return unset // a streamed body
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := p.compile(r, t.Elem(), building)
		return func(s *paramsState, v reflect.Value, depth int) bool {
			if depth > maxDepth || v.IsNil() {
				return false
			}
			return elem.write(s, v.Elem(), depth+1)
		}
	case reflect.Interface:
		return func(s *paramsState, v reflect.Value, depth int) bool {
			if depth > maxDepth || v.IsNil() {
				return false
			}
			e := v.Elem()
			return s.w.plan(s.r, e.Type()).write(s, e, depth+1)
		}
	case reflect.Struct:
		if t == timeType {
			return writeTime
		}
		return p.compileStruct(r, t, building)
	case reflect.String:
		return func(s *paramsState, v reflect.Value, depth int) bool {
			if depth > maxDepth || v.Len() == 0 {
				return false
			}
			s.buf = appendJSONString(s.buf, v.String())
			return true
		}
	case reflect.Bool:
		return func(s *paramsState, v reflect.Value, depth int) bool {
			if depth > maxDepth {
				return false
			}
			s.buf = appendBool(s.buf, v.Bool())
			return true
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(s *paramsState, v reflect.Value, depth int) bool {
			if depth > maxDepth {
				return false
			}
			s.buf = strconv.AppendInt(s.buf, v.Int(), 10)
			return true
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(s *paramsState, v reflect.Value, depth int) bool {
			if depth > maxDepth {
				return false
			}
			s.buf = strconv.AppendUint(s.buf, v.Uint(), 10)
			return true
		}
	case reflect.Float32, reflect.Float64:
		return func(s *paramsState, v reflect.Value, depth int) bool {
			if depth > maxDepth {
				return false
			}
			var ok bool
			if s.buf, ok = appendFloat(s.buf, v.Float()); !ok {
				s.failed = true
			}
			return true
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return writeBytes
		}
		return p.compileList(r, t, building)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return unset
		}
		return p.compileMap(r, t, building)
	}
	return unset
}

// writeTime writes a timestamp in CloudTrail's layout (a zero time is not
// set).
func writeTime(s *paramsState, v reflect.Value, depth int) bool {
	t, _ := reflect.TypeAssert[time.Time](v)
	if depth > maxDepth || t.IsZero() {
		return false
	}
	s.buf = append(s.buf, '"')
	s.buf = appendTime(s.buf, t.UTC())
	s.buf = append(s.buf, '"')
	return true
}

// appendTime appends t as t.AppendFormat(timeLayout) does, without
// reading the layout each time (0.5 µs of an AssumeRole's 2.3 µs of
// parameters at c = 1, #14). A year outside 0–9999 is left to
// AppendFormat.
func appendTime(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, timeLayout)
	}
	hour, minute, sec := t.Clock()
	b = append(b, month.String()[:3]...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(day), 10)
	b = append(b, ',', ' ', byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), ',', ' ')
	h12 := hour % 12
	if h12 == 0 {
		h12 = 12
	}
	b = strconv.AppendInt(b, int64(h12), 10)
	b = append(b, ':', byte('0'+minute/10), byte('0'+minute%10), ':', byte('0'+sec/10), byte('0'+sec%10), ' ')
	if hour >= 12 {
		return append(b, 'P', 'M')
	}
	return append(b, 'A', 'M')
}

// writeBytes writes bytes as base64 (none are not set).
func writeBytes(s *paramsState, v reflect.Value, depth int) bool {
	if depth > maxDepth || (v.Kind() == reflect.Slice && v.IsNil()) || v.Len() == 0 {
		return false
	}
	var b []byte
	if v.Kind() == reflect.Slice || v.CanAddr() {
		b = v.Bytes()
	} else {
		// An array that is not addressable: copied to be read.
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		b = c.Bytes()
	}
	s.buf = append(s.buf, '"')
	s.buf = base64.StdEncoding.AppendEncode(s.buf, b)
	s.buf = append(s.buf, '"')
	return true
}

// compileList plans a slice or an array: its set elements (an empty list
// is set; a nil slice is not).
func (p *paramsWriter) compileList(r Redaction, t reflect.Type, building map[reflect.Type]*typePlan) func(*paramsState, reflect.Value, int) bool {
	elem := p.compile(r, t.Elem(), building)
	slice := t.Kind() == reflect.Slice
	return func(s *paramsState, v reflect.Value, depth int) bool {
		if depth > maxDepth || (slice && v.IsNil()) {
			return false
		}
		s.buf = append(s.buf, '[')
		first := true
		for i := range v.Len() {
			mark := len(s.buf)
			if !first {
				s.buf = append(s.buf, ',')
			}
			if !elem.write(s, v.Index(i), depth+1) {
				s.buf = s.buf[:mark]
				continue
			}
			first = false
		}
		s.buf = append(s.buf, ']')
		return true
	}
}

// mapEntry is one entry of a map being written.
type mapEntry struct {
	key   string
	value reflect.Value
}

// compileMap plans a map with string keys: its set entries by key in byte
// order (as encoding/json sorts a map's keys).
func (p *paramsWriter) compileMap(r Redaction, t reflect.Type, building map[reflect.Type]*typePlan) func(*paramsState, reflect.Value, int) bool {
	elem := p.compile(r, t.Elem(), building)
	return func(s *paramsState, v reflect.Value, depth int) bool {
		if depth > maxDepth || v.IsNil() {
			return false
		}
		entries := make([]mapEntry, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			entries = append(entries, mapEntry{it.Key().String(), it.Value()})
		}
		slices.SortFunc(entries, func(a, b mapEntry) int { return strings.Compare(a.key, b.key) })
		s.buf = append(s.buf, '{')
		first := true
		for _, e := range entries {
			mark := len(s.buf)
			if !first {
				s.buf = append(s.buf, ',')
			}
			s.buf = appendJSONString(s.buf, e.key)
			s.buf = append(s.buf, ':')
			if !elem.write(s, e.value, depth+1) {
				s.buf = s.buf[:mark]
				continue
			}
			first = false
		}
		s.buf = append(s.buf, '}')
		return true
	}
}

// memberPlan is one key of a structure's object: the fields named so
// (several when JSON names collide, the last field first: the last one
// set is the one recorded).
type memberPlan struct {
	// key is the member's name as JSON, with its colon.
	key    []byte
	fields []fieldPlan
}

type fieldPlan struct {
	index  int
	plan   *typePlan
	hidden bool
}

// compileStruct plans a structure: its exported members that are not
// credentials, by name in byte order (the order of encoding/json's map
// keys), each written when set, Hidden when sensitive.
func (p *paramsWriter) compileStruct(r Redaction, t reflect.Type, building map[reflect.Type]*typePlan) func(*paramsState, reflect.Value, int) bool {
	byName := map[string]*memberPlan{}
	var members []*memberPlan
	names := map[*memberPlan]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || secrets[f.Name] || f.Tag.Get("json") == "-" {
			continue
		}
		name := memberName(f)
		m := byName[name]
		if m == nil {
			m = &memberPlan{key: append(appendJSONString(nil, name), ':')}
			byName[name] = m
			names[m] = name
			members = append(members, m)
		}
		fp := fieldPlan{index: i, plan: p.compile(r, f.Type, building), hidden: r.sensitive(t, f.Name)}
		m.fields = append([]fieldPlan{fp}, m.fields...)
	}
	slices.SortFunc(members, func(a, b *memberPlan) int { return strings.Compare(names[a], names[b]) })
	return func(s *paramsState, v reflect.Value, depth int) bool {
		if depth > maxDepth {
			return false
		}
		s.buf = append(s.buf, '{')
		first := true
		for _, m := range members {
			mark := len(s.buf)
			if !first {
				s.buf = append(s.buf, ',')
			}
			s.buf = append(s.buf, m.key...)
			if !writeMember(s, m, v, depth) {
				s.buf = s.buf[:mark]
				continue
			}
			first = false
		}
		s.buf = append(s.buf, '}')
		return true
	}
}

// writeMember writes the value of the last set field of m (Hidden for a
// sensitive one, whatever its value).
func writeMember(s *paramsState, m *memberPlan, v reflect.Value, depth int) bool {
	start := len(s.buf)
	for _, f := range m.fields {
		failed := s.failed
		if !f.plan.write(s, v.Field(f.index), depth+1) {
			s.buf = s.buf[:start]
			s.failed = failed
			continue
		}
		if f.hidden {
			s.buf = append(s.buf[:start], hiddenJSON...)
			s.failed = failed
		}
		return true
	}
	return false
}

// memberName is a member's name in a record: its JSON name when the Go
// type gives one, else the field's name with a lower-case first letter
// (RoleArn → roleArn), as CloudTrail writes the members of AWS's APIs.
func memberName(f reflect.StructField) string {
	if tag, ok := f.Tag.Lookup("json"); ok {
		if name, _, _ := strings.Cut(tag, ","); name != "" && name != "-" {
			return name
		}
	}
	r, n := utf8.DecodeRuneInString(f.Name)
	return string(unicode.ToLower(r)) + f.Name[n:]
}

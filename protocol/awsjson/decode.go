package awsjson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

// Object is a decoded JSON object (numbers are json.Number).
type Object = map[string]any

// Input is implemented by the generated input types: DecodeJSON reads the
// members of obj.
type Input interface {
	DecodeJSON(d *Decoder, obj Object)
}

// Pattern is a model `pattern` constraint: the model's (Java) source text
// and an equivalent RE2 form applied to the whole value.
type Pattern struct {
	source string
	re     *regexp.Regexp
	forbid []string
}

// MustPattern compiles a pattern (see query.MustPattern); it panics if re2
// does not compile, so it is meant for generated package-level variables.
func MustPattern(source, re2 string, forbid ...string) *Pattern {
	return &Pattern{source: source, re: regexp.MustCompile(`^(?:` + re2 + `)$`), forbid: forbid}
}

// Source returns the model's pattern text.
func (p *Pattern) Source() string { return p.source }

// Match reports whether the whole of s satisfies the pattern.
func (p *Pattern) Match(s string) bool {
	for _, f := range p.forbid {
		if strings.Contains(s, f) {
			return false
		}
	}
	return p.re.MatchString(s)
}

// StringRule holds a string shape's constraints; zero Min/Max mean no bound.
type StringRule struct {
	Min, Max  int
	Pattern   *Pattern
	Enum      []string
	Sensitive bool
}

// IntRule holds an integer shape's range constraints.
type IntRule struct {
	Min, Max       int64
	HasMin, HasMax bool
}

// ListRule holds a list or map shape's size constraints; zero means no bound.
type ListRule struct {
	Min, Max int
	Scalar   bool
}

// Constraint failure reasons, from the Organizations model's
// InvalidInputExceptionReason enumeration.
const (
	ReasonInputRequired     = "INPUT_REQUIRED"
	ReasonInvalidPattern    = "INVALID_PATTERN"
	ReasonMaxLengthExceeded = "MAX_LENGTH_EXCEEDED"
	ReasonMinLengthExceeded = "MIN_LENGTH_EXCEEDED"
	ReasonMaxValueExceeded  = "MAX_VALUE_EXCEEDED"
	ReasonMinValueExceeded  = "MIN_VALUE_EXCEEDED"
	ReasonInvalidEnum       = "INVALID_ENUM"
	ReasonInvalidListMember = "INVALID_LIST_MEMBER"
)

// messages are the InvalidInputException messages AWS sends per reason.
var messages = map[string]string{
	ReasonInputRequired:     "You must specify a value for all required parameters.",
	ReasonInvalidPattern:    "You provided a value that does not match the required pattern.",
	ReasonMaxLengthExceeded: "You provided a string parameter that is longer than allowed.",
	ReasonMinLengthExceeded: "You provided a string parameter that is shorter than allowed.",
	ReasonMaxValueExceeded:  "You provided a numeric parameter that has a larger value than allowed.",
	ReasonMinValueExceeded:  "You provided a numeric parameter that has a smaller value than allowed.",
	ReasonInvalidEnum:       "You specified an invalid value.",
	ReasonInvalidListMember: "You provided a list to a parameter that contains at least one invalid character.",
}

// InvalidInput returns Organizations' InvalidInputException with reason and
// its message.
func InvalidInput(reason string) *awserr.Error {
	msg, ok := messages[reason]
	if !ok {
		msg = "You provided invalid input."
	}
	return (&awserr.Error{Code: "InvalidInputException", Status: http.StatusBadRequest, Sender: true, Message: msg}).
		WithMembers(map[string]any{"Reason": reason})
}

// Decoder reads a JSON document into generated input types. It records the
// first failure only, as AWS reports one. It is used once per request.
type Decoder struct {
	err error
	// path is the member path of the value being decoded, for causes.
	path []string
}

// Err returns the decoding error, if any.
func (d *Decoder) Err() error { return d.err }

func (d *Decoder) invalid(reason, name, detail string) {
	if d.err != nil {
		return
	}
	d.err = InvalidInput(reason).WithCause(fmt.Errorf("member %s: %s", d.where(name), detail))
}

func (d *Decoder) serialization(name, want string, v any) {
	if d.err != nil {
		return
	}
	d.err = (&awserr.Error{Code: "SerializationException", Status: http.StatusBadRequest, Sender: true,
		Message: fmt.Sprintf("Expected %s for member %s, got %s.", want, d.where(name), jsonType(v))})
}

func (d *Decoder) where(name string) string {
	return strings.Join(append(slices.Clone(d.path), name), ".")
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case Object:
		return "an object"
	}
	return "null"
}

// member returns obj[name] unless it is absent or null; a missing required
// member is recorded.
func (d *Decoder) member(obj Object, name string, required bool) (any, bool) {
	v, ok := obj[name]
	if !ok || v == nil {
		if required {
			d.invalid(ReasonInputRequired, name, "missing")
		}
		return nil, false
	}
	return v, true
}

// String decodes the string member name of obj and checks r.
func (d *Decoder) String(obj Object, name string, r StringRule, required bool) (string, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return "", false
	}
	return d.StringValue(v, name, r)
}

// StringValue decodes a string value (a member or a list element named name).
func (d *Decoder) StringValue(v any, name string, r StringRule) (string, bool) {
	s, ok := v.(string)
	if !ok {
		d.serialization(name, "a string", v)
		return "", false
	}
	if r.Pattern != nil && !r.Pattern.Match(s) {
		d.invalid(ReasonInvalidPattern, name, "pattern "+r.Pattern.source)
	}
	n := utf8.RuneCountInString(s)
	if r.Min > 0 && n < r.Min {
		d.invalid(ReasonMinLengthExceeded, name, "length "+strconv.Itoa(n))
	}
	if r.Max > 0 && n > r.Max {
		d.invalid(ReasonMaxLengthExceeded, name, "length "+strconv.Itoa(n))
	}
	if len(r.Enum) > 0 && !slices.Contains(r.Enum, s) {
		d.invalid(ReasonInvalidEnum, name, "not in the enumeration")
	}
	return s, true
}

// Int decodes the integer member name of obj and checks r.
func (d *Decoder) Int(obj Object, name string, r IntRule, required bool) (int32, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return 0, false
	}
	return d.IntValue(v, name, r)
}

// IntValue decodes an integer value.
func (d *Decoder) IntValue(v any, name string, r IntRule) (int32, bool) {
	num, ok := v.(json.Number)
	if !ok {
		d.serialization(name, "a number", v)
		return 0, false
	}
	n, err := strconv.ParseInt(string(num), 10, 32)
	if err != nil {
		d.serialization(name, "an integer", v)
		return 0, false
	}
	if r.HasMin && n < r.Min {
		d.invalid(ReasonMinValueExceeded, name, "value "+string(num))
	}
	if r.HasMax && n > r.Max {
		d.invalid(ReasonMaxValueExceeded, name, "value "+string(num))
	}
	return int32(n), true
}

// Bool decodes the boolean member name of obj.
func (d *Decoder) Bool(obj Object, name string, required bool) (bool, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return false, false
	}
	return d.BoolValue(v, name)
}

// BoolValue decodes a boolean value.
func (d *Decoder) BoolValue(v any, name string) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		d.serialization(name, "a boolean", v)
	}
	return b, ok
}

// Time decodes the timestamp member name of obj: epoch seconds.
func (d *Decoder) Time(obj Object, name string, required bool) (time.Time, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return time.Time{}, false
	}
	return d.TimeValue(v, name)
}

// TimeValue decodes a timestamp value: a number of epoch seconds.
func (d *Decoder) TimeValue(v any, name string) (time.Time, bool) {
	num, ok := v.(json.Number)
	if !ok {
		d.serialization(name, "a number of epoch seconds", v)
		return time.Time{}, false
	}
	f, err := num.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		d.serialization(name, "a number of epoch seconds", v)
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC(), true
}

// Blob decodes the base64 blob member name of obj.
func (d *Decoder) Blob(obj Object, name string, r ListRule, required bool) ([]byte, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return nil, false
	}
	return d.BlobValue(v, name, r)
}

// BlobValue decodes a base64 blob value.
func (d *Decoder) BlobValue(v any, name string, r ListRule) ([]byte, bool) {
	s, ok := v.(string)
	if !ok {
		d.serialization(name, "a base64 string", v)
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		d.serialization(name, "a base64 string", v)
		return nil, false
	}
	d.checkSize(name, len(b), r)
	return b, true
}

func (d *Decoder) checkSize(name string, n int, r ListRule) {
	if r.Min > 0 && n < r.Min {
		d.invalid(ReasonMinLengthExceeded, name, "size "+strconv.Itoa(n))
	}
	if r.Max > 0 && n > r.Max {
		d.invalid(ReasonMaxLengthExceeded, name, "size "+strconv.Itoa(n))
	}
}

// DecodeList decodes the list member name of obj, each element with elem,
// and checks r. It returns a non-nil slice when the list was sent.
func DecodeList[T any](d *Decoder, obj Object, name string, r ListRule, required bool, elem func(d *Decoder, v any, name string) T) ([]T, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return nil, false
	}
	return DecodeListValue(d, v, name, r, elem)
}

// DecodeListValue decodes a list value.
func DecodeListValue[T any](d *Decoder, v any, name string, r ListRule, elem func(d *Decoder, v any, name string) T) ([]T, bool) {
	arr, ok := v.([]any)
	if !ok {
		d.serialization(name, "an array", v)
		return nil, false
	}
	out := make([]T, 0, len(arr))
	d.path = append(d.path, name)
	for i, x := range arr {
		if x == nil {
			d.invalid(ReasonInvalidListMember, strconv.Itoa(i), "null element")
			continue
		}
		out = append(out, elem(d, x, strconv.Itoa(i)))
	}
	d.path = d.path[:len(d.path)-1]
	d.checkSize(name, len(out), r)
	return out, true
}

// DecodeMap decodes the map member name of obj.
func DecodeMap[K ~string, V any](d *Decoder, obj Object, name string, r ListRule, required bool, key func(d *Decoder, v any, name string) K, val func(d *Decoder, v any, name string) V) (map[K]V, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return nil, false
	}
	return DecodeMapValue(d, v, name, r, key, val)
}

// DecodeMapValue decodes a map value.
func DecodeMapValue[K ~string, V any](d *Decoder, v any, name string, r ListRule, key func(d *Decoder, v any, name string) K, val func(d *Decoder, v any, name string) V) (map[K]V, bool) {
	m, ok := v.(Object)
	if !ok {
		d.serialization(name, "an object", v)
		return nil, false
	}
	out := make(map[K]V, len(m))
	d.path = append(d.path, name)
	for mk, mv := range m {
		if mv == nil {
			continue
		}
		out[key(d, mk, mk)] = val(d, mv, mk)
	}
	d.path = d.path[:len(d.path)-1]
	d.checkSize(name, len(out), r)
	return out, true
}

// DecodeStruct decodes the structure member name of obj into a new *T.
func DecodeStruct[T any, PT interface {
	*T
	Input
}](d *Decoder, obj Object, name string, required bool) (*T, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return nil, false
	}
	return DecodeStructValue[T, PT](d, v, name)
}

// DecodeStructValue decodes a structure value into a new *T.
func DecodeStructValue[T any, PT interface {
	*T
	Input
}](d *Decoder, v any, name string) (*T, bool) {
	m, ok := v.(Object)
	if !ok {
		d.serialization(name, "an object", v)
		return nil, false
	}
	out := new(T)
	d.path = append(d.path, name)
	PT(out).DecodeJSON(d, m)
	d.path = d.path[:len(d.path)-1]
	return out, true
}

// Decode decodes a request body into in. An empty body is an empty object.
func Decode(body []byte, in Input) error {
	obj := Object{}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return &awserr.Error{Code: "SerializationException", Status: http.StatusBadRequest, Sender: true,
				Message: "The request body is not a valid JSON document.", Err: err}
		}
		if dec.More() {
			return &awserr.Error{Code: "SerializationException", Status: http.StatusBadRequest, Sender: true,
				Message: "The request body is not a valid JSON document."}
		}
		m, ok := v.(Object)
		if !ok {
			return &awserr.Error{Code: "SerializationException", Status: http.StatusBadRequest, Sender: true,
				Message: "The request body must be a JSON object."}
		}
		obj = m
	}
	d := &Decoder{}
	in.DecodeJSON(d, obj)
	return d.Err()
}

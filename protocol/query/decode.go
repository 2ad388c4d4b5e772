package query

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

// Limits on the parameter names the decoder indexes. No IAM or STS member is
// nested deeper than a handful of levels or named with more than a few dozen
// bytes; longer or deeper names cannot match a member and are ignored like
// any unknown parameter, which keeps indexing linear in the request size.
const (
	maxKeyBytes = 256
	maxKeyDepth = 16
	// maxIndex bounds a list or map index; larger indexes are ignored.
	maxIndex = 1<<31 - 1
)

// Key names a value in two forms: its wire name ("Tags.member.1.Key") and
// the path AWS uses in validation messages ("tags.1.member.key").
type Key struct {
	wire, path string
}

// Wire returns the form parameter name.
func (k Key) Wire() string { return k.wire }

// Path returns the name used in validation messages.
func (k Key) Path() string { return k.path }

// Field returns the key of the structure member whose wire name is wire and
// whose message name (the member name in lowerCamel) is path.
func (k Key) Field(wire, path string) Key {
	if k.wire == "" {
		return Key{wire: wire, path: path}
	}
	return Key{wire: k.wire + "." + wire, path: k.path + "." + path}
}

func (k Key) member(i int) Key {
	n := strconv.Itoa(i)
	return Key{wire: k.wire + ".member." + n, path: k.path + "." + n + ".member"}
}

func (k Key) entry(i int, part string) Key {
	n := strconv.Itoa(i)
	return Key{wire: k.wire + ".entry." + n + "." + part, path: k.path + "." + n + ".entry." + part}
}

// Decoder reads form parameters into generated input types, collecting
// validation errors. It is used once per request and is not safe for
// concurrent use.
type Decoder struct {
	form      url.Values
	prefixes  map[string]struct{}
	members   map[string][]int // "Tags" -> indexes N of Tags.member.N
	entries   map[string][]int // "Map" -> indexes N of Map.entry.N
	errs      []string
	malformed *awserr.Error
	// hideValues leaves the offending value out of every message, as IAM
	// does (see Service.HideValues).
	hideValues bool
	// elem is set while the elements of a list of scalars are decoded: their
	// failures are reported once, for the list (see DecodeList).
	elem *elemFailure
	// custom is the first StringRule.PatternMessage failure.
	custom string
}

// elemFailure collects the failure of a scalar list's elements: the
// constraints of the element shape, set by the first failing element.
type elemFailure struct {
	constraints []string
}

// NewDecoder indexes form for decoding.
func NewDecoder(form url.Values) *Decoder {
	d := &Decoder{
		form:     form,
		prefixes: make(map[string]struct{}, len(form)),
		// members and entries are made when a name has an index.
	}
	for name := range form {
		d.index(name)
	}
	for _, m := range []map[string][]int{d.members, d.entries} {
		for k, v := range m {
			slices.Sort(v)
			m[k] = slices.Compact(v)
		}
	}
	return d
}

func (d *Decoder) index(name string) {
	if len(name) > maxKeyBytes || strings.Count(name, ".") >= maxKeyDepth {
		return
	}
	// Each segment's end is a prefix; a "member" or "entry" segment (not
	// the first) followed by an index records the index under its parent.
	for start, i := 0, 0; ; i++ {
		end := len(name)
		if dot := strings.IndexByte(name[start:], '.'); dot >= 0 {
			end = start + dot
		}
		seg := name[start:end]
		d.prefixes[name[:end]] = struct{}{}
		if i > 0 && end < len(name) && (seg == "member" || seg == "entry") {
			next := name[end+1:]
			if dot := strings.IndexByte(next, '.'); dot >= 0 {
				next = next[:dot]
			}
			if n, ok := parseIndex(next); ok {
				parent := name[:start-1]
				if seg == "member" {
					if d.members == nil {
						d.members = make(map[string][]int)
					}
					d.members[parent] = append(d.members[parent], n)
				} else {
					if d.entries == nil {
						d.entries = make(map[string][]int)
					}
					d.entries[parent] = append(d.entries[parent], n)
				}
			}
		}
		if end == len(name) {
			return
		}
		start = end + 1
	}
}

// parseIndex accepts a canonical positive decimal: no sign, no leading zero.
func parseIndex(s string) (int, bool) {
	if s == "" || s[0] == '0' || len(s) > 10 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxIndex {
		return 0, false
	}
	return int(n), true
}

// raw returns the first value of the parameter named k, as valid UTF-8.
func (d *Decoder) raw(k Key) (string, bool) {
	v, ok := d.form[k.wire]
	if !ok || len(v) == 0 {
		return "", false
	}
	return strings.ToValidUTF8(v[0], "\uFFFD"), true
}

// Present reports whether any parameter is named k or lies under k.
func (d *Decoder) Present(k Key) bool {
	_, ok := d.prefixes[k.wire]
	return ok
}

// Null records that the required member k is absent: "Value null at 'k'
// failed to satisfy constraint: Member must not be null", or "Value at 'k'
// ..." where values are hidden.
func (d *Decoder) Null(k Key) {
	v := "Value null at '"
	if d.hideValues {
		v = "Value at '"
	}
	d.errs = append(d.errs, v+k.path+"' failed to satisfy constraint: Member must not be null")
}

func (d *Decoder) fail(k Key, value string, quoted bool, constraint string) {
	v := "Value at '"
	if quoted && !d.hideValues {
		v = "Value '" + value + "' at '"
	}
	d.errs = append(d.errs, v+k.path+"' failed to satisfy constraint: "+constraint)
}

// elemFailed records, while a list of scalars is decoded, that an element
// failed one of the constraints of its shape, given in AWS's order. It
// reports whether it took the failure.
func (d *Decoder) elemFailed(constraints []string) bool {
	if d.elem == nil {
		return false
	}
	if d.elem.constraints == nil {
		d.elem.constraints = constraints
	}
	return true
}

// stringConstraints lists the constraints of a string shape as AWS lists
// them for a list's members: maximum length, minimum length, pattern, enum.
func stringConstraints(r StringRule) []string {
	var c []string
	if r.Max > 0 {
		c = append(c, "Member must have length less than or equal to "+strconv.Itoa(r.Max))
	}
	if r.Min > 0 {
		c = append(c, "Member must have length greater than or equal to "+strconv.Itoa(r.Min))
	}
	if r.Pattern != nil {
		c = append(c, "Member must satisfy regular expression pattern: "+r.Pattern.Source())
	}
	if len(r.Enum) > 0 {
		c = append(c, "Member must satisfy enum value set: ["+strings.Join(r.Enum, ", ")+"]")
	}
	return c
}

// intConstraints lists the range of an integer shape, maximum first.
func intConstraints(r IntRule) []string {
	var c []string
	if r.HasMax {
		c = append(c, "Member must have value less than or equal to "+strconv.FormatInt(r.Max, 10))
	}
	if r.HasMin {
		c = append(c, "Member must have value greater than or equal to "+strconv.FormatInt(r.Min, 10))
	}
	return c
}

func (d *Decoder) setMalformed(msg string) {
	if d.malformed == nil {
		d.malformed = awserr.MalformedInput("%s", msg)
	}
}

// Err returns the decoding result: nil, a MalformedInput error when a value
// could not be parsed as its type, a ValidationError listing every
// constraint violation in AWS's form ("2 validation errors detected: ...;
// ..."), or, when the model's constraints hold, a ValidationError with a
// StringRule.PatternMessage.
func (d *Decoder) Err() error {
	if d.malformed != nil {
		return d.malformed
	}
	switch n := len(d.errs); n {
	case 0:
		if d.custom != "" {
			return awserr.ValidationError("%s", d.custom)
		}
		return nil
	case 1:
		return awserr.ValidationError("1 validation error detected: %s", d.errs[0])
	default:
		return awserr.ValidationError("%d validation errors detected: %s", n, strings.Join(d.errs, "; "))
	}
}

// String decodes the string member k and checks r. It reports whether the
// member is present; a missing required member is recorded as an error.
func (d *Decoder) String(k Key, r StringRule, required bool) (string, bool) {
	s, ok := d.raw(k)
	if !ok {
		if required {
			d.Null(k)
		}
		return "", false
	}
	d.checkString(k, s, r)
	return s, true
}

func (d *Decoder) checkString(k Key, s string, r StringRule) {
	if d.elem != nil {
		if !stringOK(s, r) {
			d.elemFailed(stringConstraints(r))
		}
		return
	}
	show := !r.Sensitive
	if r.Pattern != nil && !r.Pattern.Match(s) {
		if r.PatternMessage != "" {
			if d.custom == "" {
				d.custom = r.PatternMessage
			}
		} else {
			d.fail(k, s, show, "Member must satisfy regular expression pattern: "+r.Pattern.Source())
		}
	}
	if r.Min > 0 || r.Max > 0 {
		n := utf8.RuneCountInString(s)
		if r.Min > 0 && n < r.Min {
			d.fail(k, s, show, "Member must have length greater than or equal to "+strconv.Itoa(r.Min))
		}
		if r.Max > 0 && n > r.Max {
			d.fail(k, s, show, "Member must have length less than or equal to "+strconv.Itoa(r.Max))
		}
	}
	if len(r.Enum) > 0 && !slices.Contains(r.Enum, s) {
		d.fail(k, s, show, "Member must satisfy enum value set: ["+strings.Join(r.Enum, ", ")+"]")
	}
}

// stringOK reports whether s satisfies every constraint of r.
func stringOK(s string, r StringRule) bool {
	if r.Pattern != nil && !r.Pattern.Match(s) {
		return false
	}
	if n := utf8.RuneCountInString(s); (r.Min > 0 && n < r.Min) || (r.Max > 0 && n > r.Max) {
		return false
	}
	return len(r.Enum) == 0 || slices.Contains(r.Enum, s)
}

// Int decodes the integer member k (a Java int: "+900" and "0900" are
// accepted, "900.0" and out-of-range values are MalformedInput) and checks r.
func (d *Decoder) Int(k Key, r IntRule, required bool) (int32, bool) {
	s, ok := d.raw(k)
	if !ok {
		if required {
			d.Null(k)
		}
		return 0, false
	}
	if s == "" {
		d.setMalformed("missing value for decimal type")
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		d.setMalformed(fmt.Sprintf("Value '%s' at '%s' is not a valid integer", s, k.path))
		return 0, false
	}
	if (r.HasMin && n < r.Min || r.HasMax && n > r.Max) && d.elemFailed(intConstraints(r)) {
		return int32(n), true
	}
	if r.HasMin && n < r.Min {
		d.fail(k, s, true, "Member must have value greater than or equal to "+strconv.FormatInt(r.Min, 10))
	}
	if r.HasMax && n > r.Max {
		d.fail(k, s, true, "Member must have value less than or equal to "+strconv.FormatInt(r.Max, 10))
	}
	return int32(n), true
}

// Bool decodes the boolean member k: "true" or "false", in any case.
func (d *Decoder) Bool(k Key, required bool) (bool, bool) {
	s, ok := d.raw(k)
	if !ok {
		if required {
			d.Null(k)
		}
		return false, false
	}
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	d.setMalformed(fmt.Sprintf("Value '%s' at '%s' is not a valid boolean", s, k.path))
	return false, false
}

// Time decodes the timestamp member k, written in ISO 8601 (RFC 3339, with
// or without fractional seconds).
func (d *Decoder) Time(k Key, required bool) (time.Time, bool) {
	s, ok := d.raw(k)
	if !ok {
		if required {
			d.Null(k)
		}
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d.setMalformed(fmt.Sprintf("Value '%s' at '%s' is not a valid ISO 8601 timestamp", s, k.path))
		return time.Time{}, false
	}
	return t.UTC(), true
}

// Blob decodes the base64 blob member k and checks its length (in bytes).
func (d *Decoder) Blob(k Key, r ListRule, required bool) ([]byte, bool) {
	s, ok := d.raw(k)
	if !ok {
		if required {
			d.Null(k)
		}
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		d.setMalformed(fmt.Sprintf("Value at '%s' is not valid base64", k.path))
		return nil, false
	}
	if r.Min > 0 && len(b) < r.Min {
		d.fail(k, "", false, "Member must have length greater than or equal to "+strconv.Itoa(r.Min))
	}
	if r.Max > 0 && len(b) > r.Max {
		d.fail(k, "", false, "Member must have length less than or equal to "+strconv.Itoa(r.Max))
	}
	return b, true
}

// listPresent reports whether the list or map k was sent: as elements, or
// as the bare name that SDKs send for an empty list ("Tags=").
func (d *Decoder) listPresent(k Key, idx []int) bool {
	if len(idx) > 0 {
		return true
	}
	_, ok := d.form[k.wire]
	return ok
}

func (d *Decoder) checkSize(k Key, n int, r ListRule, render func() string) {
	if r.Min > 0 && n < r.Min {
		d.fail(k, renderIf(r, render), r.Scalar, "Member must have length greater than or equal to "+strconv.Itoa(r.Min))
	}
	if r.Max > 0 && n > r.Max {
		d.fail(k, renderIf(r, render), r.Scalar, "Member must have length less than or equal to "+strconv.Itoa(r.Max))
	}
}

func renderIf(r ListRule, render func() string) string {
	if !r.Scalar {
		return ""
	}
	return render()
}

// DecodeList decodes the list member k (k.member.1, k.member.2, ...), decoding
// each element with elem, and checks r. It returns a non-nil slice when the
// list was sent, even empty.
func DecodeList[T any](d *Decoder, k Key, r ListRule, required bool, elem func(*Decoder, Key) T) ([]T, bool) {
	idx := d.members[k.wire]
	if !d.listPresent(k, idx) {
		if required {
			d.Null(k)
		}
		return nil, false
	}
	out := make([]T, 0, len(idx))
	var ef elemFailure
	if r.Scalar {
		d.elem = &ef
	}
	for _, i := range idx {
		out = append(out, elem(d, k.member(i)))
	}
	d.elem = nil
	render := func() string {
		parts := make([]string, len(out))
		for i, v := range out {
			parts[i] = fmt.Sprint(v)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	d.checkSize(k, len(out), r, render)
	if ef.constraints != nil {
		// The elements of a list of scalars are checked against the member
		// shape as a whole, reported once for the list with all of that
		// shape's constraints.
		c := ef.constraints
		if r.MemberNotNull {
			c = append(c, "Member must not be null")
		}
		d.fail(k, render(), true, "Member must satisfy constraint: ["+strings.Join(c, ", ")+"]")
	}
	return out, true
}

// DecodeMap decodes the map member k (k.entry.N.key / k.entry.N.value). When a key
// repeats, the first entry wins, as with repeated parameters.
func DecodeMap[K ~string, V any](d *Decoder, k Key, r ListRule, required bool, key func(*Decoder, Key) K, val func(*Decoder, Key) V) (map[K]V, bool) {
	idx := d.entries[k.wire]
	if !d.listPresent(k, idx) {
		if required {
			d.Null(k)
		}
		return nil, false
	}
	out := make(map[K]V, len(idx))
	for _, i := range idx {
		mk := key(d, k.entry(i, "key"))
		mv := val(d, k.entry(i, "value"))
		if _, dup := out[mk]; !dup {
			out[mk] = mv
		}
	}
	d.checkSize(k, len(out), r, func() string {
		parts := make([]string, 0, len(out))
		for mk, mv := range out {
			parts = append(parts, fmt.Sprintf("%v=%v", mk, mv))
		}
		slices.Sort(parts)
		return "{" + strings.Join(parts, ", ") + "}"
	})
	return out, true
}

// DecodeStruct decodes the structure member k into a new *T with dec, the
// structure's generated decoder. It reports whether any parameter lies
// under k; a missing required member is recorded as an error.
func DecodeStruct[T any](d *Decoder, k Key, required bool, dec func(*Decoder, Key, *T)) (*T, bool) {
	if !d.Present(k) {
		if required {
			d.Null(k)
		}
		return nil, false
	}
	v := new(T)
	dec(d, k, v)
	return v, true
}

// Decode decodes form into in with dec (a service's generated DecodeInput),
// returning the decoding error (see Decoder.Err).
func Decode(form url.Values, in any, dec func(*Decoder, any) bool) error {
	d := NewDecoder(form)
	if !dec(d, in) {
		return fmt.Errorf("query: no decoder for %T", in)
	}
	return d.Err()
}

// HideValues makes d leave the offending values out of its messages ("Value
// at 'k' failed to satisfy constraint: ..."), as IAM's are.
func (d *Decoder) HideValues() { d.hideValues = true }

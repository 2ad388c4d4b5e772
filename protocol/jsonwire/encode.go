// Package jsonwire writes the JSON documents of the AWS JSON protocols (JSON 1.1
// and REST-JSON): member order as generated, timestamps in epoch seconds or ISO
// 8601, blobs in base64, lists and maps — and their responses (Marshal,
// Write). The protocol packages alias its Encoder.
package jsonwire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
)

// ISO8601 is the layout of timestamps whose shape says iso8601: UTC, with
// milliseconds when there are any, as the AWS SDKs write and read them.
const ISO8601 = "2006-01-02T15:04:05.999Z"

// Encoder writes a JSON document. Generated EncodeJSON methods call Begin,
// the member writers and End; lists and maps go through EncodeList and
// EncodeMap. The zero value is ready to use.
type Encoder struct {
	buf   bytes.Buffer
	comma bool
}

// Bytes returns the document written so far.
func (e *Encoder) Bytes() []byte { return e.buf.Bytes() }

func (e *Encoder) sep() {
	if e.comma {
		e.buf.WriteByte(',')
	}
	e.comma = false
}

// Begin starts an object (as a value).
func (e *Encoder) Begin() {
	e.sep()
	e.buf.WriteByte('{')
}

// End ends an object.
func (e *Encoder) End() {
	e.buf.WriteByte('}')
	e.comma = true
}

// Key writes a member name; a value must follow.
func (e *Encoder) Key(name string) {
	e.sep()
	e.quote(name)
	e.buf.WriteByte(':')
}

func (e *Encoder) quote(s string) {
	b, _ := json.Marshal(s) // a string always marshals
	e.buf.Write(b)
}

// StringValue writes a string value.
func (e *Encoder) StringValue(s string) {
	e.sep()
	e.quote(s)
	e.comma = true
}

// IntValue writes an integer value.
func (e *Encoder) IntValue(n int32) {
	e.sep()
	e.buf.WriteString(strconv.FormatInt(int64(n), 10))
	e.comma = true
}

// LongValue writes a 64-bit integer value (a model's long).
func (e *Encoder) LongValue(n int64) {
	e.sep()
	e.buf.WriteString(strconv.FormatInt(n, 10))
	e.comma = true
}

// FloatValue writes a floating-point value (a model's double or float): a
// JSON number, or the strings "NaN", "Infinity" and "-Infinity" that the AWS
// JSON protocols use for the values JSON cannot write as numbers.
func (e *Encoder) FloatValue(f float64) {
	e.sep()
	switch {
	case math.IsNaN(f):
		e.buf.WriteString(`"NaN"`)
	case math.IsInf(f, 1):
		e.buf.WriteString(`"Infinity"`)
	case math.IsInf(f, -1):
		e.buf.WriteString(`"-Infinity"`)
	default:
		e.buf.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	}
	e.comma = true
}

// BoolValue writes a boolean value.
func (e *Encoder) BoolValue(b bool) {
	e.sep()
	e.buf.WriteString(strconv.FormatBool(b))
	e.comma = true
}

// TimeValue writes a timestamp as epoch seconds, with milliseconds when
// there are any: the protocol's default format.
func (e *Encoder) TimeValue(t time.Time) {
	e.sep()
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		e.buf.WriteString(strconv.FormatInt(ms/1000, 10))
	} else {
		e.buf.WriteString(strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64))
	}
	e.comma = true
}

// TimeISOValue writes a timestamp as an ISO 8601 string (see ISO8601).
func (e *Encoder) TimeISOValue(t time.Time) { e.StringValue(t.UTC().Format(ISO8601)) }

// BlobValue writes a blob as base64.
func (e *Encoder) BlobValue(b []byte) { e.StringValue(base64.StdEncoding.EncodeToString(b)) }

// String writes a string member.
func (e *Encoder) String(name, s string) { e.Key(name); e.StringValue(s) }

// Int writes an integer member.
func (e *Encoder) Int(name string, n int32) { e.Key(name); e.IntValue(n) }

// Long writes a 64-bit integer member.
func (e *Encoder) Long(name string, n int64) { e.Key(name); e.LongValue(n) }

// Float writes a floating-point member (see FloatValue).
func (e *Encoder) Float(name string, f float64) { e.Key(name); e.FloatValue(f) }

// Bool writes a boolean member.
func (e *Encoder) Bool(name string, b bool) { e.Key(name); e.BoolValue(b) }

// Time writes a timestamp member in epoch seconds.
func (e *Encoder) Time(name string, t time.Time) { e.Key(name); e.TimeValue(t) }

// TimeISO writes a timestamp member in ISO 8601.
func (e *Encoder) TimeISO(name string, t time.Time) { e.Key(name); e.TimeISOValue(t) }

// Raw writes a member whose value is already JSON (valid, as
// encoding/json.Marshal returns it).
func (e *Encoder) Raw(name string, value []byte) { e.Key(name); e.buf.Write(value) }

// Blob writes a blob member.
func (e *Encoder) Blob(name string, b []byte) { e.Key(name); e.BlobValue(b) }

// EncodeList writes the list member name: omitted when nil unless
// required (then []); an empty non-nil list is written as [].
func EncodeList[T any](e *Encoder, name string, list []T, required bool, elem func(*Encoder, *T)) {
	if list == nil && !required {
		return
	}
	e.Key(name)
	EncodeListValue(e, list, elem)
}

// EncodeListValue writes a list value.
func EncodeListValue[T any](e *Encoder, list []T, elem func(*Encoder, *T)) {
	e.sep()
	e.buf.WriteByte('[')
	for i := range list {
		elem(e, &list[i])
	}
	e.buf.WriteByte(']')
	e.comma = true
}

// EncodeMap writes the map member name, keys in sorted order: omitted when
// nil unless required (then {}).
func EncodeMap[K ~string, V any](e *Encoder, name string, m map[K]V, required bool, elem func(*Encoder, *V)) {
	if m == nil && !required {
		return
	}
	e.Key(name)
	EncodeMapValue(e, m, elem)
}

// EncodeMapValue writes a map value, keys in sorted order.
func EncodeMapValue[K ~string, V any](e *Encoder, m map[K]V, elem func(*Encoder, *V)) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	slices.Sort(keys)
	e.Begin()
	for _, k := range keys {
		v := m[K(k)]
		e.Key(k)
		elem(e, &v)
	}
	e.End()
}

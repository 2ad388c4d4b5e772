package query

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"slices"
	"strconv"
	"time"
)

// Encoder writes the XML body of an AWS Query response. Absent optional
// members (nil pointers, nil slices and maps) are omitted by the generated
// code; empty but present lists are written as an empty element.
type Encoder struct {
	buf bytes.Buffer
}

// Bytes returns what has been written.
func (e *Encoder) Bytes() []byte { return e.buf.Bytes() }

// Start writes <name>.
func (e *Encoder) Start(name string) {
	e.buf.WriteByte('<')
	e.buf.WriteString(name)
	e.buf.WriteByte('>')
}

// End writes </name>.
func (e *Encoder) End(name string) {
	e.buf.WriteString("</")
	e.buf.WriteString(name)
	e.buf.WriteByte('>')
}

// Text writes s, XML-escaped.
func (e *Encoder) Text(s string) {
	for i := 0; i < len(s); i++ {
		// What xml.EscapeText changes is outside printable ASCII or one of
		// these five; anything else is written as it is, without copying.
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '<' || c == '>' || c == '&' || c == '\'' || c == '"' {
			// xml.EscapeText only fails when its writer does; a bytes.Buffer does not.
			_ = xml.EscapeText(&e.buf, []byte(s))
			return
		}
	}
	e.buf.WriteString(s)
}

// String writes <name>s</name>.
func (e *Encoder) String(name, s string) {
	e.Start(name)
	e.Text(s)
	e.End(name)
}

// Int writes <name>n</name>.
func (e *Encoder) Int(name string, n int32) {
	e.Start(name)
	e.TextInt(n)
	e.End(name)
}

// Bool writes <name>true</name> or <name>false</name>.
func (e *Encoder) Bool(name string, b bool) {
	e.String(name, strconv.FormatBool(b))
}

// FormatTime renders t as IAM and STS do: ISO 8601 in UTC, with milliseconds
// only when t has a sub-second part ("2015-03-09T18:39:23Z",
// "2015-03-09T18:39:23.411Z"; see the IAM API model's examples).
func FormatTime(t time.Time) string {
	return string(appendTime(nil, t))
}

// appendTime appends FormatTime(t) to b.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	if t.Nanosecond()/int(time.Millisecond) == 0 {
		return t.AppendFormat(b, "2006-01-02T15:04:05Z")
	}
	return t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
}

// Time writes <name>timestamp</name> (see FormatTime).
func (e *Encoder) Time(name string, t time.Time) {
	e.Start(name)
	e.TextTime(t)
	e.End(name)
}

// Blob writes <name>base64</name>.
func (e *Encoder) Blob(name string, b []byte) {
	e.Start(name)
	e.TextBlob(b)
	e.End(name)
}

// TextInt writes n as element text.
func (e *Encoder) TextInt(n int32) {
	e.buf.Write(strconv.AppendInt(e.buf.AvailableBuffer(), int64(n), 10))
}

// TextBool writes b as element text.
func (e *Encoder) TextBool(b bool) { e.buf.WriteString(strconv.FormatBool(b)) }

// TextTime writes t as element text (see FormatTime).
func (e *Encoder) TextTime(t time.Time) { e.buf.Write(appendTime(e.buf.AvailableBuffer(), t)) }

// TextBlob writes b, base64-encoded, as element text.
func (e *Encoder) TextBlob(b []byte) {
	e.buf.Write(base64.StdEncoding.AppendEncode(e.buf.AvailableBuffer(), b))
}

// EncodeList writes <name><member>...</member>...</name>, each element's
// content written by elem. A nil list is omitted unless always is set (a
// required member), in which case an empty element is written.
func EncodeList[T any](e *Encoder, name string, items []T, always bool, elem func(*Encoder, *T)) {
	if items == nil && !always {
		return
	}
	e.Start(name)
	Members(e, items, elem)
	e.End(name)
}

// Members writes each element of items as <member>...</member>.
func Members[T any](e *Encoder, items []T, elem func(*Encoder, *T)) {
	for i := range items {
		e.Start("member")
		elem(e, &items[i])
		e.End("member")
	}
}

// EncodeMap writes <name><entry><key>k</key><value>...</value></entry>...</name>
// with the keys in ascending order, so that output is deterministic. A nil
// map is omitted unless always is set.
func EncodeMap[K ~string, V any](e *Encoder, name string, m map[K]V, always bool, val func(*Encoder, *V)) {
	if m == nil && !always {
		return
	}
	e.Start(name)
	Entries(e, m, val)
	e.End(name)
}

// Entries writes each entry of m, keys ascending, as
// <entry><key>k</key><value>...</value></entry>.
func Entries[K ~string, V any](e *Encoder, m map[K]V, val func(*Encoder, *V)) {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := m[k]
		e.Start("entry")
		e.String("key", string(k))
		e.Start("value")
		val(e, &v)
		e.End("value")
		e.End("entry")
	}
}

package trail

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"time"
)

// The record codec: how an Entry is kept in a file. The SQLite trail's
// segments hold one record per event (trail/sqlite frames each with its
// length and checksum); the journal of earlier versions (a file of records
// each preceded by a 4-byte big-endian length) is read once, when such a
// data directory is upgraded (ReadJournal).

// MaxRecord bounds a record's encoded length: a length beyond it is a torn
// or foreign file, not an event.
const MaxRecord = 16 << 20

// ReadJournal returns the entries of a journal written by an earlier
// version (4-byte big-endian length, then AppendRecord's encoding), up to
// its first torn or malformed record: a torn last record can only belong to
// a batch that was never acknowledged.
func ReadJournal(r io.Reader) []Entry {
	br := bufio.NewReader(r)
	var (
		out []Entry
		hdr [4]byte
	)
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return out // end, or a torn header
		}
		n := binary.BigEndian.Uint32(hdr[:])
		if n == 0 || n > MaxRecord {
			return out
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(br, buf); err != nil {
			return out
		}
		e, ok := DecodeRecord(buf)
		if !ok {
			return out
		}
		out = append(out, e)
	}
}

// AppendRecord appends the encoding of e to buf: its fields as
// length-prefixed strings (uvarint lengths), its time (unix nanoseconds),
// flags, resources and JSON. Seq is not part of it (it is where the record
// is kept). An entry holding its event's compact form (Entry.Compact) is
// encoded as a compact record: two zero bytes (a record of the first kind
// begins with its account's length, never zero; a compact record of the
// first version, one zero byte and that length), its Account and
// EventID (coded, compact.go), flags, then the compact form, from which DecodeRecord renders
// the JSON and the other fields.
func AppendRecord(buf []byte, e *Entry) ([]byte, error) {
	at := len(buf)
	var flags byte
	if e.ReadOnly {
		flags |= 1
	}
	if e.Management {
		flags |= 2
	}
	if e.Compact != nil {
		buf = append(buf, 0, 0)
		buf = appendCodedID(appendString(buf, e.Account), e.EventID)
		buf = append(append(buf, flags), e.Compact...)
	} else {
		for _, f := range [...]string{e.Account, e.EventID, e.EventName, e.EventSource, e.Username, e.AccessKeyID, e.Principal} {
			buf = appendString(buf, f)
		}
		buf = binary.AppendVarint(buf, e.Time.UnixNano())
		buf = append(buf, flags)
		buf = binary.AppendUvarint(buf, uint64(len(e.Resources)))
		for _, r := range e.Resources {
			buf = appendString(appendString(appendString(buf, r.ARN), r.AccountID), r.Type)
		}
		buf = append(binary.AppendUvarint(buf, uint64(len(e.JSON))), e.JSON...)
	}
	if len(buf)-at > MaxRecord {
		return buf[:at], errors.New("trail: an event is too large to record")
	}
	return buf, nil
}

func appendString(buf []byte, s string) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(s))), s...)
}

// DecodeRecord decodes a record AppendRecord wrote; ok is false for a
// malformed one. The entry of a compact record has its JSON rendered and
// no Compact.
func DecodeRecord(b []byte) (Entry, bool) {
	return decodeRecord(b, true)
}

// DecodeRecordIndex is DecodeRecord without the JSON of a compact record:
// the fields a store indexes (the JSON of a record of the first kind is
// returned all the same).
func DecodeRecordIndex(b []byte) (Entry, bool) {
	return decodeRecord(b, false)
}

func decodeRecord(b []byte, render bool) (Entry, bool) {
	if len(b) > 1 && b[0] == 0 && b[1] == 0 {
		return decodeCompactRecord(b[2:], render, false)
	}
	if len(b) > 0 && b[0] == 0 {
		return decodeCompactRecord(b[1:], render, true)
	}
	var e Entry
	d := recordDecoder{b: b, ok: true}
	fields := [...]*string{&e.Account, &e.EventID, &e.EventName, &e.EventSource, &e.Username, &e.AccessKeyID, &e.Principal}
	for _, f := range fields {
		*f = d.string()
	}
	ns := d.varint()
	flags := d.byte()
	e.Time = time.Unix(0, ns).UTC()
	e.ReadOnly, e.Management = flags&1 != 0, flags&2 != 0
	n := d.uvarint()
	if n > uint64(len(b)) {
		return Entry{}, false
	}
	for range n {
		e.Resources = append(e.Resources, Resource{ARN: d.string(), AccountID: d.string(), Type: d.string()})
	}
	e.JSON = []byte(d.string())
	return e, d.ok && len(d.b) == 0
}

// decodeCompactRecord decodes a compact record after its marker: of the
// first version (v1: its Username and Principal in its header, its
// compact form of the first version), or of the second.
func decodeCompactRecord(b []byte, render, v1 bool) (Entry, bool) {
	var h Entry
	d := recordDecoder{b: b, ok: true}
	h.Account = d.string()
	if v1 {
		h.EventID, h.Username, h.Principal = d.string(), d.string(), d.string()
	} else {
		h.EventID = d.coded(nil)
	}
	flags := d.byte()
	h.ReadOnly, h.Management = flags&1 != 0, flags&2 != 0
	ev, t, username, principal := decodeCompact(&d, &h, v1)
	if !d.ok || len(d.b) != 0 {
		return Entry{}, false
	}
	if v1 {
		username, principal = h.Username, h.Principal
	}
	var js []byte
	if render {
		js = appendEvent(make([]byte, 0, 2*len(b)+512), &ev, t, nil, nil)
	}
	e := entryOf(&ev, t, username, principal, indexableResources(ev.Resources), js)
	return e, true
}

// RecordEventID returns the EventID of a record AppendRecord wrote, from
// its first bytes (b may be the record's start only); ok is false when b
// is too short or malformed.
func RecordEventID(b []byte) (string, bool) {
	v2 := len(b) > 1 && b[0] == 0 && b[1] == 0 // a compact record of the second version
	if v2 {
		b = b[2:]
	} else if len(b) > 0 && b[0] == 0 {
		b = b[1:] // a compact record of the first version
	}
	d := recordDecoder{b: b, ok: true}
	d.string() // Account
	if v2 {
		id := d.coded(nil)
		return id, d.ok
	}
	id := d.string()
	return id, d.ok
}

// recordDecoder reads a record's fields; ok turns false at the first
// malformed one.
type recordDecoder struct {
	b  []byte
	ok bool
}

func (d *recordDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.b, d.ok = nil, false
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *recordDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.b, d.ok = nil, false
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *recordDecoder) byte() byte {
	if len(d.b) == 0 {
		d.ok = false
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *recordDecoder) string() string {
	return d.take(d.uvarint())
}

// take returns the next n bytes as a string.
func (d *recordDecoder) take(n uint64) string {
	if n > uint64(len(d.b)) {
		d.b, d.ok = nil, false
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// bytes returns a copy of the next length-prefixed bytes.
func (d *recordDecoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.b, d.ok = nil, false
		return nil
	}
	b := append([]byte(nil), d.b[:n]...)
	d.b = d.b[n:]
	return b
}

// count returns the next uvarint as the number of items that follow,
// each of at least min bytes: one the rest cannot hold is malformed (and
// is not allocated for).
func (d *recordDecoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.b, d.ok = nil, false
		return 0
	}
	return int(n)
}

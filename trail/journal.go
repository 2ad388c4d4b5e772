package trail

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// The journal is how a Recorder acknowledges events without waiting for
// the store's indexes: each batch of events is appended to a file (one
// write, then fsync when JournalSync is set) before the requests that made
// them are answered, and indexed into the store in large batches behind
// them. Once every journaled event is in the store the file is emptied; on
// start, what it still holds (a process that died between the two) is
// indexed first. A record is a 4-byte big-endian length and the entry
// (encodeJournal); a torn last record can only belong to a batch that was never
// acknowledged, and is dropped.
type journal struct {
	f    *os.File
	sync bool
	size int64
}

// maxJournalRecord bounds a record's length when reading: a length beyond
// it is a torn or foreign file, not an event.
const maxJournalRecord = 16 << 20

// openJournal opens (creating it, mode 0600) the journal at path and
// returns the entries it holds.
func openJournal(path string, sync bool) (*journal, []Entry, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("trail journal: %w", err)
	}
	entries, good, err := readJournal(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	// Drop a torn tail, and write after the last whole record.
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("trail journal: %w", err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("trail journal: %w", err)
	}
	return &journal{f: f, sync: sync, size: good}, entries, nil
}

// readJournal reads the whole records of f and the offset after the last.
func readJournal(f *os.File) ([]Entry, int64, error) {
	r := bufio.NewReader(f)
	var (
		out  []Entry
		good int64
		hdr  [4]byte
	)
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return out, good, nil // end, or a torn header
		}
		n := binary.BigEndian.Uint32(hdr[:])
		if n == 0 || n > maxJournalRecord {
			return out, good, nil
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return out, good, nil
		}
		e, ok := decodeRecord(buf)
		if !ok {
			return out, good, nil
		}
		out = append(out, e)
		good += 4 + int64(n)
	}
}

// encodeJournal appends the records of entries to buf. A record is its
// length, then the entry's fields as length-prefixed strings (uvarint
// lengths), its time (unix nanoseconds), flags, resources and JSON.
func encodeJournal(buf []byte, entries []Entry) ([]byte, error) {
	for i := range entries {
		e := &entries[i]
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		for _, f := range [...]string{e.Account, e.EventID, e.EventName, e.EventSource, e.Username, e.AccessKeyID, e.Principal} {
			buf = appendString(buf, f)
		}
		buf = binary.AppendVarint(buf, e.Time.UnixNano())
		var flags byte
		if e.ReadOnly {
			flags |= 1
		}
		if e.Management {
			flags |= 2
		}
		buf = append(buf, flags)
		buf = binary.AppendUvarint(buf, uint64(len(e.Resources)))
		for _, r := range e.Resources {
			buf = appendString(appendString(appendString(buf, r.ARN), r.AccountID), r.Type)
		}
		buf = appendString(buf, string(e.JSON))
		n := len(buf) - at - 4
		if n > maxJournalRecord {
			return nil, errors.New("trail journal: an event is too large")
		}
		binary.BigEndian.PutUint32(buf[at:], uint32(n))
	}
	return buf, nil
}

func appendString(buf []byte, s string) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(s))), s...)
}

// decodeRecord reads one record's body; ok is false for a malformed one.
func decodeRecord(b []byte) (Entry, bool) {
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
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.b, d.ok = nil, false
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// append writes buf as one write (and syncs). On failure the file is cut
// back to its previous length, so no partial record is left before the
// next batch.
func (j *journal) append(buf []byte) error {
	if _, err := j.f.Write(buf); err != nil {
		j.reset(j.size)
		return fmt.Errorf("trail journal: %w", err)
	}
	if j.sync {
		if err := j.f.Sync(); err != nil {
			j.reset(j.size)
			return fmt.Errorf("trail journal: %w", err)
		}
	}
	j.size += int64(len(buf))
	return nil
}

// reset cuts the file to size and writes from there.
func (j *journal) reset(size int64) {
	err := j.f.Truncate(size)
	if _, serr := j.f.Seek(size, io.SeekStart); err == nil {
		err = serr
	}
	if err == nil {
		j.size = size
	}
}

// empty empties the file once everything in it is in the store.
func (j *journal) empty() error {
	j.reset(0)
	if j.size != 0 {
		return errors.New("trail journal: could not be emptied")
	}
	return nil
}

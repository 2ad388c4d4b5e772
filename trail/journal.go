package trail

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
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
// indexed first. A record is a 4-byte big-endian length and the entry as
// JSON; a torn last record can only belong to a batch that was never
// acknowledged, and is dropped.
type journal struct {
	f    *os.File
	sync bool
	size int64
}

// journalRecord is an Entry as the journal keeps it.
type journalRecord struct {
	Account     string          `json:"a"`
	EventID     string          `json:"i"`
	Time        time.Time       `json:"t"`
	EventName   string          `json:"n"`
	EventSource string          `json:"s"`
	Username    string          `json:"u,omitempty"`
	AccessKeyID string          `json:"k,omitempty"`
	Principal   string          `json:"p,omitempty"`
	ReadOnly    bool            `json:"r,omitempty"`
	Management  bool            `json:"m,omitempty"`
	Resources   []Resource      `json:"res,omitempty"`
	JSON        json.RawMessage `json:"e"`
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
		var jr journalRecord
		if err := json.Unmarshal(buf, &jr); err != nil {
			return out, good, nil
		}
		out = append(out, Entry{Account: jr.Account, EventID: jr.EventID, Time: jr.Time, EventName: jr.EventName,
			EventSource: jr.EventSource, Username: jr.Username, AccessKeyID: jr.AccessKeyID, Principal: jr.Principal,
			ReadOnly: jr.ReadOnly, Management: jr.Management, Resources: jr.Resources, JSON: []byte(jr.JSON)})
		good += 4 + int64(n)
	}
}

// encodeJournal appends the records of entries to buf.
func encodeJournal(buf []byte, entries []Entry) ([]byte, error) {
	for _, e := range entries {
		b, err := json.Marshal(journalRecord{Account: e.Account, EventID: e.EventID, Time: e.Time, EventName: e.EventName,
			EventSource: e.EventSource, Username: e.Username, AccessKeyID: e.AccessKeyID, Principal: e.Principal,
			ReadOnly: e.ReadOnly, Management: e.Management, Resources: e.Resources, JSON: e.JSON})
		if err != nil {
			return nil, err
		}
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	return buf, nil
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

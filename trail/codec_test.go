package trail

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// A record reads back as the entry written.
func TestRecordRoundTrip(t *testing.T) {
	in := []Entry{
		{Account: "123456789012", EventID: "e1", Time: time.Unix(1700000000, 0).UTC(), EventName: "GetUser", EventSource: "iam.amazonaws.com",
			Username: "alice", AccessKeyID: "AKIAEXAMPLE", Principal: "arn:aws:iam::123456789012:user/alice", ReadOnly: true, Management: true,
			Resources: []Resource{{ARN: "arn:aws:iam::123456789012:user/alice", AccountID: "123456789012", Type: "AWS::IAM::User"}}, JSON: []byte(`{"a":1}`)},
		{Account: "1", EventID: "e2", Time: time.Unix(0, 5).UTC(), JSON: []byte(`{}`)},
	}
	for _, e := range in {
		buf, err := AppendRecord(nil, &e)
		if err != nil {
			t.Fatal(err)
		}
		out, ok := DecodeRecord(buf)
		if !ok || !reflect.DeepEqual(e, out) {
			t.Errorf("round trip:\n%+v\n%+v (%v)", e, out, ok)
		}
	}
}

// ReadJournal reads the journal of earlier versions (length-prefixed
// records) up to a torn tail.
func TestReadJournal(t *testing.T) {
	var file []byte
	for _, id := range []string{"a", "b"} {
		rec, err := AppendRecord(nil, &Entry{Account: "1", EventID: id, Time: time.Unix(1, 0).UTC(), JSON: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		file = binary.BigEndian.AppendUint32(file, uint32(len(rec)))
		file = append(file, rec...)
	}
	file = append(file, 0, 0, 1, 0, '{') // torn
	got := ReadJournal(bytes.NewReader(file))
	if len(got) != 2 || got[0].EventID != "a" || got[1].EventID != "b" {
		t.Errorf("ReadJournal = %+v, want a, b", got)
	}
}

// FuzzRecord: any bytes decode or are refused, never panic; what decodes
// as a record of the first kind encodes back to an equal entry, and a
// compact record's index fields are those of its whole decoding.
func FuzzRecord(f *testing.F) {
	buf, _ := AppendRecord(nil, &Entry{Account: "1", EventID: "x", Time: time.Unix(1, 0).UTC(), Resources: []Resource{{ARN: "a"}}, JSON: []byte(`{}`)})
	f.Add(buf)
	f.Add([]byte{})
	b := &Builder{Redaction: redaction(), NewID: counterIDs(), Compact: true}
	for _, c := range callers(&filler{rand.New(rand.NewPCG(1, 2))}) {
		entries, _ := b.Events(&Call{RequestID: "r", Time: time.Unix(1700000000, 0), Service: "iam", Operation: "GetUser", Caller: c,
			TLS: &TLSDetails{TLSVersion: "TLSv1.3"}, Input: &struct{ UserName string }{"u"}, ResourceAccount: "111122223333",
			Resources: []Resource{{ARN: "arn:aws:iam::111122223333:user/u", Type: "AWS::IAM::User"}}})
		for i := range entries {
			rec, _ := AppendRecord(nil, &entries[i])
			f.Add(rec)
			d := recordDecoder{b: entries[i].Compact, ok: true}
			ev, at, _, _ := decodeCompact(&d, &entries[i], false)
			f.Add(appendRecordV1(nil, &entries[i], &ev, at))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, ok := DecodeRecord(b)
		index, indexOK := DecodeRecordIndex(b)
		if ok != indexOK {
			t.Fatalf("DecodeRecord ok %v, DecodeRecordIndex ok %v", ok, indexOK)
		}
		if !ok {
			return
		}
		if b[0] == 0 {
			index.JSON = e.JSON
			if !reflect.DeepEqual(e, index) {
				t.Fatalf("index fields differ: %+v vs %+v", index, e)
			}
			return
		}
		again, err := AppendRecord(nil, &e)
		if err != nil {
			t.Fatal(err)
		}
		if e2, ok := DecodeRecord(again); !ok || !reflect.DeepEqual(e, e2) {
			t.Fatalf("re-encoded record differs: %+v vs %+v", e, e2)
		}
	})
}

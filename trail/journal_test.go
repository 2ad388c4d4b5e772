package trail

import (
	"reflect"
	"testing"
	"time"
)

// A journal record reads back as the entry written.
func TestJournalRoundTrip(t *testing.T) {
	in := []Entry{
		{Account: "123456789012", EventID: "e1", Time: time.Unix(1700000000, 0).UTC(), EventName: "GetUser", EventSource: "iam.amazonaws.com",
			Username: "alice", AccessKeyID: "AKIAEXAMPLE", Principal: "arn:aws:iam::123456789012:user/alice", ReadOnly: true, Management: true,
			Resources: []Resource{{ARN: "arn:aws:iam::123456789012:user/alice", AccountID: "123456789012", Type: "AWS::IAM::User"}}, JSON: []byte(`{"a":1}`)},
		{Account: "1", EventID: "e2", Time: time.Unix(0, 5).UTC(), JSON: []byte(`{}`)},
	}
	buf, err := encodeJournal(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	var out []Entry
	for len(buf) > 0 {
		n := int(buf[0])<<24 | int(buf[1])<<16 | int(buf[2])<<8 | int(buf[3])
		e, ok := decodeRecord(buf[4 : 4+n])
		if !ok {
			t.Fatalf("record %d does not decode", len(out))
		}
		out = append(out, e)
		buf = buf[4+n:]
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n%+v\n%+v", in, out)
	}
}

// FuzzJournalRecord: any bytes decode or are refused, never panic, and
// what decodes encodes back to the same bytes.
func FuzzJournalRecord(f *testing.F) {
	buf, _ := encodeJournal(nil, []Entry{{Account: "1", EventID: "x", Time: time.Unix(1, 0).UTC(), Resources: []Resource{{ARN: "a"}}, JSON: []byte(`{}`)}})
	f.Add(buf[4:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, ok := decodeRecord(b)
		if !ok {
			return
		}
		again, err := encodeJournal(nil, []Entry{e})
		if err != nil {
			t.Fatal(err)
		}
		if e2, ok := decodeRecord(again[4:]); !ok || !reflect.DeepEqual(e, e2) {
			t.Fatalf("re-encoded record differs: %+v vs %+v", e, e2)
		}
	})
}

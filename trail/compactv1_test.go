package trail

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"
)

// appendCompactV1 appends ev's compact form of the first version (before
// session 15; the segments of earlier versions hold it), its time t; uid, when not nil,
// is ev.UserIdentity's compact form (appendCompactIdentity's).
func appendCompactV1(dst []byte, ev *Event, t time.Time, uid []byte) []byte {
	dst = binary.AppendVarint(dst, t.Unix())
	var flags byte
	if ev.TLSDetails != nil {
		flags |= compactTLS
	}
	dst = append(dst, flags)
	if uid != nil {
		dst = append(dst, uid...)
	} else {
		dst = appendCompactIdentityV1(dst, &ev.UserIdentity)
	}
	for _, s := range [...]string{ev.EventVersion, ev.EventSource, ev.EventName, ev.AWSRegion, ev.SourceIPAddress,
		ev.UserAgent, ev.ErrorCode, ev.ErrorMessage} {
		dst = appendString(dst, s)
	}
	for _, raw := range [...][]byte{ev.RequestParameters, ev.ResponseElements, ev.AdditionalEventData} {
		dst = append(binary.AppendUvarint(dst, uint64(len(raw))), raw...)
	}
	dst = appendString(appendString(dst, ev.RequestID), ev.SharedEventID)
	dst = binary.AppendUvarint(dst, uint64(len(ev.Resources)))
	for i := range ev.Resources {
		r := &ev.Resources[i]
		dst = appendString(appendString(appendString(dst, r.ARN), r.AccountID), r.Type)
	}
	dst = appendString(appendString(dst, ev.EventType), ev.EventCategory)
	if d := ev.TLSDetails; d != nil {
		dst = appendString(appendString(appendString(dst, d.TLSVersion), d.CipherSuite), d.ClientProvidedHostHeader)
	}
	return dst
}

// appendCompactIdentityV1 appends a userIdentity's compact form.
func appendCompactIdentityV1(dst []byte, u *UserIdentity) []byte {
	sc := u.SessionContext
	dst = append(dst, identityFlags(sc))
	for _, s := range [...]string{u.Type, u.PrincipalID, u.ARN, u.AccountID, u.AccessKeyID, u.UserName} {
		dst = appendString(dst, s)
	}
	if sc == nil {
		return dst
	}
	if si := sc.SessionIssuer; si != nil {
		for _, s := range [...]string{si.Type, si.PrincipalID, si.ARN, si.AccountID, si.UserName} {
			dst = appendString(dst, s)
		}
	}
	if w := sc.WebIDFederationData; w != nil {
		dst = appendString(dst, w.FederatedProvider)
		if w.Attributes != nil {
			dst = binary.AppendUvarint(dst, uint64(len(w.Attributes)))
			for k, v := range w.Attributes {
				dst = appendString(appendString(dst, k), v)
			}
		}
	}
	for _, s := range [...]string{sc.Attributes.CreationDate, sc.Attributes.MFAAuthenticated, sc.SourceIdentity, sc.EC2RoleDelivery} {
		dst = appendString(dst, s)
	}
	return dst
}

// appendRecordV1 appends e's compact record of the first version: its
// header with the Username and Principal, then ev's compact form of the
// first version.
func appendRecordV1(buf []byte, e *Entry, ev *Event, t time.Time) []byte {
	var flags byte
	if e.ReadOnly {
		flags |= 1
	}
	if e.Management {
		flags |= 2
	}
	buf = append(buf, 0)
	for _, f := range [...]string{e.Account, e.EventID, e.Username, e.Principal} {
		buf = appendString(buf, f)
	}
	return appendCompactV1(append(buf, flags), ev, t, nil)
}

// frozenConstants are how many of compactConstants records of the second
// version were first written with, and the SHA-256 of those joined by NUL:
// records hold their indexes, so the list may grow at its end and nothing
// else.
const (
	frozenConstants     = 47
	frozenConstantsHash = "66ade41783bd4818105abf540173c6ae598a148012a4882d1036d91129d5b24e"
)

func TestCompactConstants(t *testing.T) {
	if len(compactConstants) < frozenConstants ||
		fmt.Sprintf("%x", sha256.Sum256([]byte(strings.Join(compactConstants[:frozenConstants], "\x00")))) != frozenConstantsHash {
		t.Fatal("compactConstants changed: records hold their indexes, so the list may only grow at its end")
	}
	seen := map[string]bool{}
	for i, s := range compactConstants {
		if seen[s] {
			t.Errorf("%q is in compactConstants twice", s)
		}
		seen[s] = true
		if c, ok := constantCode(s); !ok || c != uint64(i) {
			t.Errorf("constantCode(%q) = %d, %v; want %d", s, c, ok, i)
		}
	}
	for _, s := range []string{"1.10", "IAMUSER", "AWS::IAM::Users", "us-east-2", " "} {
		if c, ok := constantCode(s); ok {
			t.Errorf("constantCode(%q) = %d: not a constant", s, c)
		}
	}
}

// A user's GetUser names the user: the record holds the user's ARN and
// account once (the resource refers to the userIdentity's), its name
// once, and its event source and types as one byte each.
func TestCompactRecordRefersToItsIdentity(t *testing.T) {
	caller := userCaller()
	b := &Builder{Redaction: redaction(), NewID: counterIDs(), Compact: true}
	entries, err := b.Events(&Call{RequestID: "r", Time: time.Unix(1700000000, 0), Service: "iam", Operation: "GetUser",
		Caller: caller, Region: "us-east-1", ReadOnly: true, Management: true,
		Resources: []Resource{{ARN: caller.Principal.ARN, AccountID: caller.Account, Type: "AWS::IAM::User"}}})
	if err != nil || len(entries) != 1 {
		t.Fatal(len(entries), err)
	}
	rec, err := AppendRecord(nil, &entries[0])
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[string]int{caller.Principal.ARN: 1, caller.UserName: 2 /* one in the ARN */, "iam.amazonaws.com": 0,
		"AWS::IAM::User": 0, "IAMUser": 0, "AwsApiCall": 0, "Management": 0} {
		if n := bytes.Count(rec, []byte(s)); n != want {
			t.Errorf("%q appears %d times in the record, want %d", s, n, want)
		}
	}
	if back, ok := DecodeRecord(rec); !ok || back.Username != caller.UserName || back.Principal != caller.Principal.ARN ||
		len(back.Resources) != 1 || back.Resources[0].ARN != caller.Principal.ARN || back.Resources[0].AccountID != caller.Account {
		t.Fatalf("read back (%v): %+v", ok, back)
	}
}

// Ids are coded as 16 bytes when they are canonical lowercase UUIDs, and
// read back as they were, whatever they are.
func TestCodedIDs(t *testing.T) {
	for _, c := range []struct {
		id    string
		bytes int // the coded size
	}{
		{NewEventID(time.Unix(1700000000, 0)), 17},
		{"2f1c9d1e-6b0a-4c55-9a43-0d1f3e5a7b21", 17},
		{"00000000-0000-0000-0000-000000000000", 17},
		{"2F1C9D1E-6B0A-4C55-9A43-0D1F3E5A7B21", 37}, // uppercase: not canonical, kept as it is
		{"2f1c9d1e-6b0a-4c55-9a43-0d1f3e5a7b2g", 37},
		{"2f1c9d1e6b0a-4c55-9a43-0d1f3e5a7b21-", 37},
		{"2f1c9d1e-6b0a-4c55-9a43-0d1f3e5a7b2", 36},
		{"id-1", 5},
		{"", 1},
	} {
		b := appendCodedID(nil, c.id)
		if len(b) != c.bytes {
			t.Errorf("%q coded in %d bytes, want %d", c.id, len(b), c.bytes)
		}
		d := recordDecoder{b: b, ok: true}
		if got := d.coded(nil); !d.ok || len(d.b) != 0 || got != c.id {
			t.Errorf("%q read back as %q (%v, %d left)", c.id, got, d.ok, len(d.b))
		}
	}
	d := recordDecoder{b: appendCodedID(nil, "2f1c9d1e-6b0a-4c55-9a43-0d1f3e5a7b21")[:10], ok: true}
	if d.coded(nil); d.ok {
		t.Error("a cut UUID read as whole")
	}
}

// A reference with nothing to refer to (no userIdentity, or none of its
// sessionIssuer) and a literal longer than what is left are malformed,
// not read as "".
func TestCodedMalformed(t *testing.T) {
	user := &UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/u"}
	for _, c := range []struct {
		name string
		b    []byte
		u    *UserIdentity
	}{
		{"a reference without a userIdentity", binary.AppendUvarint(nil, refARN), nil},
		{"a reference to a missing sessionIssuer", binary.AppendUvarint(nil, refIssuerARN), user},
		{"a literal cut short", append(binary.AppendUvarint(nil, codeLiteral+10), "abc"...), user},
		{"no code", nil, user},
	} {
		d := recordDecoder{b: c.b, ok: true}
		if got := d.coded(c.u); d.ok {
			t.Errorf("%s: read as %q", c.name, got)
		}
	}
	d := recordDecoder{b: binary.AppendUvarint(nil, refARN), ok: true}
	if got := d.coded(user); !d.ok || got != user.ARN {
		t.Errorf("a reference to the ARN: %q (%v)", got, d.ok)
	}
}

package policy

import (
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestContextSetOne: single values stored past the context's initial room
// keep their values (a new block does not move the old ones), keys are
// case-insensitive, and a later Set replaces a SetOne value.
func TestContextSetOne(t *testing.T) {
	c := NewContext(2)
	for i := range 40 {
		c.SetOne("Key"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	for i := range 40 {
		if v, ok := c.Get("KEY" + strconv.Itoa(i)); !ok || len(v) != 1 || v[0] != "v"+strconv.Itoa(i) {
			t.Fatalf("key%d = %v, %v", i, v, ok)
		}
	}
	c.Set("key3", "a", "b")
	if v, _ := c.Get("key3"); len(v) != 2 {
		t.Fatalf("key3 = %v", v)
	}
	if v, _ := c.Get("key4"); len(v) != 1 || v[0] != "v4" {
		t.Fatalf("key4 = %v after Set of key3", v)
	}
	var zero Context
	zero.SetOne("aws:username", "alice")
	if v, ok := zero.Get("aws:UserName"); !ok || v[0] != "alice" {
		t.Fatalf("zero context: %v, %v", v, ok)
	}
}

// TestEqualSameLen compares equalSameLen with == for every length up to 48
// and a difference at every position.
func TestEqualSameLen(t *testing.T) {
	for n := 0; n <= 48; n++ {
		a := strings.Repeat("k", n)
		if !equalSameLen(a, strings.Clone(a)) {
			t.Fatalf("len %d: equal strings compare unequal", n)
		}
		for i := 0; i < n; i++ {
			b := []byte(a)
			b[i] = 'x'
			if equalSameLen(a, string(b)) {
				t.Fatalf("len %d: strings differing at %d compare equal", n, i)
			}
		}
	}
}

// TestLowerWord compares lowerWord with a byte-by-byte lower-casing, and
// byteMask with a byte-by-byte comparison, for every byte value at every
// position of a word (the other bytes letters of both cases and colons).
func TestLowerWord(t *testing.T) {
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			b := []byte("aZ:aZ:aZ")
			b[pos] = byte(c)
			w := binary.LittleEndian.Uint64(b)
			var lw, mask [8]byte
			binary.LittleEndian.PutUint64(lw[:], lowerWord(w))
			binary.LittleEndian.PutUint64(mask[:], byteMask(w, ':'))
			for i, x := range b {
				want := x
				if 'A' <= x && x <= 'Z' {
					want += 'a' - 'A'
				}
				if lw[i] != want {
					t.Fatalf("lowerWord(%q) byte %d = %#x, want %#x", b, i, lw[i], want)
				}
				wantMask := byte(0)
				if x == ':' {
					wantMask = 0x80
				}
				if mask[i] != wantMask {
					t.Fatalf("byteMask(%q, ':') byte %d = %#x, want %#x", b, i, mask[i], wantMask)
				}
			}
		}
	}
}

// TestPrepareActionKey checks what prepareAction derives from an action (its
// lower-cased service prefix, the prefix's packed key, the name's first byte)
// against the byte-by-byte definitions, for prefixes of every length around
// the word it reads and names of every length.
func TestPrepareActionKey(t *testing.T) {
	for svcLen := 0; svcLen <= 12; svcLen++ {
		for nameLen := 0; nameLen <= 12; nameLen++ {
			for _, colon := range []string{":", ""} {
				a := strings.Repeat("S", svcLen) + colon + strings.Repeat("N", nameLen)
				req := &Request{Action: a}
				var st evalState
				st.init(req)
				var buf [actionBuf]byte
				svc := st.prepareAction(buf[:])
				wantSvc := strings.ToLower(a)
				if i := strings.IndexByte(wantSvc, ':'); i >= 0 {
					wantSvc = wantSvc[:i]
				}
				if svc != wantSvc || st.svcKey != packPrefix(wantSvc) || st.nameFirst != nameFirstByte(a) {
					t.Fatalf("%q: svc %q key %#x first %q, want %q %#x %q", a, svc, st.svcKey, st.nameFirst, wantSvc, packPrefix(wantSvc), nameFirstByte(a))
				}
			}
		}
	}
}

// TestArnAccount compares arnAccount with splitting at colons, for ARNs
// whose fourth and fifth colons fall at every position around the words it
// reads.
func TestArnAccount(t *testing.T) {
	want := func(s string) string {
		if !strings.HasPrefix(s, "arn:") {
			return ""
		}
		parts := strings.SplitN(s, ":", 6)
		if len(parts) < 6 {
			return ""
		}
		return parts[4]
	}
	var cases []string
	for _, svc := range []string{"", "s3", "dynamodb", "elasticloadbalancing"} {
		for _, region := range []string{"", "us-east-1"} {
			for _, acct := range []string{"", "1", "123456789012"} {
				for _, res := range []string{"", "x", "bucket/key:with:colons", "a:b"} {
					cases = append(cases, "arn:aws:"+svc+":"+region+":"+acct+":"+res)
				}
				cases = append(cases, "arn:aws:"+svc+":"+region+":"+acct)
			}
		}
	}
	cases = append(cases, "", "*", "arn:", "arn::::", "arn:::::", "arn::::::", "xrn:aws:s3:::b", "arn:aws:iam::123456789012:user/a")
	for n := 0; n <= 24; n++ {
		cases = append(cases, "arn:"+strings.Repeat(":", n), "arn:"+strings.Repeat("a:", n))
	}
	for _, s := range cases {
		if got := arnAccount(s); got != want(s) {
			t.Errorf("arnAccount(%q) = %q, want %q", s, got, want(s))
		}
	}
}

// TestContextOver: a layered context reads its base's keys, its own keys
// shadow them, the base is never modified (Set, Delete), SetAll copies
// prepared values, Keys lists each key once, and a base that is layered
// itself is folded into one level.
func TestContextOver(t *testing.T) {
	base := NewContext(3)
	base.SetOne("aws:PrincipalArn", "arn:aws:iam::123456789012:user/a")
	base.SetOne("aws:TokenIssueTime", "2027-01-15T07:43:20Z")
	base.Set("aws:PrincipalTag/team", "a", "b")
	c := NewContextOver(base, 2)
	c.SetOne("aws:SourceIp", "192.0.2.1")
	c.SetOne("aws:PrincipalTag/team", "c")

	get := func(c *Context, k string) string {
		v, ok := c.Get(k)
		if !ok {
			return "<absent>"
		}
		return strings.Join(v, ",")
	}
	for k, want := range map[string]string{
		"aws:principalarn": "arn:aws:iam::123456789012:user/a", "aws:SourceIp": "192.0.2.1",
		"aws:principaltag/team": "c", "aws:username": "<absent>",
	} {
		if got := get(c, k); got != want {
			t.Errorf("layered %s = %q, want %q", k, got, want)
		}
	}
	if got := get(base, "aws:principaltag/team"); got != "a,b" {
		t.Errorf("base's aws:principaltag/team = %q after a layer set it", got)
	}
	if e := c.lookup("aws:tokenissuetime", keyHash("aws:tokenissuetime")); e == nil || e.pre.kind != preDate || !e.pre.ok {
		t.Errorf("aws:tokenissuetime through the layer: %+v", e)
	}
	keys := c.Keys()
	slices.Sort(keys)
	if want := []string{"aws:principalarn", "aws:principaltag/team", "aws:sourceip", "aws:tokenissuetime"}; !slices.Equal(keys, want) {
		t.Errorf("Keys = %v, want %v", keys, want)
	}

	// SetAll: prepared values copied, the source's base included.
	d := NewContext(0)
	d.SetAll(c)
	if got := get(d, "aws:principaltag/team"); got != "c" {
		t.Errorf("SetAll: aws:principaltag/team = %q", got)
	}
	if e := d.lookup("aws:sourceip", keyHash("aws:sourceip")); e == nil || e.pre.kind != preAddr || !e.pre.ok {
		t.Errorf("SetAll: aws:sourceip %+v", e)
	}
	if n := len(d.Keys()); n != 4 {
		t.Errorf("SetAll: %d keys", n)
	}

	// A layer over a layer: one level, same keys.
	e := NewContextOver(c, 1)
	if e.base != base {
		t.Error("a layer over a layer keeps two levels")
	}
	for _, k := range keys {
		if get(e, k) != get(c, k) {
			t.Errorf("%s: %q over a layer, %q in it", k, get(e, k), get(c, k))
		}
	}

	// Delete of a base key: gone from the layer, kept in the base.
	c.Delete("aws:PrincipalArn")
	if got := get(c, "aws:principalarn"); got != "<absent>" {
		t.Errorf("deleted key = %q", got)
	}
	if got := get(base, "aws:principalarn"); got == "<absent>" {
		t.Error("Delete through a layer removed the base's key")
	}
	if got := get(c, "aws:tokenissuetime"); got != "2027-01-15T07:43:20Z" {
		t.Errorf("after Delete, aws:tokenissuetime = %q", got)
	}
	if n := len(c.Keys()); n != 3 {
		t.Errorf("after Delete %d keys: %v", n, c.Keys())
	}
	if NewContextOver(nil, 1).base != nil || NewContextOver(NewContext(4), 1).base != nil {
		t.Error("an empty base is kept")
	}
}

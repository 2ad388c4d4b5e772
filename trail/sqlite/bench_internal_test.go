package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/trail"
)

// TestMain removes the benchmarks' fixture, built at most once a run.
func TestMain(m *testing.M) {
	code := m.Run()
	fixture.remove()
	os.Exit(code)
}

// benchBase is the time of the benchmarks' first entry; benchSpan the
// time their entries are spread over.
var (
	benchBase = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	benchSpan = 30 * 24 * time.Hour
)

const (
	benchAccount = "111122223333"
	// fixtureEntries is the size of the lookups' trail.
	fixtureEntries = 1_000_000
	// Distinct values of the attributes in the fixture.
	benchEventNames = 50
	benchUsers      = 100
	benchResources  = 10_000
)

// benchJSON is a record of typical size (CloudTrail's are 1 to 2 kB).
var benchJSON = []byte(`{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEEXAMPLE01","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEALICE0001","userName":"alice"},"eventTime":"2026-10-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.10","userAgent":"aws-cli/2.17.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 md/prompt#off md/command#iam.create-user","requestParameters":{"userName":"bob","path":"/","tags":[{"key":"team","value":"platform"}]},"responseElements":{"user":{"path":"/","userName":"bob","userId":"AIDAEXAMPLEEXAMPLE02","arn":"arn:aws:iam::111122223333:user/bob","createDate":"Oct 1, 2026 12:00:00 AM"}},"requestID":"0f6e0f4c-4f9a-4d6b-9d3a-0c5e8f1a2b3c","eventID":"5b1c9e2a-7d4f-4e8a-b1c3-2d4e6f8a0b1c","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"iam.amazonaws.com"}}`)

// benchEntry is entry i of n: 95% in benchAccount, spread over benchSpan
// in order of i, one or two resources, one in ten a data event.
func benchEntry(r *rand.Rand, i, n int) trail.Entry {
	account := benchAccount
	if r.IntN(20) == 0 {
		account = fmt.Sprintf("%012d", 200000000000+r.IntN(4))
	}
	user := r.IntN(benchUsers)
	at := benchBase.Add(time.Duration(int64(benchSpan) / int64(n) * int64(i)))
	e := trail.Entry{
		Account:     account,
		EventID:     trail.NewEventID(at),
		Time:        at.Truncate(time.Second),
		EventName:   fmt.Sprintf("Operation%02d", r.IntN(benchEventNames)),
		EventSource: "iam.amazonaws.com",
		Username:    fmt.Sprintf("user-%03d", user),
		AccessKeyID: fmt.Sprintf("AKIAEXAMPLE%09d", user),
		Principal:   fmt.Sprintf("arn:aws:iam::%s:user/user-%03d", account, user),
		ReadOnly:    r.IntN(3) != 0,
		Management:  r.IntN(10) != 0,
		JSON:        benchJSON,
	}
	for range 1 + r.IntN(2) {
		e.Resources = append(e.Resources, trail.Resource{
			ARN:       fmt.Sprintf("arn:aws:iam::%s:user/u%05d", account, r.IntN(benchResources)),
			AccountID: account,
			Type:      "AWS::IAM::User",
		})
	}
	return e
}

// lookupFixture is a trail of fixtureEntries entries, built once in a
// temporary directory the first time a benchmark asks for it.
type lookupFixture struct {
	once sync.Once
	dir  string
	path string
	// id is the EventID of a management event of benchAccount in the
	// middle of the fixture.
	id  string
	err error
}

var fixture lookupFixture

func (f *lookupFixture) remove() {
	if f.dir != "" {
		os.RemoveAll(f.dir)
	}
}

// get returns the fixture's database file, building it on first use: one
// transaction of prepared inserts (Append's own statements).
func (f *lookupFixture) get(b *testing.B) string {
	b.Helper()
	f.once.Do(func() {
		f.dir, f.err = os.MkdirTemp("", "trail-bench-")
		if f.err != nil {
			return
		}
		f.path = filepath.Join(f.dir, FileName)
		start := time.Now()
		f.id, f.err = build(context.Background(), f.path, fixtureEntries)
		b.Logf("fixture of %d entries built in %v", fixtureEntries, time.Since(start).Round(time.Millisecond))
	})
	if f.err != nil {
		b.Fatalf("building the fixture: %v", f.err)
	}
	return f.path
}

// build writes n entries to a new trail at path: Writes of 8,192 entries,
// indexed behind them, then a Flush. It returns the EventID of a
// management event of benchAccount from the middle.
func build(ctx context.Context, path string, n int) (string, error) {
	s, err := OpenWith(ctx, path, Options{Timeout: time.Hour})
	if err != nil {
		return "", err
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(1, 2))
	const batch = 8192
	entries := make([]trail.Entry, 0, batch)
	id := ""
	for i := range n {
		e := benchEntry(r, i, n)
		if id == "" && i >= n/2 && e.Account == benchAccount && e.Management {
			id = e.EventID
		}
		entries = append(entries, e)
		if len(entries) == batch || i == n-1 {
			if err := s.Write(ctx, entries); err != nil {
				return "", err
			}
			entries = make([]trail.Entry, 0, batch)
		}
	}
	return id, s.Flush(ctx)
}

// BenchmarkAppend measures one Append of a batch of 64 entries (one
// transaction, synchronous(FULL)), into a trail that grows as it runs.
func BenchmarkAppend(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(3, 4))
	const batch = 64
	i := 0
	entries := make([]trail.Entry, batch)
	for b.Loop() {
		for j := range entries {
			entries[j] = benchEntry(r, i, 1<<30)
			i++
		}
		if err := s.Append(b.Context(), entries); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i), "ns/entry")
}

// BenchmarkLookup measures one page of 50, newest first, over a trail of
// a million entries: by an attribute from the newest; the same deep in the
// time range (a cursor in the middle of a month's window); by resource
// name; and every event of the account, also deep.
func BenchmarkLookup(b *testing.B) {
	path := fixture.get(b)
	s, err := Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	mid := &trail.Cursor{Time: benchBase.Add(benchSpan / 2), Seq: 1 << 62}
	window := func(q trail.Query) trail.Query {
		q.Start, q.End, q.After = benchBase, benchBase.Add(benchSpan), mid
		return q
	}
	byName := trail.Query{Account: benchAccount, Key: trail.ByEventName, Value: "Operation07", Limit: 50}
	byResource := trail.Query{Account: benchAccount, Key: trail.ByResourceName, Value: "arn:aws:iam::" + benchAccount + ":user/u00042", Limit: 50}
	byUser := trail.Query{Account: benchAccount, Key: trail.ByUsername, Value: "user-042", Limit: 50}
	everything := trail.Query{Account: benchAccount, Limit: 50}
	for _, bc := range []struct {
		name string
		q    trail.Query
	}{
		{"EventName", byName},
		{"EventName/Deep", window(byName)},
		{"Username/Deep", window(byUser)},
		{"ResourceName", byResource},
		{"ResourceName/Deep", window(byResource)},
		{"All", everything},
		{"All/Deep", window(everything)},
		{"All/Deep/IncludeData", func() trail.Query { q := window(everything); q.IncludeData = true; return q }()},
		{"EventId", trail.Query{Account: benchAccount, Key: trail.ByEventID, Value: fixture.id, Limit: 50}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p, err := s.Lookup(b.Context(), bc.q)
			if err != nil {
				b.Fatal(err)
			}
			if len(p.Entries) == 0 {
				b.Fatalf("%+v: no entries", bc.q)
			}
			for b.Loop() {
				if _, err := s.Lookup(b.Context(), bc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLookupEventIDCrowded measures a lookup by EventId among 10,000
// events of one account in one second (a busy server's second): the
// id's second's postings are read and the ids of its records compared.
func BenchmarkLookupEventIDCrowded(b *testing.B) {
	s, err := OpenWith(b.Context(), filepath.Join(b.TempDir(), FileName), Options{Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(5, 6))
	entries := make([]trail.Entry, 10_000)
	for i := range entries {
		entries[i] = benchEntry(r, 0, 1)
		entries[i].Account, entries[i].Management = benchAccount, true
	}
	if err := s.Write(b.Context(), entries); err != nil {
		b.Fatal(err)
	}
	q := trail.Query{Account: benchAccount, Key: trail.ByEventID, Value: entries[len(entries)/2].EventID, Limit: 50}
	if p, err := s.Lookup(b.Context(), q); err != nil || len(p.Entries) != 1 {
		b.Fatalf("lookup: %v, %v", p.Entries, err)
	}
	for b.Loop() {
		if _, err := s.Lookup(b.Context(), q); err != nil {
			b.Fatal(err)
		}
	}
}

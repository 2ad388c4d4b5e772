package trail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// Shapes like the generated api types: required members are values,
// optional ones pointers.
type credentials struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

type assumeRoleResponse struct {
	Credentials     *credentials
	SourceIdentity  *string
	PackedPolicy    *int32
	AssumedRoleUser *struct{ Arn string }
}

type createAccountRequest struct {
	Email       string
	AccountName string
	RoleName    *string
	Tags        []tag
}

type tag struct{ Key, Value string }

type loginProfileRequest struct {
	UserName              *string
	Password              *string
	PasswordResetRequired *bool
}

func redaction() Redaction {
	r := Redaction{}
	r.Add(credentials{}, map[string][]string{
		"credentials":          {"SecretAccessKey"},
		"createAccountRequest": {"Email", "AccountName"},
		"loginProfileRequest":  {"Password"},
	})
	return r
}

func ptr[T any](v T) *T { return &v }

// Params writes members as CloudTrail does: lower-case first letter, unset
// members left out, timestamps in CloudTrail's layout, credentials left out
// and other sensitive values hidden (IAM User Guide,
// cloudtrail-integration.md: AssumeRole's responseElements; the sign-in
// example's HIDDEN_DUE_TO_SECURITY_REASONS).
func TestParams(t *testing.T) {
	r := redaction()
	exp := time.Date(2023, 7, 18, 16, 7, 39, 0, time.UTC)
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"assume role response", &assumeRoleResponse{
			Credentials:     &credentials{AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "s3cr3t", SessionToken: "t0k3n", Expiration: exp},
			SourceIdentity:  ptr("JohnDoe"),
			AssumedRoleUser: &struct{ Arn string }{Arn: "arn:aws:sts::111122223333:assumed-role/R/s"},
		}, `{"assumedRoleUser":{"arn":"arn:aws:sts::111122223333:assumed-role/R/s"},"credentials":{"accessKeyId":"ASIAEXAMPLE","expiration":"Jul 18, 2023, 4:07:39 PM"},"sourceIdentity":"JohnDoe"}`},
		{"personal data hidden", &createAccountRequest{Email: "a@example.com", AccountName: "Prod", RoleName: ptr("Admin"), Tags: []tag{{"k", "v"}}},
			`{"accountName":"HIDDEN_DUE_TO_SECURITY_REASONS","email":"HIDDEN_DUE_TO_SECURITY_REASONS","roleName":"Admin","tags":[{"key":"k","value":"v"}]}`},
		{"password left out, false kept", &loginProfileRequest{UserName: ptr("bob"), Password: ptr("hunter2!"), PasswordResetRequired: ptr(false)},
			`{"passwordResetRequired":false,"userName":"bob"}`},
		{"nothing set", &loginProfileRequest{}, `null`},
		{"nil", nil, `null`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := r.Params(c.in)
			if got == nil {
				got = json.RawMessage("null")
			}
			if string(got) != c.want {
				t.Errorf("Params =\n %s\nwant\n %s", got, c.want)
			}
		})
	}
}

func testBuilder() *Builder {
	var n atomic.Int64
	return &Builder{Redaction: redaction(), NewID: func() string { return fmt.Sprintf("id-%d", n.Add(1)) }}
}

func userCaller() *identity.Caller {
	return &identity.Caller{
		Principal: policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::777788889999:user/JohnDoe", Account: "777788889999"},
		Account:   "777788889999", UserName: "JohnDoe", UserID: "AIDAQRSTUVWXYZEXAMPLE", AccessKeyID: "AKIAQRSTUVWXYZEXAMPLE",
		Region: "us-east-2",
	}
}

// A cross-account AssumeRole is recorded in both accounts with one
// sharedEventID; the role's account sees the caller as an AWSAccount (IAM
// User Guide, cloudtrail-integration.md, "Example cross-account AWS STS API
// events").
func TestEventsCrossAccount(t *testing.T) {
	b := testBuilder()
	at := time.Date(2014, 7, 18, 15, 7, 39, 0, time.UTC)
	entries, err := b.Events(&Call{
		RequestID: "req-1", Time: at, Service: "sts", Operation: "AssumeRole", Caller: userCaller(),
		Region: "us-east-2", SourceIP: "192.0.2.101", UserAgent: "aws-cli/2",
		Input:           &struct{ RoleArn, RoleSessionName string }{"arn:aws:iam::111122223333:role/EC2-dev", "JohnDoe-EC2-dev"},
		Output:          &assumeRoleResponse{Credentials: &credentials{AccessKeyId: "ASIAX", SecretAccessKey: "sk", SessionToken: "tok"}},
		Resources:       []Resource{{ARN: "arn:aws:iam::111122223333:role/EC2-dev", AccountID: "111122223333", Type: "AWS::IAM::Role"}},
		ResourceAccount: "111122223333", Management: true,
	})
	if err != nil || len(entries) != 2 {
		t.Fatalf("Events = %d entries, %v; want 2", len(entries), err)
	}
	var mine, theirs Event
	if err := json.Unmarshal(entries[0].JSON, &mine); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(entries[1].JSON, &theirs); err != nil {
		t.Fatal(err)
	}
	if mine.SharedEventID == "" || mine.SharedEventID != theirs.SharedEventID || mine.EventID == theirs.EventID {
		t.Errorf("shared %q/%q, ids %q/%q", mine.SharedEventID, theirs.SharedEventID, mine.EventID, theirs.EventID)
	}
	if mine.RecipientAccountID != "777788889999" || theirs.RecipientAccountID != "111122223333" {
		t.Errorf("recipients %s, %s", mine.RecipientAccountID, theirs.RecipientAccountID)
	}
	if mine.UserIdentity.Type != "IAMUser" || mine.UserIdentity.UserName != "JohnDoe" || theirs.UserIdentity.Type != "AWSAccount" ||
		theirs.UserIdentity.AccountID != "777788889999" || theirs.UserIdentity.ARN != "" {
		t.Errorf("identities %+v / %+v", mine.UserIdentity, theirs.UserIdentity)
	}
	if mine.EventTime != "2014-07-18T15:07:39Z" || mine.EventSource != "sts.amazonaws.com" || mine.EventType != "AwsApiCall" ||
		!mine.ManagementEvent || mine.EventCategory != "Management" {
		t.Errorf("event %+v", mine)
	}
	for _, e := range entries {
		for _, secret := range []string{"sk", "tok"} {
			if bytes.Contains(e.JSON, []byte(`"`+secret+`"`)) {
				t.Errorf("secret %q in %s", secret, e.JSON)
			}
		}
	}
	if entries[0].Username != "JohnDoe" || entries[0].Principal != "arn:aws:iam::777788889999:user/JohnDoe" || entries[1].Username != "" {
		t.Errorf("index fields %+v / %+v", entries[0], entries[1])
	}
}

// Reads have responseElements null (cloudtrail-integration.md,
// GetUserPolicy); a denied request carries Gatehouse's reason in
// additionalEventData; a role session names its issuer.
func TestEventsReadDeniedSession(t *testing.T) {
	b := testBuilder()
	c := &identity.Caller{
		Principal: policy.Principal{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::111111111111:assumed-role/JohnRole1/s1",
			RoleARN: "arn:aws:iam::111111111111:role/JohnRole1", Account: "111111111111"},
		Account: "111111111111", UserID: "AROAIN5ATK5U7KEXAMPLE:s1", SessionName: "s1", AccessKeyID: "ASIAEXAMPLE",
		TokenIssueTime: time.Date(2019, 10, 2, 21, 50, 54, 0, time.UTC), SourceIdentity: "JohnDoe",
	}
	entries, err := b.Events(&Call{Time: time.Now(), Service: "iam", Operation: "GetUser", Caller: c, ReadOnly: true, Management: true,
		Output: &struct{ UserName string }{"x"}, ErrorCode: "AccessDenied", ErrorMessage: "User: … is not authorized",
		Denied: &Decision{Action: "iam:GetUser", Resource: "arn:aws:iam::111111111111:user/x", Reason: "ImplicitDeny: because no identity-based policy allows the iam:GetUser action"}})
	if err != nil || len(entries) != 1 {
		t.Fatalf("Events = %v, %v", entries, err)
	}
	var ev map[string]any
	if err := json.Unmarshal(entries[0].JSON, &ev); err != nil {
		t.Fatal(err)
	}
	if ev["responseElements"] != nil || ev["readOnly"] != true || ev["errorCode"] != "AccessDenied" {
		t.Errorf("event %s", entries[0].JSON)
	}
	if !strings.Contains(string(entries[0].JSON), `"gatehouseDecision":{"action":"iam:GetUser"`) {
		t.Errorf("no decision in %s", entries[0].JSON)
	}
	ui := ev["userIdentity"].(map[string]any)
	sc := ui["sessionContext"].(map[string]any)
	issuer := sc["sessionIssuer"].(map[string]any)
	if ui["type"] != "AssumedRole" || issuer["arn"] != "arn:aws:iam::111111111111:role/JohnRole1" || issuer["principalId"] != "AROAIN5ATK5U7KEXAMPLE" ||
		issuer["userName"] != "JohnRole1" || sc["sourceIdentity"] != "JohnDoe" ||
		sc["attributes"].(map[string]any)["creationDate"] != "2019-10-02T21:50:54Z" {
		t.Errorf("userIdentity %v", ui)
	}
	if entries[0].Username != "s1" || entries[0].Principal != "arn:aws:iam::111111111111:role/JohnRole1" {
		t.Errorf("entry %+v", entries[0])
	}
}

// Calls that cannot be attributed to an account are not recorded; a key
// that failed authentication is recorded in its account.
func TestEventsUnattributed(t *testing.T) {
	b := testBuilder()
	if e, err := b.Events(&Call{Service: "iam", Operation: "GetUser", ErrorCode: "InvalidClientTokenId"}); err != nil || len(e) != 0 {
		t.Errorf("unknown key: %v, %v", e, err)
	}
	e, err := b.Events(&Call{Service: "iam", Operation: "GetUser", ErrorCode: "InvalidClientTokenId", KeyID: "AKIAOLD", KeyAccount: "123456789012"})
	if err != nil || len(e) != 1 || e[0].Account != "123456789012" || e[0].AccessKeyID != "AKIAOLD" {
		t.Errorf("known key: %+v, %v", e, err)
	}
}

func TestResourceOf(t *testing.T) {
	for arn, typ := range map[string]string{
		"arn:aws:iam::123456789012:user/division/bob":               "AWS::IAM::User",
		"arn:aws:iam::123456789012:role/R":                          "AWS::IAM::Role",
		"arn:aws:s3:::bucket":                                       "AWS::S3::Bucket",
		"arn:aws:s3:::bucket/a/b.txt":                               "AWS::S3::Object",
		"arn:aws:organizations::123456789012:ou/o-abc/ou-abc-12345": "AWS::Organizations::OrganizationalUnit",
	} {
		if r, ok := ResourceOf(arn); !ok || r.Type != typ {
			t.Errorf("ResourceOf(%s) = %+v, %v; want %s", arn, r, ok, typ)
		}
	}
	if _, ok := ResourceOf("*"); ok {
		t.Error("ResourceOf(*) ok")
	}
}

// memStore is a Store in memory for the recorder's tests: Append can be
// made to fail or to block.
type memStore struct {
	mu      sync.Mutex
	entries []Entry
	appends int
	fail    error
	block   chan struct{}
}

func (m *memStore) Append(ctx context.Context, es []Entry) error {
	if m.block != nil {
		select {
		case <-m.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.appends++
	for _, e := range es {
		e.JSON = bytes.Clone(e.JSON) // the caller may reuse it (Store)
		m.entries = append(m.entries, e)
	}
	return nil
}

func (m *memStore) Lookup(context.Context, Query) (Page, error)               { return Page{}, nil }
func (m *memStore) DeleteBefore(context.Context, time.Time, int) (int, error) { return 0, nil }
func (m *memStore) Close() error                                              { return nil }

// runRecorder returns a recorder over st whose Run goes on until stop,
// which returns once Run has.
func runRecorder(t *testing.T, st Store, opts RecorderOptions) (r *Recorder, stop func()) {
	t.Helper()
	r, _ = NewRecorder(st, opts)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	return r, func() { cancel(); <-done }
}

// Concurrent calls are committed in shared batches, each returning only
// once its entries are stored; the export receives each committed entry as
// a JSON line.
func TestRecorderGroupCommit(t *testing.T) {
	st := &memStore{}
	var export bytes.Buffer
	r, stop := runRecorder(t, st, RecorderOptions{Export: &export})
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := r.Record(t.Context(), []Entry{{EventID: fmt.Sprint(i), JSON: []byte(fmt.Sprintf(`{"i":%d}`, i))}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	stop()
	if len(st.entries) != n {
		t.Fatalf("stored %d entries, want %d", len(st.entries), n)
	}
	if lines := strings.Count(export.String(), "\n"); lines != n {
		t.Errorf("exported %d lines, want %d", lines, n)
	}
	t.Logf("%d entries in %d transactions", n, st.appends)
	if err := r.Record(t.Context(), []Entry{{}}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Record after Run = %v, want ErrUnavailable", err)
	}
}

// Events built concurrently, recorded in shared batches and released as
// the server releases them (their JSON reused by the events built next)
// are stored and exported intact: each record is its own call's, once.
func TestRecorderReleaseKeepsRecordsIntact(t *testing.T) {
	st := &memStore{}
	var export bytes.Buffer
	r, stop := runRecorder(t, st, RecorderOptions{Export: &export})
	b := testBuilder()
	const workers, calls = 16, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				c := &Call{Service: "iam", Operation: "CreateUser", Caller: userCaller(), RequestID: fmt.Sprintf("req-%d-%d", w, i),
					Input: &createAccountRequest{Email: "x", AccountName: "y", Tags: []tag{{Key: "k", Value: fmt.Sprintf("v-%d-%d", w, i)}}}}
				es, err := b.Events(c)
				if err != nil {
					t.Error(err)
					return
				}
				if err := r.Record(t.Context(), es); err != nil {
					t.Error(err)
					return
				}
				b.Release(es)
			}
		})
	}
	wg.Wait()
	stop()
	check := func(what string, records [][]byte) {
		t.Helper()
		seen := map[string]bool{}
		for _, js := range records {
			var ev struct {
				RequestID         string
				RequestParameters struct{ Tags []tag }
			}
			if err := json.Unmarshal(js, &ev); err != nil {
				t.Fatalf("%s: a record is not JSON (%v): %s", what, err, js)
			}
			if want := "v" + strings.TrimPrefix(ev.RequestID, "req"); len(ev.RequestParameters.Tags) != 1 || ev.RequestParameters.Tags[0].Value != want {
				t.Fatalf("%s: record of %s holds %+v, want its own tag %s", what, ev.RequestID, ev.RequestParameters.Tags, want)
			}
			if seen[ev.RequestID] {
				t.Fatalf("%s: %s twice", what, ev.RequestID)
			}
			seen[ev.RequestID] = true
		}
		if len(seen) != workers*calls {
			t.Fatalf("%s: %d records, want %d", what, len(seen), workers*calls)
		}
	}
	var stored [][]byte
	for _, e := range st.entries {
		stored = append(stored, e.JSON)
	}
	check("stored", stored)
	check("exported", bytes.Split(bytes.TrimSuffix(export.Bytes(), []byte("\n")), []byte("\n")))
}

// A trail that cannot be written fails the calls waiting on it (the server
// then answers 503, never an unrecorded success), and a stalled one fails
// them at their deadline.
func TestRecorderFailsClosed(t *testing.T) {
	st := &memStore{fail: errors.New("disk full")}
	r, _ := NewRecorder(st, RecorderOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go r.Run(ctx)
	if err := r.Record(t.Context(), []Entry{{EventID: "a"}}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Record with a failing store = %v, want ErrUnavailable", err)
	}
	stalled := &memStore{block: make(chan struct{})}
	defer close(stalled.block)
	r2, _ := NewRecorder(stalled, RecorderOptions{Timeout: time.Minute})
	go r2.Run(ctx)
	dctx, dcancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer dcancel()
	if err := r2.Record(dctx, []Entry{{EventID: "b"}}); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Record with a stalled store = %v, want ErrUnavailable and the deadline", err)
	}
}

// Index fields are valid UTF-8 without NUL (PostgreSQL's text refuses
// both: one S3 key holding them would fail a whole batch); the record's
// JSON keeps the value, escaped.
func TestEventsIndexableFields(t *testing.T) {
	b := testBuilder()
	key := "arn:aws:s3:::b/a\x00b\xff"
	e, err := b.Events(&Call{Service: "s3", Operation: "PutObject", Caller: userCaller(),
		Resources: []Resource{{ARN: key, Type: "AWS::S3::Object"}}})
	if err != nil || len(e) != 1 {
		t.Fatalf("Events = %v, %v", e, err)
	}
	if got := e[0].Resources[0].ARN; got != "arn:aws:s3:::b/a\uFFFDb\uFFFD" {
		t.Errorf("indexed ARN %q", got)
	}
	if !strings.Contains(string(e[0].JSON), `a\u0000b`) {
		t.Errorf("record lost the value: %s", e[0].JSON)
	}
}

// hungStore is a Store whose Append hangs, deaf to its context (a disk
// that does not answer), until release is closed.
type hungStore struct {
	memStore
	release chan struct{}
	entered chan struct{}
}

func (h *hungStore) Append(ctx context.Context, es []Entry) error {
	h.entered <- struct{}{}
	<-h.release
	return h.memStore.Append(ctx, es)
}

// With no deadline of the caller's, every wait of Record is bounded by the
// recorder's Timeout: a call queued behind a write that hangs (deaf to its
// context) fails with ErrUnavailable and DeadlineExceeded, and a call that
// finds the queue full too.
func TestRecorderBoundsWaitsWithoutDeadline(t *testing.T) {
	st := &hungStore{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	r, stop := runRecorder(t, st, RecorderOptions{Timeout: 50 * time.Millisecond, Queue: 2})
	defer stop()
	leader := make(chan error, 1)
	go func() { leader <- r.Record(context.Background(), []Entry{{EventID: "a"}}) }()
	<-st.entered // the leader's write hangs
	if err := r.Record(context.Background(), []Entry{{EventID: "b"}}); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a call behind a hung write = %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	// A follower that stays queued holds the second slot: the queue is full.
	follower := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		follower <- r.Record(ctx, []Entry{{EventID: "c"}})
	}()
	for queued := 0; queued == 0; {
		runtime.Gosched()
		r.mu.Lock()
		queued = len(r.queue)
		r.mu.Unlock()
	}
	if err := r.Record(context.Background(), []Entry{{EventID: "d"}}); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a call finding the queue full = %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	close(st.release)
	if err := <-leader; err != nil {
		t.Errorf("the hung write, released: %v", err)
	}
	<-st.entered
	if err := <-follower; err != nil {
		t.Errorf("the follower after the release: %v", err)
	}
}

// directStore is a DirectWriter in memory: it notes each Write.
type directStore struct {
	memStore
	writes atomic.Int32
	fail   error
}

func (d *directStore) Write(ctx context.Context, es []Entry) error {
	d.writes.Add(1)
	if d.fail != nil {
		return d.fail
	}
	return d.memStore.Append(ctx, es)
}
func (d *directStore) Flush(context.Context) error { return nil }
func (d *directStore) Direct() bool                { return true }

// Over a DirectWriter each call is one Write of its own entries (no group
// commit), a failure is ErrUnavailable, and calls after Run fail; with an
// export the recorder batches as before (the export keeps the order of
// the batches).
func TestRecorderDirect(t *testing.T) {
	st := &directStore{}
	r, stop := runRecorder(t, st, RecorderOptions{})
	const n = 100
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := r.Record(t.Context(), []Entry{{EventID: fmt.Sprint(i)}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := st.writes.Load(); got != n || len(st.entries) != n {
		t.Errorf("%d writes storing %d entries for %d calls, want one write per call", got, len(st.entries), n)
	}
	st.fail = errors.New("disk on fire")
	if err := r.Record(t.Context(), []Entry{{EventID: "x"}}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("a failing write = %v, want ErrUnavailable", err)
	}
	stop()
	if err := r.Record(t.Context(), []Entry{{EventID: "y"}}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Record after Run = %v, want ErrUnavailable", err)
	}

	exported := &directStore{}
	var export bytes.Buffer
	r2, stop2 := runRecorder(t, exported, RecorderOptions{Export: &export})
	defer stop2()
	if r2.direct {
		t.Error("a recorder with an export writes directly: its lines would not follow the trail's order")
	}
	if err := r2.Record(t.Context(), []Entry{{EventID: "z", JSON: []byte(`{}`)}}); err != nil || export.String() != "{}\n" {
		t.Errorf("Record with an export = %v, export %q", err, export.String())
	}
}

// Sessions created in different seconds, their requests interleaved, each
// have their own creationDate (the Builder keeps the last one it wrote).
func TestCreationDateOfEachSession(t *testing.T) {
	b := testBuilder()
	session := func(created time.Time) *identity.Caller {
		return &identity.Caller{
			Principal: policy.Principal{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::111111111111:assumed-role/R/s",
				RoleARN: "arn:aws:iam::111111111111:role/R", Account: "111111111111"},
			Account: "111111111111", UserID: "AROAEXAMPLE:s", SessionName: "s", AccessKeyID: "ASIAEXAMPLE", TokenIssueTime: created,
		}
	}
	first := time.Date(2026, 12, 7, 10, 0, 0, 999_000_000, time.UTC)
	callers := []*identity.Caller{session(first), session(first.Add(time.Second)), session(first.In(time.FixedZone("X", 3600))),
		session(first.Add(-time.Hour))}
	want := []string{"2026-12-07T10:00:00Z", "2026-12-07T10:00:01Z", "2026-12-07T10:00:00Z", "2026-12-07T09:00:00Z"}
	for round := range 2 {
		for i, c := range callers {
			entries, err := b.Events(&Call{Time: time.Now(), Service: "iam", Operation: "GetUser", Caller: c, ReadOnly: true, Management: true})
			if err != nil || len(entries) != 1 {
				t.Fatalf("Events = %v, %v", entries, err)
			}
			if !strings.Contains(string(entries[0].JSON), `"creationDate":"`+want[i]+`"`) {
				t.Errorf("round %d, session %d: want creationDate %s in %s", round, i, want[i], entries[0].JSON)
			}
		}
	}
}

package server_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/store"
)

// A directory like a real one, for the cold-principal benchmarks: users
// spread over directoryAccounts accounts, each user with an inline policy
// of its own, two of its account's customer managed policies attached, one
// of its account's groups (each group with an inline policy, a customer
// managed policy and the AWS managed IAMReadOnlyAccess attached, which
// allows the user's GetUser), one access key, and every tenth user a
// permissions boundary.
const (
	directoryAccounts = 4
	directoryPolicies = 50 // customer managed policies per account
	directoryGroups   = 20 // groups per account
)

// directoryAccount is the id of the i-th account of the directory.
func directoryAccount(i int) string { return fmt.Sprintf("2000000000%02d", i) }

// directoryUser names the i-th user of the directory: its account, name and
// access key.
func directoryUser(i int) (account, name, keyID, secret string) {
	const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var k [12]byte
	for j, n := len(k)-1, i; j >= 0; j-- {
		k[j] = b32[n%32]
		n /= 32
	}
	return directoryAccount(i % directoryAccounts), fmt.Sprintf("dir-user-%06d", i), "AKIASEED" + string(k[:]), fmt.Sprintf("seed/secret/%028d", i)
}

// seedDirectory returns a testserver seed writing users users as above.
func seedDirectory(users int) func(ctx context.Context, st store.Store, keys *keyring.Keyring) error {
	return func(ctx context.Context, st store.Store, keys *keyring.Keyring) error {
		// Each batch may take longer than the store's default deadline on
		// a loaded machine; the whole seed is bounded instead.
		ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
		defer cancel()
		now := time.Now().UTC().Truncate(time.Second)
		doc := func(action, resource string) string {
			return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
		}
		err := st.Update(ctx, func(tx store.Tx) error {
			for a := range directoryAccounts {
				acct := directoryAccount(a)
				if err := store.CreateJSON(ctx, tx, store.KindAccount, "", acct, store.Account{ID: acct, Name: "directory-" + acct, CreateDate: now}); err != nil {
					return err
				}
				for p := range directoryPolicies + 1 {
					name := "team-" + strconv.Itoa(p)
					d := doc("s3:*", "arn:aws:s3:::team-"+strconv.Itoa(p)+"-"+acct+"/*")
					if p == directoryPolicies {
						name, d = "boundary", doc("*", "*")
					}
					parn := arn.Policy(acct, "/", name)
					mp := store.ManagedPolicy{ID: fmt.Sprintf("ANPADIR%02d%011d", a, p), Name: name, Path: "/", ARN: parn, DefaultVersionID: "v1", CreateDate: now, UpdateDate: now, NextVersion: 2}
					if err := store.PutJSON(ctx, tx, store.KindPolicy, acct, store.PolicyKey(name), mp); err != nil {
						return err
					}
					v := store.PolicyVersion{PolicyARN: parn, VersionID: "v1", IsDefault: true, CreateDate: now, Document: d}
					if err := store.PutJSON(ctx, tx, store.KindPolicyVersion, acct, store.PolicyVersionKey(name, "v1"), v); err != nil {
						return err
					}
				}
				for g := range directoryGroups {
					name := "group-" + strconv.Itoa(g)
					gr := store.Group{ID: fmt.Sprintf("AGPADIR%02d%011d", a, g), Name: name, Path: "/", ARN: arn.Group(acct, "/", name), CreateDate: now}
					if err := store.PutJSON(ctx, tx, store.KindGroup, acct, store.GroupKey(name), gr); err != nil {
						return err
					}
					ip := store.InlinePolicy{OwnerKind: store.EntityGroup, OwnerName: name, PolicyName: "shared", Document: doc("sqs:*", "arn:aws:sqs:us-east-1:"+acct+":"+name+"-*")}
					if err := store.PutJSON(ctx, tx, store.KindInlinePolicy, acct, store.InlinePolicyKey(store.EntityGroup, name, "shared"), ip); err != nil {
						return err
					}
					if err := attach(ctx, tx, acct, store.EntityGroup, name, acct, "team-"+strconv.Itoa(g)); err != nil {
						return err
					}
					if err := attach(ctx, tx, acct, store.EntityGroup, name, store.AWSAccount, "IAMReadOnlyAccess"); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		const batch = 500
		for start := 0; start < users; start += batch {
			err := st.Update(ctx, func(tx store.Tx) error {
				for i := start; i < min(start+batch, users); i++ {
					acct, name, keyID, secret := directoryUser(i)
					u := store.User{ID: fmt.Sprintf("AIDADIR%013d", i), Name: name, Path: "/", ARN: arn.User(acct, "/", name), CreateDate: now}
					if i%10 == 0 {
						u.PermissionsBoundaryARN = arn.Policy(acct, "/", "boundary")
						if err := store.PutJSON(ctx, tx, store.KindPolicyAttachment, acct, store.PolicyAttachmentKey(acct, "boundary", store.EntityUser, name), store.Attachment{PolicyARN: u.PermissionsBoundaryARN, EntityKind: store.EntityUser, EntityName: name}); err != nil {
							return err
						}
					}
					if err := store.PutJSON(ctx, tx, store.KindUser, acct, store.UserKey(name), u); err != nil {
						return err
					}
					ip := store.InlinePolicy{OwnerKind: store.EntityUser, OwnerName: name, PolicyName: "home", Document: doc("s3:*", "arn:aws:s3:::home/"+name+"/*")}
					if err := store.PutJSON(ctx, tx, store.KindInlinePolicy, acct, store.InlinePolicyKey(store.EntityUser, name, "home"), ip); err != nil {
						return err
					}
					for _, p := range []int{i % directoryPolicies, (i*7 + 3) % directoryPolicies} {
						if err := attach(ctx, tx, acct, store.EntityUser, name, acct, "team-"+strconv.Itoa(p)); err != nil {
							return err
						}
					}
					group := "group-" + strconv.Itoa(i%directoryGroups)
					m := store.GroupMembership{GroupName: group, UserName: name}
					if err := store.PutJSON(ctx, tx, store.KindMembership, acct, store.MembershipKey(group, name), m); err != nil {
						return err
					}
					if err := store.PutJSON(ctx, tx, store.KindUserMembership, acct, store.UserMembershipKey(name, group), m); err != nil {
						return err
					}
					sealed, err := keys.Seal([]byte(secret), []byte(keyID))
					if err != nil {
						return err
					}
					k := store.AccessKey{ID: keyID, Account: acct, UserName: name, SecretCiphertext: sealed, Status: store.StatusActive, CreateDate: now}
					if err := store.PutJSON(ctx, tx, store.KindAccessKey, "", keyID, k); err != nil {
						return err
					}
					if err := store.PutJSON(ctx, tx, store.KindUserAccessKey, acct, store.UserAccessKeyKey(name, keyID), store.AccessKeyRef{AccessKeyID: keyID}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("seeding users from %d: %w", start, err)
			}
		}
		return nil
	}
}

// attach attaches the managed policy pname of pacct (an account, or
// store.AWSAccount) to an entity, both ways, as IAM does.
func attach(ctx context.Context, tx store.Tx, account string, kind store.EntityKind, name, pacct, pname string) error {
	parn := "arn:aws:iam::aws:policy/" + pname
	if pacct != store.AWSAccount {
		parn = arn.Policy(pacct, "/", pname)
	}
	a := store.Attachment{PolicyARN: parn, EntityKind: kind, EntityName: name}
	if err := store.PutJSON(ctx, tx, store.KindAttachment, account, store.AttachmentKey(kind, name, pacct, pname), a); err != nil {
		return err
	}
	return store.PutJSON(ctx, tx, store.KindPolicyAttachment, account, store.PolicyAttachmentKey(pacct, pname, kind, name), a)
}

// directoryUsers is how many users the cold-principal benchmarks seed:
// 100,000, or GATEHOUSE_BENCH_USERS.
func directoryUsers() int {
	if v, err := strconv.Atoi(os.Getenv("GATEHOUSE_BENCH_USERS")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

// asUser is a per-call option signing with the i-th directory user's key.
func asUser(i int) func(*awsiam.Options) {
	_, _, keyID, secret := directoryUser(i)
	creds := credentials.NewStaticCredentialsProvider(keyID, secret, "")
	return func(o *awsiam.Options) { o.Credentials = creds }
}

// BenchmarkColdPrincipal measures the first authorized request of a
// principal the server has not seen since it started, end to end (the SDK
// signs GetUser, the server authenticates, loads and compiles the user's
// policies — its own, its group's, the managed ones attached, its boundary
// —, authorizes, answers, the SDK reads the answer), in a server whose store
// (SQLite) holds 100,000 users (GATEHOUSE_BENCH_USERS) over four accounts.
// Each of 1,200 distinct users sends two requests in a row, one at a time:
// the first cold, the second warm, the same-run baseline. It reports the
// median and p90 of each.
//
//	go test ./server -run '^$' -bench ColdPrincipal -benchtime 1x -count 5
func BenchmarkColdPrincipal(b *testing.B) {
	users := directoryUsers()
	srv := testserver.StartWith(b, testserver.Options{Seed: seedDirectory(users)})
	c := srv.RootIAM()
	ctx := context.Background()
	const sample = 1200
	if users < sample {
		b.Fatalf("%d users: at least %d needed", users, sample)
	}
	var cold, warm []time.Duration
	next := 0
	for b.Loop() {
		for range sample {
			// A stride prime to the user count visits distinct users
			// spread over the accounts and groups.
			i := (next * 7919) % users
			next++
			opt := asUser(i)
			for pass := range 2 {
				start := time.Now()
				if _, err := c.GetUser(ctx, &awsiam.GetUserInput{}, opt); err != nil {
					b.Fatalf("user %d: %v", i, err)
				}
				if pass == 0 {
					cold = append(cold, time.Since(start))
				} else {
					warm = append(warm, time.Since(start))
				}
			}
		}
	}
	reportQuantiles(b, "cold", cold)
	reportQuantiles(b, "warm", warm)
}

// reportQuantiles reports the median and p90 of ds in µs.
func reportQuantiles(b *testing.B, name string, ds []time.Duration) {
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "µs-"+name+"-p50")
	b.ReportMetric(float64(ds[len(ds)*9/10].Microseconds()), "µs-"+name+"-p90")
}

// BenchmarkPrincipalsRSS has every one of the directory's 100,000 users
// (GATEHOUSE_BENCH_USERS) send one signed GetUser, 8 at a time, then a
// skewed second pass (a tenth of the users make most requests), with the
// server's background work running as serve runs it (the directory's poll
// of the change feed, the access keys' last-used flusher). It reports the
// process's resident set before the first request and after each pass, the
// Go heap in use after a collection (heap-MB-passN: the spans in use;
// live-MB-passN: the objects in them) and what the runtime
// holds from the OS (go-MB-passN: the rest of the resident set is SQLite's
// memory and the binary), and the policy-set cache's hit rate on the second
// pass.
//
// The client (aws-sdk-go-v2) runs beside the server, as a load generator
// does: each pass runs in a child process (this test binary, see
// TestMain), whose own resident set is reported as client-rss-MB, so the
// process's figures are the server's alone. With
// GATEHOUSE_BENCH_RSS_CLIENT=inprocess the client runs in the benchmark's
// process instead, and its memory counts in the figures (the first
// measurements of issue 17, before session 11, were taken so). GATEHOUSE_BENCH_HEAPPROFILE=PREFIX writes the heap profile after
// each pass's collection to PREFIX-pass1.pprof and PREFIX-pass2.pprof.
//
// The figures of each pass are read right after its collection, before the
// runtime has returned the heap freed by it (idle-unreleased). With
// GATEHOUSE_BENCH_RSS_SETTLE=DURATION (such as 10s) the benchmark then
// waits, the server idle but for its background work, and reports the
// resident set and the Go memory once more (rss-MB-settled,
// go-MB-settled): what a server shows a little while after a burst, once
// the scavenger has returned what the heap's goal no longer needs.
//
//	go test ./server -run '^$' -bench PrincipalsRSS -benchtime 1x
func BenchmarkPrincipalsRSS(b *testing.B) {
	users := directoryUsers()
	srv := testserver.StartWith(b, testserver.Options{Seed: seedDirectory(users), NoTrail: os.Getenv("GATEHOUSE_BENCH_RSS_NOTRAIL") != ""})
	ctx, stop := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	bg.Go(func() { srv.Directory.Run(ctx, time.Second) })
	bg.Go(func() { srv.HTTP.RunKeyUseFlusher(ctx, time.Second) })
	b.Cleanup(func() { stop(); bg.Wait() })
	inProcess := os.Getenv("GATEHOUSE_BENCH_RSS_CLIENT") == "inprocess"
	var c *awsiam.Client
	if inProcess {
		c = srv.RootIAM()
	}
	profile := os.Getenv("GATEHOUSE_BENCH_HEAPPROFILE")
	debug.FreeOSMemory()
	startRSS := rssKB()
	var hits0, misses0 uint64
	clientKB := 0
	for b.Loop() {
		for pass := range 2 {
			s := srv.Directory.CacheStats()
			hits0, misses0 = s.Hits, s.Misses
			if inProcess {
				if err := principalsPass(ctx, c, users, pass); err != nil {
					b.Fatal(err)
				}
			} else {
				kb, err := principalsPassProcess(ctx, srv.URL, users, pass)
				if err != nil {
					b.Fatal(err)
				}
				clientKB = max(clientKB, kb)
			}
			runtime.GC()
			n := strconv.Itoa(pass + 1)
			if profile != "" {
				writeHeapProfile(b, profile+"-pass"+n+".pprof")
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			b.ReportMetric(float64(rssKB())/1024, "rss-MB-pass"+n)
			b.ReportMetric(float64(m.HeapInuse)/(1<<20), "heap-MB-pass"+n)
			b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "live-MB-pass"+n)
			b.ReportMetric(float64(m.Sys-m.HeapReleased)/(1<<20), "go-MB-pass"+n)
			if os.Getenv("GATEHOUSE_BENCH_RSS_DETAIL") != "" {
				reportMemoryClasses(b, "-pass"+n)
			}
		}
	}
	s := srv.Directory.CacheStats()
	hits, misses := s.Hits-hits0, s.Misses-misses0
	if v := os.Getenv("GATEHOUSE_BENCH_RSS_SETTLE"); v != "" {
		wait, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("GATEHOUSE_BENCH_RSS_SETTLE: %v", err)
		}
		time.Sleep(wait)
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(rssKB())/1024, "rss-MB-settled")
		b.ReportMetric(float64(m.Sys-m.HeapReleased)/(1<<20), "go-MB-settled")
		if os.Getenv("GATEHOUSE_BENCH_RSS_DETAIL") != "" {
			reportMemoryClasses(b, "-settled")
		}
	}
	b.ReportMetric(float64(startRSS)/1024, "rss-MB-start")
	b.ReportMetric(100*float64(hits)/float64(hits+misses), "hit-%")
	if !inProcess {
		b.ReportMetric(float64(clientKB)/1024, "client-rss-MB")
	}
}

// reportMemoryClasses reports, from runtime/metrics, what the Go runtime
// holds from the OS after a collection, in MB, each metric's name ending in
// suffix: the GC's heap goal (gc-goal), the free space inside spans in use
// (frag: heap-MB − live-MB), the free heap not yet returned to the OS
// (idle-unreleased: the scavenger returns it gradually), stacks, and the
// runtime's metadata (GC bitmaps, spans, page allocator: meta).
func reportMemoryClasses(b *testing.B, suffix string) {
	ms := []metrics.Sample{
		{Name: "/gc/heap/goal:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
		{Name: "/memory/classes/os-stacks:bytes"},
		{Name: "/memory/classes/metadata/other:bytes"},
		{Name: "/memory/classes/metadata/mspan/inuse:bytes"},
		{Name: "/memory/classes/metadata/mspan/free:bytes"},
		{Name: "/memory/classes/metadata/mcache/inuse:bytes"},
		{Name: "/memory/classes/metadata/mcache/free:bytes"},
		{Name: "/memory/classes/other:bytes"},
		{Name: "/memory/classes/profiling/buckets:bytes"},
	}
	metrics.Read(ms)
	v := func(i int) float64 {
		if ms[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return float64(ms[i].Value.Uint64()) / (1 << 20)
	}
	b.ReportMetric(v(0), "gc-goal-MB"+suffix)
	b.ReportMetric(v(1), "frag-MB"+suffix)
	b.ReportMetric(v(2), "idle-unreleased-MB"+suffix)
	b.ReportMetric(v(3)+v(4), "stacks-MB"+suffix)
	b.ReportMetric(v(5)+v(6)+v(7)+v(8)+v(9)+v(10)+v(11), "meta-MB"+suffix)
}

// principalsPass sends the GetUser of one pass of BenchmarkPrincipalsRSS
// through c, 8 at a time: in the first, each user once; in the second, every
// tenth user once and the first tenth of the users nine times each.
func principalsPass(ctx context.Context, c *awsiam.Client, users, pass int) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				if _, err := c.GetUser(ctx, &awsiam.GetUserInput{}, asUser(i)); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("user %d: %w", i, err)
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range users {
		j := i
		if pass == 1 && i%10 != 0 {
			j = i % (users / 10)
		}
		work <- j
	}
	close(work)
	wg.Wait()
	return first
}

// The environment of the client process of BenchmarkPrincipalsRSS.
const (
	rssClientURL   = "GATEHOUSE_BENCH_RSS_CLIENT_URL"
	rssClientUsers = "GATEHOUSE_BENCH_RSS_CLIENT_USERS"
	rssClientPass  = "GATEHOUSE_BENCH_RSS_CLIENT_PASS"
)

// principalsPassProcess runs one pass of BenchmarkPrincipalsRSS in a child
// process against the server at url and returns the child's resident set
// in KB at the end of the pass.
func principalsPassProcess(ctx context.Context, url string, users, pass int) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, self, "-test.run=^$")
	cmd.Env = append(os.Environ(), rssClientURL+"="+url, rssClientUsers+"="+strconv.Itoa(users), rssClientPass+"="+strconv.Itoa(pass))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("client process: %w", err)
	}
	var kb int
	if _, err := fmt.Sscanf(string(out), "client-rss-kb %d", &kb); err != nil {
		return 0, fmt.Errorf("client process printed %q: %w", out, err)
	}
	return kb, nil
}

// runRSSClient is the client process of BenchmarkPrincipalsRSS when the
// environment names a server: it runs one pass and prints its resident set.
func runRSSClient(url string) int {
	users, err := strconv.Atoi(os.Getenv(rssClientUsers))
	if err != nil {
		fmt.Fprintln(os.Stderr, "users:", err)
		return 2
	}
	pass, err := strconv.Atoi(os.Getenv(rssClientPass))
	if err != nil {
		fmt.Fprintln(os.Stderr, "pass:", err)
		return 2
	}
	c := (&testserver.Server{URL: url}).RootIAM()
	if err := principalsPass(context.Background(), c, users, pass); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	runtime.GC()
	fmt.Printf("client-rss-kb %d\n", rssKB())
	return 0
}

// TestMain runs the client process of BenchmarkPrincipalsRSS when the
// environment names a server, and the tests otherwise.
func TestMain(m *testing.M) {
	if url := os.Getenv(rssClientURL); url != "" {
		os.Exit(runRSSClient(url))
	}
	os.Exit(m.Run())
}

// writeHeapProfile writes the heap profile to path.
func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

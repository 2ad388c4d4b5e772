package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse-iam/gatehouse/app"
	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/session/tokenkeys"
	"github.com/gatehouse-iam/gatehouse/store/postgres"
)

// The cluster's management account and root key, fixed as in testserver.
const (
	clusterAccount = "123456789012"
	clusterRootKey = "AKIAIOSFODNN7EXAMPLE"
	clusterRootSec = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// propagationBound is how long a commit on one node may take to be in force
// on another before the test fails; the target (issue 5) is a p99 under
// 500 ms on loopback, which the test reports.
const propagationBound = 2 * time.Second

// node is one in-process Gatehouse server of the cluster, built as
// `gatehouse serve --store` builds it.
type node struct {
	url    string
	store  *postgres.Store
	dir    *authview.Directory
	ring   *tokenkeys.Ring
	master *keyring.Keyring
	stop   func() // stops the node, as a crash or a kill would; idempotent
}

// startCluster starts n nodes over one fresh schema, all at once (so their
// bootstraps race), sharing one master key.
func startCluster(t testing.TB, n int) []*node {
	t.Helper()
	nodes, _, _ := startClusterApp(t, n)
	return nodes
}

// startClusterApp is startCluster that also returns the DSN and the
// application_name the nodes' connections carry (see killConnections).
func startClusterApp(t testing.TB, n int) (nodes []*node, dsn, app string) {
	t.Helper()
	dsn = pgtest.DSN(t)
	schema := freshSchema(t, dsn)
	app = "gh_" + schema[len("gatehouse_test_"):]
	masterKey, err := keyring.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	nodes = make([]*node, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { nodes[i], errs[i] = startNode(t, withAppName(dsn, app), schema, keyring.EncodeKey(masterKey)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
	}
	return nodes, dsn, app
}

func startNode(t testing.TB, dsn, schema, masterKey string) (*node, error) {
	return startNodeTimeout(t, dsn, schema, masterKey, 0)
}

// startNodeTimeout is startNode with the store's timeout (zero: the
// default).
func startNodeTimeout(t testing.TB, dsn, schema, masterKey string, timeout time.Duration) (*node, error) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	keys, err := keyring.Load(keyring.Options{EnvValue: masterKey, Rand: rand.Reader})
	if err != nil {
		return nil, err
	}
	st, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema, Log: log, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { st.Close() })
	// Wired as serve wires it (the session-token ring made by whichever node
	// gets there first), and bootstrapped as serve does: under the
	// cluster-wide lock, after catching up.
	gh, err := app.New(ctx, app.Config{Store: st, Keys: keys, Rand: rand.Reader, Now: time.Now, Log: log, Registry: prometheus.NewRegistry()})
	if err != nil {
		return nil, err
	}
	d, svc, hs := gh.Directory, gh.IAM, gh.Server
	err = st.Exclusive(ctx, "bootstrap", func(ctx context.Context) error {
		if err := d.Sync(ctx); err != nil {
			return err
		}
		_, err := svc.Bootstrap(ctx, iam.BootstrapOptions{AccountID: clusterAccount, RootAccessKeyID: clusterRootKey, RootSecretAccessKey: clusterRootSec})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	bg, stop := context.WithCancel(context.Background())
	var bgWG sync.WaitGroup
	events := make(chan int64, 1)
	bgWG.Go(func() { st.Listen(bg, authview.Wake(events)) })
	bgWG.Go(func() { d.SyncOn(bg, events) })
	bgWG.Go(func() { d.Run(bg, time.Second) })
	bgWG.Go(func() { hs.RunKeyUseFlusher(bg, time.Second) })
	ts := httptest.NewServer(hs.Handler())
	var once sync.Once
	halt := func() {
		once.Do(func() {
			ts.CloseClientConnections()
			ts.Close()
			stop()
			bgWG.Wait()
			st.Close()
		})
	}
	t.Cleanup(halt)
	return &node{url: ts.URL, store: st, dir: d, ring: gh.TokenKeys, master: keys, stop: halt}, nil
}

func (n *node) config(keyID, secret, token string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, token),
		BaseEndpoint: aws.String(n.url),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

func (n *node) iam(keyID, secret string) *awsiam.Client {
	return awsiam.NewFromConfig(n.config(keyID, secret, ""))
}

func (n *node) root() *awsiam.Client { return n.iam(clusterRootKey, clusterRootSec) }

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// eventually retries call until it succeeds (want "") or fails with the AWS
// error code want, and returns how long that took; it fails the test after
// propagationBound.
func eventually(t *testing.T, what, want string, call func() error) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		err := call()
		got := errorCode(err)
		if err != nil && got == "" {
			t.Fatalf("%s: %v", what, err)
		}
		if got == want {
			return time.Since(start)
		}
		if time.Since(start) > propagationBound {
			t.Fatalf("%s: still %q after %v, want %q (last error %v)", what, got, propagationBound, want, err)
		}
		time.Sleep(500 * time.Microsecond)
	}
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

// TestCluster runs three nodes over one database: the first start bootstraps
// once, a key made on one node works on another, a deny put on one node is
// enforced on another within the bound (the delay is measured), and
// concurrent writers on different nodes keep IAM's uniqueness and limits.
func TestCluster(t *testing.T) {
	nodes, dsn, app := startClusterApp(t, 3)
	ctx := t.Context()
	n1, n2, n3 := nodes[0], nodes[1], nodes[2]

	t.Run("BootstrapOnce", func(t *testing.T) {
		for i, n := range nodes {
			var mgmt []string
			for _, a := range n.dir.Accounts() {
				if a.IsManagement {
					mgmt = append(mgmt, a.ID)
				}
			}
			if !slices.Equal(mgmt, []string{clusterAccount}) {
				t.Errorf("node %d sees management accounts %v, want [%s]", i+1, mgmt, clusterAccount)
			}
		}
	})

	// alice is made on node 1 and allowed to read herself.
	if _, err := n1.root().CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("CreateUser on node 1: %v", err)
	}
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","sts:GetSessionToken"],"Resource":"*"}]}`
	if _, err := n1.root().PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("allow"), PolicyDocument: aws.String(allow)}); err != nil {
		t.Fatalf("PutUserPolicy on node 1: %v", err)
	}
	key, err := n1.root().CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatalf("CreateAccessKey on node 1: %v", err)
	}
	aliceID, aliceSecret := *key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey
	getUser := func(n *node) func() error {
		c := n.iam(aliceID, aliceSecret)
		return func() error {
			_, err := c.GetUser(ctx, &awsiam.GetUserInput{})
			return err
		}
	}

	t.Run("KeyFromNode1OnNode3", func(t *testing.T) {
		d := eventually(t, "GetUser on node 3 with a key made on node 1", "", getUser(n3))
		t.Logf("key made on node 1 usable on node 3 after %v", d)
	})

	t.Run("SessionFromNode1OnNode3", func(t *testing.T) {
		out, err := awssts.NewFromConfig(n1.config(aliceID, aliceSecret, "")).GetSessionToken(ctx, &awssts.GetSessionTokenInput{})
		if err != nil {
			t.Fatalf("GetSessionToken on node 1: %v", err)
		}
		c := *out.Credentials
		id, err := awssts.NewFromConfig(n3.config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity on node 3 with a session from node 1: %v", err)
		}
		if got := aws.ToString(id.Arn); got != "arn:aws:iam::"+clusterAccount+":user/alice" {
			t.Errorf("caller on node 3 = %s", got)
		}
	})

	t.Run("SessionKeyRotation", func(t *testing.T) {
		stsClient := func(n *node) *awssts.Client { return awssts.NewFromConfig(n.config(aliceID, aliceSecret, "")) }
		before, err := stsClient(n1).GetSessionToken(ctx, &awssts.GetSessionTokenInput{})
		if err != nil {
			t.Fatalf("GetSessionToken on node 1: %v", err)
		}
		res, err := tokenkeys.Rotate(ctx, n2.store, n2.master, rand.Reader, time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := n2.ring.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		if n2.ring.Version() != res.Version || n3.ring.Version() == res.Version {
			t.Fatalf("versions: node 2 %d, node 3 %d, rotated to %d", n2.ring.Version(), n3.ring.Version(), res.Version)
		}
		after, err := stsClient(n2).GetSessionToken(ctx, &awssts.GetSessionTokenInput{})
		if err != nil {
			t.Fatalf("GetSessionToken on node 2: %v", err)
		}
		// Node 3 has not re-read the ring: the new key id makes it do so.
		for name, out := range map[string]*awssts.GetSessionTokenOutput{"before the rotation (node 1)": before, "after the rotation (node 2)": after} {
			c := *out.Credentials
			for i, n := range nodes {
				if _, err := awssts.NewFromConfig(n.config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); err != nil {
					t.Errorf("session issued %s, on node %d: %v", name, i+1, err)
				}
			}
		}
		if n3.ring.Version() != res.Version {
			t.Errorf("node 3 seals with version %d after seeing a token of version %d", n3.ring.Version(), res.Version)
		}
	})

	t.Run("DenyPropagation", func(t *testing.T) {
		const changes = 50
		deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:GetUser","Resource":"*"}]}`
		root2 := n2.root()
		probe := getUser(n1)
		var delays []time.Duration
		for i := range changes {
			if i%2 == 0 {
				if _, err := root2.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(deny)}); err != nil {
					t.Fatalf("PutUserPolicy deny on node 2: %v", err)
				}
				delays = append(delays, eventually(t, "deny put on node 2, enforced on node 1", "AccessDenied", probe))
			} else {
				if _, err := root2.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("deny")}); err != nil {
					t.Fatalf("DeleteUserPolicy deny on node 2: %v", err)
				}
				delays = append(delays, eventually(t, "deny deleted on node 2, lifted on node 1", "", probe))
			}
		}
		p50, p99 := percentile(delays, 0.50), percentile(delays, 0.99)
		t.Logf("propagation node 2 -> node 1 over %d changes: p50 %v, p99 %v, max %v (target p99 < 500ms)",
			changes, p50, p99, slices.Max(delays))
		if p99 > 500*time.Millisecond {
			t.Errorf("propagation p99 %v exceeds the 500ms target", p99)
		}
	})

	t.Run("SameUserNameOnTwoNodes", func(t *testing.T) {
		const rounds = 20
		for r := range rounds {
			name := fmt.Sprintf("racer-%d", r)
			codes := make([]string, 2)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, n := range []*node{n1, n2} {
				c := n.root()
				wg.Go(func() {
					<-start
					_, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)})
					if err != nil && errorCode(err) == "" {
						t.Errorf("CreateUser %s: %v", name, err)
					}
					codes[i] = errorCode(err)
				})
			}
			close(start)
			wg.Wait()
			slices.Sort(codes)
			if !slices.Equal(codes, []string{"", "EntityAlreadyExists"}) {
				t.Fatalf("round %d: CreateUser %s on two nodes at once gave %q, want one success and one EntityAlreadyExists", r, name, codes)
			}
		}
	})

	t.Run("AttachLimitOnTwoNodes", func(t *testing.T) {
		root1 := n1.root()
		if _, err := root1.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("limited")}); err != nil {
			t.Fatal(err)
		}
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
		var arns []string
		for i := range 11 {
			out, err := root1.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%d", i)), PolicyDocument: aws.String(doc)})
			if err != nil {
				t.Fatal(err)
			}
			arns = append(arns, *out.Policy.Arn)
		}
		for _, arn := range arns[:9] {
			if _, err := root1.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("limited"), PolicyArn: aws.String(arn)}); err != nil {
				t.Fatal(err)
			}
		}
		// The 10th and the 11th, from two nodes at once: the limit of 10 holds.
		codes := make([]string, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, n := range []*node{n2, n3} {
			c := n.root()
			wg.Go(func() {
				<-start
				_, err := c.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("limited"), PolicyArn: aws.String(arns[9+i])})
				if err != nil && errorCode(err) == "" {
					t.Errorf("AttachUserPolicy: %v", err)
				}
				codes[i] = errorCode(err)
			})
		}
		close(start)
		wg.Wait()
		slices.Sort(codes)
		if !slices.Equal(codes, []string{"", "LimitExceeded"}) {
			t.Errorf("two attachments at once from two nodes gave %q, want one success and one LimitExceeded", codes)
		}
		out, err := n1.root().ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("limited")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.AttachedPolicies) != 10 {
			t.Errorf("user has %d attached policies, want 10", len(out.AttachedPolicies))
		}
	})

	// The database drops every connection of the cluster twice during a
	// stream of writes (as a restart does): requests failing meanwhile get a
	// retryable server error, every acknowledged write is there afterwards, and the
	// nodes reconnect by themselves, notifications included.
	t.Run("ConnectionsKilledDuringWrites", func(t *testing.T) {
		var acked []string
		failures := map[string]int{}
		done := make(chan struct{})
		go func() {
			defer close(done)
			c := n1.root()
			for i := 0; i < 300; i++ {
				name := fmt.Sprintf("w%d", i)
				_, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)})
				if err == nil {
					acked = append(acked, name)
				} else {
					failures[errorCode(err)]++
				}
			}
		}()
		killed := 0
		for range 2 {
			time.Sleep(100 * time.Millisecond)
			killed += killConnections(t, dsn, app)
		}
		<-done
		if killed == 0 {
			t.Fatal("no connection was killed")
		}
		for code, n := range failures {
			// A write on a killed connection fails with IAM's ServiceFailure;
			// one whose retry meets the store's deadline or the pool's
			// bounded ping is ServiceUnavailable (503). SDKs retry both.
			if code != "ServiceFailure" && code != "ServiceUnavailable" {
				t.Errorf("%d writes failed with %q, want ServiceFailure or ServiceUnavailable", n, code)
			}
		}
		t.Logf("killed %d connections; %d writes acknowledged, failures %v", killed, len(acked), failures)
		// Every acknowledged user is there, seen from another node.
		c3 := n3.root()
		for _, name := range acked {
			var err error
			for range 5 { // node 3's own pool may hold killed connections
				if _, err = c3.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String(name)}); err == nil || errorCode(err) != "ServiceFailure" {
					break
				}
			}
			if err != nil {
				t.Errorf("acknowledged user %s: %v", name, err)
			}
		}
		// Notifications flow again: a deny put on node 2 is enforced on node 1.
		deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:GetUser","Resource":"*"}]}`
		eventually(t, "deny on node 2 after reconnection", "", func() error {
			_, err := n2.root().PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(deny)})
			return err
		})
		d := eventually(t, "deny enforced on node 1 after reconnection", "AccessDenied", getUser(n1))
		t.Logf("after reconnection, a deny on node 2 was in force on node 1 after %v", d)
		eventually(t, "lift the deny", "", func() error {
			_, err := n2.root().DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("deny")})
			return err
		})
		eventually(t, "deny lifted on node 1", "", getUser(n1))
		eventually(t, "deny lifted on node 3", "", getUser(n3))
	})

	// Node 2 stops in the middle of traffic to nodes 1 and 3, which keep
	// answering without a failure.
	t.Run("NodeLoss", func(t *testing.T) {
		var wg sync.WaitGroup
		stopTraffic := make(chan struct{})
		var mu sync.Mutex
		served := map[string]int{}
		for _, n := range []*node{n1, n3} {
			probe := getUser(n)
			wg.Go(func() {
				for {
					select {
					case <-stopTraffic:
						return
					default:
					}
					err := probe()
					mu.Lock()
					if err != nil {
						t.Errorf("node %s failed during node 2's loss: %v", n.url, err)
					} else {
						served[n.url]++
					}
					mu.Unlock()
				}
			})
		}
		time.Sleep(100 * time.Millisecond)
		n2.stop()
		// A write on node 1 after the loss is in force on node 3.
		if _, err := n1.root().CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("after-loss")}); err != nil {
			t.Errorf("CreateUser on node 1 after node 2 stopped: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
		close(stopTraffic)
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		if served[n1.url] == 0 || served[n3.url] == 0 {
			t.Errorf("no traffic served: %v", served)
		}
		eventually(t, "user made on node 1 seen on node 3", "", func() error {
			_, err := n3.root().GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("after-loss")})
			return err
		})
	})
}

// BenchmarkCreateUser measures CreateUser through the whole server (SigV4,
// authorization, one store transaction, directory sync), one request at a
// time, on the SQLite test server and on one PostgreSQL node.
func BenchmarkCreateUser(b *testing.B) {
	run := func(b *testing.B, c *awsiam.Client) {
		ctx := b.Context()
		i := 0
		for b.Loop() {
			i++
			if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%d", i))}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "users/s")
	}
	b.Run("sqlite", func(b *testing.B) { run(b, testserver.Start(b).RootIAM()) })
	b.Run("postgres", func(b *testing.B) {
		pgtest.DSN(b)
		run(b, startCluster(b, 1)[0].root())
	})
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/trail"
	trailsqlite "github.com/gatehouse-iam/gatehouse/trail/sqlite"
)

// TestHelperProcessServe is not a test: run by TestKillDuringBurst with
// GATEHOUSE_HELPER_SERVE set, it is `gatehouse serve` in a process of its
// own, so that the test can kill it.
func TestHelperProcessServe(t *testing.T) {
	args := os.Getenv("GATEHOUSE_HELPER_SERVE")
	if args == "" {
		t.Skip("the process TestKillDuringBurst starts")
	}
	os.Exit(run(strings.Fields(args), os.Stdin, os.Stdout, os.Stderr))
}

// TestKillDuringBurst: the server is killed with SIGKILL during a burst of
// writes; after it, every request that was acknowledged has its event in
// the trail (docs/audit.md: a response is written only once its event is
// durable).
func TestKillDuringBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server process")
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	const keyID, secret = "AKIAKILLTESTROOTKEY0", "killTestRootSecret0000000000000000000000"
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessServe$")
	cmd.Env = append(os.Environ(),
		"GATEHOUSE_HELPER_SERVE=serve --addr "+addr+" --data "+dir+" --account-id 210987654321 --log-level error",
		"GATEHOUSE_ROOT_ACCESS_KEY_ID="+keyID, "GATEHOUSE_ROOT_SECRET_ACCESS_KEY="+secret, "GATEHOUSE_MASTER_KEY=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	c := awsiam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr),
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""), RetryMaxAttempts: 1})

	var (
		mu    sync.Mutex
		acked []string
		n     atomic.Int64
		wg    sync.WaitGroup
	)
	ctx, stop := context.WithCancel(context.Background())
	for range 16 {
		wg.Go(func() {
			for ctx.Err() == nil {
				out, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%d", n.Add(1)))})
				if err != nil {
					continue
				}
				if id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); ok {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	stop()
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d requests were acknowledged before the kill", len(acked))
	}

	st, err := trailsqlite.Open(context.Background(), filepath.Join(dir, "trail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Open indexed, as the next start does, what the killed process had
	// written to the trail's segments but not indexed yet.
	recorded := map[string]bool{}
	q := trail.Query{Account: "210987654321", Key: trail.ByEventName, Value: "CreateUser", Limit: 500}
	for {
		p, err := st.Lookup(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			var ev struct{ RequestID string }
			if err := json.Unmarshal(e.JSON, &ev); err != nil {
				t.Fatal(err)
			}
			recorded[ev.RequestID] = true
		}
		if p.Next == nil {
			break
		}
		q.After = p.Next
	}
	missing := 0
	for _, id := range acked {
		if !recorded[id] {
			missing++
		}
	}
	t.Logf("%d requests acknowledged before SIGKILL, %d CreateUser events in the trail", len(acked), len(recorded))
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged requests have no event", missing, len(acked))
	}
}

package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/store"
)

// outageProxy forwards loopback TCP connections to the database and can cut
// them all and refuse new ones, as an unreachable database does, then come
// back on the same address.
type outageProxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func newOutageProxy(t testing.TB, target string) *outageProxy {
	p := &outageProxy{t: t, target: target, addr: "127.0.0.1:0", conns: map[net.Conn]struct{}{}}
	p.up()
	t.Cleanup(p.down)
	return p
}

// up starts accepting on the proxy's address.
func (p *outageProxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.forward(c) })
		}
	})
}

func (p *outageProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *outageProxy) forward(c net.Conn) {
	if !p.track(c) {
		return
	}
	d, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(d) {
		c.Close()
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { io.Copy(d, c); d.Close() }) //nolint:errcheck // a cut connection ends the copy
	wg.Go(func() { io.Copy(c, d); c.Close() }) //nolint:errcheck
	wg.Wait()
}

// down closes the listener and every forwarded connection.
func (p *outageProxy) down() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// viaProxy returns dsn with its host replaced by the proxy's address.
func viaProxy(t testing.TB, dsn, addr string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	return u.String()
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// TestDatabaseOutage cuts a node off its database: requests that need the
// store get AWS's ServiceUnavailable (503) rather than an internal error, the
// store's errors wrap store.ErrUnavailable, and once the database is back the
// node serves again by itself.
func TestDatabaseOutage(t *testing.T) {
	dsn := pgtest.DSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := freshSchema(t, dsn)
	proxy := newOutageProxy(t, u.Host)
	masterKey, err := keyring.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	n, err := startNode(t, viaProxy(t, dsn, proxy.addr), schema, keyring.EncodeKey(masterKey))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	root := n.root()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("before")}); err != nil {
		t.Fatalf("CreateUser before the outage: %v", err)
	}

	proxy.down()
	vctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = n.store.View(vctx, func(store.ReadTx) error { return nil })
	cancel()
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("View during the outage: %v, want store.ErrUnavailable", err)
	}
	for _, call := range []struct {
		name string
		do   func() error
	}{
		{"CreateUser", func() error {
			_, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("during")})
			return err
		}},
		{"ListUsers", func() error {
			_, err := root.ListUsers(ctx, &awsiam.ListUsersInput{})
			return err
		}},
		{"GetUser", func() error {
			_, err := root.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("before")})
			return err
		}},
	} {
		err := call.do()
		if code, status := errorCode(err), httpStatus(err); code != "ServiceUnavailable" || status != 503 {
			t.Errorf("%s during the outage: code %q, HTTP %d (%v); want ServiceUnavailable, 503", call.name, code, status, err)
		}
	}

	proxy.up()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("after")})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CreateUser after the database came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, err := root.ListUsers(ctx, &awsiam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range out.Users {
		names = append(names, aws.ToString(u.UserName))
	}
	if len(names) != 2 || names[0] != "after" || names[1] != "before" {
		t.Errorf("users after the outage: %v, want [after before]", names)
	}
}

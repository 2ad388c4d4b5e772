package pgclient

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestConfigure: the connection settings are applied when the DSN lacks
// them and left alone when it sets them, directly or through options.
func TestConfigure(t *testing.T) {
	cc, err := pgx.ParseConfig("postgres://u@db.example:5432/d?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	configureConn(cc, 1500*time.Millisecond)
	want := map[string]string{
		"statement_timeout": "1500", "lock_timeout": "1500", "idle_in_transaction_session_timeout": "3000",
		"tcp_keepalives_idle": "15", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3",
	}
	for k, v := range want {
		if got := cc.RuntimeParams[k]; got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if cc.ConnectTimeout != 2*time.Second {
		t.Errorf("connect timeout %v, want 2s (1.5s rounded up)", cc.ConnectTimeout)
	}
	if cc.DialFunc == nil {
		t.Error("no dialer with keepalives")
	}

	cc, err = pgx.ParseConfig("postgres://u@db.example:5432/d?sslmode=disable&connect_timeout=9&statement_timeout=60000&options=-c%20lock_timeout%3D7000")
	if err != nil {
		t.Fatal(err)
	}
	configureConn(cc, time.Second)
	if cc.ConnectTimeout != 9*time.Second || cc.RuntimeParams["statement_timeout"] != "60000" {
		t.Errorf("DSN settings overridden: connect timeout %v, statement_timeout %q", cc.ConnectTimeout, cc.RuntimeParams["statement_timeout"])
	}
	if _, set := cc.RuntimeParams["lock_timeout"]; set {
		t.Error("lock_timeout set although the DSN's options set it")
	}
	if cc.RuntimeParams["idle_in_transaction_session_timeout"] != "2000" {
		t.Errorf("idle_in_transaction_session_timeout = %q, want 2000", cc.RuntimeParams["idle_in_transaction_session_timeout"])
	}
}

// TestConfigurePool: a pooled connection is pinged within a quarter of the
// timeout unless the DSN says otherwise, and the schema becomes the
// search_path.
func TestConfigurePool(t *testing.T) {
	cfg, err := pgxpool.ParseConfig("postgres://u@db.example:5432/d?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	Configure(cfg, 2*time.Second, "my_schema")
	if cfg.PingTimeout != 500*time.Millisecond {
		t.Errorf("ping timeout %v, want 500ms", cfg.PingTimeout)
	}
	if got := cfg.ConnConfig.RuntimeParams["search_path"]; got != `"my_schema"` {
		t.Errorf("search_path = %q, want %q", got, `"my_schema"`)
	}
	if got := cfg.ConnConfig.RuntimeParams["statement_timeout"]; got != "2000" {
		t.Errorf("statement_timeout = %q, want 2000", got)
	}

	cfg, err = pgxpool.ParseConfig("postgres://u@db.example:5432/d?sslmode=disable&pool_ping_timeout=3s")
	if err != nil {
		t.Fatal(err)
	}
	Configure(cfg, 2*time.Second, "")
	if cfg.PingTimeout != 3*time.Second {
		t.Errorf("ping timeout %v, want the DSN's 3s", cfg.PingTimeout)
	}
	if _, set := cfg.ConnConfig.RuntimeParams["search_path"]; set {
		t.Error("search_path set without a schema")
	}
}

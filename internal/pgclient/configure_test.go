package pgclient

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestConfigure: the connection settings are applied when the DSN lacks
// them and left alone when it sets them, directly or through options.
func TestConfigure(t *testing.T) {
	cc, err := pgx.ParseConfig("postgres://u@db.example:5432/d?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	Configure(cc, 1500*time.Millisecond)
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
	Configure(cc, time.Second)
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

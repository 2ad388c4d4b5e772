package pgclient

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TCP keepalives of every connection, on both sides: a peer that stops
// answering is detected by the kernel after idle + interval*count even on
// a connection that is only waiting (a LISTEN connection, or the server's
// side of an idle session).
const (
	keepAliveIdle     = 15 * time.Second
	keepAliveInterval = 5 * time.Second
	keepAliveCount    = 3
)

// Configure applies to cfg the connection settings the DSN left unset, with
// T the timeout: those of the connections (see configureConn), and
// pool_ping_timeout T/4 — a pooled connection idle for a while is pinged
// before use; one that went silent is dropped after this, leaving the
// caller time to get another, instead of using up its whole deadline.
// schema, when not empty, becomes the connections' search_path.
func Configure(cfg *pgxpool.Config, timeout time.Duration, schema string) {
	configureConn(cfg.ConnConfig, timeout)
	if cfg.PingTimeout == 0 {
		cfg.PingTimeout = timeout / 4
	}
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	}
}

// configureConn applies to cc the connection settings the DSN left unset,
// with T the timeout: connect_timeout T (rounded up to a second);
// statement_timeout T; lock_timeout T; idle_in_transaction_session_timeout
// 2T; tcp_keepalives_idle, _interval, _count 15 s, 5 s, 3. A setting the
// DSN names, directly or in options=-c name=value, is kept. The client's
// side always sends keepalives (15 s idle, every 5 s, 3 probes).
func configureConn(cc *pgx.ConnConfig, timeout time.Duration) {
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = timeout.Round(time.Second)
		if cc.ConnectTimeout < timeout {
			cc.ConnectTimeout += time.Second
		}
	}
	dialer := &net.Dialer{KeepAliveConfig: net.KeepAliveConfig{
		Enable: true, Idle: keepAliveIdle, Interval: keepAliveInterval, Count: keepAliveCount,
	}}
	cc.DialFunc = dialer.DialContext
	ms := func(d time.Duration) string { return fmt.Sprint(d.Milliseconds()) }
	for name, value := range map[string]string{
		"statement_timeout":                   ms(timeout),
		"lock_timeout":                        ms(timeout),
		"idle_in_transaction_session_timeout": ms(2 * timeout),
		"tcp_keepalives_idle":                 fmt.Sprint(int(keepAliveIdle.Seconds())),
		"tcp_keepalives_interval":             fmt.Sprint(int(keepAliveInterval.Seconds())),
		"tcp_keepalives_count":                fmt.Sprint(keepAliveCount),
	} {
		// Set in the DSN, directly or as options=-c name=value: kept.
		if _, ok := cc.RuntimeParams[name]; ok || strings.Contains(cc.RuntimeParams["options"], name) {
			continue
		}
		cc.RuntimeParams[name] = value
	}
}

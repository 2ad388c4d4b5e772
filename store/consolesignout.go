package store

import (
	"strings"
	"time"
)

// KindConsoleSignOut holds the web console's signed-out sessions: global
// (Account ""); key [ConsoleSignOutKey]; value [ConsoleSignOut]. A record
// lives until the session would have expired anyway, so that every node of
// a cluster refuses a signed-out session's cookie, whichever node served the
// sign-out; the authorization view keeps them in memory from the change
// feed, and the console deletes expired ones.
const KindConsoleSignOut Kind = "console-signout"

// ConsoleSignOut is one signed-out console session.
type ConsoleSignOut struct {
	// SessionID is the console session's random id (not a secret: the
	// cookie that carries it is sealed).
	SessionID string `json:"sessionId"`
	// Expires is when the session would have ended; past it the record
	// means nothing and is pruned.
	Expires time.Time `json:"expires"`
}

// consoleSignOutTime is the fixed-width UTC time that begins a
// [KindConsoleSignOut] key, so keys sort by expiry.
const consoleSignOutTime = "20060102T150405Z"

// ConsoleSignOutKey is the key of a signed-out session: its expiry (to the
// second, rounded up, fixed width), a separator and its id. Keys sort by
// expiry, so the expired records are a prefix of the kind's listing.
func ConsoleSignOutKey(expires time.Time, sessionID string) string {
	t := expires.UTC()
	if t.Truncate(time.Second) != t {
		t = t.Truncate(time.Second).Add(time.Second)
	}
	return t.Format(consoleSignOutTime) + Sep + sessionID
}

// ConsoleSignOutID returns the session id of a [ConsoleSignOutKey] key.
func ConsoleSignOutID(key string) string {
	_, id, _ := strings.Cut(key, Sep)
	return id
}

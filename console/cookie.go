package console

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gatehouse-iam/gatehouse/store"
)

// Cookie names. The session and the half-finished sign-in are sealed
// (authenticated encryption under the cluster's session-token ring): the
// browser can neither read nor forge them.
const (
	sessionCookie = "gh_session"
	pendingCookie = "gh_signin"
	// preCookie holds the sign-in form's CSRF token before any session
	// exists (double submit).
	preCookie = "gh_pre"
)

// Associated data of each sealed cookie, so that one kind cannot stand in
// for another (or for an STS session token).
var (
	adSession = []byte("gatehouse console session v1")
	adPending = []byte("gatehouse console sign-in v1")
)

// errCookie is a missing, tampered, expired or revoked cookie.
var errCookie = errors.New("console: no valid cookie")

// sess is a signed-in console session: the temporary credentials STS
// issued for the person (ConsoleCredentials) and what the pages show.
type sess struct {
	// ID identifies the session for sign-out (revocation).
	ID string `json:"id"`
	// Account, UserName ("" for root) and ARN name the person.
	Account  string `json:"acct"`
	UserName string `json:"user,omitempty"`
	ARN      string `json:"arn"`
	// AccessKeyID, Secret and Token are the temporary credentials.
	AccessKeyID string `json:"akid"`
	Secret      string `json:"sk"`
	Token       string `json:"tok"`
	// Expires is when the session (and its credentials) end.
	Expires time.Time `json:"exp"`
	// CSRF is the per-session token every state-changing request carries.
	CSRF string `json:"csrf"`
	// MFA reports that the sign-in used MFA.
	MFA bool `json:"mfa,omitempty"`
	// MustChangePassword: the credentials only allow iam:ChangePassword
	// until the password is changed.
	MustChangePassword bool `json:"mustChange,omitempty"`
}

// pending is a sign-in between its password (or root key) and its MFA code.
type pending struct {
	Account            string    `json:"acct"`
	UserName           string    `json:"user,omitempty"`
	UserID             string    `json:"uid,omitempty"`
	ARN                string    `json:"arn,omitempty"`
	Serials            []string  `json:"serials"`
	MustChangePassword bool      `json:"mustChange,omitempty"`
	Expires            time.Time `json:"exp"`
	CSRF               string    `json:"csrf"`
}

// pendingTTL is how long a sign-in waits for its MFA code.
const pendingTTL = 5 * time.Minute

// seal seals v for a cookie.
func (c *Console) seal(v any, ad []byte) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sealed, err := c.sealer.Seal(b, ad)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// maxCookie bounds what is opened.
const maxCookie = 3800

// open opens a sealed cookie into v.
func (c *Console) open(r *http.Request, name string, ad []byte, v any) error {
	ck, err := r.Cookie(name)
	if err != nil || len(ck.Value) > maxCookie {
		return errCookie
	}
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return errCookie
	}
	plain, err := c.sealer.Open(raw, ad)
	if err != nil {
		return errCookie
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return errCookie
	}
	return nil
}

// setCookie writes a console cookie: HttpOnly, SameSite=Strict, Secure over
// TLS, scoped to the console's path.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/ui/", Expires: expires,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// clearCookie deletes a console cookie.
func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/ui/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// session returns the request's signed-in session: errCookie when there is
// none, it was tampered with, it expired or it was signed out.
func (c *Console) session(r *http.Request) (*sess, error) {
	var s sess
	if err := c.open(r, sessionCookie, adSession, &s); err != nil {
		return nil, err
	}
	now := c.now()
	if !now.Before(s.Expires) || c.revoked.has(s.ID, now) || c.signOuts.SignedOut(s.ID, now) {
		return nil, errCookie
	}
	return &s, nil
}

// csrfOK compares a submitted CSRF token with the expected one in
// constant time; an empty expectation never matches.
func csrfOK(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// submittedCSRF is the token of a form (field csrf) or fetch (header
// X-CSRF-Token).
func submittedCSRF(r *http.Request) string {
	if h := r.Header.Get("X-CSRF-Token"); h != "" {
		return h
	}
	return r.PostFormValue("csrf")
}

// SignOuts is what the console reads of the cluster's signed-out sessions:
// the authorization view (authview.Directory), which keeps the store's
// [store.KindConsoleSignOut] records from the change feed.
type SignOuts interface {
	// SignedOut reports whether a session id was signed out and would
	// still be valid at now.
	SignedOut(id string, now time.Time) bool
	// Sync applies the store's changes, so a sign-out this node just
	// recorded is in force for its next request.
	Sync(ctx context.Context) error
}

// maxPruned bounds the expired sign-outs one sign-out deletes: each adds
// one record and may delete up to this many, so they cannot pile up.
const maxPruned = 100

// revoke signs a session out on every node: a [store.KindConsoleSignOut]
// record that the other nodes' views read from the change feed (expired
// ones pruned in the same transaction), then this node's view synced so its
// next request refuses the cookie. The node's own memory refuses it at once,
// even when the store cannot be written.
func (c *Console) revoke(ctx context.Context, s *sess) error {
	now := c.now()
	c.revoked.add(s.ID, s.Expires, now)
	err := c.store.Update(ctx, func(tx store.Tx) error {
		if err := store.PutJSON(ctx, tx, store.KindConsoleSignOut, "", store.ConsoleSignOutKey(s.Expires, s.ID),
			store.ConsoleSignOut{SessionID: s.ID, Expires: s.Expires}); err != nil {
			return err
		}
		return pruneSignOuts(ctx, tx, now)
	})
	if err != nil {
		return fmt.Errorf("console: recording the sign-out of a session: %w", err)
	}
	if err := c.signOuts.Sync(ctx); err != nil {
		return fmt.Errorf("console: syncing after a sign-out: %w", err)
	}
	return nil
}

// pruneSignOuts deletes up to maxPruned sign-outs of sessions that have
// expired by now: the first records of the kind, whose keys sort by expiry.
func pruneSignOuts(ctx context.Context, tx store.Tx, now time.Time) error {
	recs, err := tx.List(ctx, store.ListOptions{Kind: store.KindConsoleSignOut, Limit: maxPruned})
	if err != nil {
		return err
	}
	for _, rec := range recs {
		o, err := store.DecodeJSON[store.ConsoleSignOut](rec)
		if err != nil {
			return err
		}
		if now.Before(o.Expires) {
			return nil
		}
		if err := tx.Delete(ctx, store.KindConsoleSignOut, "", rec.Key); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// revocations are the sessions this node signed out, kept in memory until
// they would have expired anyway: in force at once, and even when the
// store could not record the sign-out for the other nodes.
type revocations struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// maxRevocations bounds the set; past it expired entries are pruned and,
// if still full, the oldest revocations are dropped first.
const maxRevocations = 100_000

func (rv *revocations) add(id string, until, now time.Time) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.m == nil {
		rv.m = map[string]time.Time{}
	}
	if len(rv.m) >= maxRevocations {
		for k, exp := range rv.m {
			if !now.Before(exp) {
				delete(rv.m, k)
			}
		}
		for k := range rv.m {
			if len(rv.m) < maxRevocations {
				break
			}
			delete(rv.m, k)
		}
	}
	rv.m[id] = until
}

func (rv *revocations) has(id string, now time.Time) bool {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	exp, ok := rv.m[id]
	return ok && now.Before(exp)
}

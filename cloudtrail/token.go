package cloudtrail

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/trail"
)

// tokenPrefix starts every NextToken (a version, should the form change).
const tokenPrefix = "ct1."

// fingerprint identifies the query a NextToken belongs to: the account, the
// lookup attribute, the time range as sent (absent bounds as absent, so
// that the default range may follow the clock from page to page) and the
// event category. The page size is not part of it: a token is a position
// in the listing, valid for pages of any size. "This token must be passed
// in with the same parameters that were specified in the original call"
// (API_LookupEvents); a token carries the fingerprint, so one replayed with
// other parameters is refused rather than applied to another listing.
func (l lookup) fingerprint(account string) string {
	h := sha256.New()
	var n [8]byte
	write := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	bound := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return strconv.FormatInt(t.UnixNano(), 10)
	}
	write("LookupEvents")
	write(account)
	write(string(l.key))
	write(l.value)
	write(bound(l.start))
	write(bound(l.end))
	write(strconv.FormatBool(l.insight))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// formatToken returns the NextToken of the page after cursor c of the query
// whose fingerprint is fp.
func formatToken(c trail.Cursor, fp string) string {
	s := tokenPrefix + strconv.FormatInt(c.Time.UnixNano(), 10) + "." + strconv.FormatInt(c.Seq, 10) + "." + fp
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// parseToken returns the cursor of a NextToken made for the query whose
// fingerprint is fp. A token is trusted for nothing but a position: it must
// be exactly what formatToken writes (so an edited one is refused), carry
// this very query's fingerprint, and point at a non-negative sequence
// number; anything else is InvalidNextTokenException ("A token that is not
// valid, or a token that was previously used in a request with different
// parameters", the model's documentation of the exception).
func parseToken(tok, fp string) (trail.Cursor, error) {
	bad := ctErr("InvalidNextTokenException", "The NextToken is not valid for this request.")
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return trail.Cursor{}, bad
	}
	rest, ok := strings.CutPrefix(string(b), tokenPrefix)
	if !ok {
		return trail.Cursor{}, bad
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 || parts[2] != fp {
		return trail.Cursor{}, bad
	}
	nanos, err1 := strconv.ParseInt(parts[0], 10, 64)
	seq, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || seq < 0 {
		return trail.Cursor{}, bad
	}
	c := trail.Cursor{Time: time.Unix(0, nanos).UTC(), Seq: seq}
	if formatToken(c, fp) != tok {
		return trail.Cursor{}, bad
	}
	return c, nil
}

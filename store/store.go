package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Backends return them (wrapped with context) so callers can
// test with [errors.Is]; driver errors are mapped to them by typed error code
// at the backend boundary, never by matching text.
var (
	// ErrNotFound reports that the addressed record does not exist.
	ErrNotFound = errors.New("store: record not found")
	// ErrAlreadyExists reports that Create found a record with the same
	// (Kind, Account, Key).
	ErrAlreadyExists = errors.New("store: record already exists")
	// ErrConflict reports a serialization failure or a busy database: the
	// transaction was rolled back and may be retried as a whole. Update
	// retries it internally a bounded number of times before returning it.
	ErrConflict = errors.New("store: transaction conflict")
	// ErrInvalid reports a malformed argument, such as an empty kind or key,
	// or an account that is neither empty, "aws" nor 12 digits.
	ErrInvalid = errors.New("store: invalid argument")
)

// Op is the operation a [Change] records.
type Op string

// The operations of the change feed.
const (
	OpPut    Op = "put"
	OpDelete Op = "delete"
)

// Record is one stored value.
type Record struct {
	// Kind is the entity kind, e.g. [KindUser].
	Kind Kind
	// Account is the 12-digit owning account, [AWSAccount] for AWS-owned
	// entities, or "" for global kinds (e.g. access keys by id).
	Account string
	// Key is unique within (Kind, Account). Keys are compared and ordered
	// bytewise; callers fold case where IAM requires it.
	Key string
	// Data is the value, usually JSON written by [PutJSON] or [CreateJSON].
	Data []byte
	// Revision is the revision of the commit that last wrote the record. It
	// is set by the store; the value passed to Create or Put is ignored.
	Revision int64
}

// Change is one entry of the change feed: a record written or deleted by the
// commit with the given revision.
type Change struct {
	Revision int64
	Kind     Kind
	Account  string
	Key      string
	Op       Op
}

// ListOptions selects records of one (Kind, Account) for [ReadTx.List].
type ListOptions struct {
	Kind    Kind
	Account string
	// Prefix, when set, keeps only keys that begin with it (bytewise; no
	// character has a special meaning).
	Prefix string
	// After, when set, is an exclusive start key: only keys strictly greater
	// than it are returned. Pass the last key of a page to get the next one.
	After string
	// Limit caps the number of records returned; zero or less means no limit.
	Limit int
}

// ReadTx is a read-only view of the store. All reads in one ReadTx observe
// one consistent snapshot. A ReadTx must not be used after the function it
// was passed to has returned, nor by several goroutines at once.
type ReadTx interface {
	// Get returns the record, or an error wrapping ErrNotFound.
	Get(ctx context.Context, kind Kind, account, key string) (Record, error)
	// List returns the matching records ordered bytewise by key.
	List(ctx context.Context, opts ListOptions) ([]Record, error)
	// Count returns how many records of (kind, account) have keys beginning
	// with prefix ("" counts them all).
	Count(ctx context.Context, kind Kind, account, prefix string) (int, error)
}

// Tx is a read-write transaction. Its reads see its own writes. A Tx must not
// be used after the function it was passed to has returned, nor by several
// goroutines at once.
type Tx interface {
	ReadTx
	// Create inserts a new record, or returns an error wrapping
	// ErrAlreadyExists if (Kind, Account, Key) exists. The transaction stays
	// usable after ErrAlreadyExists.
	Create(ctx context.Context, r Record) error
	// Put inserts or replaces a record.
	Put(ctx context.Context, r Record) error
	// Delete removes a record, or returns an error wrapping ErrNotFound. The
	// transaction stays usable after ErrNotFound.
	Delete(ctx context.Context, kind Kind, account, key string) error
}

// Store is a transactional, revisioned record store. Implementations are safe
// for concurrent use.
type Store interface {
	// Update runs fn in a read-write transaction. If fn returns nil the
	// transaction commits atomically; otherwise it is rolled back, nothing is
	// written, and fn's error is returned unchanged (so errors.Is and
	// errors.As see it).
	//
	// A commit that writes at least one record takes the next revision: every
	// record it writes carries that revision, and one Change per distinct
	// (Kind, Account, Key) written or deleted is added to the change feed
	// (the last operation on a key in the transaction wins). A transaction
	// that writes nothing consumes no revision.
	//
	// Update serialises writers. On ErrConflict it reruns fn from the start,
	// a bounded number of times, so fn must have no side effects outside the
	// transaction.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction over one consistent snapshot.
	View(ctx context.Context, fn func(ReadTx) error) error
	// Revision returns the revision of the latest commit (0 for an empty
	// store).
	Revision(ctx context.Context) (int64, error)
	// Changes returns change-feed entries with a revision greater than after,
	// ordered by revision and then by (Kind, Account, Key) bytewise. Limit
	// caps the number of entries (zero or less means no limit), but a page
	// never ends inside a revision: it stops before a revision that would not
	// fit, and holds the whole of its first revision even if that exceeds
	// limit. So resuming from the last entry's revision loses nothing.
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
	// Close releases the store's resources.
	Close() error
}

// AWSAccount is the owner account of AWS managed policies, as it appears in
// their ARNs (arn:aws:iam::aws:policy/...).
const AWSAccount = "aws"

// ValidateAddress reports an error wrapping ErrInvalid unless kind and key are
// non-empty and account is "", [AWSAccount] or 12 ASCII digits. Backends call
// it before touching the database.
func ValidateAddress(kind Kind, account, key string) error {
	if kind == "" {
		return fmt.Errorf("%w: empty kind", ErrInvalid)
	}
	if key == "" {
		return fmt.Errorf("%w: empty key for kind %q", ErrInvalid, kind)
	}
	return validateAccount(kind, account)
}

// ValidateList reports an error wrapping ErrInvalid if opts has an empty
// kind or a malformed account.
func ValidateList(opts ListOptions) error {
	if opts.Kind == "" {
		return fmt.Errorf("%w: empty kind", ErrInvalid)
	}
	return validateAccount(opts.Kind, opts.Account)
}

func validateAccount(kind Kind, account string) error {
	if account == "" || account == AWSAccount {
		return nil
	}
	if !IsAccountID(account) {
		return fmt.Errorf("%w: account %q for kind %q is not 12 digits", ErrInvalid, account, kind)
	}
	return nil
}

// IsAccountID reports whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}

// PrefixEnd returns the smallest string greater than every string that has
// prefix as a prefix, and false when there is none (prefix is empty or all
// 0xff bytes). Backends use it to turn a prefix into a key range
// (key >= prefix AND key < end) instead of LIKE, which has wildcards.
func PrefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

package trail

import (
	"context"
	"errors"
	"time"
)

// An Entry is one event as the trail stores and returns it: the fields
// LookupEvents filters on and reports, and the whole CloudTrail record as
// JSON (what LookupEvents returns as CloudTrailEvent, and what --audit-log
// exports).
type Entry struct {
	// Seq is the store's order of insertion, assigned by Append or Write
	// (callers leave it zero); it grows with every write and breaks ties
	// between events of the same second. In trail/sqlite it is also the
	// record's address: its segment's number << 40 | the record's byte
	// offset in the segment. In trail/postgres it is a sequence's value.
	Seq int64
	// Account is the account whose trail holds the event (the record's
	// recipientAccountId). A cross-account call has one entry in each
	// account, sharing a sharedEventID.
	Account string
	// EventID is the event's unique id (a UUID).
	EventID string
	// Time is the event's time (eventTime, to the second in the record).
	Time time.Time
	// EventName is the API operation (CreateUser).
	EventName string
	// EventSource is the service's host name (iam.amazonaws.com).
	EventSource string
	// Username is what LookupEvents reports and filters as Username: the
	// IAM user's name, a role session's name, "root" for the root user.
	Username string
	// AccessKeyID is the key that signed the request, "" for none.
	AccessKeyID string
	// Principal is the IAM entity that made the call: the user's ARN, the
	// role's ARN for a role session, the account root's ARN; "" for an
	// anonymous caller. It is Gatehouse's addition, for last-accessed data
	// and policy generation.
	Principal string
	// ReadOnly is the record's readOnly.
	ReadOnly bool
	// Management is false for data events (S3 object operations), which
	// LookupEvents does not return (as in AWS: event history holds
	// management events only); they are in the trail and its export.
	Management bool
	// Resources are the resources the event names (the record's
	// resources), each with its type (AWS::IAM::User) and name (its ARN or
	// name, as LookupEvents reports ResourceName).
	Resources []Resource
	// JSON is the whole record.
	JSON []byte
	// Compact, when not nil, is the event in compact form, in place of
	// JSON: what a Builder with Compact set makes. Every store takes such
	// entries and returns them with their JSON (RecordJSON renders it); a
	// CompactWriter keeps the compact form and renders the JSON when the
	// event is read.
	Compact []byte
}

// AttributeKey is a LookupEvents lookup attribute.
type AttributeKey string

// The lookup attributes of LookupEvents (API_LookupAttribute).
const (
	ByEventID      AttributeKey = "EventId"
	ByEventName    AttributeKey = "EventName"
	ByReadOnly     AttributeKey = "ReadOnly"
	ByUsername     AttributeKey = "Username"
	ByResourceType AttributeKey = "ResourceType"
	ByResourceName AttributeKey = "ResourceName"
	ByEventSource  AttributeKey = "EventSource"
	ByAccessKeyID  AttributeKey = "AccessKeyId"
)

// A Query selects events of one account, newest first.
type Query struct {
	// Account is the account whose trail is read. Required.
	Account string
	// Key and Value filter by one lookup attribute (exact, case-sensitive
	// match; ReadOnly's value is "true" or "false"); Key "" selects all.
	Key   AttributeKey
	Value string
	// Principal, when set, selects the events of one IAM entity (Entry.Principal).
	Principal string
	// Start and End bound Time, both inclusive; zero means unbounded.
	Start, End time.Time
	// IncludeData includes data events (Entry.Management false).
	IncludeData bool
	// Limit is the page size (1 or more).
	Limit int
	// After continues a listing after the last entry of a previous page.
	After *Cursor
}

// A Cursor is a position in the order a Query lists in: Time descending,
// then Seq descending.
type Cursor struct {
	Time time.Time
	Seq  int64
}

// A Page is one page of a lookup: at most Limit entries, and the cursor of
// the next page when there may be more (nil at the end).
type Page struct {
	Entries []Entry
	Next    *Cursor
}

// Store keeps the trail. Implementations: trail/sqlite (a database file of
// its own beside the store's) and trail/postgres (a table every node of a
// cluster writes to). Every call runs under its context's deadline.
type Store interface {
	// Append stores entries in one transaction, assigning their Seq. When
	// it returns nil they are durable (they survive a crash of the process
	// and, as the store's own commits, of the machine). Neither Append
	// nor Write keeps an entry's JSON or Compact once it returned: the caller may
	// reuse it (Builder.Release).
	Append(ctx context.Context, entries []Entry) error
	// Lookup returns one page of a query.
	Lookup(ctx context.Context, q Query) (Page, error)
	// DeleteBefore deletes at most limit events older than t, the oldest
	// (or the first inserted) first, and returns how many it deleted;
	// retention runs it until it returns 0.
	DeleteBefore(ctx context.Context, t time.Time, limit int) (int, error)
	// Close releases the store.
	Close() error
}

// A Writer is a Store that keeps each event's record ahead of its indexes
// (trail/sqlite): Write returns once the records are written, and the
// indexes follow behind. A Recorder over a Writer calls Write, not Append.
type Writer interface {
	Store
	// Write appends entries to the record in one write, assigning their
	// Seq, and returns once they are written (and synced, when the store
	// is so configured): a crash of the process after it returned loses
	// none of them. Lookups see them once they are indexed: Flush, and
	// every Lookup, wait for that. Write bounds its own waits by the
	// store's timeout when ctx has no deadline (a Recorder gives a batch
	// of several calls none: a timer per batch would cost more than the
	// write). A write or fsync that hangs is not interrupted: the callers
	// waiting on it are bounded by their own contexts' deadlines.
	Write(ctx context.Context, entries []Entry) error
	// Flush returns once every entry written before it was called is
	// indexed.
	Flush(ctx context.Context) error
}

// A DirectWriter is a Writer that a Recorder may call from every request
// at once instead of gathering their events into one write: its Write is
// short (trail/sqlite: one pwrite into the page cache, no fsync), waits
// for no other request's batch, and bounds its own waits.
type DirectWriter interface {
	Writer
	// Direct reports whether Write is such a write (trail/sqlite: not
	// when every write is fsynced, which group commit amortizes).
	Direct() bool
}

// A CompactWriter is a Writer that takes entries in compact form
// (Entry.Compact) as well as with their JSON, and returns them from
// Lookup with their JSON rendered.
type CompactWriter interface {
	Writer
	// WritesCompact reports that it does (trail/sqlite: always).
	WritesCompact() bool
}

// ErrUnavailable is returned (wrapped) when the trail cannot be read or
// written in time.
var ErrUnavailable = errors.New("trail: unavailable")

package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// exchange is what the pipeline learns of a request as it goes: the facts
// its event in the audit trail is made of.
type exchange struct {
	start  time.Time
	reqID  string
	ep     *endpoint
	action string
	// caller is the authenticated caller; nil until authentication passed.
	caller *identity.Caller
	// keyID is the access key the request presented, if signed.
	keyID string
	in    any
	az    operation.Authz
	out   any
	// recorded says the event was written (or there is no trail).
	recorded bool
}

// auditTrail is the server's side of the trail: how a request becomes
// events, and the recorder that makes them durable.
type auditTrail struct {
	builder trail.Builder
	rec     *trail.Recorder
	levels  *authref.AccessLevels
	// failed bounds the events of failed authentications per key id.
	failed failedAuthLimit
	// suppressed counts the failed authentications not recorded.
	suppressed prometheus.Counter
	// readOnlyActions caches readOnly's answer for the actions the
	// Service Authorization Reference knows (a finite set: a made-up
	// action name is classified, not cached). Copied on write: a lookup
	// reads a map no one changes, with no lock and without boxing its
	// key (a sync.Map's Load boxed it, an allocation per request).
	readOnlyActions atomic.Pointer[map[readOnlyKey]bool]
	readOnlyMu      sync.Mutex // serializes the copies
	// resources keeps the record's resource of the ARNs requests named
	// last, by slot (a hash of the ARN): parsing one cost 0.1–0.2 µs per
	// request under load (#14).
	resources [resourceSlots]atomic.Pointer[trail.Resource]
	seed      maphash.Seed
}

// resourceSlots is how many ARNs' resources auditTrail keeps.
const resourceSlots = 256

// readOnlyKey is an action of readOnly's cache: the authorized action, or
// the signing service and operation when the request named no action.
type readOnlyKey struct{ action, service, operation string }

func newAuditTrail(rec *trail.Recorder) (*auditTrail, error) {
	// The access levels only, not the whole reference (authref.Lookup):
	// readOnly needs nothing else, and the rest is 8 MB that a server
	// loads only when a request needs it.
	levels, err := authref.LoadAccessLevels()
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	red := trail.Redaction{}
	red.Add(iamapi.User{}, iamapi.SensitiveMembers())
	red.Add(stsapi.Credentials{}, stsapi.SensitiveMembers())
	red.Add(orgapi.Account{}, orgapi.SensitiveMembers())
	red.Add(analyzerapi.AnalyzerSummary{}, analyzerapi.SensitiveMembers())
	red.Add(s3api.Owner{}, s3api.SensitiveMembers())
	return &auditTrail{builder: trail.Builder{Redaction: red, NewID: uuid.NewString, NewEventID: trail.NewEventID, Compact: rec.Compact()},
		rec: rec, levels: levels, seed: maphash.MakeSeed(),
		suppressed: prometheus.NewCounter(prometheus.CounterOpts{Name: "gatehouse_audit_suppressed_total",
			Help: "Failed authentications with a real access key id not recorded in the audit trail: past the limit of events per key id."})}, nil
}

// record writes the event of a request that ends with ae (nil: success)
// and returns an error when it could not: the response then reports that
// error instead of the outcome, so that no request is acknowledged without
// its event.
func (s *Server) record(r *http.Request, ex *exchange, ae *awserr.Error) error {
	if s.audit == nil || ex.recorded {
		return nil
	}
	ex.recorded = true
	if ex.caller == nil && ex.keyID != "" && !s.audit.failed.allow(ex.keyID, s.now()) {
		s.audit.suppressed.Inc()
		return nil
	}
	var c trail.Call // on the stack: Events keeps nothing of it
	s.audit.call(&c, r, ex, ae, s.dir)
	entries, err := s.audit.builder.Events(&c)
	if err != nil {
		return awserr.InternalFailure(err)
	}
	if len(entries) == 0 {
		return nil
	}
	// The event is recorded even when the client has gone (what it asked
	// was done): not under the request's cancellation, and with none of
	// its values, which the trail does not read (context.WithoutCancel
	// cost an allocation per request). Every wait of
	// Record is bounded without a deadline of the request's (a timer per
	// request cost more than the write): the recorder's for its queue and
	// batches, the trail's for its segment; a stalled disk or audit log
	// answers 503 (TestStalledTrailIs503).
	if err := s.audit.rec.Record(context.Background(), entries); err != nil {
		// Not released: an abandoned call's batch may still be written.
		return &awserr.Error{Code: "ServiceUnavailable", Status: http.StatusServiceUnavailable,
			Message: "The audit trail is unavailable; the request's outcome could not be recorded.", Err: err}
	}
	s.audit.builder.Release(entries) // stored: their JSON is reused
	return nil
}

// keyAccount looks up the account of an access key a request presented
// without authenticating (long-term keys only: a temporary key's account
// is in its session token, which did not open).
type keyAccounts interface {
	AccessKey(id string) (store.AccessKey, bool)
}

// call gathers a request's facts for trail.Builder into c.
func (a *auditTrail) call(c *trail.Call, r *http.Request, ex *exchange, ae *awserr.Error, keys keyAccounts) {
	*c = trail.Call{RequestID: ex.reqID, Time: ex.start, Operation: ex.action, Caller: ex.caller,
		SourceIP: clientIP(r), UserAgent: r.Header.Get("User-Agent"), Input: ex.in, Output: ex.out}
	service := ""
	if ex.ep != nil {
		service = ex.ep.name
	}
	c.Service = service
	if ex.caller != nil {
		c.Region = ex.caller.Region
	} else {
		c.Region = requestedRegion(service, "")
		if ex.keyID != "" {
			c.KeyID = ex.keyID
			if k, ok := keys.AccessKey(ex.keyID); ok {
				c.KeyAccount = k.Account
			}
		}
	}
	if r.TLS != nil {
		c.TLS = &trail.TLSDetails{TLSVersion: cloudTrailTLS(r.TLS.Version), CipherSuite: tls.CipherSuiteName(r.TLS.CipherSuite),
			ClientProvidedHostHeader: r.Host}
	}
	if ae != nil {
		c.ErrorCode, c.ErrorMessage = ae.Code, ae.Message
		var d *authz.Denial
		if errors.As(ae.Err, &d) {
			c.Denied = &trail.Decision{Action: d.Action, Resource: d.Resource, Reason: d.Reason()}
		}
	}
	c.Resources = a.addResource(c.Resources, ex.az.Resource)
	for _, az := range ex.az.Also {
		c.Resources = a.addResource(c.Resources, az.Resource)
	}
	c.ResourceAccount = ex.az.ResourceAccount
	// An account named only by a caller's ARN is another account's only
	// once the call succeeded (the resource existed): a failed or denied
	// call on a made-up ARN must not write into that account's trail.
	if c.ResourceAccount == "" && len(c.Resources) > 0 && ae == nil {
		c.ResourceAccount = c.Resources[0].AccountID
	}
	if c.ResourceAccount == "aws" {
		c.ResourceAccount = ""
	}
	c.ReadOnly = a.readOnly(service, ex)
	c.Management = !(service == "s3" && s3DataEvents[ex.action])
}

// addResource adds the record's resource for an ARN a request named, once.
func (a *auditTrail) addResource(rs []trail.Resource, arn string) []trail.Resource {
	if !strings.HasPrefix(arn, "arn:") {
		return rs // "*", a name
	}
	slot := &a.resources[maphash.String(a.seed, arn)&(resourceSlots-1)]
	p := slot.Load()
	if p == nil || p.ARN != arn {
		res, ok := trail.ResourceOf(arn)
		if !ok {
			return rs
		}
		p = &res
		slot.Store(p)
	}
	res := *p
	for _, r := range rs {
		if r.ARN == res.ARN {
			return rs
		}
	}
	return append(rs, res)
}

// readOnly classifies an event as CloudTrail's readOnly does: by the
// action's access level in the Service Authorization Reference (List and
// Read are read-only), else by the operation's verb.
func (a *auditTrail) readOnly(service string, ex *exchange) bool {
	key := readOnlyKey{action: ex.az.Action}
	if key.action == "" {
		key.service, key.operation = service, ex.action
	}
	if m := a.readOnlyActions.Load(); m != nil {
		if v, ok := (*m)[key]; ok {
			return v
		}
	}
	action := ex.az.Action
	if action == "" && ex.action != "" {
		action = servicePrefix(service) + ":" + ex.action
	}
	if level, ok := a.levels.Level(action); ok {
		ro := level == "List" || level == "Read"
		a.cacheReadOnly(key, ro)
		return ro
	}
	for _, verb := range []string{"Get", "List", "Describe", "Head", "Lookup", "Validate", "Check", "Simulate"} {
		if strings.HasPrefix(ex.action, verb) {
			return true
		}
	}
	return false
}

// cacheReadOnly adds readOnly's answer for key to the cache.
func (a *auditTrail) cacheReadOnly(key readOnlyKey, ro bool) {
	a.readOnlyMu.Lock()
	defer a.readOnlyMu.Unlock()
	var m map[readOnlyKey]bool
	if old := a.readOnlyActions.Load(); old != nil {
		m = maps.Clone(*old)
	} else {
		m = map[readOnlyKey]bool{}
	}
	m[key] = ro
	a.readOnlyActions.Store(&m)
}

// servicePrefix is a signing name's IAM service prefix.
func servicePrefix(service string) string {
	if service == "gatehouse" {
		return "gatehouse"
	}
	return service
}

// s3DataEvents are the S3 operations CloudTrail records as data events
// (object-level activity and object listings; cloudtrail-logging-s3-info:
// "Data events … reading or writing to an Amazon S3 object"); CloudTrail's
// event history, and so LookupEvents, does not return them.
var s3DataEvents = map[string]bool{
	"GetObject": true, "HeadObject": true, "PutObject": true, "DeleteObject": true, "DeleteObjects": true,
	"CopyObject": true, "GetObjectAcl": true, "PutObjectAcl": true, "GetObjectTagging": true,
	"PutObjectTagging": true, "DeleteObjectTagging": true, "GetObjectAttributes": true,
	"CreateMultipartUpload": true, "UploadPart": true, "UploadPartCopy": true, "CompleteMultipartUpload": true,
	"AbortMultipartUpload": true, "ListParts": true, "ListObjects": true, "ListObjectsV2": true,
	"ListObjectVersions": true, "ListMultipartUploads": true, "RestoreObject": true,
}

// cloudTrailTLS is a TLS version as CloudTrail's tlsDetails writes it
// ("TLSv1.3").
func cloudTrailTLS(v uint16) string {
	if n := tlsVersionName(v); n != "" {
		return "TLSv" + strings.TrimSuffix(n, ".0")
	}
	return tls.VersionName(v)
}

package s3

// Object Lock enforced on object versions
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html,
// object-lock-managing.html): a version's retention (GOVERNANCE or
// COMPLIANCE until a date) and legal hold are kept in its metadata
// (objectstore.Lock); a new version takes the x-amz-object-lock-* headers
// of its write or the bucket's default retention; a version under
// retention or legal hold cannot be deleted (a delete without a version
// id only adds a delete marker, which Object Lock allows); GOVERNANCE
// gives way to x-amz-bypass-governance-retention: true, which
// authorization (s3/access) already required s3:BypassGovernanceRetention
// for; COMPLIANCE never does, and its retention can be extended, never
// shortened. Object Lock needs versioning Enabled, which it keeps from
// being suspended (configops.go), so a locked version is never
// overwritten in place.

import (
	"context"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/store"
)

const (
	lockGovernance = "GOVERNANCE"
	lockCompliance = "COMPLIANCE"
)

// bucketLock reads the bucket's Object Lock configuration: whether Object
// Lock is enabled, and its default retention (nil when none).
func (s *Service) bucketLock(b *store.Bucket) (enabled bool, def *s3api.DefaultRetention, err error) {
	var cfg s3api.ObjectLockConfiguration
	ok, err := s.readConfig(b, cfgObjectLock, &cfg)
	if !ok || err != nil {
		return false, nil, err
	}
	if cfg.Rule != nil {
		def = cfg.Rule.DefaultRetention
	}
	return true, def, nil
}

// errLockMissing is S3's answer to an Object Lock request on a bucket
// without Object Lock. PutObject, CopyObject and CreateMultipartUpload
// spell it "ObjectLockConfiguration", the object lock operations "Object
// Lock Configuration", as recorded against S3 in versity/versitygw issue
// 1751 (https://github.com/versity/versitygw/issues/1751).
func errLockMissing(write bool) error {
	if write {
		return errInvalidRequest("Bucket is missing ObjectLockConfiguration")
	}
	return errInvalidRequest("Bucket is missing Object Lock Configuration")
}

// errLocked is S3's refusal to delete, or to shorten the retention of, a
// version Object Lock protects: 403 AccessDenied "Access Denied because
// object protected by object lock.", as recorded against S3 in
// versity/versitygw issue 1330 (https://github.com/versity/versitygw/issues/1330).
func errLocked() error {
	return s3err("AccessDenied", 403, "Access Denied because object protected by object lock.")
}

// errRetainInPast is S3's refusal of a retention that ends in the past,
// as recorded against S3 in versity/versitygw issue 1734 and storj/edge
// issue 510 ("The retain until date must be in the future!").
func errRetainInPast(name string, until time.Time) error {
	return errInvalidArgument("The retain until date must be in the future!", name, until.UTC().Format(time.RFC3339))
}

// errLockChecksum is S3's refusal of an upload with Object Lock
// parameters and no checksum of its body, as recorded against S3 in
// versity/versitygw issue 1535 and aws/aws-sdk-php issue 1694 (a bucket's
// default retention counts as Object Lock parameters); API_PutObject: "The
// Content-MD5 or x-amz-sdk-checksum-algorithm header is required for any
// request to upload an object with a retention period configured using
// Amazon S3 Object Lock."
func errLockChecksum() error {
	return errInvalidRequest("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters")
}

// hasBodyChecksum reports whether a request carries a checksum of its
// body: Content-MD5, an x-amz-checksum-* value, or one announced as a
// trailer.
func hasBodyChecksum(h map[string][]string) bool {
	if headerValue(h, "Content-MD5") != "" || strings.HasPrefix(strings.ToLower(headerValue(h, "X-Amz-Trailer")), "x-amz-checksum-") {
		return true
	}
	for k, v := range h {
		k = strings.ToLower(k)
		if len(v) > 0 && strings.HasPrefix(k, "x-amz-checksum-") && k != "x-amz-checksum-type" && k != "x-amz-checksum-algorithm" {
			return true
		}
	}
	return false
}

// newVersionLock is the Object Lock state of a version a write creates:
// the request's x-amz-object-lock-* headers, else the bucket's default
// retention (from now). body says the write carries a body whose checksum
// S3 requires when Object Lock parameters apply.
func (s *Service) newVersionLock(b *store.Bucket, h map[string][]string, mode *s3api.ObjectLockMode, until *time.Time,
	hold *s3api.ObjectLockLegalHoldStatus, body bool) (objectstore.Lock, error) {
	enabled, def, err := s.bucketLock(b)
	if err != nil {
		return objectstore.Lock{}, err
	}
	given := mode != nil || until != nil || hold != nil
	if given && !enabled {
		return objectstore.Lock{}, errLockMissing(true)
	}
	var l objectstore.Lock
	if (mode == nil) != (until == nil) {
		// wording: not found in AWS docs.
		return l, errInvalidArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied", "x-amz-object-lock-mode", "")
	}
	now := s.now()
	if mode != nil {
		if *mode != lockGovernance && *mode != lockCompliance {
			// wording: not found in AWS docs.
			return l, errInvalidArgument("Unknown wormMode directive.", "x-amz-object-lock-mode", string(*mode))
		}
		if !until.After(now) {
			return l, errRetainInPast("x-amz-object-lock-retain-until-date", *until)
		}
		l.Mode, l.RetainUntil = string(*mode), until.UTC()
	} else if def != nil && def.Mode != nil {
		l.Mode, l.RetainUntil = string(*def.Mode), defaultUntil(now, def)
	}
	if hold != nil {
		switch *hold {
		case s3api.ObjectLockLegalHoldStatusON:
			l.LegalHold = true
		case s3api.ObjectLockLegalHoldStatusOFF:
		default:
			// wording: not found in AWS docs.
			return l, errInvalidArgument("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold", string(*hold))
		}
	}
	if body && (given || l.Mode != "") && !hasBodyChecksum(h) {
		return l, errLockChecksum()
	}
	return l, nil
}

// defaultUntil is when a default retention that starts at now ends: Days
// or Years later (API_DefaultRetention).
func defaultUntil(now time.Time, def *s3api.DefaultRetention) time.Time {
	t := now.UTC()
	switch {
	case def.Days != nil:
		return t.AddDate(0, 0, int(*def.Days))
	case def.Years != nil:
		return t.AddDate(int(*def.Years), 0, 0)
	}
	return t
}

// retained reports whether l's retention holds at now.
func retained(l objectstore.Lock, now time.Time) bool {
	return l.Mode != "" && now.Before(l.RetainUntil)
}

// bypassRequested reports whether the request asks to bypass
// governance-mode retention; authorization has then decided
// s3:BypassGovernanceRetention (s3/access describes it).
func bypassRequested(h map[string][]string) bool {
	return strings.EqualFold(strings.TrimSpace(headerValue(h, "X-Amz-Bypass-Governance-Retention")), "true")
}

// deleteVersion is DeleteObject's delete, of one object of DeleteObjects
// too: without a version id the backend's (a delete marker, or the
// unversioned object, which Object Lock never protects); with one, the
// permanent delete of that version, refused while Object Lock protects
// it. The check and the delete hold the key's lock, which
// PutObjectRetention and PutObjectLegalHold take too, so that a retention
// or legal hold set while a delete is under way is either seen by its
// check or set on a version that is gone (NoSuchVersion): never reported
// as set on a version the delete then removes. Its errors are S3's.
func (s *Service) deleteVersion(ctx context.Context, bucket, key, version string, h map[string][]string) (objectstore.DeleteResult, error) {
	if version != "" {
		unlock, err := s.keys.lock(ctx, bucket, key)
		if err != nil {
			return objectstore.DeleteResult{}, err
		}
		defer unlock()
		if err := s.checkDeletable(ctx, bucket, key, version, h); err != nil {
			return objectstore.DeleteResult{}, err
		}
	}
	res, err := s.backend.DeleteObject(ctx, bucket, key, version)
	if err != nil {
		return res, s.objectError(err, bucket, key, version)
	}
	return res, nil
}

// checkDeletable refuses the permanent delete of a version Object Lock
// protects: a legal hold whatever the mode, COMPLIANCE retention always,
// GOVERNANCE retention unless the request bypasses it
// (object-lock.html, "Retention modes", "Legal holds"). A version that
// does not exist is left for the backend to answer. The caller holds the
// key's lock (deleteVersion).
func (s *Service) checkDeletable(ctx context.Context, bucket, key, version string, h map[string][]string) error {
	info, err := s.backend.HeadObject(ctx, bucket, key, version)
	if err != nil {
		// A delete marker, or a version that is not there: nothing is
		// locked.
		return nil
	}
	l := info.Meta.Lock
	if l.LegalHold {
		return errLocked()
	}
	if retained(l, s.now()) && (l.Mode == lockCompliance || !bypassRequested(h)) {
		return errLocked()
	}
	return nil
}

// lockedBucket answers whether the bucket has Object Lock enabled, with
// the Object Lock operations' error when it has not.
func (s *Service) lockedBucket(ctx context.Context, name string) (*store.Bucket, error) {
	b, err := s.bucket(ctx, name)
	if err != nil {
		return nil, err
	}
	enabled, _, err := s.bucketLock(b)
	if err != nil {
		return nil, err
	}
	if !enabled {
		return nil, errLockMissing(false)
	}
	return b, nil
}

// putObjectRetention sets a version's retention. Within the backend's
// commit it checks the change against the version's retention as it is:
// COMPLIANCE can be extended, never shortened nor turned into GOVERNANCE;
// GOVERNANCE can be extended, or shortened, changed or removed with the
// bypass (API_PutObjectRetention; object-lock.html "Retention periods":
// "you can extend a retention period ... To shorten ... in governance
// mode ... s3:BypassGovernanceRetention").
func (s *Service) putObjectRetention(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutObjectRetentionRequest) (*s3api.PutObjectRetentionOutput, error) {
	if _, err := s.lockedBucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	var want objectstore.Lock
	if ret := in.Retention; ret != nil && (ret.Mode != nil || ret.RetainUntilDate != nil) {
		if ret.Mode == nil || ret.RetainUntilDate == nil {
			return nil, errMalformedXML()
		}
		if *ret.Mode != lockGovernance && *ret.Mode != lockCompliance {
			return nil, errMalformedXML()
		}
		if !ret.RetainUntilDate.After(s.now()) {
			return nil, errRetainInPast("RetainUntilDate", *ret.RetainUntilDate)
		}
		want.Mode, want.RetainUntil = string(*ret.Mode), ret.RetainUntilDate.UTC()
	}
	bypass := bypassRequested(r.Header) || in.BypassGovernanceRetention != nil && *in.BypassGovernanceRetention
	now := s.now()
	version := deref(in.VersionId)
	unlock, err := s.keys.lock(ctx, in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	defer unlock()
	_, err = s.backend.UpdateMeta(ctx, in.Bucket, in.Key, version, func(m *objectstore.Meta) error {
		cur := m.Lock
		if retained(cur, now) && !loosenAllowed(cur, want, bypass) {
			return errLocked()
		}
		m.Lock.Mode, m.Lock.RetainUntil = want.Mode, want.RetainUntil
		return nil
	})
	if err != nil {
		return nil, s.lockObjectError(err, in.Bucket, in.Key, version)
	}
	return &s3api.PutObjectRetentionOutput{}, nil
}

// loosenAllowed reports whether a retention in force (cur) may become
// want: an extension in the same mode always, GOVERNANCE to COMPLIANCE
// with a date no earlier always; any other change of GOVERNANCE only
// with the bypass; of COMPLIANCE never.
func loosenAllowed(cur, want objectstore.Lock, bypass bool) bool {
	notEarlier := want.Mode != "" && !want.RetainUntil.Before(cur.RetainUntil)
	switch cur.Mode {
	case lockCompliance:
		return want.Mode == lockCompliance && notEarlier
	case lockGovernance:
		return notEarlier || bypass
	}
	return true
}

// lockObjectError maps a backend error of an Object Lock operation on a
// version: the errors of this file as they are, the rest as objectError.
func (s *Service) lockObjectError(err error, bucket, key, version string) error {
	if ae, ok := asAWS(err); ok {
		return ae
	}
	return s.objectError(err, bucket, key, version)
}

// getObjectRetention answers a version's retention, or S3's
// NoSuchObjectLockConfiguration when it has none.
func (s *Service) getObjectRetention(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetObjectRetentionRequest) (*s3api.GetObjectRetentionOutput, error) {
	if _, err := s.lockedBucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	version := deref(in.VersionId)
	info, err := s.backend.HeadObject(ctx, in.Bucket, in.Key, version)
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, version)
	}
	l := info.Meta.Lock
	if l.Mode == "" {
		return nil, errNoLockConfiguration()
	}
	mode := s3api.ObjectLockRetentionMode(l.Mode)
	until := l.RetainUntil
	return &s3api.GetObjectRetentionOutput{Retention: &s3api.ObjectLockRetention{Mode: &mode, RetainUntilDate: &until}}, nil
}

// errNoLockConfiguration is S3's answer to a GetObjectRetention of a
// version that has no retention: NoSuchObjectLockConfiguration, 404 (the
// code is in the error code list of
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
func errNoLockConfiguration() error {
	// wording: not found in AWS docs.
	return s3err("NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration")
}

// putObjectLegalHold turns a version's legal hold on or off; a legal hold
// needs no bypass to be removed, only s3:PutObjectLegalHold
// (object-lock.html, "Legal holds").
func (s *Service) putObjectLegalHold(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutObjectLegalHoldRequest) (*s3api.PutObjectLegalHoldOutput, error) {
	if _, err := s.lockedBucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	if in.LegalHold == nil || in.LegalHold.Status == nil {
		return nil, errMalformedXML()
	}
	var on bool
	switch *in.LegalHold.Status {
	case s3api.ObjectLockLegalHoldStatusON:
		on = true
	case s3api.ObjectLockLegalHoldStatusOFF:
	default:
		return nil, errMalformedXML()
	}
	version := deref(in.VersionId)
	unlock, err := s.keys.lock(ctx, in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	defer unlock()
	_, err = s.backend.UpdateMeta(ctx, in.Bucket, in.Key, version, func(m *objectstore.Meta) error {
		m.Lock.LegalHold = on
		return nil
	})
	if err != nil {
		return nil, s.lockObjectError(err, in.Bucket, in.Key, version)
	}
	return &s3api.PutObjectLegalHoldOutput{}, nil
}

// getObjectLegalHold answers a version's legal hold status.
func (s *Service) getObjectLegalHold(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetObjectLegalHoldRequest) (*s3api.GetObjectLegalHoldOutput, error) {
	if _, err := s.lockedBucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	version := deref(in.VersionId)
	info, err := s.backend.HeadObject(ctx, in.Bucket, in.Key, version)
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, version)
	}
	status := s3api.ObjectLockLegalHoldStatusOFF
	if info.Meta.Lock.LegalHold {
		status = s3api.ObjectLockLegalHoldStatusON
	}
	return &s3api.GetObjectLegalHoldOutput{LegalHold: &s3api.ObjectLockLegalHold{Status: &status}}, nil
}

// lockHeaders fills a GET or HEAD's x-amz-object-lock-* headers from the
// version's lock, each only for a caller allowed to read it: "This header
// is only returned if the requester has the s3:GetObjectRetention
// permission" (mode, retain-until-date) and "s3:GetObjectLegalHold"
// (legal-hold) (API_HeadObject, API_GetObject).
func (s *Service) lockHeaders(ctx context.Context, c *identity.Caller, r *Request, l objectstore.Lock,
	mode **s3api.ObjectLockMode, until **time.Time, hold **s3api.ObjectLockLegalHoldStatus) {
	if l == (objectstore.Lock{}) {
		return
	}
	allowed := func(op string) bool {
		one := &Request{Operation: op, Bucket: r.Bucket, Key: r.Key, Header: r.Header, Query: r.Query}
		_, err := s.authorize(ctx, c, one)
		return err == nil
	}
	if l.Mode != "" && allowed("GetObjectRetention") {
		m := s3api.ObjectLockMode(l.Mode)
		t := l.RetainUntil
		*mode, *until = &m, &t
	}
	if allowed("GetObjectLegalHold") {
		st := s3api.ObjectLockLegalHoldStatusOFF
		if l.LegalHold {
			st = s3api.ObjectLockLegalHoldStatusON
		}
		*hold = &st
	}
}

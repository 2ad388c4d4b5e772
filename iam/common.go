package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Page size rules of every IAM List operation.
const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

// page is one page of a List operation.
type page struct {
	after string // exclusive start key
	limit int    // records to return
}

// pageOf reads Marker and MaxItems. The marker is opaque to clients: the last key
// of the previous page, base64url-encoded.
func pageOf(marker *string, maxItems *int32) (page, error) {
	p := page{limit: defaultMaxItems}
	if maxItems != nil {
		p.limit = int(*maxItems)
		if p.limit > maxMaxItems {
			p.limit = maxMaxItems
		}
	}
	if marker != nil {
		b, err := base64.RawURLEncoding.DecodeString(*marker)
		if err != nil || len(b) == 0 {
			return p, awserr.InvalidInput("Invalid Marker.")
		}
		p.after = string(b)
	}
	return p, nil
}

// listByPath is one page of a ListUsers-like operation: the account's records
// of kind whose path (pathOf) starts with pathPrefix, converted by conv.
func listByPath[T, O any](ctx context.Context, s *Service, kind store.Kind, account string, pathOf func(T) string, pathPrefix, marker *string, maxItems *int32, conv func(T) O) (items []O, truncated *bool, next *string, err error) {
	p, err := pageOf(marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	prefix := pathOr(pathPrefix)
	err = s.view(ctx, func(tx store.ReadTx) error {
		vs, t, m, err := listPage(ctx, tx, store.ListOptions{Kind: kind, Account: account}, p,
			func(v T) bool { return hasPathPrefix(pathOf(v), prefix) })
		if err != nil {
			return err
		}
		items = make([]O, 0, len(vs))
		for _, v := range vs {
			items = append(items, conv(v))
		}
		truncated, next = truncatedOut(t, m)
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return items, truncated, next, nil
}

// listPage lists one page of records: it asks for one more than the limit to know
// whether the listing is truncated. filter, when non-nil, drops records (the page
// then continues past them so that a page is as full as AWS's).
func listPage[T any](ctx context.Context, tx store.ReadTx, opts store.ListOptions, p page, filter func(T) bool) (items []T, truncated bool, marker *string, err error) {
	after := p.after
	if opts.After > after {
		after = opts.After
	}
	for {
		opts.After = after
		opts.Limit = p.limit + 1
		entries, err := store.ListJSON[T](ctx, tx, opts)
		if err != nil {
			return nil, false, nil, err
		}
		for _, e := range entries {
			if filter != nil && !filter(e.Value) {
				after = e.Key
				continue
			}
			if len(items) == p.limit {
				m := base64.RawURLEncoding.EncodeToString([]byte(after))
				return items, true, &m, nil
			}
			items = append(items, e.Value)
			after = e.Key
		}
		if len(entries) < opts.Limit {
			return items, false, nil, nil
		}
	}
}

// truncatedOut fills the IsTruncated/Marker pair of a List output.
func truncatedOut(truncated bool, marker *string) (*bool, *string) {
	t := truncated
	if !truncated {
		return &t, nil
	}
	return &t, marker
}

// encodeDocument URL-encodes a policy document as IAM returns it (RFC 3986).
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// tagsOut converts stored tags to API tags.
func tagsOut(tags []store.Tag) []iamapi.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]iamapi.Tag, len(tags))
	for i, t := range tags {
		out[i] = iamapi.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// maxTags is IAM's limit of tags per entity.
const maxTags = 50

// checkTags validates tags of a request: no duplicate keys (keys are
// case-insensitive).
func checkTags(tags []iamapi.Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return awserr.InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	if len(tags) > maxTags {
		return awserr.LimitExceeded("The number of tags has reached the maximum limit.")
	}
	return nil
}

// mergeTags applies new tags over existing ones (keys case-insensitive: a new
// tag replaces an existing one whose key differs only in case).
func mergeTags(old []store.Tag, add []iamapi.Tag) ([]store.Tag, error) {
	if err := checkTags(add); err != nil {
		return nil, err
	}
	out := append([]store.Tag{}, old...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = store.Tag{Key: t.Key, Value: t.Value}
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, store.Tag{Key: t.Key, Value: t.Value})
		}
	}
	if len(out) > maxTags {
		return nil, awserr.LimitExceeded("The number of tags has reached the maximum limit.")
	}
	return out, nil
}

// removeTags drops tags by key (case-insensitive).
func removeTags(old []store.Tag, keys []string) []store.Tag {
	var out []store.Tag
	for _, t := range old {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

// storeTags converts API tags for storage.
func storeTags(tags []iamapi.Tag) []store.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]store.Tag, len(tags))
	for i, t := range tags {
		out[i] = store.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// requestTagContext returns aws:RequestTag/* and aws:TagKeys for tags in a request.
func requestTagContext(tags []iamapi.Tag) map[string][]string {
	if len(tags) == 0 {
		return nil
	}
	ctx := map[string][]string{}
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		ctx["aws:RequestTag/"+t.Key] = []string{t.Value}
		keys = append(keys, t.Key)
	}
	ctx["aws:TagKeys"] = keys
	return ctx
}

// resourceTagContext returns aws:ResourceTag/* for an entity's tags, merged into ctx.
func resourceTagContext(ctx map[string][]string, tags []store.Tag) map[string][]string {
	if len(tags) == 0 {
		return ctx
	}
	if ctx == nil {
		ctx = map[string][]string{}
	}
	for _, t := range tags {
		ctx["aws:ResourceTag/"+t.Key] = []string{t.Value}
		ctx["iam:ResourceTag/"+t.Key] = []string{t.Value}
	}
	return ctx
}

// callerUserName returns the user a call without UserName refers to: the caller.
// Root and non-user callers get the error AWS returns for them.
func callerUserName(c *identity.Caller, name *string) (string, error) {
	if name != nil && *name != "" {
		return *name, nil
	}
	if c.UserName != "" {
		return c.UserName, nil
	}
	return "", awserr.ValidationError("Must specify userName when calling with non-User credentials")
}

// isNotFound reports store.ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// isExists reports store.ErrAlreadyExists.
func isExists(err error) bool { return errors.Is(err, store.ErrAlreadyExists) }

// encodeMarker makes an opaque marker from a key.
func encodeMarker(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

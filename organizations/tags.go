package organizations

import (
	"context"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// maxTags is AWS's limit of tags on an Organizations resource.
const maxTags = 50

func checkTags(tags []orgapi.Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if seen[t.Key] {
			return invalidInput("DUPLICATE_TAG_KEY", "You provided a tag key more than once.")
		}
		seen[t.Key] = true
	}
	if len(tags) > maxTags {
		return constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
	}
	return nil
}

func storeTags(tags []orgapi.Tag) []store.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]store.Tag, len(tags))
	for i, t := range tags {
		out[i] = store.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func (s *Service) tagOps() []operation.Op {
	return []operation.Op{
		op(s, "TagResource", targetOf(s, func(in *orgapi.TagResourceRequest) string { return in.ResourceId }), s.tagResource),
		op(s, "UntagResource", targetOf(s, func(in *orgapi.UntagResourceRequest) string { return in.ResourceId }), s.untagResource),
		op(s, "ListTagsForResource", targetOf(s, func(in *orgapi.ListTagsForResourceRequest) string { return in.ResourceId }), s.listTags),
	}
}

// withTags reads the tags of a root, OU, account or policy and, when fn is
// given, replaces them with fn's result. AWS managed policies have no tags:
// AWS answers them with INVALID_PATTERN (cloud-custodian/cloud-custodian
// pull request 8194, ListTagsForResource on p-FullAWSAccess).
func (s *Service) withTags(ctx context.Context, c *identity.Caller, id string, fn func([]store.Tag) ([]store.Tag, error)) ([]store.Tag, error) {
	if _, ok := awsPolicyByID(id); ok {
		return nil, invalidInput("INVALID_PATTERN", "You provided a value that does not match the required pattern.")
	}
	var tags []store.Tag
	run := func(tx store.ReadTx, put func(kind store.Kind, key string, v any) error) error {
		o, err := managedOrg(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		nf := orgErr("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
		if strings.HasPrefix(id, "rp-") {
			rp, err := store.GetJSON[resourcePolicyRecord](ctx, tx, kindOrgResourcePolicy, "", resourcePolicyKey(o.ID))
			if isNotFound(err) || (err == nil && rp.ID != id) {
				return nf
			}
			if err != nil {
				return err
			}
			tags = rp.Tags
			if fn == nil {
				return nil
			}
			if rp.Tags, err = fn(rp.Tags); err != nil {
				return err
			}
			tags = rp.Tags
			return put(kindOrgResourcePolicy, resourcePolicyKey(o.ID), rp)
		}
		if strings.HasPrefix(id, "p-") {
			p, err := getPolicy(ctx, tx, o.ID, id)
			if err != nil {
				return nf
			}
			tags = p.Tags
			if fn == nil {
				return nil
			}
			if p.Tags, err = fn(p.Tags); err != nil {
				return err
			}
			tags = p.Tags
			return put(kindOrgPolicy, policyKey(o.ID, p.ID), p)
		}
		t, err := findTarget(ctx, tx, o, id, nf)
		if err != nil {
			return err
		}
		tags = t.Tags
		if fn == nil {
			return nil
		}
		if tags, err = fn(t.Tags); err != nil {
			return err
		}
		switch t.Type {
		case "ROOT":
			r, err := getRoot(ctx, tx, o)
			if err != nil {
				return err
			}
			r.Tags = tags
			return put(kindOrgRoot, r.ID, r)
		case "ORGANIZATIONAL_UNIT":
			u, err := unit(ctx, tx, o, id)
			if err != nil {
				return err
			}
			u.Tags = tags
			return put(kindOrgUnit, u.ID, u)
		default:
			m, err := member(ctx, tx, o, id)
			if err != nil {
				return err
			}
			m.Tags = tags
			return put(kindOrgAccount, m.AccountID, m)
		}
	}
	var err error
	if fn == nil {
		err = s.view(ctx, func(tx store.ReadTx) error { return run(tx, nil) })
	} else {
		err = s.update(ctx, func(tx store.Tx) error {
			return run(tx, func(kind store.Kind, key string, v any) error { return store.PutJSON(ctx, tx, kind, "", key, v) })
		})
	}
	return tags, err
}

func (s *Service) tagResource(ctx context.Context, c *identity.Caller, in *orgapi.TagResourceRequest) (*emptyOutput, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	_, err := s.withTags(ctx, c, in.ResourceId, func(old []store.Tag) ([]store.Tag, error) {
		out := slices.Clone(old)
		for _, t := range in.Tags {
			i := slices.IndexFunc(out, func(x store.Tag) bool { return x.Key == t.Key })
			if i >= 0 {
				out[i].Value = t.Value
			} else {
				out = append(out, store.Tag{Key: t.Key, Value: t.Value})
			}
		}
		if len(out) > maxTags {
			return nil, constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
		}
		return out, nil
	})
	return done(err)
}

func (s *Service) untagResource(ctx context.Context, c *identity.Caller, in *orgapi.UntagResourceRequest) (*emptyOutput, error) {
	_, err := s.withTags(ctx, c, in.ResourceId, func(old []store.Tag) ([]store.Tag, error) {
		return slices.DeleteFunc(slices.Clone(old), func(t store.Tag) bool { return slices.Contains(in.TagKeys, t.Key) }), nil
	})
	return done(err)
}

func (s *Service) listTags(ctx context.Context, c *identity.Caller, in *orgapi.ListTagsForResourceRequest) (*orgapi.ListTagsForResourceResponse, error) {
	tags, err := s.withTags(ctx, c, in.ResourceId, nil)
	if err != nil {
		return nil, err
	}
	all := make([]orgapi.Tag, 0, len(tags))
	for _, t := range tags {
		all = append(all, orgapi.Tag{Key: t.Key, Value: t.Value})
	}
	out, next, err := page(all, in.NextToken, nil)
	if err != nil {
		return nil, err
	}
	return &orgapi.ListTagsForResourceResponse{Tags: out, NextToken: next}, nil
}

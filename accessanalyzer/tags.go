package accessanalyzer

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Tags of analyzers and archive rules (TagResource, UntagResource,
// ListTagsForResource), and the resources an analyzer examined
// (ListAnalyzedResources). The Service Authorization Reference gives the
// tagging actions the analyzer resource type, with aws:RequestTag/${TagKey}
// and aws:TagKeys, and aws:ResourceTag/${TagKey} on analyzers; the archive
// rule ARN is arn:${Partition}:access-analyzer:${Region}:${Account}:analyzer/${AnalyzerName}/archive-rule/${RuleName}.
// Tag limits are AWS's common tagging rules ("Tagging your AWS resources",
// https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html):
// 50 tags per resource, keys of 1 to 128 characters, values of up to 256,
// keys not beginning with "aws:".

const (
	maxTags        = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

func (s *Service) tagOps() []operation.Op {
	return []operation.Op{
		operation.New("TagResource", func(ctx context.Context, c *identity.Caller, in *analyzerapi.TagResourceRequest) (operation.Authz, error) {
			az := s.tagAuthz(ctx, c, "TagResource", in.ResourceArn)
			for k, v := range in.Tags {
				az.Context["aws:RequestTag/"+k] = []string{v}
			}
			az.Context["aws:TagKeys"] = slices.Sorted(maps.Keys(in.Tags))
			return az, nil
		}, s.tagResource),
		operation.New("UntagResource", func(ctx context.Context, c *identity.Caller, in *analyzerapi.UntagResourceRequest) (operation.Authz, error) {
			az := s.tagAuthz(ctx, c, "UntagResource", in.ResourceArn)
			az.Context["aws:TagKeys"] = slices.Clone(in.TagKeys)
			return az, nil
		}, s.untagResource),
		operation.New("ListTagsForResource", func(ctx context.Context, c *identity.Caller, in *analyzerapi.ListTagsForResourceRequest) (operation.Authz, error) {
			return s.tagAuthz(ctx, c, "ListTagsForResource", in.ResourceArn), nil
		}, s.listTagsForResource),
		op("ListAnalyzedResources", func(c *identity.Caller, in *analyzerapi.ListAnalyzedResourcesRequest) string { return in.AnalyzerArn }, s.listAnalyzedResources),
		op("CreateServiceLinkedAnalyzer", func(c *identity.Caller, in *analyzerapi.CreateServiceLinkedAnalyzerRequest) string { return "*" }, s.createServiceLinkedAnalyzer),
		op("DeleteServiceLinkedAnalyzer", func(c *identity.Caller, in *analyzerapi.DeleteServiceLinkedAnalyzerRequest) string {
			return analyzerARN(c, in.AnalyzerName)
		}, s.deleteServiceLinkedAnalyzer),
	}
}

// tagAuthz authorizes a tagging action on resourceArn, with the analyzer's
// tags as aws:ResourceTag/* when the ARN names one of the caller's.
func (s *Service) tagAuthz(ctx context.Context, c *identity.Caller, action, resourceArn string) operation.Authz {
	az := operation.Authz{Action: "access-analyzer:" + action, Resource: resourceArn, Context: map[string][]string{}}
	_ = s.st.View(ctx, func(tx store.ReadTx) error {
		a, rule, err := taggable(ctx, tx, c, resourceArn)
		if err == nil && rule == "" {
			for k, v := range a.Tags {
				az.Context["aws:ResourceTag/"+k] = []string{v}
			}
		}
		return nil
	})
	return az
}

// taggable reads the analyzer, and the name of the archive rule ("" for the
// analyzer itself), that a resource ARN names in the caller's account and
// region; ResourceNotFoundException otherwise.
func taggable(ctx context.Context, tx store.ReadTx, c *identity.Caller, resourceArn string) (analyzerRecord, string, error) {
	nf := notFound("Resource "+resourceArn+" not found.", resourceArn, typeAnalyzer)
	prefix := "arn:aws:access-analyzer:" + c.Region + ":" + c.Account + ":analyzer/"
	rest, ok := strings.CutPrefix(resourceArn, prefix)
	if !ok || rest == "" {
		return analyzerRecord{}, "", nf
	}
	name, rule, isRule := strings.Cut(rest, "/archive-rule/")
	if name == "" || strings.Contains(name, "/") || (isRule && (rule == "" || strings.Contains(rule, "/"))) {
		return analyzerRecord{}, "", nf
	}
	a, err := store.GetJSON[analyzerRecord](ctx, tx, kindAnalyzer, c.Account, analyzerKey(c.Region, name))
	if isNotFound(err) {
		return a, "", nf
	}
	if err != nil {
		return a, "", err
	}
	if isRule {
		if ruleIndex(a.Rules, rule) < 0 {
			return a, "", notFound("Resource "+resourceArn+" not found.", resourceArn, typeArchiveRule)
		}
		return a, rule, nil
	}
	return a, "", nil
}

// checkTags applies the tag limits to the tags a resource would have.
func checkTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return invalid("tags", "The number of tags exceeds the limit of "+strconv.Itoa(maxTags)+" tags per resource.")
	}
	for k, v := range tags {
		switch {
		case utf8.RuneCountInString(k) < 1 || utf8.RuneCountInString(k) > maxTagKeyLen:
			return invalid("tags", "Tag keys must be between 1 and "+strconv.Itoa(maxTagKeyLen)+" characters long.")
		case utf8.RuneCountInString(v) > maxTagValueLen:
			return invalid("tags", "Tag values must be at most "+strconv.Itoa(maxTagValueLen)+" characters long.")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return invalid("tags", "Tag keys cannot begin with the reserved prefix aws:.")
		}
	}
	return nil
}

// editTags changes the tags of the analyzer or archive rule resourceArn
// names.
func (s *Service) editTags(ctx context.Context, c *identity.Caller, resourceArn string, fn func(tags map[string]string) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		a, rule, err := taggable(ctx, tx, c, resourceArn)
		if err != nil {
			return err
		}
		if rule == "" {
			if a.Tags == nil {
				a.Tags = map[string]string{}
			}
			if err := fn(a.Tags); err != nil {
				return err
			}
		} else {
			r := &a.Rules[ruleIndex(a.Rules, rule)]
			if r.Tags == nil {
				r.Tags = map[string]string{}
			}
			if err := fn(r.Tags); err != nil {
				return err
			}
		}
		return store.PutJSON(ctx, tx, kindAnalyzer, c.Account, analyzerKey(a.Region, a.Name), a)
	})
}

func (s *Service) tagResource(ctx context.Context, c *identity.Caller, in *analyzerapi.TagResourceRequest) (*emptyOutput, error) {
	return done(s.editTags(ctx, c, in.ResourceArn, func(tags map[string]string) error {
		merged := maps.Clone(tags)
		maps.Copy(merged, in.Tags)
		if err := checkTags(merged); err != nil {
			return err
		}
		maps.Copy(tags, in.Tags)
		return nil
	}))
}

func (s *Service) untagResource(ctx context.Context, c *identity.Caller, in *analyzerapi.UntagResourceRequest) (*emptyOutput, error) {
	return done(s.editTags(ctx, c, in.ResourceArn, func(tags map[string]string) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	}))
}

func (s *Service) listTagsForResource(ctx context.Context, c *identity.Caller, in *analyzerapi.ListTagsForResourceRequest) (*analyzerapi.ListTagsForResourceResponse, error) {
	var tags map[string]string
	err := s.view(ctx, func(tx store.ReadTx) error {
		a, rule, err := taggable(ctx, tx, c, in.ResourceArn)
		if err != nil {
			return err
		}
		tags = a.Tags
		if rule != "" {
			tags = a.Rules[ruleIndex(a.Rules, rule)].Tags
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return &analyzerapi.ListTagsForResourceResponse{Tags: tags}, nil
}

// listAnalyzedResources lists what an external access analyzer examines:
// the IAM roles of its account (their trust policies), in name order.
// Gatehouse's analyzers analyze no other resource type, so a filter on
// another type lists none.
func (s *Service) listAnalyzedResources(ctx context.Context, c *identity.Caller, in *analyzerapi.ListAnalyzedResourcesRequest) (*analyzerapi.ListAnalyzedResourcesResponse, error) {
	if err := s.refuseUnused(ctx, c, in.AnalyzerArn, "ListAnalyzedResources"); err != nil {
		return nil, err
	}
	var roles []store.Role
	err := s.view(ctx, func(tx store.ReadTx) error {
		if in.ResourceType != nil && *in.ResourceType != analyzerapi.ResourceTypeAWSIAMRole {
			return nil
		}
		var err error
		roles, err = store.ListValues[store.Role](ctx, tx, store.ListOptions{Kind: store.KindRole, Account: c.Account})
		return err
	})
	if err != nil {
		return nil, err
	}
	start, limit, err := page(in.NextToken, in.MaxResults, len(roles))
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(roles))
	out := &analyzerapi.ListAnalyzedResourcesResponse{AnalyzedResources: []analyzerapi.AnalyzedResourceSummary{}, NextToken: nextToken(end, len(roles))}
	for _, r := range roles[start:end] {
		out.AnalyzedResources = append(out.AnalyzedResources, analyzerapi.AnalyzedResourceSummary{
			ResourceArn: r.ARN, ResourceOwnerAccount: c.Account, ResourceType: analyzerapi.ResourceTypeAWSIAMRole})
	}
	return out, nil
}

// createServiceLinkedAnalyzer: "This operation can only be invoked by
// authorized Amazon Web Services services. Direct customer invocation
// returns AccessDeniedException." (API reference). No AWS service calls
// Gatehouse, so every caller is a customer.
func (s *Service) createServiceLinkedAnalyzer(context.Context, *identity.Caller, *analyzerapi.CreateServiceLinkedAnalyzerRequest) (*analyzerapi.CreateServiceLinkedAnalyzerResponse, error) {
	return nil, accessDeniedErr("Service-linked analyzers can be created only by the AWS service that manages them.")
}

// deleteServiceLinkedAnalyzer deletes a service-linked analyzer; as none can
// be created in Gatehouse (createServiceLinkedAnalyzer), there is none to
// delete, and an analyzer created with CreateAnalyzer is not one.
func (s *Service) deleteServiceLinkedAnalyzer(ctx context.Context, c *identity.Caller, in *analyzerapi.DeleteServiceLinkedAnalyzerRequest) (*emptyOutput, error) {
	return nil, notFound("Service-linked analyzer "+in.AnalyzerName+" not found.", in.AnalyzerName, typeAnalyzer)
}

// accessDeniedErr is Access Analyzer's AccessDeniedException (403).
func accessDeniedErr(msg string) error {
	return &awserr.Error{Code: "AccessDeniedException", Status: 403, Sender: true, Message: msg}
}

package iam

import (
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/managedpolicies"
)

// TestServiceLinkedRoleCatalogue checks the table against what AWS documents
// of every service-linked role (IAM User Guide, using-service-linked-roles.md
// and reference_aws-services-that-work-with-iam.md): names start
// "AWSServiceRoleFor" and fit a role name (64 characters), principals are
// service principals, and each role's policy is an AWS managed policy under
// /aws-service-role/ ("that permissions policy cannot be attached to any other
// IAM entity") that the catalogue holds.
func TestServiceLinkedRoleCatalogue(t *testing.T) {
	t.Parallel()
	catalog, err := managedpolicies.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !sort.SliceIsSorted(serviceLinkedRoles, func(i, j int) bool { return serviceLinkedRoles[i].Principal < serviceLinkedRoles[j].Principal }) {
		t.Error("serviceLinkedRoles is not sorted by principal (lookupServiceLinkedRole searches it)")
	}
	names := map[string]string{}
	for i, e := range serviceLinkedRoles {
		if i > 0 && serviceLinkedRoles[i-1].Principal == e.Principal {
			t.Errorf("principal %s listed twice", e.Principal)
		}
		if !strings.HasSuffix(e.Principal, ".amazonaws.com") || strings.ContainsAny(e.Principal, " /*") {
			t.Errorf("principal %q is not a service principal", e.Principal)
		}
		if !strings.HasPrefix(e.RoleName, "AWSServiceRoleFor") || len(e.RoleName) > maxRoleName {
			t.Errorf("%s: role name %q", e.Principal, e.RoleName)
		}
		if other, dup := names[strings.ToLower(e.RoleName)]; dup {
			t.Errorf("role name %s used by %s and %s", e.RoleName, other, e.Principal)
		}
		names[strings.ToLower(e.RoleName)] = e.Principal
		mp, ok := catalog.Policy(e.PolicyARN())
		if !ok || mp.Path != "/aws-service-role/" {
			t.Errorf("%s: policy %s not in the catalogue under /aws-service-role/", e.Principal, e.PolicyARN())
		}
		if got, ok := lookupServiceLinkedRole(e.Principal); !ok || got != e {
			t.Errorf("lookup %s = %+v, %v", e.Principal, got, ok)
		}
	}
	if _, ok := lookupServiceLinkedRole("my-svc.amazonaws.com"); ok {
		t.Error("an unknown principal was found")
	}
	// The services the brief and AWS's own examples use, by the names their
	// pages give (e.g. "AWSServiceRoleForAutoScaling",
	// autoscaling-service-linked-role.html; "AWSServiceRoleForLexBots",
	// using-service-linked-roles.md's example for lex.amazonaws.com;
	// "AWSServiceRoleForAccessAnalyzer", reference_identifiers.md).
	want := map[string]string{
		"autoscaling.amazonaws.com":          "AWSServiceRoleForAutoScaling",
		"elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
		"ecs.amazonaws.com":                  "AWSServiceRoleForECS",
		"rds.amazonaws.com":                  "AWSServiceRoleForRDS",
		"organizations.amazonaws.com":        "AWSServiceRoleForOrganizations",
		"sso.amazonaws.com":                  "AWSServiceRoleForSSO",
		"support.amazonaws.com":              "AWSServiceRoleForSupport",
		"trustedadvisor.amazonaws.com":       "AWSServiceRoleForTrustedAdvisor",
		"config.amazonaws.com":               "AWSServiceRoleForConfig",
		"cloudtrail.amazonaws.com":           "AWSServiceRoleForCloudTrail",
		"guardduty.amazonaws.com":            "AWSServiceRoleForAmazonGuardDuty",
		"securityhub.amazonaws.com":          "AWSServiceRoleForSecurityHub",
		"access-analyzer.amazonaws.com":      "AWSServiceRoleForAccessAnalyzer",
		"elasticbeanstalk.amazonaws.com":     "AWSServiceRoleForElasticBeanstalk",
		"replicator.lambda.amazonaws.com":    "AWSServiceRoleForLambdaReplicator",
		"spot.amazonaws.com":                 "AWSServiceRoleForEC2Spot",
		"spotfleet.amazonaws.com":            "AWSServiceRoleForEC2SpotFleet",
		"eks.amazonaws.com":                  "AWSServiceRoleForAmazonEKS",
		"elasticache.amazonaws.com":          "AWSServiceRoleForElastiCache",
		"redshift.amazonaws.com":             "AWSServiceRoleForRedshift",
		"es.amazonaws.com":                   "AWSServiceRoleForAmazonElasticsearchService",
		"opensearchservice.amazonaws.com":    "AWSServiceRoleForAmazonOpenSearchService",
		"replication.dynamodb.amazonaws.com": "AWSServiceRoleForDynamoDBReplication",
		"lex.amazonaws.com":                  "AWSServiceRoleForLexBots",
	}
	for p, n := range want {
		if e, ok := lookupServiceLinkedRole(p); !ok || e.RoleName != n {
			t.Errorf("%s: got %+v, want role %s", p, e, n)
		}
	}
}

func TestSLRName(t *testing.T) {
	t.Parallel()
	sfx := "batch"
	cases := []struct {
		service string
		suffix  *string
		want    string
	}{
		{"autoscaling.amazonaws.com", nil, "AWSServiceRoleForAutoScaling"},
		{"autoscaling.amazonaws.com", &sfx, "AWSServiceRoleForAutoScaling_batch"},
		{"dynamodb.application-autoscaling.amazonaws.com", nil, "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"},
		{"my-svc.amazonaws.com", nil, "AWSServiceRoleForMySvc"}, // authorization only
	}
	for _, c := range cases {
		if got := slrName(c.service, c.suffix); got != c.want {
			t.Errorf("slrName(%s) = %s, want %s", c.service, got, c.want)
		}
	}
}

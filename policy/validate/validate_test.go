package validate

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// stmt wraps statement JSON in a versioned identity policy.
func stmt(s string) string {
	return `{"Version":"2012-10-17","Statement":[` + s + `]}`
}

// Each case has a policy that triggers the check (bad) and a tidy variant that
// does not (good). Codes, types and wording follow the IAM User Guide's "Access
// Analyzer policy check reference" (access-analyzer-reference-policy-checks.md),
// except the Gatehouse codes documented in validate.go.
var checkCases = []struct {
	code, typ string
	kind      policy.Kind
	bad, good string
	path      string // expected path of the first location of the finding
}{
	// Acceptance scenario findings.
	{"PASS_ROLE_WITH_STAR_IN_RESOURCE", TypeSecurityWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app"}`),
		"Statement[0].Action"},
	{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", TypeSecurityWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":["s3:GetObject","iam:*"],"Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":["s3:GetObject","iam:Get*"],"Resource":"*"}`),
		"Statement[0].Action[1]"},
	{"PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", TypeSecurityWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`),
		stmt(`{"Effect":"Allow","NotAction":["s3:*","iam:*"],"Resource":"*"}`),
		"Statement[0].NotAction"},
	{"PASS_ROLE_WITH_NOT_RESOURCE", TypeSecurityWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::123456789012:role/admin"}`),
		stmt(`{"Effect":"Allow","Action":"iam:GetRole","NotResource":"arn:aws:iam::123456789012:role/admin"}`),
		"Statement[0].Action"},
	{"INVALID_ACTION", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjekt"],"Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectAcl"],"Resource":"*"}`),
		"Statement[0].Action[1]"},
	{"INVALID_ACTION", TypeError, policy.KindIdentity, // a wildcard that matches nothing
		stmt(`{"Effect":"Allow","Action":"s3:Fly*","Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}`),
		"Statement[0].Action"},
	{"MISSING_VERSION", TypeWarning, policy.KindIdentity,
		`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`),
		""},
	// Syntax errors, mapped to Access Analyzer's codes.
	{"JSON_SYNTAX_ERROR", TypeError, policy.KindIdentity,
		`{"Version":"2012-10-17","Statement":[`,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), ""},
	{"INVALID_VERSION", TypeError, policy.KindIdentity,
		`{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		"Version"},
	{"INVALID_EFFECT", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Permit","Action":"s3:GetObject","Resource":"*"}`),
		stmt(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`), "Statement[0].Effect"},
	{"MISSING_EFFECT", TypeError, policy.KindIdentity,
		stmt(`{"Action":"s3:GetObject","Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Statement[0]"},
	{"MISSING_STATEMENT", TypeError, policy.KindIdentity,
		`{"Version":"2012-10-17"}`,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), ""},
	{"EMPTY_ARRAY_ACTION", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}`), "Statement[0].Action"},
	{"EMPTY_ARRAY_RESOURCE", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":[]}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":["*"]}`), "Statement[0].Resource"},
	{"MISSING_RESOURCE", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Statement[0]"},
	{"MISSING_PRINCIPAL", TypeError, policy.KindResource,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`),
		stmt(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Statement[0]"},
	{"UNSUPPORTED_PRINCIPAL", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Statement[0]"},
	{"UNIQUE_SIDS_REQUIRED", TypeError, policy.KindIdentity,
		stmt(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:PutObject","Resource":"*"}`),
		stmt(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"B","Effect":"Deny","Action":"s3:PutObject","Resource":"*"}`), "Statement[1]"},
	{"UNSUPPORTED_SID", TypeError, policy.KindIdentity,
		stmt(`{"Sid":"my sid","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`),
		stmt(`{"Sid":"MySid1","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Statement[0].Sid"},
	{"INVALID_CONDITION_OPERATOR", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqual":{"aws:username":"a"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}}}`), "Statement[0].Condition.StringEqual"},
	{"NULL_WITH_QUALIFIER", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:Null":{"aws:TagKeys":"true"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Null":{"aws:TagKeys":"true"}}}`), "Statement[0].Condition.ForAnyValue:Null"},
	{"NULL_WITH_IF_EXISTS", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Null":{"aws:username":"true"}}}`), "Statement[0].Condition.NullIfExists"},
	{"INVALID_ARN_PREFIX", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"s3:::bucket/*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}`), "Statement[0].Resource"},
	{"MISSING_ARN_FIELD", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:bucket/*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}`), "Statement[0].Resource"},
	{"INVALID_POLICY_ELEMENT", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Actions":"s3:PutObject"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Statement[0].Actions"},
	{"UNSUPPORTED_ELEMENT_COMBINATION", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Statement[0].NotAction"},
	// Actions.
	{"INVALID_SERVICE_IN_ACTION", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s4:GetObject","Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Statement[0].Action"},
	{"WILDCARD_IN_SERVICE_NAME", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3*:GetObject","Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}`), "Statement[0].Action"},
	{"REDUNDANT_ACTION", TypeSuggestion, policy.KindIdentity, // the guide's own example
		stmt(`{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GetCredentialReport"],"Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:*CredentialReport"],"Resource":"*"}`), "Statement[0].Action[2]"},
	{"VARIABLE_UNSUPPORTED_IN_ELEMENT", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:${aws:username}","Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}`), "Statement[0].Action"},
	// Resources.
	{"REDUNDANT_RESOURCE", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","arn:aws:s3:::b/key"]}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","arn:aws:s3:::c/key"]}`), "Statement[0].Resource[1]"},
	{"INVALID_ARN_SERVICE_CASE", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:S3:::b/*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Statement[0].Resource"},
	{"INVALID_ARN_ACCOUNT", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::12345:role/a"}`),
		stmt(`{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::123456789012:role/a"}`), "Statement[0].Resource"},
	{"ARN_REGION_NOT_ALLOWED", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam:us-east-1:123456789012:role/a"}`),
		stmt(`{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::123456789012:role/a"}`), "Statement[0].Resource"},
	{"ARN_ACCOUNT_NOT_ALLOWED", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3::123456789012:b/*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Statement[0].Resource"},
	{CodeUnknownResourceType, TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::123456789012:robot/a"}`),
		stmt(`{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::123456789012:role/a"}`), "Statement[0].Resource"},
	{CodeResourceMismatch, TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket"}`),
		stmt(`{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::my-bucket","arn:aws:s3:::my-bucket/*"]}`), "Statement[0].Resource"},
	{"VARIABLE_UNSUPPORTED_IN_VERSION", TypeError, policy.KindIdentity,
		`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}`, "Statement[0].Resource"},
	{"MISSING_BRACE_IN_VARIABLE", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username/*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}`), "Statement[0].Resource"},
	{"EMPTY_VARIABLE", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${}/*"}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:userid}/*"}`), "Statement[0].Resource"},
	{"ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", TypeError, policy.KindTrust,
		stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}`),
		stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), "Statement[0].Resource"},
	// Conditions.
	{"INVALID_GLOBAL_CONDITION_KEY", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceIP2":"x"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}}`), "Statement[0].Condition.StringEquals.aws:SourceIP2"},
	{"INVALID_SERVICE_CONDITION_KEY", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:x-amz-acll":"private"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:x-amz-acl":"private"}}}`), "Statement[0].Condition.StringEquals.s3:x-amz-acll"},
	{"INVALID_CONDITION_KEY_FORMAT", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"username":"a"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}}}`), "Statement[0].Condition.StringEquals.username"},
	{"MISSING_TAG_KEY_IN_CONDITION", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag":"a"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}}`), "Statement[0].Condition.StringEquals.aws:ResourceTag"},
	{"DEPRECATED_GLOBAL_CONDITION_KEY", TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ArnEquals":{"aws:ARN":"arn:aws:iam::123456789012:role/a"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/a"}}}`), "Statement[0].Condition.ArnEquals.aws:ARN"},
	{"TYPE_MISMATCH", TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:username":"2020-01-01"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}}}`), "Statement[0].Condition.DateGreaterThan.aws:username"},
	{"TYPE_MISMATCH_DATE", TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}`), "Statement[0].Condition.DateGreaterThan.aws:CurrentTime"},
	{"INVALID_DATE_VALUE", TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"1577836800"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}}}`), "Statement[0].Condition.DateGreaterThan.aws:CurrentTime"},
	{"TYPE_MISMATCH_NUMBER", TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"an hour"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}`), "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge"},
	{"TYPE_MISMATCH_BOOLEAN", TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true}}}`), "Statement[0].Condition.Bool.aws:SecureTransport"},
	{"INVALID_CONDITION_MULTIPLE_BOOLEAN", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":["true","false"]}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":["true"]}}}`), "Statement[0].Condition.Bool.aws:SecureTransport"},
	{"TYPE_MISMATCH_IP_RANGE", TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/33"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}`), "Statement[0].Condition.IpAddress.aws:SourceIp"},
	{"IMPROVE_IP_RANGE", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.5/24"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}`), "Statement[0].Condition.IpAddress.aws:SourceIp"},
	{"PRIVATE_IP_ADDRESS", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/16"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/16"}}}`), "Statement[0].Condition.IpAddress.aws:SourceIp"},
	{"PRIVATE_IP_ADDRESS_SUBSET", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/16","203.0.113.0/24"]}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["198.51.100.0/24","203.0.113.0/24"]}}}`), "Statement[0].Condition.IpAddress.aws:SourceIp[0]"},
	{"TYPE_MISMATCH_STRING", TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"BinaryEquals":{"aws:username":"not base64!"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"BinaryEquals":{"aws:username":"QUJD"}}}`), "Statement[0].Condition.BinaryEquals.aws:username"},
	{"WILDCARD_WITHOUT_LIKE_OPERATOR", TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"dev-*"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/team":"dev-*"}}}`), "Statement[0].Condition.StringEquals.aws:PrincipalTag/team"},
	{"FORALLVALUES_WITH_SINGLE_VALUED_KEY", TypeSecurityWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:PrincipalAccount":"123456789012"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}`), "Statement[0].Condition.ForAllValues:StringEquals.aws:PrincipalAccount"},
	{"MISSING_QUALIFIER", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"team"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}}`), "Statement[0].Condition.StringEquals.aws:TagKeys"},
	{"DUPLICATE_KEYS_WITH_DIFFERENT_CASE", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":"a","aws:UserName":"b"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"},"StringLike":{"aws:UserName":"b*"}}}`), "Statement[0].Condition.StringEquals.aws:UserName"},
	{"EMPTY_ARRAY_CONDITION", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":[]}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":["a"]}}}`), "Statement[0].Condition.StringEquals.aws:username"},
	{"EMPTY_ARRAY_CONDITION_FORALLVALUES", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":[]}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}}`), "Statement[0].Condition.ForAllValues:StringEquals.aws:TagKeys"},
	{"EMPTY_ARRAY_CONDITION_FORANYVALUE", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":[]}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}}`), "Statement[0].Condition.ForAnyValue:StringEquals.aws:TagKeys"},
	{"EMPTY_ARRAY_CONDITION_IFEXISTS", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:username":[]}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:username":"a"}}}`), "Statement[0].Condition.StringEqualsIfExists.aws:username"},
	{"EMPTY_OBJECT_CONDITION", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Statement[0].Condition"},
	{"INVALID_VARIABLE_FOR_OPERATOR", TypeError, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericEquals":{"s3:max-keys":"${aws:username}"}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/user":"${aws:username}"}}}`), "Statement[0].Condition.NumericEquals.s3:max-keys"},
	{CodeRedundantConditionValue, TypeSuggestion, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":["a","a"]}}}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":["a","b"]}}}`), "Statement[0].Condition.StringEquals.aws:username[1]"},
	// Statements and principals.
	{"EMPTY_SID_VALUE", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Sid":"","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`),
		stmt(`{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Statement[0].Sid"},
	{"REDUNDANT_STATEMENT", TypeSuggestion, policy.KindIdentity,
		stmt(`{"Sid":"A","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"},{"Sid":"B","Effect":"Allow","Action":["s3:putobject","s3:GetObject"],"Resource":"*"}`),
		stmt(`{"Sid":"A","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"},{"Sid":"B","Effect":"Deny","Action":["s3:putobject","s3:GetObject"],"Resource":"*"}`), "Statement[0]"},
	{"ALLOW_WITH_NOT_PRINCIPAL", TypeSecurityWarning, policy.KindResource,
		stmt(`{"Effect":"Allow","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`),
		stmt(`{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Statement[0].NotPrincipal"},
	{"ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", TypeError, policy.KindTrust,
		stmt(`{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}`),
		stmt(`{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}`), "Statement[0].NotPrincipal"},
	{CodeAllowWithNotAction, TypeSecurityWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::b/*"}`),
		stmt(`{"Effect":"Deny","NotAction":"iam:*","Resource":"arn:aws:s3:::b/*"}`), "Statement[0].NotAction"},
	{CodeAllowWithNotResource, TypeSecurityWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"}`),
		stmt(`{"Effect":"Deny","Action":"s3:GetObject","NotResource":"arn:aws:s3:::public/*"}`), "Statement[0].NotResource"},
	{CodeStarInActionAndResource, TypeSecurityWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"*","Resource":"*"}`),
		stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`), "Statement[0].Action"},
	{CodeStatementNeverApplies, TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Deny","Action":"s3:DeleteObject","NotResource":"*"}`),
		stmt(`{"Effect":"Deny","Action":"s3:DeleteObject","NotResource":"arn:aws:s3:::scratch/*"}`), "Statement[0].NotResource"},
	{"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", TypeWarning, policy.KindIdentity,
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":[` + manyResources(300) + `]}`),
		stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":[` + manyResources(20) + `]}`), ""},
}

func manyResources(n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, `"arn:aws:s3:::bucket-`+strconv.Itoa(i)+`/*"`)
	}
	return strings.Join(parts, ",")
}

func TestChecks(t *testing.T) {
	for _, tc := range checkCases {
		t.Run(tc.code, func(t *testing.T) {
			got := find(Validate(tc.bad, tc.kind), tc.code)
			if got == nil {
				t.Fatalf("no %s finding for %s\nfindings:\n%s", tc.code, tc.bad, FormatText(Validate(tc.bad, tc.kind)))
			}
			if got.Type != tc.typ {
				t.Errorf("type = %s, want %s", got.Type, tc.typ)
			}
			if got.Message == "" || got.LearnMoreLink == "" || len(got.Locations) == 0 {
				t.Errorf("incomplete finding %+v", got)
			} else if p := PathString(got.Locations[0].Path); p != tc.path {
				t.Errorf("path = %q, want %q", p, tc.path)
			}
			if f := find(Validate(tc.good, tc.kind), tc.code); f != nil {
				t.Errorf("tidy policy %s still yields %s: %s", tc.good, tc.code, f.Message)
			}
		})
	}
}

func find(fs []Finding, code string) *Finding {
	for i := range fs {
		if fs[i].Code == code {
			return &fs[i]
		}
	}
	return nil
}

// TestTidyPolicies are least-privilege policies that must yield no findings at all.
func TestTidyPolicies(t *testing.T) {
	tests := []struct {
		kind policy.Kind
		doc  string
	}{
		{policy.KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::my-bucket/*"}]}`},
		{policy.KindIdentity, `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::my-bucket",
     "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}},
    {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": "arn:aws:s3:::my-bucket/home/${aws:username}/*"},
    {"Sid": "PassOne", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/app",
     "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}
  ]
}`},
		{policy.KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
		{policy.KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`},
	}
	for _, tt := range tests {
		if fs := Validate(tt.doc, tt.kind); len(fs) != 0 {
			t.Errorf("%s policy %s:\n%s", tt.kind, tt.doc, FormatText(fs))
		}
	}
}

func TestLocationsAndFormat(t *testing.T) {
	doc := "{\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n    \"Action\": [\"s3:GetObject\", \"s3:GetObjekt\"],\n    \"Resource\": \"*\"\n  }]\n}"
	fs := Validate(doc, policy.KindIdentity)
	f := find(fs, "INVALID_ACTION")
	if f == nil {
		t.Fatalf("no INVALID_ACTION in %v", fs)
	}
	l := f.Locations[0]
	if got := doc[l.Span.Start:l.Span.End]; got != `"s3:GetObjekt"` {
		t.Errorf("span covers %q", got)
	}
	if l.Start != (Position{Line: 4, Column: 31, Offset: l.Span.Start}) {
		t.Errorf("start = %+v", l.Start)
	}
	text := FormatText(fs)
	want := "ERROR INVALID_ACTION at Statement[0].Action[1] (4:32): The action s3:GetObjekt does not exist. Did you mean s3:GetObject?\n"
	if !strings.HasPrefix(text, want) {
		t.Errorf("FormatText =\n%s\nwant first line\n%s", text, want)
	}
	if !strings.Contains(text, "WARNING MISSING_VERSION at document (1:1)") {
		t.Errorf("FormatText lacks MISSING_VERSION:\n%s", text)
	}
	// The API shape, as the server will return it.
	b, err := json.Marshal(ToAPI(doc, []Finding{*f}))
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `[{"findingDetails":"The action s3:GetObjekt does not exist. Did you mean s3:GetObject?","findingType":"ERROR","issueCode":"INVALID_ACTION","learnMoreLink":"https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action","locations":[{"path":[{"value":"Statement"},{"index":0},{"value":"Action"},{"index":1}],"span":{"start":{"line":4,"column":31,"offset":74},"end":{"line":4,"column":45,"offset":88}}}]}]`
	if string(b) != wantJSON {
		t.Errorf("ToAPI JSON =\n%s\nwant\n%s", b, wantJSON)
	}
}

func TestPositionOf(t *testing.T) {
	doc := "ab\ncé\nd"
	tests := []struct {
		off  int
		want Position
	}{
		{0, Position{1, 0, 0}},
		{2, Position{1, 2, 2}},
		{3, Position{2, 0, 3}},
		{6, Position{2, 2, 5}}, // é is two bytes, one character
		{8, Position{3, 1, 7}},
		{99, Position{3, 1, 7}},
	}
	for _, tt := range tests {
		if got := PositionOf(doc, tt.off); got != tt.want {
			t.Errorf("PositionOf(%d) = %+v, want %+v", tt.off, got, tt.want)
		}
	}
}

func TestFindingsNeverNil(t *testing.T) {
	for _, doc := range []string{"", "null", "[]", `{"Statement":{}}`, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`} {
		fs := Validate(doc, policy.KindIdentity)
		if fs == nil {
			t.Errorf("Validate(%q) = nil", doc)
		}
		for _, f := range fs {
			if f.Locations == nil || f.Code == "" || f.Type == "" {
				t.Errorf("Validate(%q): malformed finding %+v", doc, f)
			}
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, tc := range checkCases {
		f.Add(tc.bad)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, fd := range Validate(doc, policy.KindIdentity) {
			for _, l := range fd.Locations {
				if l.Span.Start < 0 || l.Span.End > len(doc) || l.Span.Start > l.Span.End {
					t.Fatalf("%s: span %+v outside document of %d bytes", fd.Code, l.Span, len(doc))
				}
			}
		}
	})
}

// TestPure fails when a non-test file imports anything but the standard library
// and Gatehouse's pure packages.
func TestPure(t *testing.T) {
	allowed := map[string]bool{
		"github.com/gatehouse-iam/gatehouse/policy":   true,
		"github.com/gatehouse-iam/gatehouse/wildcard": true,
		"github.com/gatehouse-iam/gatehouse/arn":      true,
		"github.com/gatehouse-iam/gatehouse/authref":  true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if allowed[path] || !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
				continue
			}
			t.Errorf("%s imports %s, which a pure package may not", name, path)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	doc := checkCases[0].bad
	Validate(doc, policy.KindIdentity) // load servicedata outside the loop
	for b.Loop() {
		Validate(doc, policy.KindIdentity)
	}
}

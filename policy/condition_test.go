package policy

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	want := time.Date(2020, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2020-04-01T00:00:00Z", "2020-04-01", "1585699200", "2020-04-01T02:00:00+02:00", "2020-04-01T00:00:00.000Z"} {
		got, ok := parseDate(s)
		if !ok || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "yesterday", "2020-13-01", "12:00"} {
		if _, ok := parseDate(s); ok {
			t.Errorf("parseDate(%q) accepted", s)
		}
	}
}

func TestParseCIDR(t *testing.T) {
	for _, tt := range []struct {
		s  string
		ok bool
	}{{"203.0.113.0/24", true}, {"203.0.113.7", true}, {"2001:db8::/32", true}, {"2001:db8::1", true}, {"300.1.1.1", false}, {"10.0.0.0/33", false}, {"", false}} {
		if _, ok := parseCIDR(tt.s); ok != tt.ok {
			t.Errorf("parseCIDR(%q) ok=%v", tt.s, ok)
		}
	}
}

func TestParseOperator(t *testing.T) {
	for _, tt := range []struct {
		s      string
		ok     bool
		family string
	}{
		{"StringEquals", true, "String"},
		{"ForAnyValue:StringLikeIfExists", true, "String"},
		{"ForAllValues:ArnLike", true, "ARN"},
		{"NumericLessThanEqualsIfExists", true, "Numeric"},
		{"Null", true, "Null"},
		{"NullIfExists", false, ""},
		{"ForAnyValue:Null", true, "Null"},
		{"ForAllValues:NullIfExists", false, ""},
		{"ForSomeValues:StringEquals", false, ""},
		{"StringEqualz", false, ""},
	} {
		op, err := ParseOperator(tt.s)
		if (err == nil) != tt.ok {
			t.Errorf("ParseOperator(%q) err=%v", tt.s, err)
			continue
		}
		if tt.ok && op.Family() != tt.family {
			t.Errorf("%q family %q", tt.s, op.Family())
		}
	}
}

// condCase is one condition evaluated against one request context.
type condCase struct {
	name string
	op   string
	vals []string
	ctx  []string // the request's values of key "k"; nil: the key is absent
	vars map[string]string
	want bool
}

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			c, err := compileCond(Condition{Operator: tt.op, Key: "k", Values: tt.vals}, 0, true)
			if err != nil {
				t.Fatal(err)
			}
			ctx := NewContext(4)
			if tt.ctx != nil {
				ctx.Set("k", tt.ctx...)
			}
			for k, v := range tt.vars {
				ctx.Set(k, v)
			}
			var st evalState
			st.init(&Request{Context: ctx, Resource: "*"})
			defer st.release()
			if got := c.eval(&st); got != tt.want {
				t.Errorf("%s %q on %q = %v, want %v", tt.op, tt.vals, tt.ctx, got, tt.want)
			}
		})
	}
}

// TestConditionUnreadableValues: a request or policy value that cannot be read as
// its operator's type. The IAM User Guide documents absent keys
// (reference_policies_elements_condition_operators.md: absent key, condition
// false; negated operator, true) but is silent on present values that do not
// parse. Gatehouse's conservative decision (see condition.go): such a comparison
// holds neither for the operator nor for its negation, so an Allow is never
// granted through it. The same reading is taken by Cloud Copilot's iam-simulate
// model of NotIpAddress (an invalid request IP or no valid policy CIDR: false) —
// a third-party model, cited as corroboration, not as AWS's word.
func TestConditionUnreadableValues(t *testing.T) {
	runCondCases(t, []condCase{
		// IP addresses.
		{"ip garbage request", "IpAddress", []string{"10.0.0.0/8"}, []string{"not-an-ip"}, nil, false},
		{"not-ip garbage request", "NotIpAddress", []string{"10.0.0.0/8"}, []string{"not-an-ip"}, nil, false},
		{"not-ip garbage policy", "NotIpAddress", []string{"10.0.0.300/8"}, []string{"192.0.2.1"}, nil, false},
		{"not-ip garbage and good policy, inside", "NotIpAddress", []string{"bogus", "10.0.0.0/8"}, []string{"10.1.1.1"}, nil, false},
		{"ip garbage and good policy, inside", "IpAddress", []string{"bogus", "10.0.0.0/8"}, []string{"10.1.1.1"}, nil, true},
		{"not-ip good policy outside", "NotIpAddress", []string{"10.0.0.0/8"}, []string{"192.0.2.1"}, nil, true},
		{"not-ip absent key", "NotIpAddress", []string{"10.0.0.0/8"}, nil, nil, true},
		{"not-ip-ifexists garbage", "NotIpAddressIfExists", []string{"10.0.0.0/8"}, []string{"x"}, nil, false},
		// Numbers.
		{"numeric garbage request", "NumericLessThan", []string{"10"}, []string{"ten"}, nil, false},
		{"numeric-not-equals garbage request", "NumericNotEquals", []string{"10"}, []string{"ten"}, nil, false},
		{"numeric-not-equals garbage policy", "NumericNotEquals", []string{"ten"}, []string{"3"}, nil, false},
		{"numeric-not-equals readable", "NumericNotEquals", []string{"10"}, []string{"3"}, nil, true},
		// Dates.
		{"date garbage request", "DateGreaterThan", []string{"2020-01-01T00:00:00Z"}, []string{"yesterday"}, nil, false},
		{"date-not-equals garbage request", "DateNotEquals", []string{"2020-01-01T00:00:00Z"}, []string{"yesterday"}, nil, false},
		{"date-not-equals garbage policy", "DateNotEquals", []string{"someday"}, []string{"2020-01-01T00:00:00Z"}, nil, false},
		{"date-not-equals readable", "DateNotEquals", []string{"2020-01-01T00:00:00Z"}, []string{"2021-01-01T00:00:00Z"}, nil, true},
		// ARNs.
		{"arn-like not an arn", "ArnLike", []string{"arn:aws:s3:::bucket/*"}, []string{"bucket/key"}, nil, false},
		{"arn-not-like not an arn", "ArnNotLike", []string{"arn:aws:s3:::bucket/*"}, []string{"bucket/key"}, nil, false},
		{"arn-not-equals not an arn", "ArnNotEquals", []string{"arn:aws:iam::111122223333:role/r"}, []string{"role/r"}, nil, false},
		{"arn-not-like policy not an arn", "ArnNotLike", []string{"arn:aws:s3"}, []string{"arn:aws:s3:::bucket/key"}, nil, false},
		{"arn-not-like readable", "ArnNotLike", []string{"arn:aws:s3:::other/*"}, []string{"arn:aws:s3:::bucket/key"}, nil, true},
		{"arn-like star pattern", "ArnLike", []string{"*"}, []string{"arn:aws:s3:::bucket/key"}, nil, true},
		// Bool and Binary.
		{"bool not a bool", "Bool", []string{"true"}, []string{"yes"}, nil, false},
		{"bool policy not a bool", "Bool", []string{"yes"}, []string{"yes"}, nil, false},
		{"bool case-insensitive", "Bool", []string{"true"}, []string{"TRUE"}, nil, true},
		{"binary not base64", "BinaryEquals", []string{"QmluYXJ5"}, []string{"@@@"}, nil, false},
		{"binary equal", "BinaryEquals", []string{"QmluYXJ5"}, []string{"QmluYXJ5"}, nil, true},
		{"binary differs", "BinaryEquals", []string{"QmluYXJ5"}, []string{"QmluYXJ6"}, nil, false},
		{"binary padded", "BinaryEquals", []string{"YQ=="}, []string{"YQ=="}, nil, true},
		// Set operators: every value must be read.
		{"forall not-ip one garbage", "ForAllValues:NotIpAddress", []string{"10.0.0.0/8"}, []string{"192.0.2.1", "junk"}, nil, false},
		{"forany not-ip one readable outside", "ForAnyValue:NotIpAddress", []string{"10.0.0.0/8"}, []string{"junk", "192.0.2.1"}, nil, true},
		{"forall numeric-not-equals garbage", "ForAllValues:NumericNotEquals", []string{"1"}, []string{"2", "x"}, nil, false},
		// Several request values for a negated operator without a set qualifier.
		{"not-ip two values one garbage", "NotIpAddress", []string{"10.0.0.0/8"}, []string{"192.0.2.1", "junk"}, nil, false},
	})
}

// TestConditionVariables: policy variables in condition values.
// reference_policies_variables.md#policy-vars-no-value: a variable with no value
// is effectively null; StringEquals/StringLike do not match, and "Inverted
// condition operators like StringNotEquals or StringNotLike do match against a
// null value". The same page (policy-vars-wheretouse) allows variables only with
// string and ARN operators: elsewhere "${...}" is literal text, which does not
// parse as a number, date or IP, so the comparison is unreadable.
func TestConditionVariables(t *testing.T) {
	team := map[string]string{"aws:PrincipalTag/team": "blue"}
	runCondCases(t, []condCase{
		{"string-equals no value", "StringEquals", []string{"${aws:PrincipalTag/team}"}, []string{"blue"}, nil, false},
		{"string-not-equals no value", "StringNotEquals", []string{"${aws:PrincipalTag/team}"}, []string{"blue"}, nil, true},
		{"string-like no value", "StringLike", []string{"${aws:PrincipalTag/team}*"}, []string{"blue"}, nil, false},
		{"string-not-like no value", "StringNotLike", []string{"${aws:PrincipalTag/team}*"}, []string{"blue"}, nil, true},
		{"arn-like no value", "ArnLike", []string{"arn:aws:iam::111122223333:user/${aws:username}"}, []string{"arn:aws:iam::111122223333:user/bob"}, nil, false},
		{"arn-not-like no value", "ArnNotLike", []string{"arn:aws:iam::111122223333:user/${aws:username}"}, []string{"arn:aws:iam::111122223333:user/bob"}, nil, true},
		{"string-equals with value", "StringEquals", []string{"${aws:PrincipalTag/team}"}, []string{"blue"}, team, true},
		{"string-not-equals with value", "StringNotEquals", []string{"${aws:PrincipalTag/team}"}, []string{"blue"}, team, false},
		{"numeric with variable is literal", "NumericEquals", []string{"${aws:MultiFactorAuthAge}"}, []string{"5"}, map[string]string{"aws:MultiFactorAuthAge": "5"}, false},
		{"numeric-not-equals with variable is literal", "NumericNotEquals", []string{"${aws:MultiFactorAuthAge}"}, []string{"5"}, map[string]string{"aws:MultiFactorAuthAge": "6"}, false},
		{"not-ip with variable is literal", "NotIpAddress", []string{"${aws:SourceIp}"}, []string{"192.0.2.1"}, map[string]string{"aws:SourceIp": "10.0.0.1"}, false},
		{"date-not-equals with variable is literal", "DateNotEquals", []string{"${aws:TokenIssueTime}"}, []string{"2020-01-01T00:00:00Z"}, nil, false},
		{"bool with variable is literal", "Bool", []string{"${aws:SecureTransport}"}, []string{"true"}, map[string]string{"aws:SecureTransport": "true"}, false},
	})
}

// TestConditionNullQualified: ForAllValues:Null always holds and ForAnyValue:Null
// never does ("Null with qualifier", access-analyzer-reference-policy-checks.md).
func TestConditionNullQualified(t *testing.T) {
	runCondCases(t, []condCase{
		{"forall null absent", "ForAllValues:Null", []string{"false"}, nil, nil, true},
		{"forall null present", "ForAllValues:Null", []string{"true"}, []string{"a"}, nil, true},
		{"forany null absent", "ForAnyValue:Null", []string{"true"}, nil, nil, false},
		{"forany null present", "ForAnyValue:Null", []string{"false"}, []string{"a"}, nil, false},
	})
}

// FuzzCondition evaluates random operators, policy values and request values:
// nothing may panic, and a condition and its negation must disagree whenever the
// key is present with one value and the value parses for the operator's type.
func FuzzCondition(f *testing.F) {
	f.Add("StringLike", "a*b?", "axxbc", true)
	f.Add("IpAddress", "10.0.0.0/8", "10.1.2.3", true)
	f.Add("DateLessThan", "2020-01-01T00:00:00Z", "1577836799", true)
	f.Add("NumericEquals", "1.50", "1.5", false)
	f.Add("ForAllValues:StringEquals", "${aws:username}", "bob", true)
	f.Fuzz(func(t *testing.T, op, pval, rval string, present bool) {
		o, err := parseOperator(op)
		if err != nil {
			return
		}
		c, err := compileCond(Condition{Operator: op, Key: "k", Values: []string{pval}}, 0, true)
		if err != nil {
			return
		}
		ctx := NewContext(2)
		ctx.Set("aws:username", "bob")
		if present {
			ctx.Set("k", rval)
		}
		var st evalState
		st.init(&Request{Context: ctx, Resource: "*"})
		defer st.release()
		got := c.eval(&st)
		// A positive operator and its negation disagree on a present, single value
		// when both the request value and the policy value can be read as the
		// operator's type; when either cannot, neither holds.
		neg := map[string]string{"StringEquals": "StringNotEquals", "StringLike": "StringNotLike", "ArnLike": "ArnNotLike",
			"IpAddress": "NotIpAddress", "NumericEquals": "NumericNotEquals", "DateEquals": "DateNotEquals"}
		if n, ok := neg[op]; ok && present && !hasVariable(pval) && o.set == setNone {
			nc, _ := compileCond(Condition{Operator: n, Key: "k", Values: []string{pval}}, 0, true)
			ngot := nc.eval(&st)
			if c.positive(&st, rval, nil) == unreadable {
				if got || ngot {
					t.Fatalf("%s / %s hold on unreadable %q vs %q", op, n, pval, rval)
				}
				return
			}
			if ngot == got {
				t.Fatalf("%s and %s agree (%v) on %q vs %q", op, n, got, pval, rval)
			}
		}
	})
}

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
		{"ForAnyValue:Null", false, ""},
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
		// A positive operator and its negation disagree on a present, single value.
		neg := map[string]string{"StringEquals": "StringNotEquals", "StringLike": "StringNotLike", "ArnLike": "ArnNotLike", "IpAddress": "NotIpAddress"}
		if n, ok := neg[op]; ok && present && rval != "" && !hasVariable(pval) && o.set == setNone {
			nc, _ := compileCond(Condition{Operator: n, Key: "k", Values: []string{pval}}, 0, true)
			if nc.eval(&st) == got {
				if op == "IpAddress" {
					if _, ok := parseCIDR(pval); !ok {
						return
					}
					if _, ok := parseCIDR(rval); !ok {
						return
					}
				}
				t.Fatalf("%s and %s agree (%v) on %q vs %q", op, n, got, pval, rval)
			}
		}
	})
}

package check

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// BenchmarkCorpus runs every case of testdata/corpus.json (documents parsed
// beforehand) and reports checks per second, the median over the cases of
// each case's median time, the worst case's median time, and the slowest
// single run (garbage collection included).
//
//	go test -run '^$' -bench Corpus -benchtime 200x ./policy/check/
func BenchmarkCorpus(b *testing.B) {
	cases := loadCorpus(b)
	type prepared struct {
		run func() Result
	}
	var ps []prepared
	for i := range cases {
		c := &cases[i]
		switch c.Check {
		case "no-new-access":
			n, e := mustParse(b, c.New, c.PolicyType), mustParse(b, c.Existing, c.PolicyType)
			ps = append(ps, prepared{func() Result { return CheckNoNewAccess(n, e, c.PolicyType) }})
		case "access-not-granted":
			d := mustParse(b, c.Policy, c.PolicyType)
			ps = append(ps, prepared{func() Result { return CheckAccessNotGranted(d, c.Access, c.PolicyType) }})
		case "no-public-access":
			d := mustParse(b, c.Policy, ResourcePolicy)
			ps = append(ps, prepared{func() Result { r, _ := CheckNoPublicAccess(d, c.ResourceType); return r }})
		}
	}
	sar() // the action catalog is built once per process, on first use
	per := make([][]time.Duration, len(ps))
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		for i, p := range ps {
			t0 := time.Now()
			p.run()
			per[i] = append(per[i], time.Since(t0))
		}
	}
	total := time.Since(start)
	b.StopTimer()
	medians := make([]time.Duration, len(ps))
	var slowest time.Duration
	for i, ds := range per {
		sort.Slice(ds, func(a, c int) bool { return ds[a] < ds[c] })
		medians[i] = ds[len(ds)/2]
		slowest = max(slowest, ds[len(ds)-1])
	}
	sort.Slice(medians, func(a, c int) bool { return medians[a] < medians[c] })
	b.ReportMetric(float64(b.N*len(ps))/total.Seconds(), "checks/s")
	b.ReportMetric(float64(medians[len(medians)/2].Microseconds()), "median-µs/check")
	b.ReportMetric(float64(medians[len(medians)-1].Microseconds()), "worst-µs/check")
	b.ReportMetric(float64(slowest.Microseconds()), "slowest-µs")
}

// largePolicy returns an identity policy of about size characters (white
// space excluded, as AWS counts): statements mixing wildcard actions,
// NotAction, resource patterns, policy variables and conditions.
func largePolicy(size int, variant int) string {
	actions := []string{`"s3:Get*"`, `"s3:List*"`, `"ec2:Describe*"`, `"iam:Get*"`, `"dynamodb:*Item"`, `"kms:Decrypt"`, `"lambda:Invoke*"`, `"sqs:*"`}
	resources := []string{`"arn:aws:s3:::bucket-%d/*"`, `"arn:aws:s3:::bucket-%d/home/${aws:username}/*"`, `"arn:aws:dynamodb:us-east-1:111122223333:table/t%d"`, `"arn:aws:sqs:*:111122223333:q%d-*"`, `"*"`}
	conds := []string{
		`{"StringEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}}`,
		`{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`,
		`{"IpAddress":{"aws:SourceIp":"10.%d.0.0/16"}}`,
		`{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`,
		`{"NumericLessThan":{"s3:max-keys":"%d"}}`,
	}
	res := func(tpl string, i int) string {
		if strings.Contains(tpl, "%d") {
			return fmt.Sprintf(tpl, i)
		}
		return tpl
	}
	var stmts []string
	for i := 0; ; i++ {
		var s string
		switch {
		case i%7 == 3:
			s = fmt.Sprintf(`{"Sid":"N%d","Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"arn:aws:s3:::bucket-%d/*","Condition":%s}`, i, i, res(conds[i%len(conds)], i%250))
		case i%11 == 5:
			s = fmt.Sprintf(`{"Sid":"D%d","Effect":"Deny","Action":["s3:Delete*","kms:ScheduleKeyDeletion"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`, i)
		default:
			a := actions[(i+variant)%len(actions)] + "," + actions[(i+3)%len(actions)]
			r := res(resources[i%len(resources)], i) + "," + res(resources[(i+1)%len(resources)], i)
			s = fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":[%s],"Resource":[%s],"Condition":%s}`, i, a, r, res(conds[(i+variant)%len(conds)], i%250))
		}
		next := append(stmts, s)
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(next, ",") + `]}`
		if policy.Size(doc) > size {
			return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		}
		stmts = next
	}
}

// BenchmarkLargest checks the largest policies AWS allows: a 10,240-character
// managed policy and a 6,144-character inline user policy (IAM quotas), new
// against a variant of itself (the worst path: every statement compared with
// every other) and against itself (PASS, every unit covered).
//
//	go test -run '^$' -bench Largest ./policy/check/
func BenchmarkLargest(b *testing.B) {
	for _, size := range []int{6144, 10240} {
		a, v := largePolicy(size, 0), largePolicy(size, 1)
		da, err := Parse(a, IdentityPolicy)
		if err != nil {
			b.Fatal(err)
		}
		dv, err := Parse(v, IdentityPolicy)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("no-new-access/%d/self", size), func(b *testing.B) {
			for range b.N {
				if r := CheckNoNewAccess(da, da, IdentityPolicy); r.Result != Pass {
					b.Fatalf("a policy against itself: %+v", r)
				}
			}
		})
		b.Run(fmt.Sprintf("no-new-access/%d/variant", size), func(b *testing.B) {
			for range b.N {
				CheckNoNewAccess(dv, da, IdentityPolicy)
			}
		})
		b.Run(fmt.Sprintf("access-not-granted/%d", size), func(b *testing.B) {
			for range b.N {
				CheckAccessNotGranted(da, []Access{{Actions: []string{"iam:PassRole", "s3:DeleteBucket"}, Resources: []string{"arn:aws:s3:::bucket-1/*"}}}, IdentityPolicy)
			}
		})
	}
}

func TestLargestPolicySizes(t *testing.T) {
	for _, size := range []int{6144, 10240} {
		doc := largePolicy(size, 0)
		if n := policy.Size(doc); n > size || n < size-400 {
			t.Fatalf("policy of %d characters, want close to %d", n, size)
		}
		d, err := Parse(doc, IdentityPolicy)
		if err != nil {
			t.Fatal(err)
		}
		if r := CheckNoNewAccess(d, d, IdentityPolicy); r.Result != Pass {
			t.Fatalf("a policy is not within itself: %+v", r.Reasons)
		}
	}
}

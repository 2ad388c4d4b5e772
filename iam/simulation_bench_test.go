package iam

import (
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// The simulator's cost per page, for requests as large as a caller holding
// only iam:SimulateCustomPolicy (or IAMReadOnlyAccess) may send: the server
// reads request bodies of up to 2 MB (server.maxBody), and the API model puts
// no bound on the number of ActionNames or ResourceArns. Each benchmark walks
// the pages of one request as a client does and reports, per page, the bytes
// allocated and the peak of live heap while the page is held.
//
// Figures (go test ./iam/ -run XXX -bench BenchmarkSimulate -benchtime=1x
// -count=5, medians, 2 shared cores, 2026-12-06):
//
//	                          ns/op    pages/op  alloc-B/page  peak-live-B/page
//	Reported, before (f335d48) 12.0e9        2       817e6         163e6
//	Reported, bounded pages     2.7e9      200       7.5e6         1.6e6
//	WorstRequest (3 pages)     16.1e9        3      13.8e6         3.6e6
//
// The worst request cannot run on the code before: its first page held 100
// actions × 18,116 resources × 2,799 matching statements.

// benchBodyLimit is the server's request body limit (server.maxBody).
const benchBodyLimit = 2 << 20

// formBody measures a form-encoded Query request body.
type formBody struct{ n int }

func (f *formBody) add(k, v string) int {
	n := len(url.QueryEscape(k)) + 1 + len(url.QueryEscape(v)) + 1
	f.n += n
	return n
}

// benchActions are n distinct action names over a few services.
func benchActions(n int) []string {
	svcs := []string{"s3", "iam", "ec2", "dynamodb", "sqs"}
	out := make([]string, n)
	for i := range out {
		out[i] = svcs[i%len(svcs)] + ":Action" + strconv.Itoa(i)
	}
	return out
}

// benchPolicies returns identity policies whose statements all apply to every
// action and resource: allows whose conditions hold, so every evaluation
// matches them all (the results are as large as they can be), and between
// them denies whose conditions fail, so no evaluation can stop early. Each
// document stays under the model's 131,072 characters.
func benchPolicies(b *testing.B, statements int) []*policy.Policy {
	b.Helper()
	var out []*policy.Policy
	for statements > 0 {
		n := min(statements, 2000)
		statements -= n
		var sb strings.Builder
		sb.WriteString(`{"Version":"2012-10-17","Statement":[`)
		for i := range n {
			if i > 0 {
				sb.WriteString(",\n")
			}
			if i%2 == 0 {
				fmt.Fprintf(&sb, `{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/k%d":"*"}}}`, i%4)
			} else {
				fmt.Fprintf(&sb, `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/k%d":"x*"}}}`, i%4)
			}
		}
		sb.WriteString("]}")
		p, err := policy.ParseAndCompile(simInputName+strconv.Itoa(len(out)+1), sb.String(), policy.KindIdentity)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func benchSimulation(b *testing.B, actions, resources []string, pols []*policy.Policy) *simulation {
	b.Helper()
	ctx := policy.NewContext(4)
	for i := range 4 {
		ctx.Set("aws:PrincipalTag/k"+strconv.Itoa(i), "v")
	}
	sim := &simulation{
		principal: policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::123456789012:user/dev", Account: "123456789012"},
		ctx:       ctx, actions: actions, resources: resources, specific: true,
	}
	sim.set.Identity = pols
	return sim
}

// runPages walks up to maxPages pages of sim (all when 0) and reports the
// page metrics.
func runPages(b *testing.B, sim *simulation, maxPages int) {
	b.Helper()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var allocated, peak uint64
	pages, results := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var marker *string
		for n := 0; maxPages == 0 || n < maxPages; n++ {
			runtime.ReadMemStats(&ms)
			before := ms.TotalAlloc
			out, err := sim.run(marker, nil)
			if err != nil {
				b.Fatal(err)
			}
			runtime.ReadMemStats(&ms)
			allocated += ms.TotalAlloc - before
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > base {
				peak = max(peak, ms.HeapAlloc-base)
			}
			b.StartTimer()
			pages++
			results += len(out.EvaluationResults)
			if out.IsTruncated == nil || !*out.IsTruncated {
				break
			}
			marker = out.Marker
			runtime.KeepAlive(out)
		}
	}
	b.ReportMetric(float64(allocated)/float64(pages), "alloc-B/page")
	b.ReportMetric(float64(peak), "peak-live-B/page")
	b.ReportMetric(float64(results)/float64(pages), "actions/page")
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
}

// BenchmarkSimulateReported is the request of the report: 200 actions on
// 2,000 resources, with a policy of 10 statements (5 matching allows).
func BenchmarkSimulateReported(b *testing.B) {
	res := make([]string, 2000)
	for i := range res {
		res[i] = "arn:aws:s3:::bucket/object-" + strconv.Itoa(i)
	}
	runPages(b, benchSimulation(b, benchActions(200), res, benchPolicies(b, 10)), 0)
}

// BenchmarkSimulateWorstRequest fills a 2 MB SimulateCustomPolicy body: half
// of it statements that match every action and resource, half resource ARNs,
// with 100 actions; the product of resources and statements is what one
// action costs. It walks the first 3 pages.
func BenchmarkSimulateWorstRequest(b *testing.B) {
	var body formBody
	body.add("Action", "SimulateCustomPolicy")
	body.add("Version", "2010-05-08")
	actions := benchActions(100)
	for i, a := range actions {
		body.add("ActionNames.member."+strconv.Itoa(i+1), a)
	}
	// One statement as the form carries it, to count how many fit.
	stmt := `{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/k0":"*"}}},` + "\n"
	half := (benchBodyLimit - body.n) / 2
	statements := half / len(url.QueryEscape(stmt))
	body.n += half
	var res []string
	for i := 1; ; i++ {
		r := "arn:aws:s3:::b/" + strconv.Itoa(i)
		if body.n+len(url.QueryEscape("ResourceArns.member."+strconv.Itoa(i)))+len(url.QueryEscape(r))+2 > benchBodyLimit {
			break
		}
		body.add("ResourceArns.member."+strconv.Itoa(i), r)
		res = append(res, r)
	}
	b.Logf("%d actions, %d resources, %d statements, body %d bytes", len(actions), len(res), statements, body.n)
	runPages(b, benchSimulation(b, actions, res, benchPolicies(b, statements)), 3)
}

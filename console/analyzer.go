package console

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsaa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
)

// analyzerView is one analyzer with its findings.
type analyzerView struct {
	Analyzer aatypes.AnalyzerSummary
	Findings []aatypes.FindingSummaryV2
	Err      *apiError
}

// findings lists the account's analyzers and each one's findings
// (ListAnalyzers, ListFindingsV2: external access and unused access).
func (c *Console) findings(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	as, err := cl.Analyzer.ListAnalyzers(ctx, &awsaa.ListAnalyzersInput{})
	if err != nil {
		c.showError(w, r, s, "findings", "Access Analyzer", "findings", err)
		return
	}
	var out []analyzerView
	for _, a := range as.Analyzers {
		v := analyzerView{Analyzer: a}
		fs, err := cl.Analyzer.ListFindingsV2(ctx, &awsaa.ListFindingsV2Input{AnalyzerArn: a.Arn, MaxResults: aws.Int32(100)})
		if err != nil {
			v.Err = apiErrorOf(err)
		} else {
			v.Findings = fs.Findings
		}
		out = append(out, v)
	}
	c.render(w, r, "findings", http.StatusOK, &page{Title: "Access Analyzer", S: s, Nav: "findings", Data: out})
}

package iam

import (
	"encoding/base32"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Policy templates (temporary-delegation-policy-templates.html): "policy
// templates include parameters (such as @{bucketName}) that are replaced with
// actual values when you create a delegation request", and "AWS combines the
// template with your parameter values to generate a standard IAM policy".
//
// Gatehouse renders a parameter of Type "string" (one value) wherever
// @{name} appears, its value escaped as JSON string content, so no value can
// change the document's structure; a parameter of Type "stringList" only
// where a whole JSON string is "@{name}", which becomes an array of its
// values. The templates' conditional statements are not supported.

// maxTemplateParameters is the model's bound on Parameters.
const maxTemplateParameters = 50

// RenderDelegationTemplate substitutes params into a template and checks the
// result: every placeholder given, every parameter used, a valid policy of at
// most 2048 characters. Errors are InvalidInput.
func RenderDelegationTemplate(tmpl string, params []store.DelegationParameter) (string, error) {
	if len(params) > maxTemplateParameters {
		return "", awserr.InvalidInput("Permissions may have at most %d parameters.", maxTemplateParameters)
	}
	seen := map[string]bool{}
	doc := tmpl
	for _, p := range params {
		if p.Name == "" {
			return "", awserr.InvalidInput("Every policy parameter needs a Name.")
		}
		if seen[p.Name] {
			return "", awserr.InvalidInput("The policy parameter %s is given twice.", p.Name)
		}
		seen[p.Name] = true
		ph := "@{" + p.Name + "}"
		if !strings.Contains(doc, ph) {
			return "", awserr.InvalidInput("The policy template has no parameter %s.", p.Name)
		}
		switch p.Type {
		case "", "string":
			if len(p.Values) != 1 {
				return "", awserr.InvalidInput("The policy parameter %s of type string needs exactly one value.", p.Name)
			}
			doc = strings.ReplaceAll(doc, ph, jsonContent(p.Values[0]))
		case "stringList":
			if len(p.Values) == 0 {
				return "", awserr.InvalidInput("The policy parameter %s of type stringList needs at least one value.", p.Name)
			}
			list, _ := json.Marshal(p.Values) //nolint:errcheck // a []string always marshals
			doc = strings.ReplaceAll(doc, `"`+ph+`"`, string(list))
			if strings.Contains(doc, ph) {
				return "", awserr.InvalidInput("The policy parameter %s of type stringList must stand for a whole string in the template.", p.Name)
			}
		default:
			return "", awserr.InvalidInput("The policy parameter %s has an unknown type %s.", p.Name, p.Type)
		}
	}
	if i := strings.Index(doc, "@{"); i >= 0 {
		end := strings.IndexByte(doc[i:], '}')
		name := doc[i+2:]
		if end > 0 {
			name = doc[i+2 : i+end]
		}
		return "", awserr.InvalidInput("The policy parameter %s is missing.", name)
	}
	if n := policy.Size(doc); n > maxRenderedPolicy {
		return "", awserr.InvalidInput("The rendered permission policy has %d characters; the limit is %d.", n, maxRenderedPolicy)
	}
	if _, err := policy.Parse(doc, policy.KindSession); err != nil {
		return "", awserr.InvalidInput("The rendered permission policy is not valid: %s", syntaxMessage(err))
	}
	return doc, nil
}

// placeholderProbe replaces every @{…} with a plain value, so a template can
// be checked as a policy when it is registered.
func placeholderProbe(tmpl string) string {
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "@{")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		b.WriteString("param")
		tmpl = tmpl[i+j+1:]
	}
}

// syntaxMessage is a policy error's client-safe message.
func syntaxMessage(err error) string {
	if se, ok := err.(*policy.SyntaxError); ok { //nolint:errorlint // Parse returns *SyntaxError unwrapped
		return se.Message
	}
	return "Syntax errors in policy."
}

// jsonContent is s escaped as the content of a JSON string (without quotes).
func jsonContent(s string) string {
	b, _ := json.Marshal(s) //nolint:errcheck // a string always marshals
	return string(b[1 : len(b)-1])
}

// jsonString is s as a JSON string.
func jsonString(s string) string { return `"` + jsonContent(s) + `"` }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func base32NoPad(b []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

package console

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// providerRoutes registers the identity providers' pages: IAM's OpenID
// Connect and SAML providers, every action an IAM call.
func (c *Console) providerRoutes(m *http.ServeMux) {
	a := c.authed
	m.HandleFunc("GET /ui/providers", a(c.providers))
	m.HandleFunc("POST /ui/providers/oidc", a(c.createOIDC))
	m.HandleFunc("POST /ui/providers/saml", a(c.createSAML))
	m.HandleFunc("GET /ui/provider", a(c.provider))
	m.HandleFunc("POST /ui/provider", a(c.providerAction))
}

// providerRow is one provider of the list.
type providerRow struct {
	ARN, Name, Type  string
	Created, Expires *time.Time
}

// providersData is the providers page's content.
type providersData struct {
	Rows []providerRow
	// The create forms' values, kept when a creation failed.
	URL, ClientIDs, Thumbprints, Name, Metadata string
}

// providerName is the part of a provider ARN after its type: the URL of
// an OIDC provider, the name of a SAML one.
func providerName(arn string) string {
	_, name, _ := strings.Cut(arn, "-provider/")
	return name
}

// isSAML reports whether an ARN names a SAML provider.
func isSAML(arn string) bool { return strings.Contains(arn, ":saml-provider/") }

// providers lists the account's identity providers
// (ListOpenIDConnectProviders, ListSAMLProviders).
func (c *Console) providers(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	c.renderProviders(w, r, s, cl, providersData{}, nil)
}

// renderProviders renders the list, with a failed creation's error and
// form values.
func (c *Console) renderProviders(w http.ResponseWriter, r *http.Request, s *sess, cl *clients, d providersData, createErr error) {
	ctx := apiContext(r)
	oidc, err := cl.IAM.ListOpenIDConnectProviders(ctx, &awsiam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		c.showError(w, r, s, "providers", "Identity providers", "providers", err)
		return
	}
	saml, err := cl.IAM.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{})
	if err != nil {
		c.showError(w, r, s, "providers", "Identity providers", "providers", err)
		return
	}
	for _, p := range oidc.OpenIDConnectProviderList {
		d.Rows = append(d.Rows, providerRow{ARN: aws.ToString(p.Arn), Name: providerName(aws.ToString(p.Arn)), Type: "OpenID Connect"})
	}
	for _, p := range saml.SAMLProviderList {
		d.Rows = append(d.Rows, providerRow{ARN: aws.ToString(p.Arn), Name: providerName(aws.ToString(p.Arn)), Type: "SAML",
			Created: p.CreateDate, Expires: p.ValidUntil})
	}
	pg := &page{Title: "Identity providers", S: s, Nav: "providers", Data: d}
	status := http.StatusOK
	if createErr != nil {
		pg.Err, pg.Open = apiErrorOf(createErr), true
		status = pg.Err.Status
	}
	c.render(w, r, "providers", status, pg)
}

// formTags reads the tag rows of a form (key and value fields); empty keys
// are skipped.
func formTags(r *http.Request) []types.Tag {
	var tags []types.Tag
	vals := r.PostForm["tagvalue"]
	for i, k := range r.PostForm["tagkey"] {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		v := ""
		if i < len(vals) {
			v = vals[i]
		}
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return tags
}

// createOIDC creates an OpenID Connect provider
// (CreateOpenIDConnectProvider): URL, client ids, thumbprints, tags.
func (c *Console) createOIDC(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	d := providersData{URL: strings.TrimSpace(r.PostFormValue("url")), ClientIDs: r.PostFormValue("clientids"), Thumbprints: r.PostFormValue("thumbprints")}
	in := &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String(d.URL), ClientIDList: fields(d.ClientIDs), ThumbprintList: fields(d.Thumbprints), Tags: formTags(r)}
	out, err := cl.IAM.CreateOpenIDConnectProvider(apiContext(r), in)
	if err != nil {
		c.renderProviders(w, r, s, cl, d, err)
		return
	}
	c.redirectFlash(w, r, "/ui/provider?arn="+url.QueryEscape(aws.ToString(out.OpenIDConnectProviderArn)), "Provider "+d.URL+" created.")
}

// maxMetadata bounds an uploaded SAML metadata document (the request is
// bounded at 1 MiB as every console form; IAM's own limit is larger).
const maxMetadata = 1 << 20

// metadataOf is the SAML metadata of a form: the uploaded file
// ("metadatafile") when one was chosen, else the pasted text ("metadata").
func metadataOf(r *http.Request) (string, error) {
	f, _, err := r.FormFile("metadatafile")
	if err != nil {
		return r.PostFormValue("metadata"), nil //nolint:nilerr // no file chosen: the pasted text
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMetadata))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// createSAML creates a SAML provider (CreateSAMLProvider) from an uploaded
// or pasted metadata document.
func (c *Console) createSAML(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	doc, err := metadataOf(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := providersData{Name: strings.TrimSpace(r.PostFormValue("name")), Metadata: doc}
	out, err := cl.IAM.CreateSAMLProvider(apiContext(r), &awsiam.CreateSAMLProviderInput{Name: aws.String(d.Name), SAMLMetadataDocument: aws.String(doc), Tags: formTags(r)})
	if err != nil {
		c.renderProviders(w, r, s, cl, d, err)
		return
	}
	c.redirectFlash(w, r, "/ui/provider?arn="+url.QueryEscape(aws.ToString(out.SAMLProviderArn)), "Provider "+d.Name+" created.")
}

// providerData is a provider's page.
type providerData struct {
	ARN, Name string
	SAML      bool
	Created   *time.Time
	Tags      []types.Tag
	// OpenID Connect.
	URL         string
	ClientIDs   []string
	Thumbprints []string
	// SAML.
	Metadata string
	Expires  *time.Time
	UUID     string
}

// loadProvider reads a provider (GetOpenIDConnectProvider or
// GetSAMLProvider, by its ARN).
func loadProvider(r *http.Request, cl *clients, arn string) (*providerData, error) {
	ctx := apiContext(r)
	d := &providerData{ARN: arn, Name: providerName(arn), SAML: isSAML(arn)}
	if d.SAML {
		out, err := cl.IAM.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
		if err != nil {
			return nil, err
		}
		d.Created, d.Expires, d.Tags, d.Metadata, d.UUID = out.CreateDate, out.ValidUntil, out.Tags, aws.ToString(out.SAMLMetadataDocument), aws.ToString(out.SAMLProviderUUID)
		return d, nil
	}
	out, err := cl.IAM.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	d.Created, d.Tags, d.URL, d.ClientIDs, d.Thumbprints = out.CreateDate, out.Tags, aws.ToString(out.Url), out.ClientIDList, out.ThumbprintList
	return d, nil
}

// provider shows one provider: its URL, client ids and thumbprints (OIDC)
// or metadata and expiry (SAML), and its tags.
func (c *Console) provider(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	arn := r.URL.Query().Get("arn")
	d, err := loadProvider(r, cl, arn)
	if err != nil {
		c.showError(w, r, s, "provider", "Identity provider", "providers", err)
		return
	}
	c.render(w, r, "provider", http.StatusOK, &page{Title: "Identity provider " + d.Name, S: s, Nav: "providers", Data: d})
}

// providerAction changes a provider, each operation one IAM call: client
// ids added or removed, thumbprints replaced, SAML metadata replaced, tags
// added or removed, the provider deleted.
func (c *Console) providerAction(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	arn := r.PostFormValue("arn")
	a := aws.String(arn)
	saml := isSAML(arn)
	var err error
	msg, to := "", "/ui/provider?arn="+url.QueryEscape(arn)
	switch r.PostFormValue("op") {
	case "addclient":
		_, err = cl.IAM.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: a, ClientID: aws.String(strings.TrimSpace(r.PostFormValue("clientid")))})
		msg = "Client id added."
	case "removeclient":
		_, err = cl.IAM.RemoveClientIDFromOpenIDConnectProvider(ctx, &awsiam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: a, ClientID: aws.String(r.PostFormValue("clientid"))})
		msg = "Client id removed."
	case "thumbprints":
		_, err = cl.IAM.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: a, ThumbprintList: fields(r.PostFormValue("thumbprints"))})
		msg = "Thumbprints saved."
	case "metadata":
		var doc string
		if doc, err = metadataOf(r); err != nil {
			c.fail(w, r, err)
			return
		}
		_, err = cl.IAM.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: a, SAMLMetadataDocument: aws.String(doc)})
		msg = "Metadata replaced."
	case "tag":
		tags := formTags(r)
		if saml {
			_, err = cl.IAM.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: a, Tags: tags})
		} else {
			_, err = cl.IAM.TagOpenIDConnectProvider(ctx, &awsiam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: a, Tags: tags})
		}
		msg = "Tags saved."
	case "untag":
		keys := []string{r.PostFormValue("key")}
		if saml {
			_, err = cl.IAM.UntagSAMLProvider(ctx, &awsiam.UntagSAMLProviderInput{SAMLProviderArn: a, TagKeys: keys})
		} else {
			_, err = cl.IAM.UntagOpenIDConnectProvider(ctx, &awsiam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: a, TagKeys: keys})
		}
		msg = "Tag removed."
	case "delete":
		if saml {
			_, err = cl.IAM.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: a})
		} else {
			_, err = cl.IAM.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: a})
		}
		msg, to = "Provider "+providerName(arn)+" deleted.", "/ui/providers"
	default:
		http.Error(w, "unknown operation", http.StatusBadRequest)
		return
	}
	if err != nil {
		// The provider's page with IAM's error above it.
		d, lerr := loadProvider(r, cl, arn)
		if lerr != nil {
			c.showError(w, r, s, "provider", "Identity provider", "providers", err)
			return
		}
		ae := apiErrorOf(err)
		c.render(w, r, "provider", ae.Status, &page{Title: "Identity provider " + d.Name, S: s, Nav: "providers", Err: ae, Data: d})
		return
	}
	c.redirectFlash(w, r, to, msg)
}

package gen

import (
	"regexp"
	"strings"
	"testing"
)

func TestTranslatePattern(t *testing.T) {
	tests := []struct {
		java, re2 string
		match     []string
		nomatch   []string
	}{
		{`[\w+=,.@-]+`, `[\w+=,.@-]+`, []string{"a.b@c"}, []string{"a b", ""}},
		{`[\u0009\u000A\u000D\u0020-\u00FF]+`, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+`, []string{"{\"a\": 1}\n", "é"}, []string{"\x01", "€"}},
		// Java reads exactly four hex digits: \u10000 is U+1000 then '0', so a
		// supplementary character fails, as a live STS probe shows.
		{`[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`,
			`[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{0085}\x{00A0}-\x{D7FF}\x{E000}-\x{FFFD}\x{1000}0-\x{10FF}FF]+`,
			[]string{"arn:aws:iam::1:role/é"}, []string{"😀"}},
		{`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, `(\x{002F})|(\x{002F}[\x{0021}-\x{007E}]+\x{002F})`, []string{"/", "/a/b/"}, []string{"/a", "a/"}},
		// A flag group both read alike (CloudTrail's QueryStatement).
		{`(?s).*`, `(?s).*`, []string{"", "SELECT *\nFROM x"}, nil},
		{`[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, []string{"", "ä 1"}, []string{"*"}},
	}
	for _, tt := range tests {
		tr, err := TranslatePattern(tt.java)
		if err != nil {
			t.Fatalf("%s: %v", tt.java, err)
		}
		if tr.RE2 != tt.re2 {
			t.Errorf("%s: got %s want %s", tt.java, tr.RE2, tt.re2)
		}
		re := regexp.MustCompile(`^(?:` + tr.RE2 + `)$`)
		for _, s := range tt.match {
			if !re.MatchString(s) {
				t.Errorf("%s should match %q", tt.java, s)
			}
		}
		for _, s := range tt.nomatch {
			if re.MatchString(s) {
				t.Errorf("%s should not match %q", tt.java, s)
			}
		}
	}
	for _, bad := range []string{`a(?<=b)`, `(?x)a b`, `(?)a`, `\u12`, `abc\`, `[a-`} {
		if _, err := TranslatePattern(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

// accountAliasReference implements ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$
// directly, as Java evaluates it.
func accountAliasReference(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		switch {
		case alnum(s[i]):
		case s[i] == '-' && s[i+1] != '-':
		default:
			return false
		}
	}
	return true
}

// TestLookaheadEquivalence compares the RE2 translation of the lookahead
// pattern with a direct implementation on every string of length up to 6
// over a small alphabet.
func TestLookaheadEquivalence(t *testing.T) {
	java := `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`
	tr, err := TranslatePattern(java)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^(?:` + tr.RE2 + `)$`)
	match := func(s string) bool {
		for _, f := range tr.Forbid {
			if strings.Contains(s, f) {
				return false
			}
		}
		return re.MatchString(s)
	}
	alphabet := []byte{'a', '0', '-', 'Z'}
	var walk func(prefix []byte)
	n := 0
	walk = func(prefix []byte) {
		s := string(prefix)
		n++
		if match(s) != accountAliasReference(s) {
			t.Fatalf("%q: translation %t, reference %t", s, match(s), accountAliasReference(s))
		}
		if len(prefix) == 6 {
			return
		}
		for _, c := range alphabet {
			walk(append(prefix, c))
		}
	}
	walk(nil)
	for _, s := range []string{strings.Repeat("a", 63), strings.Repeat("a", 64), "a" + strings.Repeat("-b", 30) + "c"} {
		if match(s) != accountAliasReference(s) {
			t.Fatalf("%q differs", s)
		}
	}
	if n < 5000 {
		t.Fatalf("only %d strings compared", n)
	}
}

func TestFirstSentenceAndNames(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"<p>Contains information about an IAM user, e.g. Bob. More text.</p>", "Contains information about an IAM user, e.g. Bob."},
		{"<p>The request was rejected &amp; logged.</p> <p>Next.</p>", "The request was rejected & logged."},
		{"  no period  ", "no period"},
	} {
		if got := firstSentence(tt.in); got != tt.want {
			t.Errorf("firstSentence(%q) = %q", tt.in, got)
		}
	}
	for _, tt := range []struct{ in, want string }{{"statusType", "StatusType"}, {"Foo-Bar", "FooBar"}, {"1x", "X1x"}, {"", "X"}} {
		if got := goName(tt.in); got != tt.want {
			t.Errorf("goName(%q) = %q", tt.in, got)
		}
	}
}

const miniModel = `{
 "metadata": {"apiVersion": "2020-01-01", "protocol": "query", "uid": "mini-2020-01-01", "serviceId": "Mini", "endpointPrefix": "mini", "xmlNamespace": "https://mini/"},
 "operations": {"Do": {"name": "Do", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "DoRequest"}, "output": {"shape": "DoResponse", "resultWrapper": "DoResult"}, "errors": [{"shape": "Boom"}]}},
 "shapes": {
  "DoRequest": {"type": "structure", "required": ["Zeta"], "members": {"Zeta": {"shape": "str"}, "Alpha": {"shape": "str"}}},
  "DoResponse": {"type": "structure", "members": {"Zeta": {"shape": "str"}, "Alpha": {"shape": "str"}}},
  "str": {"type": "string", "pattern": "[a-z]+", "min": 1, "max": 3},
  "Boom": {"type": "structure", "members": {}, "exception": true, "error": {"code": "Boom", "httpStatusCode": 418, "senderFault": true}},
  "Boom2": {"type": "structure", "members": {}, "exception": true, "error": {"code": "Boom", "httpStatusCode": 500}}
 }}`

func TestGenerateMini(t *testing.T) {
	m, err := Parse([]byte(miniModel))
	if err != nil {
		t.Fatal(err)
	}
	// Member order is the model's, not alphabetical.
	if ms := m.Shapes["DoRequest"].Members; ms[0].Name != "Zeta" || ms[1].Name != "Alpha" {
		t.Fatalf("members %v", ms)
	}
	src, err := joined(GenerateAPI(m, "mini", "minicodec"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	if !regexp.MustCompile(`\tZeta +string\n`).MatchString(s) || !regexp.MustCompile(`\tAlpha +\*string\n`).MatchString(s) {
		t.Error("required members must be values, optional ones pointers")
	}
	for _, want := range []string{
		`d.String(k.Field("Zeta", "zeta"), query.StringRule{Min: 1, Max: 3, Pattern: patStr}, true)`,
		`Errors: []string{"Boom"}`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("generated code lacks %q", want)
		}
	}
	if strings.Index(s, `e.String("Zeta"`) > strings.Index(s, `e.String("Alpha"`) {
		t.Error("encoder does not follow model order")
	}
	again, _ := joined(GenerateAPI(m, "mini", "minicodec"))
	if string(again) != s {
		t.Error("generation is not deterministic")
	}
	// Boom and Boom2 declare the same code differently.
	if _, err := ErrorCodes([]*Model{m}); err == nil {
		t.Error("want a conflict error")
	}
	// Unsupported features fail generation instead of producing a wrong codec.
	bad := strings.Replace(miniModel, `"type": "string", "pattern"`, `"type": "double", "pattern"`, 1)
	mb, err := Parse([]byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := joined(GenerateAPI(mb, "mini", "minicodec")); err == nil {
		t.Error("want an error for an unsupported type")
	}
	if _, err := Parse([]byte(strings.Replace(miniModel, `{"shape": "str"}, "Alpha"`, `{"shape": "nope"}, "Alpha"`, 1))); err == nil {
		t.Error("want an error for a dangling shape reference")
	}
}

const miniJSONModel = `{
 "metadata": {"apiVersion": "2020-01-01", "protocol": "json", "uid": "minij-2020-01-01", "serviceId": "MiniJ", "endpointPrefix": "minij", "targetPrefix": "ns.MiniJ_2020"},
 "operations": {"Get": {"name": "Get", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "GetRequest"}, "output": {"shape": "GetResponse"}}},
 "shapes": {
  "GetRequest": {"type": "structure", "members": {"Id": {"shape": "str"}}},
  "GetResponse": {"type": "structure", "members": {"Bytes": {"shape": "long"}, "Score": {"shape": "float"}, "Rows": {"shape": "rows"}}},
  "rows": {"type": "list", "member": {"shape": "row"}},
  "row": {"type": "list", "member": {"shape": "cols"}},
  "cols": {"type": "map", "key": {"shape": "str"}, "value": {"shape": "str"}},
  "long": {"type": "long"},
  "float": {"type": "float"},
  "str": {"type": "string"}
 }}`

// JSON outputs may hold longs, floats and lists of lists of maps
// (CloudTrail's GetQueryResults); as inputs those numbers are refused, since
// no decoder reads them.
func TestGenerateJSONOutputs(t *testing.T) {
	m, err := Parse([]byte(miniJSONModel))
	if err != nil {
		t.Fatal(err)
	}
	src, err := joined(GenerateJSONAPI(m, "minij", "minijcodec"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, want := range []string{
		"Bytes *int64", "Score *float64", "Rows [][]map[string]string",
		`e.Long("Bytes", *v.Bytes)`, `e.Float("Score", *v.Score)`,
		"awsjson.EncodeListValue(e, *x, func(e *awsjson.Encoder, x *map[string]string) {\n\t\t\tawsjson.EncodeMapValue(",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("generated code lacks %q", want)
		}
	}
	in := strings.Replace(miniJSONModel, `"Id": {"shape": "str"}`, `"Id": {"shape": "long"}`, 1)
	mb, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := joined(GenerateJSONAPI(mb, "minij", "minijcodec")); err == nil || !strings.Contains(err.Error(), "outputs only") {
		t.Errorf("a long input: got %v, want an error", err)
	}
}

// joined is the api package's source followed by the codec package's, for
// tests that look for generated code in either.
func joined(f *Files, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return append(append([]byte{}, f.API...), f.Codec...), nil
}

package gen

import (
	"strings"
	"testing"
)

// restXMLModel is a small REST-XML model: one operation with a required
// query parameter, a header, a metadata map and an XML payload, and one
// whose output document needs a root element name.
func restXMLModel(protocol, extraMember string) string {
	return `{"metadata":{"apiVersion":"2006-03-01","protocol":"` + protocol + `","serviceId":"S3","endpointPrefix":"s3","uid":"s3-test"},
"operations":{
 "PutThing":{"name":"PutThing","http":{"method":"PUT","requestUri":"/{Bucket}/{Key+}?thing"},"input":{"shape":"PutThingRequest"}},
 "ListThings":{"name":"ListThings","http":{"method":"GET","requestUri":"/{Bucket}?things","responseCode":200},"input":{"shape":"ListThingsRequest"},"output":{"shape":"ListThingsOutput"}},
 "Other":{"name":"Other","http":{"method":"DELETE","requestUri":"/{Bucket}?other","responseCode":204},"deprecated":true}
},
"shapes":{
 "PutThingRequest":{"type":"structure","required":["Bucket","Key","UploadId"],"payload":"Thing","members":{
   "Bucket":{"shape":"S","location":"uri","locationName":"Bucket"},
   "Key":{"shape":"S","location":"uri","locationName":"Key"},
   "UploadId":{"shape":"S","location":"querystring","locationName":"uploadId"},
   "Size":{"shape":"Size","location":"header","locationName":"x-size"},
   "Meta":{"shape":"M","location":"headers","locationName":"x-amz-meta-"},
   "Thing":{"shape":"Thing","locationName":"Thing"}` + extraMember + `}},
 "Thing":{"type":"structure","members":{"Items":{"shape":"Items","locationName":"Item"}}},
 "Items":{"type":"list","member":{"shape":"S"},"flattened":true},
 "ListThingsRequest":{"type":"structure","required":["Bucket"],"members":{"Bucket":{"shape":"S","location":"uri","locationName":"Bucket"}}},
 "ListThingsOutput":{"type":"structure","members":{"Things":{"shape":"Items","locationName":"Thing"}}},
 "M":{"type":"map","key":{"shape":"S"},"value":{"shape":"S"}},
 "S":{"type":"string"},
 "Size":{"type":"integer"}
}}`
}

// TestGenerateRESTXML: the table of every operation carries the routing
// data; codecs are generated for the listed operations; features the codec
// cannot serve fail loudly.
func TestGenerateRESTXML(t *testing.T) {
	roots := map[string]string{"ListThingsOutput": "ListThingsResult"}
	ops := []string{"PutThing", "ListThings"}
	{
		m, err := Parse([]byte(restXMLModel("rest-xml", "")))
		if err != nil {
			t.Fatal(err)
		}
		src, err := joined(generateRESTXML(m, "x", "xcodec", ops, roots))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			`Name: "PutThing", Method: "PUT", URI: "/{Bucket}/{Key+}?thing", Status: 200, RequiredQuery: []string{"uploadId"}, NewInput:`,
			`Name: "Other", Method: "DELETE", URI: "/{Bucket}?other", Status: 204, Deprecated: true}`,
			`d.Missing("querystring", "uploadId")`,
			`v.Size = &x`,
			`d.Int64("x-size", s)`, // Size is widened to a long
			`if m := d.HeaderMap("x-amz-meta-"); m != nil {`,
			`if n := d.PayloadXML("Thing", false); n != nil {`,
			`n.ChildrenNamed("Item")`,
			`encodeXMLListThingsOutput(e, "ListThingsResult", v)`,
		} {
			if !strings.Contains(string(src), want) {
				t.Errorf("generated source lacks %s", want)
			}
		}
	}
	bad := []struct{ name, model string }{
		{"protocol", restXMLModel("rest-json", "")},
		{"body member outside the payload", restXMLModel("rest-xml", `, "Loose":{"shape":"S"}`)},
		{"unsupported location", restXMLModel("rest-xml", `, "Code":{"shape":"Size","location":"statusCode"}`)},
	}
	for _, tt := range bad {
		m, err := Parse([]byte(tt.model))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := joined(generateRESTXML(m, "x", "xcodec", ops, roots)); err == nil {
			t.Errorf("%s: want an error", tt.name)
		}
	}
	// An output document without a root element name.
	m, _ := Parse([]byte(restXMLModel("rest-xml", "")))
	if _, err := joined(generateRESTXML(m, "x", "xcodec", []string{"ListThings"}, nil)); err == nil || !strings.Contains(err.Error(), "root element") {
		t.Errorf("missing root name: %v", err)
	}
}

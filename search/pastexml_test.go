package search

import (
	"slices"
	"strings"
	"testing"
)

func TestTakeXML(t *testing.T) {
	for _, c := range []struct {
		name, in string
		msgs     []string
		codes    []string
		status   []int
	}{
		{"EWS response message", `<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>The specified object was not found in the store.</m:MessageText><m:ResponseCode>ErrorItemNotFound</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:GetItemResponseMessage>`,
			[]string{"The specified object was not found in the store."}, []string{"ErrorItemNotFound"}, nil},
		{"SOAP fault with a namespaced code", `<s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorSchemaValidation</faultcode><faultstring xml:lang="en-US">The request failed schema validation.</faultstring></s:Fault>`,
			[]string{"The request failed schema validation."}, []string{"ErrorSchemaValidation"}, nil},
		{"a value named by its Name attribute", `<t:MessageXml><t:Value Name="Policy">MaxConcurrency</t:Value><t:Value Name="ErrorMessage">This operation exceeds the throttling budget.</t:Value><t:Value Name="SmtpAddress">a@example.com</t:Value></t:MessageXml>`,
			[]string{"This operation exceeds the throttling budget."}, []string{"MaxConcurrency"}, nil},
		{"SAML status message", `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"/><samlp:StatusMessage>AADSTS75011: Authentication method mismatch.</samlp:StatusMessage></samlp:Status>`,
			[]string{"AADSTS75011: Authentication method mismatch."}, nil, nil},
		{"Twilio XML", `<TwilioResponse><RestException><Code>21614</Code><Message>'To' number is not a valid mobile number</Message><MoreInfo>https://www.twilio.com/docs/errors/21614</MoreInfo><Status>400</Status></RestException></TwilioResponse>`,
			[]string{"'To' number is not a valid mobile number"}, []string{"21614"}, []int{400}},
		{"entities", `<MessageText>Unable to resolve &lt;&gt;SMTP:room@contoso.com</MessageText>`, []string{"Unable to resolve <>SMTP:room@contoso.com"}, nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := fields{shape: shapeXML}
			if rest := f.takeXML("before " + c.in + " after"); strings.TrimSpace(rest) != "before   after" {
				t.Errorf("rest %q, want the XML gone", rest)
			}
			checkFields(t, f, c.msgs, c.codes)
			if !slices.Equal(f.status, c.status) {
				t.Errorf("status %v, want %v", f.status, c.status)
			}
		})
	}
	// A repr in angle brackets is no XML.
	f := fields{shape: shapeTrace}
	in := `<HttpError 429 when requesting https://gmail.googleapis.com/x returned "User-rate limit exceeded.">`
	if rest := f.takeXML(in); rest != in {
		t.Errorf("takeXML took %q from a repr", rest)
	}
}

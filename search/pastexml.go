package search

import (
	"html"
	"regexp"
	"strings"
)

// takeXML reads the elements of an XML answer (a SOAP fault, an EWS
// response message, a SAML response, Twilio's XML) by their names: the
// text of <m:ResponseCode>, <faultcode> or <Code> is a code, that of
// <m:MessageText>, <faultstring> or <samlp:StatusMessage> a message. An
// element named by a Name attribute (<t:Value Name="ErrorMessage">) takes
// that name. Tags, namespaces and attributes go; s is returned without the
// XML.
func (f *fields) takeXML(s string) string {
	lo := strings.IndexByte(s, '<')
	hi := strings.LastIndexByte(s, '>')
	if lo < 0 || hi < lo || !strings.Contains(s[lo:hi+1], "</") && f.shape != shapeXML {
		return s // <HttpError 429 when requesting …> is no XML
	}
	doc := s[lo : hi+1]
	var open string // the element whose text comes next
	last := 0
	for n, m := range xmlTagRE.FindAllStringSubmatchIndex(doc, -1) {
		if n >= maxXMLTags {
			break
		}
		if text := strings.TrimSpace(doc[last:m[0]]); text != "" && open != "" {
			f.field(open, html.UnescapeString(text))
		}
		last = m[1]
		if doc[m[0]+1] == '/' || doc[m[1]-2] == '/' {
			open = ""
			continue
		}
		open = localName(doc[m[2]:m[3]])
		if m[4] >= 0 {
			if name := nameAttrRE.FindStringSubmatch(doc[m[4]:m[5]]); name != nil {
				open = name[1]
			}
		}
	}
	return s[:lo] + " " + s[hi+1:]
}

var (
	// xmlTagRE finds a start, end or empty tag: its name, then its attributes.
	xmlTagRE   = regexp.MustCompile(`</?([A-Za-z_][\w.:-]*)(\s[^<>]*)?/?>`)
	nameAttrRE = regexp.MustCompile(`\bName="([^"]{1,64})"`)
)

// localName is an element name without its namespace prefix: m:ResponseCode
// is ResponseCode.
func localName(n string) string {
	if i := strings.LastIndexByte(n, ':'); i >= 0 {
		return n[i+1:]
	}
	return n
}

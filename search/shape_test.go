package search

import "testing"

func TestDetectShape(t *testing.T) {
	for _, c := range []struct {
		in   string
		want shape
	}{
		{"rate limit exceeded", shapeText},
		{"AADSTS50126", shapeText},
		{`"refresh token" revoked`, shapeText},
		{"The remote server returned an error: (411) Length Required.", shapeText},
		{`{"error":{"code":429}}`, shapeJSON},
		{`  [{"message":"x"}]`, shapeJSON},
		{`"{\"error\":\"invalid_grant\"}"`, shapeJSON},
		{`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>`, shapeXML},
		{`see <m:ResponseCode>ErrorItemNotFound</m:ResponseCode>`, shapeXML},
		{"HTTP/1.1 429 Too Many Requests\nRetry-After: 3", shapeHTTP},
		{"< HTTP/2 404\n< content-type: application/json", shapeHTTP},
		{"$ curl -i https://api.twilio.com/x\nHTTP/1.1 400 BAD REQUEST", shapeHTTP},
		{"Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\nValueError: x", shapeTrace},
		{"com.twilio.exception.ApiException: Attempt to send to unsubscribed recipient\n\tat com.twilio.X.y(X.java:1)", shapeTrace},
		{"exchangelib.errors.ErrorServerBusy: The server cannot service this request right now.", shapeTrace},
		{"GaxiosError: invalid_grant", shapeTrace},
		{"goroutine 1 [running]:\nmain.main()\n\t/src/main.go:12 +0x1d", shapeTrace},
		{"https://app.example.com/cb?error=access_denied&error_description=AADSTS65004", shapeURL},
		{"SmsSid=SM1&SmsStatus=undelivered&ErrorCode=30003", shapeURL},
		{"2024-05-02T10:11:12Z something failed", shapeLog},
		{"[ERROR] send failed", shapeLog},
		{`msg="send failed" code=21610`, shapeLog},
	} {
		if got := detectShape(c.in); got != c.want {
			t.Errorf("detectShape(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

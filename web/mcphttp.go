package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxMCPBody bounds one MCP request: a paste is read up to 256 KiB, so a
// message needs far less than this.
const maxMCPBody = 1 << 20

// mcpMethods are the JSON-RPC methods Errata's MCP server answers: the
// lifecycle, its tools and its resources. Anything else is refused before
// the SDK sees it, so that no method this server has no use for
// (subscriptions that hold a connection open, log levels, prompts) can be
// asked of it.
var mcpMethods = map[string]bool{
	"initialize": true, "notifications/initialized": true, "ping": true, "server/discover": true,
	"tools/list": true, "tools/call": true,
	"resources/list": true, "resources/templates/list": true, "resources/read": true,
	"notifications/cancelled": true,
}

// mcpHTTP is POST /mcp: the MCP server over streamable HTTP, stateless, so
// that any replica answers any request. Every message is checked here
// first, and every refusal, the SDK's own included, is a JSON-RPC error
// with an HTTP status that says what to fix: a person reading a client's
// log, or the client itself, learns what was wrong.
func (s *Server) mcpHTTP() http.Handler {
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcpServer() }, &mcp.StreamableHTTPOptions{
		Stateless:    true,
		JSONResponse: true, // one JSON answer per request: no stream to hold open
		Logger:       sdkLogger(s.log),
		// The tools only read the public catalogue, which /api serves to
		// any origin too; behind a proxy on the same host every request
		// comes from loopback with the site's public Host, which the SDK's
		// rebinding guard would refuse.
		DisableLocalhostProtection: true,
		MaxRequestBodyBytes:        maxMCPBody,
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			rpcError(w, http.StatusMethodNotAllowed, nil, jsonrpc.CodeInvalidRequest,
				"Errata's MCP endpoint is stateless: POST each JSON-RPC message to /mcp; there is no stream to GET and no session to DELETE")
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			rpcError(w, http.StatusUnsupportedMediaType, nil, jsonrpc.CodeInvalidRequest,
				fmt.Sprintf("Content-Type is %q: send the JSON-RPC message as Content-Type: application/json", clipEcho(r.Header.Get("Content-Type"))))
			return
		}
		if !acceptsJSON(r.Header.Values("Accept")) {
			rpcError(w, http.StatusNotAcceptable, nil, jsonrpc.CodeInvalidRequest,
				"Accept must allow application/json: MCP clients send Accept: application/json, text/event-stream")
			return
		}
		// The answer is always JSON (JSONResponse), so a client that
		// accepts JSON but forgot text/event-stream is served anyway.
		r.Header.Set("Accept", "application/json, text/event-stream")
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxMCPBody))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			rpcError(w, http.StatusRequestEntityTooLarge, nil, jsonrpc.CodeInvalidRequest,
				"the request is over 1 MiB: send one JSON-RPC message with the error text (explain_error reads 256 KiB of it)")
			return
		case err != nil:
			rpcError(w, http.StatusBadRequest, nil, jsonrpc.CodeParseError, "the request body could not be read to its end")
			return
		}
		msg, status, code, problem := checkRPC(body)
		if problem != "" {
			rpcError(w, status, msg.ID, code, problem)
			return
		}
		if !mcpMethods[*msg.Method] {
			if len(msg.ID) == 0 { // a notification is never answered
				w.WriteHeader(http.StatusAccepted)
				return
			}
			rpcError(w, http.StatusOK, msg.ID, jsonrpc.CodeMethodNotFound, fmt.Sprintf(
				"method %q is not one Errata answers: use initialize, ping, tools/list, tools/call (search_errors, get_error, explain_error), resources/templates/list or resources/read", clipEcho(*msg.Method)))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r = r.WithContext(context.WithValue(r.Context(), baseKey{}, s.base(r)))
		// The SDK answers some refusals in plain text: hold its answer so
		// that those become JSON-RPC errors too.
		held := &heldAnswer{header: http.Header{}}
		sdk.ServeHTTP(held, r)
		held.send(w, msg.ID)
	})
}

// rpcMessage is what the guard reads of a JSON-RPC message.
type rpcMessage struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  *string         `json:"method"`
}

// checkRPC reads body as one JSON-RPC request or notification. It returns
// the problem, with the HTTP status and JSON-RPC code to answer it with, or
// "" when the message may go on.
func checkRPC(body []byte) (msg rpcMessage, status, code int, problem string) {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return msg, http.StatusBadRequest, jsonrpc.CodeParseError, "the body is empty: send one JSON-RPC message"
	case !json.Valid(trimmed):
		return msg, http.StatusBadRequest, jsonrpc.CodeParseError, "the body is not JSON: send one JSON-RPC 2.0 message"
	case trimmed[0] == '[':
		return msg, http.StatusBadRequest, jsonrpc.CodeInvalidRequest, "batches are not accepted: send one JSON-RPC message per POST"
	case trimmed[0] != '{':
		return msg, http.StatusBadRequest, jsonrpc.CodeInvalidRequest, "the body is not a JSON-RPC message: send an object with jsonrpc, method, params and id"
	}
	if err := json.Unmarshal(trimmed, &msg); err != nil {
		return rpcMessage{}, http.StatusBadRequest, jsonrpc.CodeInvalidRequest, "the message's jsonrpc, id or method has the wrong type: jsonrpc and method are strings, id a string or a number"
	}
	if id := bytes.TrimSpace(msg.ID); len(id) > 0 && id[0] != '"' && (id[0] < '0' || id[0] > '9') && id[0] != '-' {
		msg.ID = nil
		return msg, http.StatusBadRequest, jsonrpc.CodeInvalidRequest, "id must be a string or a number"
	}
	switch {
	case msg.JSONRPC != "2.0":
		return msg, http.StatusBadRequest, jsonrpc.CodeInvalidRequest, `"jsonrpc" must be "2.0"`
	case msg.Method == nil:
		return msg, http.StatusBadRequest, jsonrpc.CodeInvalidRequest, "the message has no method: Errata's MCP server sends no requests, so it takes none of their responses"
	}
	return msg, 0, 0, ""
}

// acceptsJSON reports whether an Accept header allows application/json;
// no header allows anything.
func acceptsJSON(values []string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || params["q"] == "0" || params["q"] == "0.0" || params["q"] == "0.00" || params["q"] == "0.000" {
				continue
			}
			if mt == "application/json" || mt == "application/*" || mt == "*/*" {
				return true
			}
		}
	}
	return false
}

// rpcError answers a JSON-RPC error. id is the request's, raw, or nil when
// it could not be read (JSON null).
func rpcError(w http.ResponseWriter, status int, id json.RawMessage, code int, message string) {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   rpcErrorBody    `json:"error"`
	}{"2.0", id, rpcErrorBody{code, message}})
}

type rpcErrorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// heldAnswer keeps the SDK's answer until it is whole. The SDK answers with
// one JSON body (JSONResponse), so nothing is streamed.
type heldAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldAnswer) Header() http.Header { return h.header }

func (h *heldAnswer) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *heldAnswer) Write(p []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(p)
}

func (h *heldAnswer) Flush() {}

// send writes the held answer to w; a refusal the SDK wrote as text
// becomes a JSON-RPC error with the same status and words.
func (h *heldAnswer) send(w http.ResponseWriter, id json.RawMessage) {
	status := h.status
	if status == 0 {
		status = http.StatusOK
	}
	if mt, _, _ := mime.ParseMediaType(h.header.Get("Content-Type")); status >= 400 && mt != "application/json" {
		code := jsonrpc.CodeInvalidRequest
		if status >= 500 {
			code = jsonrpc.CodeInternalError
		}
		rpcError(w, status, id, code, strings.TrimSpace(h.body.String()))
		return
	}
	for k, v := range h.header {
		w.Header()[k] = v
	}
	w.Header().Set("Cache-Control", "no-store") // an answer to one caller's call
	w.WriteHeader(status)
	_, _ = h.body.WriteTo(w)
}

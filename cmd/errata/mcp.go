package main

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/errata/errata/web"
)

// mcpMaxLine bounds one JSON-RPC message read from stdin, as POST /mcp
// bounds a request body.
const mcpMaxLine = 1 << 20

// runMCP is `errata mcp`: the MCP server of `errata serve`'s /mcp, over
// stdin and stdout, for an assistant that starts it as a local process.
// Logs go to stderr: stdout carries only the protocol.
func runMCP(ctx context.Context, env Env, args []string) error {
	m := NewMain(env)
	f := newFlags(env, "mcp")
	m.catalogueFlags(f)
	base := linkBaseFlag(f, "site `URL` the links in answers start with, e.g. https://errata.example.com")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return f.usageErr("unexpected argument %q: errata mcp speaks MCP on stdin and stdout and takes only flags", pos[0])
	}
	if err := m.checkCatalogue(f); err != nil {
		return err
	}
	ix, err := m.open(ctx)
	if err != nil {
		return err
	}
	defer ix.Close()
	srv := web.NewServer(web.Config{BaseURL: *base, Version: env.Version, Logger: m.Log}, ix)
	m.Log.Info("serving MCP on stdin and stdout", "entries", ix.Count(), "content", m.source())
	stdio := newAnsweredStdio()
	err = srv.MCP().Run(ctx, &mcp.IOTransport{Reader: stdio.reader(ctx, env.Stdin, mcpMaxLine), Writer: stdio.writer(env.Stdout), MaxLineLength: mcpMaxLine})
	if ctx.Err() != nil {
		return nil // stopped by a signal: the client is gone or going
	}
	if err != nil {
		return fmt.Errorf("the MCP connection ended: %w (each message must be one line of JSON-RPC, at most 1 MiB)", err)
	}
	return nil
}

package main

import (
	"encoding/json"
	"os"
	"testing"
)

func TestZZDumpQueries(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	es, err := loadCorpus(corpusSpec{Name: "1m", Grow: 1_000_000}, 1)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := makeQueries(es, 20, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(qs, "", " ")
	os.WriteFile("/tmp/q1m.json", b, 0o644)
}

package search

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestDbgScores(t *testing.T) {
	ix := fullIndex(t)
	for _, q := range strings.Split(os.Getenv("Q"), "|||") {
		pl := understand(q)
		ix.resolve(&pl)
		fmt.Printf("PLAN words=%v seq=%v score=%v reasons=%v status=%v finds=%v codes=%v hits=%v hints=%v shape=%v\n", pl.words, pl.seq, pl.scoreOnly, pl.reasons, pl.textStatus, pl.statusFinds, pl.codes, pl.codeHits, pl.hints, pl.shape)
		res := run(t, ix, Query{Text: q, PerPage: 5})
		for _, h := range res.Hits {
			fmt.Printf("  %-50s %.3f\n", h.ID, h.Score)
		}
	}
}


package search

import (
	"math/rand/v2"
	"testing"

	"github.com/errata/errata/content"
)

// A few words typed from the middle of a long message find that message
// first, above an entry whose short title holds two of the words: the
// message holds the whole fragment as one run.
func TestFragmentOfLongMessage(t *testing.T) {
	es := append(fixtures(),
		entry("token-expired", 0, "Token expired", nil, []string{"The token expired."}, nil, "Old token.", "Refresh it."),
		entry("assertion-time", 0, "Assertion isn't within its valid time range", nil,
			[]string{"Assertion isn't within its valid time range. Ensure that the access token isn't expired before using it for user assertion, or request a new token."},
			nil, "Clock skew.", "Request a new token."),
	)
	ix := build(t, es)
	for _, q := range []string{"token isn't expired before using it", "access token isn't expired"} {
		res := run(t, ix, Query{Text: q})
		if len(res.Hits) == 0 || res.Hits[0].ID != "assertion-time" {
			t.Errorf("%q: %v, want assertion-time first", q, first(ids(res), 3))
		}
	}
	// Two words are left to bleve's scoring: the short title still wins.
	if res := run(t, ix, Query{Text: "token expired"}); len(res.Hits) == 0 || res.Hits[0].ID != "token-expired" {
		t.Errorf("token expired: %v, want token-expired first", first(ids(res), 3))
	}
}

// On the real corpora, fragments a person might copy from the middle of a
// message find their entry on the first page.
func TestFragmentsRealCorpora(t *testing.T) {
	ix := corporaIndex(t)
	for q, want := range map[string]string{
		"token isn't expired before using it":   "aadsts-aadsts500133",
		"is enabled for your account. Twilio's": "twilio-23001",
	} {
		res := run(t, ix, Query{Text: q})
		found := false
		for _, id := range ids(res) {
			found = found || id == want
		}
		if !found {
			t.Errorf("%q: %s not on the first page %v", q, want, first(ids(res), 5))
		}
	}
}

// The ref* functions below are a reference implementation of the template
// bonus, on the words of the text rather than on interned word ids. They
// repeat the shape of coverageN and extend in rank.go on purpose:
// checkBonuses compares the product's answer with theirs, so they must not
// call the code they check. Keep them independent when changing rank.go.
func refTemplateTokens(s string) []string {
	var out []string
	last := 0
	for _, m := range placeholderRE.FindAllStringIndex(s, -1) {
		eachIdent(s[last:m[0]], func(_, _ int, w string) { out = append(out, lowerASCII(w)) })
		out = append(out, "")
		last = m[1]
	}
	eachIdent(s[last:], func(_, _ int, w string) { out = append(out, lowerASCII(w)) })
	return out
}

func refSameWord(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > 3 && len(b) > 3 {
		return a+"s" == b || b+"s" == a
	}
	return false
}

func refCoverageN(seq, tmpl []string) (float64, int) {
	lit := 0
	for _, t := range tmpl {
		if t != "" {
			lit++
		}
	}
	if lit == 0 || len(seq) == 0 {
		return 0, 0
	}
	best := 0
	for j, t := range tmpl {
		if t == "" {
			continue
		}
		for i, s := range seq {
			if !refSameWord(s, t) {
				continue
			}
			if n := refExtend(seq, tmpl, i+1, j+1, 1); n > best {
				best = n
			}
		}
		if best == lit {
			break
		}
	}
	if best < 2 && lit > 1 {
		return 0, 0
	}
	return float64(best) / float64(lit), best
}

func refExtend(seq, tmpl []string, i, j, n int) int {
	for j < len(tmpl) {
		if tmpl[j] == "" {
			if j+1 == len(tmpl) {
				return n
			}
			next := tmpl[j+1]
			for k := i; k < len(seq) && k <= i+maxGap; k++ {
				if refSameWord(seq[k], next) {
					i, j = k, j+1
					goto matched
				}
			}
			return n
		matched:
			continue
		}
		if i >= len(seq) || !refSameWord(seq[i], tmpl[j]) {
			return n
		}
		n++
		i++
		j++
	}
	return n
}

func refTemplateBonus(e *content.Entry, pl *plan) float64 {
	if len(pl.seq) == 0 {
		return 0
	}
	seq := pl.seq
	if len(seq) > maxSeqRerank {
		seq = seq[:maxSeqRerank]
	}
	sq := func(x float64) float64 { return x * x }
	var msg, alias float64
	for _, m := range e.Messages {
		c, n := refCoverageN(seq, refTemplateTokens(m))
		msg = max(msg, c, fragmentShare(n, len(seq)))
	}
	share := func(n int) float64 { return float64(n) / float64(len(seq)) }
	for _, a := range searchAliases(*e) {
		toks := refTemplateTokens(a)
		if len(toks) == 1 {
			continue
		}
		c, n := refCoverageN(seq, toks)
		alias = max(alias, sq(c)*share(n))
	}
	tc, tn := refCoverageN(seq, refTemplateTokens(e.Title))
	title := sq(tc) * share(tn)
	return bonusMessage*sq(msg) + bonusTitle*title + bonusAlias*alias
}

// checkBonuses compares the two re-ranks for each query over the given
// entries and returns how many bonuses came from phrases, not only from a
// status or provider.
func checkBonuses(t *testing.T, ix *Index, queries []string, docs func() []int) int {
	t.Helper()
	phrased := 0
	var r tokenReader
	for _, q := range queries {
		pl := understand(q, builtinSignals)
		ix.resolve(&pl)
		if pl.browses() {
			continue // browsed, never re-ranked
		}
		seq := ix.rerankSeq(&pl, nil)
		for _, i := range docs() {
			got, _ := ix.templateBonus(i, seq, &r)
			want := refTemplateBonus(&ix.entries.all[i], &pl)
			if got != want {
				t.Fatalf("query %q, entry %s: bonus %v from ids, %v from text", clip(q, 80), ix.entries.all[i].ID, got, want)
			}
			if got != 0 {
				phrased++
			}
		}
	}
	t.Logf("%d queries, %d phrase bonuses", len(queries), phrased)
	return phrased
}

func TestRerankTokensMatchText(t *testing.T) {
	t.Parallel() // reads the shared indexes only
	t.Run("catalogue", func(t *testing.T) {
		ix := catalogue(t)
		var qs []string
		for _, c := range loadRelevance(t) {
			qs = append(qs, c.Query)
		}
		qs = append(qs, rerankQueries(ix.entries.all, 40, rand.New(rand.NewPCG(1, 2)))...)
		all := make([]int, len(ix.entries.all))
		for i := range all {
			all[i] = i
		}
		n := checkBonuses(t, ix, qs, func() []int { return all })
		if n < len(qs)/2 {
			t.Errorf("only %d bonuses over %d queries: the comparison hardly compares", n, len(qs))
		}
	})
	t.Run("real corpora", func(t *testing.T) {
		ix := corporaIndex(t)
		rng := rand.New(rand.NewPCG(3, 4))
		qs := rerankQueries(ix.entries.all, 120, rng)
		sample := make([]int, 300)
		n := checkBonuses(t, ix, qs, func() []int {
			for i := range sample {
				sample[i] = rng.IntN(len(ix.entries.all))
			}
			return sample
		})
		if n < len(qs) {
			t.Errorf("only %d bonuses over %d queries: the comparison hardly compares", n, len(qs))
		}
	})
}

func TestSignalBonus(t *testing.T) {
	ix := build(t, fixtures())
	doc := func(id string) int {
		i, ok := ix.lookup(id)
		if !ok {
			t.Fatalf("no entry %s", id)
		}
		return i
	}
	for _, c := range []struct {
		name string
		id   string
		pl   plan
		code float64
		want float64
	}{
		{"a code of its own", "401-identifiers", plan{}, 1, bonusCode},
		{"a code shared by two", "401-identifiers", plan{}, 0.5, bonusCode / 2},
		{"a status typed among words", "429-in-message", plan{textStatus: StatusSet{{429, 429}}, words: []string{"x"}}, 0, bonusStatus},
		{"a status read from a paste", "429-in-message", plan{textStatus: StatusSet{{429, 429}}, statusFinds: true, words: []string{"x"}}, 0, bonusPastedStatus},
		{"another status", "400-in-title", plan{textStatus: StatusSet{{429, 429}}, statusFinds: true}, 0, 0},
		{"its title is the reason phrase, nothing else said", "400-in-title", plan{textStatus: StatusSet{{400, 400}}, statusFinds: true, reasons: []string{"mailbox quota"}}, 0, bonusPastedStatus + bonusReasonTitle},
		{"its title is the reason phrase, words said more", "400-in-title", plan{textStatus: StatusSet{{400, 400}}, statusFinds: true, reasons: []string{"Mailbox Quota"}, words: []string{"nylas"}}, 0, bonusPastedStatus},
		{"a host names its provider", "403-in-alias", plan{hints: []string{"microsoft"}}, 0, bonusHint},
		{"a provider's name typed", "403-in-alias", plan{providers: []string{"microsoft"}, byName: []string{"microsoft"}}, 0, bonusTypedProv},
		{"another word for a provider typed", "403-in-alias", plan{providers: []string{"microsoft"}}, 0, bonusProv},
		{"a word of a paste names its provider", "403-in-alias", plan{providers: []string{"microsoft"}, pasted: true}, 0, bonusProv},
		{"another provider", "403-in-alias", plan{hints: []string{"twilio"}, providers: []string{"gmail"}}, 0, 0},
	} {
		if got := ix.signalBonus(doc(c.id), &c.pl, c.code); got != c.want {
			t.Errorf("%s: signalBonus = %v, want %v", c.name, got, c.want)
		}
	}
	// A code of its own outweighs every category signal together, bleve's
	// whole (normalised) score included.
	if bonusCode <= bonusPastedStatus+bonusReasonTitle+bonusHint+bonusProv+1 {
		t.Errorf("bonusCode %v does not outweigh a status, its reason, a hint, a provider word and bleve's score", bonusCode)
	}
	// A provider typed outweighs another provider's message and title
	// matched whole, and a code of its own outweighs the provider typed.
	if bonusTypedProv < bonusMessage+bonusTitle || bonusTypedProv >= bonusCode {
		t.Errorf("bonusTypedProv %v is not between a message and title matched whole (%v) and a code (%v)", bonusTypedProv, bonusMessage+bonusTitle, bonusCode)
	}
}

// A query of one word gets a template bonus only from an entry with a
// title, message or alias that is that word alone: every word of every
// template of the real catalogue, asked alone of its entry, gets a bonus
// only when soleWords holds it, so re-ranking may skip the templates of a
// word it does not hold.
func TestSoleWordsHoldEveryOneWordBonus(t *testing.T) {
	t.Parallel() // reads the shared index only
	ix := fullIndex(t)
	var r, own tokenReader
	bonuses := 0
	for i := range ix.Len() {
		ix.tokens.open(&own, i)
		var ids []uint32
		for range 1 + int(ix.entries.nMsg[i]) {
			ids = append(ids, own.next()...)
		}
		for range ix.entries.nAlias[i] {
			toks, _ := own.nextAlias()
			ids = append(ids, toks...)
		}
		for _, id := range ids {
			if id == placeholderID {
				continue
			}
			q := qword{id, noID, noID}
			b, _ := ix.templateBonus(i, []qword{q}, &r)
			if b == 0 {
				continue
			}
			bonuses++
			if !ix.tokens.sole.holds(q) {
				t.Fatalf("entry %s: word %d alone gets a bonus of %v, but soleWords does not hold it", ix.entries.all[i].ID, id, b)
			}
		}
	}
	if bonuses == 0 {
		t.Fatal("no word alone got a bonus: this test compares nothing")
	}
	t.Logf("%d one-word bonuses, %d sole words of %d", bonuses, len(ix.tokens.sole), len(ix.vocab.ids))
}

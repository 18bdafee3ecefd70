package search

// browse answers a query without words from the entries slice: every entry
// in status order, those without a status last (they say least at a glance,
// and are most of an imported catalogue), filtered, with exact facets. Counts come from each
// admitted status's provider masks (statusMasks), so only the entries on
// the page are visited: entries without a status, most of an imported
// catalogue, cost their few masks when a status filter leaves them out
// and only the none facet counts them.
func (ix *Index) browse(q Query, pl plan, res *Results) {
	status, any := q.Status.intersect(pl.textStatus)
	from := (q.Page - 1) * q.PerPage
	var statusCounts [600]int
	var provCounts [32]int
	pmask := ix.prov.filter(q.Providers)
	for c := range statusCounts {
		code := (c + 1) % len(statusCounts) // 1…599, then 0: no status last
		in := any && status.Contains(code)
		// A status in the text (never 0) leaves entries without one uncounted.
		counted := pl.textStatus.Contains(code)
		if !in && !counted {
			continue
		}
		n := 0 // entries of this status the provider filter admits
		for _, mc := range ix.statusMasks[code] {
			if pmask == 0 || mc.mask&pmask != 0 {
				n += mc.n
			}
			if in {
				ix.prov.count(&provCounts, mc.mask, mc.n)
			}
		}
		if counted {
			statusCounts[code] = n
		}
		if !in {
			continue
		}
		if k := res.Total; k+n > from && len(res.Hits) < q.PerPage {
			lo, hi := int(ix.statusStart[code]), int(ix.statusStart[code+1])
			if pmask == 0 && k < from {
				lo, k = lo+from-k, from
			}
			for i := lo; i < hi && len(res.Hits) < q.PerPage; i++ {
				if pmask != 0 && ix.provMask[i]&pmask == 0 {
					continue
				}
				if k >= from {
					res.Hits = append(res.Hits, ix.hit(i, 0, "", nil))
				}
				k++
			}
		}
		res.Total += n
	}
	res.Facets = facetsFrom(statusCounts[:], ix.prov.counts(&provCounts), q)
}

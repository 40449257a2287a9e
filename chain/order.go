package chain

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/winchain/winchain/certs"
)

// Candidate order and loop detection.
//
// The search is depth-first and bounded (MaxBuildIterations,
// MaxCandidateChains), so the order in which it tries issuers decides what
// it finds before a bound stops it. In a mesh of cross-signed CAs the
// local-store order sent it down 20-certificate paths through the mesh and
// spent the whole budget there while a 3-certificate trusted chain went
// untried (issue 15). Windows builds "the entire graph" and ranks it
// (spec §1.8); a bounded search can only approximate that by trying first
// the issuers that lead to a trust anchor soonest, as BoringSSL's path
// builder puts trust anchors first among an issuer's candidates
// (pki/path_builder.cc, TrustAndKeyIdentifierMatchToOrder) and RFC 4158
// §3 recommends preferring paths toward a trust anchor.
//
// Before the search, [builder.rankAnchors] walks the issuer graph from the
// end certificate breadth-first, per issuing CA (each issuer name and key
// identifier looked up once, at most MaxBuildIterations of them, to
// MaxDepth), and then back from the trust anchors it met, which gives every
// candidate its distance in issuer steps to the nearest anchor. The search tries candidates by that
// distance, nearest first, so its first descent follows a shortest trusted
// path when one exists within the limits. Candidates at equal distance
// keep the store order of spec §1.8, so the chains found, and the choice
// among chains of equal quality, do not change where the order did not
// matter.

// issuersOf is one memoised issuer lookup.
type issuersOf struct {
	cands []Candidate
	names []string
}

// lookupKey is what issuer matching reads of a certificate (spec §1.8): the
// issuer name and the authority key identifier. Certificates that share it
// have the same candidate issuers, which is what lets the ranking pass work
// per issuing CA rather than per cross-certificate.
func lookupKey(c *certs.Certificate) string {
	var k bytes.Buffer
	k.Write(c.X.RawIssuer)
	if aki := c.AKI; aki != nil {
		k.WriteString("\x00kid:")
		k.Write(aki.KeyID)
		if aki.Serial != nil {
			k.WriteString("\x00sn:" + aki.Serial.String())
		}
		for _, gn := range aki.Issuer {
			fmt.Fprintf(&k, "\x00gn%d:", gn.Type)
			k.Write(gn.Raw)
		}
	}
	return k.String()
}

// lookup returns the candidate issuers of c. Once the ranking pass has run
// in a build round, answers are kept per lookup key, so the pass and the
// search look each key up once.
func (b *builder) lookup(c *certs.Certificate) ([]Candidate, []string) {
	if b.memo == nil {
		return b.candidates(c)
	}
	key := lookupKey(c)
	if s, ok := b.memo[key]; ok {
		return s.cands, s.names
	}
	cands, names := b.candidates(c)
	b.memo[key] = issuersOf{cands, names}
	return cands, names
}

// isAnchor reports whether a path ending at c is complete and trusted: a
// self-signed certificate in the root (or exclusive root) store, or a
// trusted CA under exclusive CA trust.
func (b *builder) isAnchor(c *certs.Certificate) bool {
	if b.isTrustedCA(c) {
		return true
	}
	roots, _ := b.anchors()
	return isSelfSigned(c) && roots.Contains(c)
}

// rankAnchors fills b.toAnchor: for each lookup key met from leaf, the
// fewest issuer steps from a candidate of that key to a trust anchor (0:
// one of the candidates is an anchor). Keys with no known way to an anchor
// are absent. It walks breadth-first by lookup key, each looked up once, at
// most MaxBuildIterations of them and MaxDepth levels deep, then back from
// the keys whose candidates include an anchor.
func (b *builder) rankAnchors(leaf *certs.Certificate) {
	b.toAnchor = nil
	b.memo = map[string]issuersOf{}
	if isSelfSigned(leaf) || b.isAnchor(leaf) {
		return
	}
	var base []string                // keys with an anchor among their candidates
	parents := map[string][]string{} // key -> keys with a candidate that has this key
	start := lookupKey(leaf)
	visited := map[string]bool{start: true}
	level := []*certs.Certificate{leaf}
	lookups := 0
	for depth := 1; depth < b.e.cfg.MaxDepth && len(level) > 0 && lookups < b.e.cfg.MaxBuildIterations; depth++ {
		var next []*certs.Certificate
		for _, c := range level {
			if lookups >= b.e.cfg.MaxBuildIterations {
				break
			}
			lookups++
			key := lookupKey(c)
			cands, _ := b.lookup(c)
			for _, cand := range cands {
				if b.isAnchor(cand.Cert) {
					base = append(base, key)
					continue
				}
				if isSelfSigned(cand.Cert) {
					continue // an untrusted root ends the path
				}
				k := lookupKey(cand.Cert)
				parents[k] = append(parents[k], key)
				if !visited[k] {
					visited[k] = true
					next = append(next, cand.Cert)
				}
			}
		}
		level = next
	}
	if len(base) == 0 {
		return
	}
	b.toAnchor = make(map[string]int, len(visited))
	queue := base[:0:0]
	for _, k := range base {
		if _, ok := b.toAnchor[k]; !ok {
			b.toAnchor[k] = 0
			queue = append(queue, k)
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, p := range parents[k] {
			if _, ok := b.toAnchor[p]; !ok {
				b.toAnchor[p] = b.toAnchor[k] + 1
				queue = append(queue, p)
			}
		}
	}
}

// order returns the indices of cands in the order the search tries them:
// by distance to a trust anchor, nearest first, ties (and candidates with
// no known way to an anchor, last) in the given order. Nil means the given
// order.
func (b *builder) order(cands []Candidate) []int {
	if len(cands) < 2 || b.toAnchor == nil {
		return nil
	}
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
	}
	const far = int(^uint(0) >> 1)
	dist := make([]int, len(cands))
	for i, cand := range cands {
		switch d, ok := b.toAnchor[lookupKey(cand.Cert)]; {
		case b.isAnchor(cand.Cert):
			dist[i] = 0
		case isSelfSigned(cand.Cert) || !ok:
			dist[i] = far
		default:
			dist[i] = 1 + d
		}
	}
	sort.SliceStable(idx, func(x, y int) bool { return dist[idx[x]] < dist[idx[y]] })
	return idx
}

// inPath reports whether the path already holds c's CA: a certificate with
// c's subject name and public key. Comparing certificates would let a mesh
// of cross-certificates loop through the same CAs under different
// certificates; the same name and key is the same CA (RFC 4158's loop
// detection; BoringSSL's path builder checks subject and SPKI likewise).
func inPath(p *rawPath, c *certs.Certificate) bool {
	for _, x := range p.certs {
		if x.SHA256 == c.SHA256 ||
			bytes.Equal(x.X.RawSubjectPublicKeyInfo, c.X.RawSubjectPublicKeyInfo) && bytes.Equal(x.X.RawSubject, c.X.RawSubject) {
			return true
		}
	}
	return false
}

package chain

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/winchain/winchain/aia"
	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/boundedio"
)

// Store is an in-memory certificate store (an HCERTSTORE): certificates
// indexed the ways the chain engine looks for an issuer, plus the CRLs that
// Windows lets a store hold (the CA store can carry CRLs that the revocation
// check finds by issuer before it goes to the network, spec §3.2). A Store is
// safe for concurrent use.
type Store struct {
	mu        sync.RWMutex
	name      string
	certs     []*certs.Certificate
	byHash    map[[32]byte]*certs.Certificate
	bySubject map[string][]*certs.Certificate // key: normalised subject
	byKeyID   map[string][]*certs.Certificate // key: SKI (or SHA-1 of the key when absent)
	crls      []*certs.CRL
}

// NewStore returns an empty store. name is used in messages ("Root", "CA").
func NewStore(name string, cs ...*certs.Certificate) *Store {
	s := &Store{
		name:      name,
		byHash:    map[[32]byte]*certs.Certificate{},
		bySubject: map[string][]*certs.Certificate{},
		byKeyID:   map[string][]*certs.Certificate{},
	}
	for _, c := range cs {
		s.Add(c)
	}
	return s
}

// Name returns the store's name.
func (s *Store) Name() string {
	if s == nil {
		return ""
	}
	return s.name
}

// Add adds a certificate; a certificate already present is ignored. It
// reports whether the certificate was new.
func (s *Store) Add(c *certs.Certificate) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byHash[c.SHA256]; ok {
		return false
	}
	s.byHash[c.SHA256] = c
	s.certs = append(s.certs, c)
	k := subjectKey(c.X.RawSubject)
	s.bySubject[k] = append(s.bySubject[k], c)
	kid := string(KeyIdentifier(c))
	s.byKeyID[kid] = append(s.byKeyID[kid], c)
	return true
}

// AddCRL adds a CRL (parsed by certs.ParseCRL, the one CRL parser) to the
// store.
func (s *Store) AddCRL(crl *certs.CRL) {
	s.mu.Lock()
	s.crls = append(s.crls, crl)
	s.mu.Unlock()
}

// Certificates returns the certificates in the order they were added.
func (s *Store) Certificates() []*certs.Certificate {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*certs.Certificate(nil), s.certs...)
}

// CRLs returns the CRLs held by the store.
func (s *Store) CRLs() []*certs.CRL {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*certs.CRL(nil), s.crls...)
}

// Contains reports whether the store holds this exact certificate.
func (s *Store) Contains(c *certs.Certificate) bool {
	if s == nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.byHash[c.SHA256]
	return ok
}

// Len returns the number of certificates.
func (s *Store) Len() int {
	if s == nil {
		return 0
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.certs)
}

// IssuersOf returns the store's candidate issuers of c, by the rules of
// [FindIssuers]. It makes Store an [IssuerSource].
func (s *Store) IssuersOf(c *certs.Certificate) []Candidate {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.findIssuers(c)
}

func (s *Store) findIssuers(c *certs.Certificate) []Candidate {
	var out []Candidate
	aki := c.AKI
	if aki != nil && aki.Serial != nil && len(aki.Issuer) > 0 {
		for _, gn := range aki.Issuer {
			if gn.Type != certs.NameDirectory {
				continue
			}
			for _, cand := range s.bySubject[subjectKey(gn.Raw)] {
				if cand.X.SerialNumber != nil && cand.X.SerialNumber.Cmp(aki.Serial) == 0 {
					out = append(out, Candidate{Cert: cand, Match: HasExactMatchIssuer})
				}
			}
		}
		if len(out) > 0 || len(aki.KeyID) == 0 {
			return out
		}
	}
	if aki != nil && len(aki.KeyID) > 0 {
		for _, cand := range s.byKeyID[string(aki.KeyID)] {
			out = append(out, Candidate{Cert: cand, Match: HasKeyMatchIssuer})
		}
		return out
	}
	for _, cand := range s.bySubject[subjectKey(c.X.RawIssuer)] {
		if certs.NamesEqual(cand.X.RawSubject, c.X.RawIssuer) {
			out = append(out, Candidate{Cert: cand, Match: HasNameMatchIssuer})
		}
	}
	return out
}

// KeyIdentifier returns the certificate's key identifier the way Windows
// computes CERT_KEY_IDENTIFIER_PROP_ID (see certs.Certificate.KeyID).
func KeyIdentifier(c *certs.Certificate) []byte { return c.KeyID }

// subjectKey is a cheap bucket key for a DER name: the RFC 5280-prepared
// string form, so that encodings differing only in case or string type share
// a bucket; NamesEqual then decides.
func subjectKey(raw []byte) string {
	rdn, err := certs.ParseName(raw)
	if err != nil {
		return "raw:" + string(raw)
	}
	var b strings.Builder
	for _, set := range rdn {
		b.WriteByte('/')
		for _, atv := range set {
			b.WriteString(atv.Type.String())
			b.WriteByte('=')
			if s, ok := atv.Value.(string); ok {
				b.WriteString(certs.PrepareString(s))
			} else {
				fmt.Fprint(&b, atv.Value)
			}
			b.WriteByte('+')
		}
	}
	return b.String()
}

// MaxBundleCertificates bounds the certificates [LoadCertFile] reads from
// one PKCS#7 file (10,000): a store export of every root Windows trusts is a
// few hundred; the bound keeps a hostile file from costing unbounded parsing.
// AIA objects have their own, Windows, limit (aia.DefaultMaxRetrievalCertCount).
const MaxBundleCertificates = 10000

// LoadCertFile reads the certificates of one file: a DER certificate, PEM
// CERTIFICATE blocks (in file order), or a PKCS#7 certs-only bundle
// (.p7b/.p7c, DER, BER or PEM "PKCS7"), the form certmgr's export wizard
// writes. A bundle's certificates are a SET, with no order, so they are
// returned end certificate first when exactly one of them issued none of
// the others (by name), else in the file's order. Errors name the file.
// Path "-" reads standard input.
func LoadCertFile(path string) ([]*certs.Certificate, error) {
	data, err := certs.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCertFile(data, boundedio.Name(path))
}

// ParseCertFile is [LoadCertFile] on bytes already read; path names the
// input in errors.
func ParseCertFile(data []byte, path string) ([]*certs.Certificate, error) {
	cs, err := certs.ParseAll(data, path)
	if err == nil {
		return cs, nil
	}
	d, derr := aia.DecodeBody(data, MaxBundleCertificates)
	var be *aia.BodyError
	switch {
	case derr == nil && (d.Format == aia.FormatPKCS7 || d.Inner == aia.FormatPKCS7):
	case errors.As(derr, &be) && strings.HasSuffix(be.Format, aia.FormatPKCS7):
		// aia's wording speaks of AIA objects and their registry limit;
		// say what failed in terms of this file.
		if errors.Is(derr, aia.ErrTooManyCertificates) {
			return nil, &certs.ParseError{Input: path, Err: fmt.Errorf("PKCS#7 bundle: more than %d certificates (chain.MaxBundleCertificates)", MaxBundleCertificates)}
		}
		if be.Detail != "" {
			return nil, &certs.ParseError{Input: path, Err: fmt.Errorf("PKCS#7 bundle: %w (%s)", be.Err, be.Detail)}
		}
		return nil, &certs.ParseError{Input: path, Err: fmt.Errorf("PKCS#7 bundle: %w", be.Err)}
	default:
		return nil, err // not PKCS#7: the certificate loader's error says more
	}
	if d.Skipped > 0 {
		return nil, &certs.ParseError{Input: path, Err: fmt.Errorf("PKCS#7 bundle: %d of its %d entries are not certificates that load",
			d.Skipped, d.Skipped+len(d.Certificates))}
	}
	return endFirst(d.Certificates), nil
}

// endFirst moves to the front the one certificate that issued none of the
// others; with none or several, cs is returned as it is. Names compare as
// the store indexes them (subjectKey), in one pass over a set of issuer
// names: a bundle may hold MaxBundleCertificates certificates.
func endFirst(cs []*certs.Certificate) []*certs.Certificate {
	issuers := make(map[string]bool, len(cs))
	for _, o := range cs {
		if !o.IsSelfIssued() { // a self-issued certificate names itself, no other
			issuers[subjectKey(o.X.RawIssuer)] = true
		}
	}
	end := -1
	for i, c := range cs {
		if issuers[subjectKey(c.X.RawSubject)] {
			continue
		}
		if end >= 0 {
			return cs
		}
		end = i
	}
	if end <= 0 {
		return cs
	}
	out := make([]*certs.Certificate, 0, len(cs))
	out = append(out, cs[end])
	out = append(out, cs[:end]...)
	return append(out, cs[end+1:]...)
}

// LoadStoreFiles reads certificate files into a new store: PEM bundles, DER
// certificates and PKCS#7 bundles (see [LoadCertFile]); "-" reads
// standard input. A path that is a folder adds every certificate file in
// it (not its sub-folders), in name order, as `step --roots DIR` does:
// files whose bytes are not a certificate or a PKCS#7 bundle (CRLs, keys,
// notes) are skipped, and a folder without any certificate is an error.
// Errors name the file.
func LoadStoreFiles(name string, paths ...string) (*Store, error) {
	s := NewStore(name)
	add := func(cs []*certs.Certificate) {
		for _, c := range cs {
			s.Add(c)
		}
	}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			cs, err := loadCertDir(p)
			if err != nil {
				return nil, err
			}
			add(cs)
			continue
		}
		cs, err := LoadCertFile(p)
		if err != nil {
			return nil, err
		}
		add(cs)
	}
	return s, nil
}

// loadCertDir reads every certificate file directly in dir.
func loadCertDir(dir string) ([]*certs.Certificate, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &certs.ParseError{Input: dir, Err: err}
	}
	var out []*certs.Certificate
	for _, e := range entries { // os.ReadDir sorts by name
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p) // follows symlinks, as /etc/ssl/certs has them
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		data, err := certs.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if k := cache.ContentKind(data); k != cache.ContentCert && k != cache.ContentPKCS7 {
			continue
		}
		cs, err := ParseCertFile(data, p)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	if len(out) == 0 {
		return nil, &certs.ParseError{Input: dir, Err: errors.New("a folder without certificate files")}
	}
	return out, nil
}

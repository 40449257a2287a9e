package chain

import (
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
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
	k := certs.NameKey(c.X.RawSubject)
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
			for _, cand := range s.bySubject[certs.NameKey(gn.Raw)] {
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
	for _, cand := range s.bySubject[certs.NameKey(c.X.RawIssuer)] {
		if certs.NamesEqual(cand.X.RawSubject, c.X.RawIssuer) {
			out = append(out, Candidate{Cert: cand, Match: HasNameMatchIssuer})
		}
	}
	return out
}

// KeyIdentifier returns the certificate's key identifier the way Windows
// computes CERT_KEY_IDENTIFIER_PROP_ID (see certs.Certificate.KeyID).
func KeyIdentifier(c *certs.Certificate) []byte { return c.KeyID }

// LoadStoreFiles reads certificate files into a new store: PEM bundles, DER
// certificates and PKCS#7 bundles (see certs.ParseAll); "-" reads
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
		cs, err := certs.LoadFile(p)
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
		cs, err := certs.ParseAll(data, p)
		if err != nil {
			if errors.Is(err, certs.ErrNotCertificate) && cache.ContentKind(data) == cache.ContentPKCS7 {
				continue // a bundle of CRLs only: not a certificate file
			}
			return nil, err
		}
		out = append(out, cs...)
	}
	if len(out) == 0 {
		return nil, &certs.ParseError{Input: dir, Err: errors.New("a folder without certificate files")}
	}
	return out, nil
}

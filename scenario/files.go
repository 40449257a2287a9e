package scenario

import (
	"fmt"
	"time"

	"github.com/winchain/winchain/certs"
)

// Certificate loads the certificate the scenario names (pki.certs), for
// tools that take a case out of a scenario (`winchain lab --scenario`).
func (s *Spec) Certificate(name string) (*certs.Certificate, error) {
	file, ok := s.PKI.Certs[name]
	if !ok {
		return nil, &Error{File: s.errFile(), Field: "pki.certs", Err: fmt.Errorf("no certificate named %q", name)}
	}
	data, err := s.readFile(file)
	if err != nil {
		return nil, &Error{File: file, Field: "pki.certs." + name, Err: err}
	}
	cs, err := certs.ParseAll(data, file)
	if err != nil {
		return nil, &Error{File: file, Field: "pki.certs." + name, Err: err}
	}
	return cs[0], nil
}

// ReadFile reads a file the scenario names (a registry export, a
// certificate), relative to the scenario's folder or from its embedded
// files.
func (s *Spec) ReadFile(name string) ([]byte, error) { return s.readFile(name) }

// PresentedChain returns the certificate names endpoint presents at offset
// at (from start): its chain at start, changed by every swap and revert
// event up to and including at, with the simulator's semantics (a revert
// goes back to the chain before the endpoint's last swap).
func (s *Spec) PresentedChain(endpoint string, at time.Duration) ([]string, error) {
	var cur []string
	found := false
	for _, e := range s.Endpoints {
		if e.Name == endpoint {
			cur, found = append([]string(nil), e.Chain...), true
		}
	}
	if !found {
		return nil, &Error{File: s.errFile(), Field: "endpoints", Err: fmt.Errorf("no endpoint named %q", endpoint)}
	}
	var history [][]string
	for _, e := range s.Events { // sorted by At in normalise
		if e.At.D() > at {
			break
		}
		switch {
		case e.Swap != nil && e.Swap.Endpoint == endpoint:
			history = append(history, cur)
			cur = append([]string(nil), e.Swap.Chain...)
		case e.Revert == endpoint && len(history) > 0:
			cur, history = history[len(history)-1], history[:len(history)-1]
		}
	}
	return cur, nil
}

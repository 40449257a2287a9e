package netsim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/boundedio"
	"github.com/winchain/winchain/internal/decodeerr"
)

// ruleSpec is one rule as written in the --net file.
type ruleSpec struct {
	File    *string `yaml:"file"`
	Fail    *string `yaml:"fail"`
	Status  *int    `yaml:"status"`
	Latency *string `yaml:"latency"`
	ETag    *string `yaml:"etag"`
	MaxAge  *string `yaml:"maxAge"`
	From    *string `yaml:"from"`
	Until   *string `yaml:"until"`
}

// entrySpec is one URL of the --net file: a base rule plus a timeline.
type entrySpec struct {
	ruleSpec `yaml:",inline"`
	Timeline []ruleSpec `yaml:"timeline"`
}

// Size limits of the --net file and of the files it serves, checked before
// they are read.
const (
	// MaxNetFileSize bounds the --net file itself (16 MiB; a rule is a
	// line or two).
	MaxNetFileSize = 16 << 20
	// MaxServedFileSize bounds a file the network serves (256 MiB): above
	// MaxUrlRetrievalByteCount (100 MiB), so a test can serve an object
	// the client must refuse as too large.
	MaxServedFileSize = 256 << 20
)

// Load reads a --net file (JSON or YAML, see the package doc) into a new
// Network on clk. Files are read now, so a missing file is reported at once.
func Load(path string, clk clock.Clock) (*Network, error) {
	data, err := boundedio.ReadFile(path, MaxNetFileSize)
	if err != nil {
		return nil, fmt.Errorf("netsim: %w", err)
	}
	return Parse(boundedio.Name(path), data, filepath.Dir(path), clk)
}

// Parse reads --net file content. name labels errors; file paths are
// resolved against dir.
func Parse(name string, data []byte, dir string, clk clock.Clock) (*Network, error) {
	var spec map[string]entrySpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty network file (want a map from URL to rule)", name)
		}
		return nil, fmt.Errorf("%s: %w", name, decodeerr.Word(err, data))
	}
	urls := make([]string, 0, len(spec))
	for u := range spec {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	n := New(clk)
	for _, u := range urls {
		e := spec[u]
		if u == "" || u == "*" {
			return nil, fmt.Errorf("%s: empty URL", name)
		}
		// A key ending in "*" is a prefix rule: it answers every URL that
		// starts with the rest (an OCSP responder's GET URLs, which carry
		// the request), unless the URL has a rule of its own.
		add := n.Add
		if prefix, ok := strings.CutSuffix(u, "*"); ok {
			add = n.AddPrefix
			u = prefix
		}
		if !e.ruleSpec.empty() {
			if e.From != nil || e.Until != nil {
				return nil, fmt.Errorf("%s: %s: from/until belong in timeline entries", name, u)
			}
			r, err := e.ruleSpec.rule(dir)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", name, u, err)
			}
			add(u, r)
		} else if len(e.Timeline) == 0 {
			return nil, fmt.Errorf("%s: %s: want one of file, fail, status or a timeline", name, u)
		}
		for i, rs := range e.Timeline {
			if rs.empty() {
				return nil, fmt.Errorf("%s: %s: timeline[%d]: want one of file, fail or status", name, u, i)
			}
			if rs.Latency == nil {
				rs.Latency = e.Latency // the path to the host does not change
			}
			r, err := rs.rule(dir)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: timeline[%d]: %w", name, u, i, err)
			}
			add(u, r)
		}
	}
	return n, nil
}

func (s ruleSpec) empty() bool { return s.File == nil && s.Fail == nil && s.Status == nil }

func (s ruleSpec) rule(dir string) (Rule, error) {
	var r Rule
	if s.Fail != nil && (s.File != nil || s.Status != nil) {
		return r, errors.New("fail: cannot be combined with file or status")
	}
	if s.Fail != nil {
		switch f := Failure(*s.Fail); f {
		case FailOffline, FailTimeout, FailReset:
			r.Fail = f
		default:
			return r, fmt.Errorf("fail: unknown failure %q (want offline, timeout or reset)", *s.Fail)
		}
	}
	if s.Status != nil {
		if *s.Status < 100 || *s.Status > 599 {
			return r, fmt.Errorf("status: %d is not an HTTP status", *s.Status)
		}
		r.Status = *s.Status
	}
	if s.File != nil {
		p := *s.File
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		b, err := boundedio.ReadFile(p, MaxServedFileSize)
		if err != nil {
			return r, fmt.Errorf("file: %w", err)
		}
		r.Body = b
	}
	var err error
	if r.Latency, err = parseDuration("latency", s.Latency); err != nil {
		return r, err
	}
	if r.MaxAge, err = parseDuration("maxAge", s.MaxAge); err != nil {
		return r, err
	}
	if s.ETag != nil {
		r.ETag = *s.ETag
	}
	if r.From, err = parseTime("from", s.From); err != nil {
		return r, err
	}
	if r.Until, err = parseTime("until", s.Until); err != nil {
		return r, err
	}
	if !r.From.IsZero() && !r.Until.IsZero() && !r.Until.After(r.From) {
		return r, fmt.Errorf("until: %s is not after from %s", *s.Until, *s.From)
	}
	return r, nil
}

func parseDuration(field string, s *string) (time.Duration, error) {
	if s == nil {
		return 0, nil
	}
	d, err := time.ParseDuration(*s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s: %q is not a duration like \"2s\" or \"1h30m\"", field, *s)
	}
	return d, nil
}

func parseTime(field string, s *string) (time.Time, error) {
	if s == nil {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q is not an RFC 3339 time", field, *s)
	}
	return t, nil
}

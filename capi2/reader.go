package capi2

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of the reader. One event is held in memory at a time; these bound
// what one event may cost, whatever the file holds.
const (
	// MaxEventNodes bounds the XML elements of one event. The largest real
	// events are event 90 dumps: a few certificates with their extensions
	// and SANs, a few hundred elements (spec §7.3). An event with more is
	// skipped.
	MaxEventNodes = 20000
	// MaxEventDepth bounds the nesting of one event's elements; real events
	// nest about 8 deep (Event/UserData/X509Objects/Certificate/
	// Extensions/…/KeyID).
	MaxEventDepth = 64
	// MaxSkippedKept bounds the skipped events kept with their reasons;
	// further ones are only counted.
	MaxSkippedKept = 1000
)

// node is one XML element of an event, with its attributes, text and
// children, namespaces dropped (every CAPI2 element is in the event
// namespace).
type node struct {
	name  string
	attrs []xml.Attr
	text  string
	kids  []*node
}

// attr returns the attribute's value, "" when absent.
func (n *node) attr(name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// hasAttr reports whether the attribute is present.
func (n *node) hasAttr(name string) bool {
	if n == nil {
		return false
	}
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return true
		}
	}
	return false
}

// child returns the first child element of that name, nil when none.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// children returns every child element of that name.
func (n *node) children(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// elems returns the child elements (none for a nil node).
func (n *node) elems() []*node {
	if n == nil {
		return nil
	}
	return n.kids
}

// body returns the trimmed text ("" for a nil node).
func (n *node) body() string {
	if n == nil {
		return ""
	}
	return n.text
}

// childText is the trimmed text of the named child.
func (n *node) childText(name string) string {
	return n.child(name).body()
}

// Reader reads the events of one CAPI2 XML export, one at a time: it
// never holds more than one event's elements, so a 200 MB export costs
// the memory of its largest event (plus what the caller keeps).
type Reader struct {
	input   string
	dec     *xml.Decoder
	events  int
	skipped []Skipped
	nSkip   int
	done    error
}

// Skipped is an event the reader or the grouping did not model.
type Skipped struct {
	// RecordID is the event's EventRecordID (0 when unknown); EventID its
	// EventID (0 when unknown).
	RecordID uint64 `json:"recordId"`
	EventID  int    `json:"eventId"`
	// Reason says why, in words.
	Reason string `json:"reason"`
}

// NewReader returns a Reader of r. input names the file in errors. A
// binary .evtx file is refused with an *EVTXError that gives the wevtutil
// command that converts it.
func NewReader(r io.Reader, input string) (*Reader, error) {
	in, transcoded, err := decodeInput(r, input)
	if err != nil {
		return nil, err
	}
	dec := xml.NewDecoder(in)
	dec.CharsetReader = charsetReader(transcoded)
	return &Reader{input: input, dec: dec}, nil
}

// Events returns the number of <Event> elements read so far, modelled or
// skipped.
func (r *Reader) Events() int { return r.events }

// Skipped returns the skipped events kept so far (at most MaxSkippedKept)
// and how many were skipped in all.
func (r *Reader) Skipped() ([]Skipped, int) { return r.skipped, r.nSkip }

func (r *Reader) skip(s Skipped) {
	r.nSkip++
	if len(r.skipped) < MaxSkippedKept {
		r.skipped = append(r.skipped, s)
	}
}

// Next returns the next modelled event, or io.EOF after the last one. An
// event that is not a CAPI2 event or that the package does not model is
// counted in Skipped, not returned. A damaged file ends the reading with an
// *InputError (the events before it were returned).
func (r *Reader) Next() (*Event, error) {
	if r.done != nil {
		return nil, r.done
	}
	for {
		n, err := r.nextEvent()
		if err != nil {
			r.done = err
			return nil, err
		}
		if n == nil {
			continue // an oversized event, already skipped
		}
		r.events++
		ev, reason := parseEvent(n)
		if reason != "" {
			s := Skipped{Reason: reason}
			if ev != nil {
				s.RecordID, s.EventID = ev.RecordID, ev.ID
			}
			r.skip(s)
			continue
		}
		return ev, nil
	}
}

// nextEvent finds the next <Event> element at any depth (the stream may
// have an <Events> root, or none) and reads it into a node tree.
func (r *Reader) nextEvent() (*node, error) {
	for {
		tok, err := r.dec.Token()
		if errors.Is(err, io.EOF) {
			if r.events == 0 && r.nSkip == 0 {
				return nil, &InputError{Input: r.input, Reason: "no <Event> elements: not an XML export of an event log (wevtutil qe … /f:xml)"}
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, r.syntax(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Event" {
			continue
		}
		return r.readTree(se)
	}
}

func (r *Reader) syntax(err error) error {
	reason := err.Error()
	reason = strings.TrimPrefix(reason, "XML syntax error on line ")
	if i := strings.Index(reason, ": "); i >= 0 && syntaxLine(err) > 0 {
		reason = reason[i+2:]
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(reason, "unexpected EOF") {
		reason = "the file ends in the middle of an event (truncated export?)"
	} else {
		reason = "not well-formed XML: " + reason
	}
	return &InputError{Input: r.input, Line: syntaxLine(err), Reason: reason, Err: err}
}

// readTree reads the element opened by start into a node tree, bounded by
// MaxEventNodes and MaxEventDepth. An event over the bounds is consumed,
// skipped, and nil is returned.
func (r *Reader) readTree(start xml.StartElement) (*node, error) {
	root := &node{name: start.Name.Local, attrs: start.Attr}
	stack := []*node{root}
	text := [][]byte{nil}
	count, over := 1, false
	for len(stack) > 0 {
		tok, err := r.dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, r.syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if over || count > MaxEventNodes || len(stack) >= MaxEventDepth {
				over = true
				if err := r.dec.Skip(); err != nil {
					return nil, r.syntax(err)
				}
				continue
			}
			n := &node{name: t.Name.Local, attrs: t.Attr}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
			text = append(text, nil)
		case xml.CharData:
			if !over {
				text[len(text)-1] = append(text[len(text)-1], t...)
			}
		case xml.EndElement:
			top := stack[len(stack)-1]
			top.text = strings.TrimSpace(string(text[len(text)-1]))
			stack = stack[:len(stack)-1]
			text = text[:len(text)-1]
		}
	}
	if over {
		r.events++
		r.skip(Skipped{RecordID: parseUint(root.child("System").childText("EventRecordID")),
			Reason: fmt.Sprintf("event larger than the reader's bounds (%d elements, %d levels)", MaxEventNodes, MaxEventDepth)})
		return nil, nil
	}
	return root, nil
}

package capi2

import (
	"container/heap"
	"errors"
	"io"
	"sort"
	"strconv"
	"time"
)

// Limits of the grouping. Operations are assembled as events stream by and
// handed on as soon as they are complete, so memory holds the operations
// in progress, not the log.
const (
	// IdleEvents is how many events may pass without one for an operation
	// before the operation is taken as complete. The events of one
	// operation are written within milliseconds of each other on one
	// thread; other processes' operations interleave with them, rarely more
	// than a few hundred events deep.
	IdleEvents = 2000
	// MaxOpenOperations bounds the operations in progress; past it the one
	// idle longest is completed.
	MaxOpenOperations = 4096
	// ReorderWindow is how many completed operations are held to hand them
	// on in start-time order: exports written newest first (Get-WinEvent)
	// come out oldest first when the log holds fewer operations than this.
	ReorderWindow = 512
)

// maxOpenOperations is MaxOpenOperations, lowered by tests: with
// IdleEvents below MaxOpenOperations the idle rule always completes an
// operation first, so only a lower bound shows this one at work.
var maxOpenOperations = MaxOpenOperations

// Operation is the events of one CorrelationAuxInfo TaskId — one call of
// CertGetCertificateChain, CertVerifyRevocation or CryptRetrieveObjectByUrl
// — ordered by SeqNumber, plus the CertVerifyCertificateChainPolicy events
// (30) that checked its chain (same TaskId or the same chainRef).
type Operation struct {
	// TaskID is the operation's TaskId ("record:N" for an event without
	// one).
	TaskID string
	// Process and ProcessID are those of its first event.
	Process   string
	ProcessID int
	// Start is the time of its earliest event.
	Start time.Time
	// Events are the operation's own events by SeqNumber, then linked
	// policy events of other TaskIds by time.
	Events []*Event

	lastSeen int
	index    int      // in the open heap
	refs     []string // chainRefs indexed to it while open
}

// EventIDs lists the EventID of each event in order.
func (op *Operation) EventIDs() []int {
	ids := make([]int, len(op.Events))
	for i, e := range op.Events {
		ids[i] = e.ID
	}
	return ids
}

// Chain returns the operation's outer CertGetCertificateChain (event 11):
// the last by SeqNumber, since chain builds nested inside it (for an OCSP
// responder's certificate) finish first. Nil when there is none.
func (op *Operation) Chain() *Event {
	for i := len(op.Events) - 1; i >= 0; i-- {
		if e := op.Events[i]; e.ID == EventChain && e.TaskID == op.TaskID {
			return e
		}
	}
	return nil
}

// ChainRef returns the outer chain's chainRef, "" when none.
func (op *Operation) ChainRef() string {
	if c := op.Chain(); c != nil && len(c.Chain.Chains) > 0 {
		return c.Chain.Chains[0].ChainRef
	}
	return ""
}

// Policy returns the policy event (30) that checked the outer chain: the
// one with its chainRef, else the only 30 of the operation's own TaskId
// when there is no chain. Nil when none.
func (op *Operation) Policy() *Event {
	ref := op.ChainRef()
	var own *Event
	for _, e := range op.Events {
		if e.ID != EventPolicy {
			continue
		}
		if ref != "" && e.Policy.ChainRef == ref {
			return e
		}
		if ref == "" && own == nil {
			own = e
		}
	}
	return own
}

// Objects returns the event 90 descriptions of the operation merged: by
// fileRef, certificates, CRLs and OCSP responses.
func (op *Operation) Objects() *ObjectIndex {
	x := &ObjectIndex{Certs: map[string]*CertInfo{}, CRLs: map[string]*CRLInfo{}, OCSP: map[string]*OCSPInfo{}}
	for _, e := range op.Events {
		if e.Objects == nil {
			continue
		}
		for _, c := range e.Objects.Certificates {
			x.Certs[c.FileRef] = c
		}
		for _, c := range e.Objects.CRLs {
			x.CRLs[c.FileRef] = c
		}
		for _, c := range e.Objects.OCSP {
			x.OCSP[c.FileRef] = c
		}
	}
	return x
}

// ObjectIndex holds event 90 descriptions by fileRef.
type ObjectIndex struct {
	Certs map[string]*CertInfo
	CRLs  map[string]*CRLInfo
	OCSP  map[string]*OCSPInfo
}

func (op *Operation) add(e *Event) {
	op.Events = append(op.Events, e)
	if op.Start.IsZero() || (!e.Time.IsZero() && e.Time.Before(op.Start)) {
		op.Start = e.Time
	}
	if op.Process == "" {
		op.Process, op.ProcessID = e.Process, e.ProcessID
	}
}

// finish orders the events: own TaskId by SeqNumber (record ID breaks
// ties), then linked events of other TaskIds by time.
func (op *Operation) finish() {
	sort.SliceStable(op.Events, func(i, j int) bool {
		a, b := op.Events[i], op.Events[j]
		ao, bo := a.TaskID == op.TaskID, b.TaskID == op.TaskID
		if ao != bo {
			return ao
		}
		if ao {
			if a.Seq != b.Seq {
				return a.Seq < b.Seq
			}
			return a.RecordID < b.RecordID
		}
		return a.Time.Before(b.Time)
	})
	if len(op.Events) > 0 && op.Process == "" {
		op.Process = op.Events[0].Process
	}
}

// Grouper assembles operations from a Reader, streaming.
type Grouper struct {
	r        *Reader
	seen     int
	open     map[string]*Operation
	byRef    map[string]*Operation // chainRef → open operation (chain or policy-only)
	idle     openHeap
	done     doneHeap
	eof      bool
	err      error
	operated int
}

// NewGrouper returns a Grouper over r.
func NewGrouper(r *Reader) *Grouper {
	return &Grouper{r: r, open: map[string]*Operation{}, byRef: map[string]*Operation{}}
}

// Next returns the next complete operation, in start-time order within
// ReorderWindow, or io.EOF after the last. A damaged file's *InputError is
// returned after the operations read before the damage.
func (g *Grouper) Next() (*Operation, error) {
	for {
		if len(g.done) > ReorderWindow || (g.eof && len(g.done) > 0) {
			g.operated++
			return heap.Pop(&g.done).(*Operation), nil
		}
		if g.eof {
			if g.err != nil {
				return nil, g.err
			}
			return nil, io.EOF
		}
		ev, err := g.r.Next()
		if err != nil {
			g.eof = true
			if !errors.Is(err, io.EOF) {
				g.err = err
			}
			for len(g.idle) > 0 {
				g.complete(g.idle[0])
			}
			continue
		}
		g.seen++
		g.place(ev)
		for len(g.idle) > 0 && (g.seen-g.idle[0].lastSeen > IdleEvents || len(g.open) > maxOpenOperations) {
			g.complete(g.idle[0])
		}
	}
}

// Operations returns how many operations Next has returned.
func (g *Grouper) Operations() int { return g.operated }

func (g *Grouper) place(ev *Event) {
	key := ev.TaskID
	if key == "" {
		key = "record:" + strconv.FormatUint(ev.RecordID, 10)
	}
	op := g.open[key]
	if op == nil && ev.ID == EventPolicy && ev.Policy.ChainRef != "" {
		// A policy check of its own TaskId, linked to a chain by chainRef.
		if target := g.byRef[ev.Policy.ChainRef]; target != nil {
			op = target
		}
	}
	if op == nil {
		op = &Operation{TaskID: key}
		g.open[key] = op
		heap.Push(&g.idle, op)
	}
	op.add(ev)
	op.lastSeen = g.seen
	heap.Fix(&g.idle, op.index)
	var ref string
	switch {
	case ev.ID == EventChain && ev.TaskID == op.TaskID && len(ev.Chain.Chains) > 0:
		ref = ev.Chain.Chains[0].ChainRef
	case ev.ID == EventPolicy && op.TaskID == key:
		ref = ev.Policy.ChainRef
	}
	if ref == "" {
		return
	}
	other := g.byRef[ref]
	if other != nil && other != op {
		// The policy-only operation of this chain came first (a log written
		// newest first): fold it in.
		g.merge(op, other)
		return
	}
	if other == nil {
		g.byRef[ref] = op
		op.refs = append(op.refs, ref)
	}
}

// merge moves src's events into dst (src is a policy-only operation).
func (g *Grouper) merge(dst, src *Operation) {
	if src.Chain() != nil {
		return // two chains that claim one chainRef: keep them apart
	}
	for _, e := range src.Events {
		dst.add(e)
	}
	heap.Remove(&g.idle, src.index)
	delete(g.open, src.TaskID)
	for _, ref := range src.refs {
		g.byRef[ref] = dst
	}
	dst.refs = append(dst.refs, src.refs...)
	src.refs = nil
}

func (g *Grouper) complete(op *Operation) {
	heap.Remove(&g.idle, op.index)
	delete(g.open, op.TaskID)
	for _, ref := range op.refs {
		if g.byRef[ref] == op {
			delete(g.byRef, ref)
		}
	}
	op.refs = nil
	op.finish()
	heap.Push(&g.done, op)
}

// openHeap orders open operations by when they last saw an event.
type openHeap []*Operation

func (h openHeap) Len() int           { return len(h) }
func (h openHeap) Less(i, j int) bool { return h[i].lastSeen < h[j].lastSeen }
func (h openHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *openHeap) Push(x any)        { op := x.(*Operation); op.index = len(*h); *h = append(*h, op) }
func (h *openHeap) Pop() any {
	old := *h
	op := old[len(old)-1]
	*h = old[:len(old)-1]
	return op
}

// doneHeap orders complete operations by start time.
type doneHeap []*Operation

func (h doneHeap) Len() int { return len(h) }
func (h doneHeap) Less(i, j int) bool {
	if !h[i].Start.Equal(h[j].Start) {
		return h[i].Start.Before(h[j].Start)
	}
	return h[i].TaskID < h[j].TaskID
}
func (h doneHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *doneHeap) Push(x any)   { *h = append(*h, x.(*Operation)) }
func (h *doneHeap) Pop() any {
	old := *h
	op := old[len(old)-1]
	*h = old[:len(old)-1]
	return op
}

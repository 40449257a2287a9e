package cache

import (
	"sync"
	"time"
)

// Budget is the accumulative revocation retrieval timeout of
// CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT (spec §3.7): each URL may use
// half of what remains — 10 s, 5 s, 2.5 s … of the default 20 s — until one
// succeeds, the budget is spent or the URLs run out. Pass the same *Budget
// in Options.Budget for every URL of one chain build. Safe for concurrent use.
type Budget struct {
	mu        sync.Mutex
	total     time.Duration
	remaining time.Duration
}

// minBudgetSlice is the smallest slice worth starting a retrieval for. With
// halving the slices never reach zero, so below 1 ms the budget counts as
// spent (winchain's choice; Windows' cut-off is not documented).
const minBudgetSlice = time.Millisecond

// NewBudget returns a budget of total (e.g. [DefaultAccumulativeTimeout]).
func NewBudget(total time.Duration) *Budget {
	return &Budget{total: total, remaining: total}
}

// Remaining returns what is left.
func (b *Budget) Remaining() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.remaining
}

// Total returns the budget's size.
func (b *Budget) Total() time.Duration { return b.total }

// next returns the timeout for the next URL (half of what remains) and false
// when the budget is spent.
func (b *Budget) next() (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	slice := b.remaining / 2
	if slice < minBudgetSlice {
		return 0, false
	}
	return slice, true
}

// Charge subtracts d (the time one retrieval blocked) from the budget.
func (b *Budget) Charge(d time.Duration) {
	if d <= 0 {
		return
	}
	b.mu.Lock()
	b.remaining -= d
	if b.remaining < 0 {
		b.remaining = 0
	}
	b.mu.Unlock()
}

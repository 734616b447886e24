package serve

import (
	"sync"
	"sync/atomic"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// held is one opened catalog with what every answer says about it. It is
// closed when it has been replaced and the last request that uses it has
// ended: a swap never pulls a catalog from under a lookup in flight.
type held struct {
	cat  *catalog.Catalog
	rc   *catalog.ReportCatalog
	demo bool

	refs    atomic.Int64
	retired atomic.Bool
	once    sync.Once
}

func newHeld(cat *catalog.Catalog, demo bool) *held {
	return &held{cat: cat, rc: catalog.CatalogReport(cat.Checkpoint, demo), demo: demo}
}

func (h *held) release() {
	if h.refs.Add(-1) == 0 && h.retired.Load() {
		h.close()
	}
}

func (h *held) close() { h.once.Do(func() { h.cat.Close() }) }

// current holds the catalog in use. Readers never lock: acquire takes a
// reference to the catalog in use; swap puts a newer one in its place
// and closes the old one once nobody holds it.
type current struct {
	p atomic.Pointer[held]
}

// acquire returns the catalog in use, held until release; nil when none
// is loaded.
func (c *current) acquire() *held {
	for {
		h := c.p.Load()
		if h == nil {
			return nil
		}
		h.refs.Add(1)
		if c.p.Load() == h {
			return h
		}
		// Swapped meanwhile: h may be closing; take the new one.
		h.release()
	}
}

// swap makes h the catalog in use and retires the one before.
func (c *current) swap(h *held) {
	old := c.p.Swap(h)
	if old == nil {
		return
	}
	old.retired.Store(true)
	if old.refs.Load() == 0 {
		old.close()
	}
}

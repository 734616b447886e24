package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A till remembers the last checkpoint it accepted for each origin, and
// accepts a catalog only if it extends that one (catalog.md, "Updating a
// till"): this is what turns a rollback or a rewritten history into an
// error instead of a quiet change of what the till shows.

func acceptedPath(stateDir, origin string) string {
	name := strings.NewReplacer("/", "_", "\\", "_", ":", "_").Replace(origin)
	return filepath.Join(stateDir, "accepted", name+".checkpoint")
}

// LoadAccepted returns the checkpoint last accepted for trust's origin in
// stateDir, or nil if none was. The stored checkpoint is verified again:
// state on disk is not trusted more than a catalog is.
func LoadAccepted(stateDir string, trust *Trust) (*Checkpoint, error) {
	path := acceptedPath(stateDir, trust.Origin)
	msg, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read last accepted checkpoint: %w", err)
	}
	cp, err := openStoredCheckpoint(msg, trust)
	if err != nil {
		return nil, fmt.Errorf("last accepted checkpoint %s: %w (remove it only if the publisher's keys really changed)", path, err)
	}
	return cp, nil
}

// SaveAccepted records cp as the last accepted checkpoint of its origin,
// if it is newer than the one recorded.
func SaveAccepted(stateDir string, last, cp *Checkpoint) error {
	if last != nil && last.Size == cp.Size && string(last.Raw) == string(cp.Raw) {
		return nil
	}
	path := acceptedPath(stateDir, cp.Origin)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("remember checkpoint: %w", err)
	}
	return writeFileAtomic(path, cp.Raw)
}
